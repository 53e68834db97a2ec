"""Signing and reopening an assessment, its read-only summary and its history."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from standards.forms import apply_service

from .. import lone_scorers, presenters, rules, selectors, services
from ..forms.signing import ROLE_FIELD, SIGN_FORMS, ReopenForm
from ..models import (
    Round,
    Signature,
    SignatureDecision,
    SignatureRole,
)
from ..permissions import load_round, load_team_round

SIGNED_MESSAGES = {
    SignatureDecision.SIGNED: "You signed the assessment",
    SignatureDecision.RESERVATIONS: "You signed the assessment with reservations",
    SignatureDecision.DECLINED: "You declined to sign. Your reason is kept with the assessment.",
}


@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    roles = access.signing_roles
    if not roles:
        raise PermissionDenied("Only the ward manager or a lived experience leader can sign.")
    signatures = list(selectors.round_signatures(round=round))
    signing_as = None
    if request.method == "POST":
        # Someone holding both roles says which one they sign in; otherwise it is their only one.
        signing_as = request.POST.get(ROLE_FIELD) or roles[0]
        if signing_as not in roles:
            raise PermissionDenied("You cannot sign in that role.")
    offered = selectors.signing_roles_open_to(round=round, roles=roles, user=request.user)
    sign_forms = {
        role: SIGN_FORMS[role](request.POST if role == signing_as else None)
        for role in roles
        if role in offered or role == signing_as
    }
    form = sign_forms.get(signing_as)
    if form is not None and form.is_valid():
        signature = _sign(form, round=round, by=request.user)
        if signature is not None:
            round.refresh_from_db(fields=["status"])
            if round.is_locked:
                messages.success(request, "The assessment is signed and locked")
                return redirect("assessments:summary", round.pk)
            messages.success(request, SIGNED_MESSAGES[signature.decision])
            return redirect("assessments:round_detail", round.pk)
    context = {
        "round": round,
        "signatures": signatures,
        "sign_forms": sign_forms,
        "form": form,
        "role_field": ROLE_FIELD,
    }
    return render(request, "assessments/sign.html", context)


def _sign(form: forms.Form, *, round: Round, by) -> Signature | None:
    if form.role == SignatureRole.WARD_MANAGER:
        return apply_service(form, services.sign_as_manager, round=round, by=by)
    data = form.cleaned_data
    return apply_service(
        form,
        services.sign_as_leader,
        round=round,
        decision=data["decision"],
        words=data["words"],
        by=by,
    )


@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    if not access.is_qi_lead:
        raise PermissionDenied("Only a trust QI lead can reopen a signed assessment.")
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        if apply_service(form, services.reopen_round, round=round, reason=reason, by=request.user):
            messages.success(request, "The assessment is reopened and its signatures are void")
            return redirect("assessments:round_detail", round.pk)
    return render(request, "assessments/reopen.html", {"round": round, "form": form})


@require_GET
def summary(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    actions = list(selectors.round_actions(round=round))
    revealed = rules.ratings_revealed(round.status)
    # Outside the ward team the small-group rule holds here too (docs/decisions/0024).
    groups_hidden = (
        lone_scorers.hidden_outside(round) if revealed and not access.is_ward_team else ""
    )
    gaps = selectors.perception_gaps(round=round) if revealed and not groups_hidden else {}
    scores = [
        presenters.CommitmentScore(c.number, c.title, c.mean, c.rated, c.total, gaps.get(c.number))
        for c in selectors.commitment_scores(round=round)
    ]
    context = {
        "round": round,
        "access": access,
        "revealed": revealed,
        "groups_hidden": groups_hidden,
        "edition": round.edition,
        "scores": scores,
        "rows": presenters.standard_rows(round, actions),
        "actions": actions,
        "signatures": selectors.round_signatures(round=round),
        "reopenings": selectors.round_reopenings(round=round),
    }
    return render(request, "assessments/summary.html", context)


@require_GET
def history(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_team_round(request, round_id)
    if not access.can_read_history:
        raise PermissionDenied("Only the ward manager or a trust QI lead can read the history.")
    page = Paginator(selectors.round_history(round=round), 100).get_page(request.GET.get("page"))
    context = {
        "round": round,
        "page": page,
        "rows": presenters.history_rows(round, page.object_list),
    }
    return render(request, "assessments/history.html", context)
