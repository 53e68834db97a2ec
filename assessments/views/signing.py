"""Signing and reopening an assessment, its read-only summary and its history."""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from standards import selectors as standards_selectors
from standards.forms import apply_service

from .. import rules, selectors, services
from ..forms.signing import ROLE_FIELD, SIGN_FORMS, ReopenForm
from ..models import (
    RATING_CHOICES,
    Action,
    Evidence,
    HistoryEntry,
    HistoryKind,
    Round,
    RoundStatus,
    Signature,
    SignatureDecision,
    SignatureRole,
)
from ..permissions import load_round
from ..selectors import Comparison

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


@dataclass
class CommitmentScore:
    number: int
    title: str
    mean: float | None
    rated: int
    total: int
    # Lived experience minus staff, from their own ratings: beside the score, never in it.
    gap: float | None = None

    @property
    def gap_text(self) -> str:
        if self.gap is None:
            return "Not available"
        if abs(self.gap) < 0.05:
            return "No difference"
        side = "higher" if self.gap > 0 else "lower"
        return f"{rules.gap_text(self.gap)} (lived experience {side})"

    @property
    def percent(self) -> int | None:
        """The mean as a percentage of the maximum level, 4."""
        return rules.percent_value(self.mean)


@dataclass
class StandardRow:
    comparison: Comparison
    evidence: list[Evidence] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def _standard_rows(round: Round, actions: list[Action]) -> list[StandardRow]:
    rows = {c.standard.pk: StandardRow(c) for c in selectors.round_comparisons(round=round)}
    for evidence in selectors.round_evidence(round=round):
        rows[evidence.standard_id].evidence.append(evidence)
    for action in actions:
        for standard in action.standards.all():
            if standard.pk in rows:
                rows[standard.pk].actions.append(action)
    return list(rows.values())


@require_GET
def summary(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    actions = list(selectors.round_actions(round=round))
    revealed = rules.ratings_revealed(round.status)
    gaps = selectors.perception_gaps(round=round) if revealed else {}
    scores = [
        CommitmentScore(c.number, c.title, c.mean, c.rated, c.total, gaps.get(c.number))
        for c in selectors.commitment_scores(round=round)
    ]
    context = {
        "round": round,
        "access": access,
        "revealed": revealed,
        "edition": round.edition,
        "scores": scores,
        "rows": _standard_rows(round, actions),
        "actions": actions,
        "signatures": selectors.round_signatures(round=round),
        "reopenings": selectors.round_reopenings(round=round),
    }
    return render(request, "assessments/summary.html", context)


LEVEL_LABELS: dict[Any, str] = {None: "Not sure", **dict(RATING_CHOICES)}
STATUS_LABELS = dict(RoundStatus.choices)
DECISION_LABELS = dict(SignatureDecision.choices)
RATED = "Rated "  # how assessments.services.scoring.save_rating summarises a rating's history


def _show(key: str, value: Any, names: dict[int, str]) -> str:
    if key == "level" and value in LEVEL_LABELS:
        return LEVEL_LABELS[value]
    if key == "status" and value in STATUS_LABELS:
        return STATUS_LABELS[value]
    if key == "decision" and value in DECISION_LABELS:
        return DECISION_LABELS[value]
    if key == "scorers" and isinstance(value, list):
        value = [names.get(user_id, f"Person {user_id}") for user_id in value]
    if value is None or value == "" or value == []:
        return "None"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _pairs(value: Any, names: dict[int, str]) -> list[tuple[str, str]]:
    """A stored before/after value as "key: value" lines, in words rather than codes."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [("Value", _show("", value, names))]
    return [
        (key.replace("_", " ").capitalize(), _show(key, item, names)) for key, item in value.items()
    ]


@dataclass
class HistoryRow:
    entry: HistoryEntry
    before: list[tuple[str, str]]
    after: list[tuple[str, str]]
    who: str = ""


def _who(entry: HistoryEntry, unnamed: dict[tuple[int, str], str]) -> str:
    """The actor's name, or their group where they shared this rating's comment without it."""
    if entry.kind == HistoryKind.RATING and entry.summary.startswith(RATED):
        code = entry.summary.removeprefix(RATED)
        if (entry.actor_id, code) in unnamed:
            return unnamed[(entry.actor_id, code)]
    return entry.actor.display_name if entry.actor else ""


def _history_rows(round: Round, entries) -> list[HistoryRow]:
    names = {
        m.user_id: m.user.display_name for m in standards_selectors.ward_people(ward=round.ward)
    }
    unnamed = selectors.unnamed_comments(round=round)
    return [
        HistoryRow(
            entry=e,
            before=_pairs(e.before, names),
            after=_pairs(e.after, names),
            who=_who(e, unnamed),
        )
        for e in entries
    ]


@require_GET
def history(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    if not access.can_read_history:
        raise PermissionDenied("Only the ward manager or a trust QI lead can read the history.")
    page = Paginator(selectors.round_history(round=round), 100).get_page(request.GET.get("page"))
    context = {"round": round, "page": page, "rows": _history_rows(round, page.object_list)}
    return render(request, "assessments/history.html", context)
