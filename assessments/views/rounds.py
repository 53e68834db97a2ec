"""A ward's rounds, opening one, and moving a round through its steps."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from standards import selectors as standards_selectors
from standards.forms import apply_service

from .. import lone_scorers, presenters, rules, selectors, services
from ..forms.rounds import (
    CloseScoringForm,
    ClosesOnForm,
    ReturnToAgreeingForm,
    RoundForm,
    ScorersForm,
    StepForm,
)
from ..models import Round, Scorer
from ..permissions import Access, access_for, load_round
from ..services.rounds import scorer_candidates

RUN_ROUND_ONLY = "Only the ward manager or a trust QI lead can do this."
MANAGER_ONLY = "Only the ward manager can do this."


def _chooser_notice(ward, scorer_ids) -> lone_scorers.LoneNotice | None:
    """What choosing these people means when a group would have only one person in it."""
    candidates = scorer_candidates(ward=ward)
    groups = [candidates[pk] for pk in scorer_ids if pk in candidates]
    return lone_scorers.for_chooser(groups=groups, trust=ward.site.trust)


def _lone_notice(
    round: Round, access: Access, scorers: list[Scorer], own: Scorer | None
) -> lone_scorers.LoneNotice | None:
    """On the round page: the scorer alone in their group before they rate; the people who
    choose the scorers while they still can."""
    groups = [scorer.group for scorer in scorers]
    trust = round.ward.site.trust
    if own and not own.has_submitted and round.allows(rules.RATE):
        return lone_scorers.for_scorer(group=own.group, groups=groups, trust=trust)
    if access.can_run_round and round.allows(rules.CHANGE_SCORERS):
        return lone_scorers.for_chooser(groups=groups, trust=trust)
    return None


def _step(
    request: HttpRequest, round: Round, service: Callable[..., Any], *, done: str
) -> HttpResponse:
    """Move the round on with one button; the service's refusal is shown on the round page."""
    form = StepForm(request.POST)
    if apply_service(form, service, round=round, by=request.user) is not None:
        messages.success(request, done)
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect("assessments:round_detail", round.pk)


@require_GET
def ward_detail(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = standards_selectors.get_ward_for_user(user=request.user, ward_id=ward_id)
    access = access_for(user=request.user, ward=ward)
    rounds = list(selectors.ward_rounds(ward=ward))
    in_progress = next((r for r in rounds if not r.is_locked), None)
    context = {
        "ward": ward,
        "rounds": rounds,
        "in_progress": in_progress,
        "can_open_round": access.can_run_round and in_progress is None,
        # Overdue is for the people who can move the round on, not a mark against scorers.
        "overdue": access.can_run_round
        and in_progress is not None
        and rules.is_scoring_overdue(
            status=in_progress.status,
            closes_on=in_progress.scoring_closes_on,
            today=timezone.localdate(),
        ),
    }
    return render(request, "assessments/ward_detail.html", context)


@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, ward_id: int) -> HttpResponse:
    ward = standards_selectors.get_ward_for_user(user=request.user, ward_id=ward_id)
    if not access_for(user=request.user, ward=ward).can_run_round:
        raise PermissionDenied(RUN_ROUND_ONLY)
    form = RoundForm(request.POST if request.method == "POST" else None, ward=ward)
    if form.is_bound and form.is_valid():
        round = apply_service(
            form,
            services.open_round,
            ward=ward,
            label=form.cleaned_data["label"],
            edition=form.cleaned_data["edition"],
            scorer_ids=form.cleaned_data["scorers"],
            scoring_closes_on=form.cleaned_data["scoring_closes_on"],
            by=request.user,
        )
        if round is not None:
            messages.success(request, f"Round {round.label} is open")
            return redirect("assessments:round_detail", round.pk)
    in_progress = next((r for r in selectors.ward_rounds(ward=ward) if not r.is_locked), None)
    chosen = form.cleaned_data.get("scorers", []) if form.is_bound else []
    notice = _chooser_notice(ward, chosen)
    context = {"ward": ward, "form": form, "in_progress": in_progress, "lone_notice": notice}
    return render(request, "assessments/round_form.html", context)


@require_GET
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    scorers = list(selectors.scorers(round=round))
    own = next((s for s in scorers if s.user_id == request.user.pk), None)
    live = (
        selectors.live_signatures(round=round)
        if round.allows(rules.SIGN) or round.allows(rules.CO_SIGN)
        else {}
    )
    context = {
        "round": round,
        "access": access,
        "steps": presenters.round_steps(round),
        # Scorers' names are for the ward team; everyone else sees how many.
        "scorers": scorers if access.is_ward_team else [],
        "scorer_counts": presenters.scorer_counts(scorers),
        "lone_notice": _lone_notice(round, access, scorers, own),
        "own": own,
        "standard_count": selectors.round_standards(round=round).count() if own else None,
        "reopenings": selectors.round_reopenings(round=round),
        "leader_voices": presenters.round_leader_voices(round),
        "signed_so_far": list(live.values()),
        "can_sign": bool(
            selectors.signing_roles_open_to(
                round=round, roles=access.signing_roles, user=request.user, live=live
            )
        ),
        "overdue": rules.is_scoring_overdue(
            status=round.status, closes_on=round.scoring_closes_on, today=timezone.localdate()
        ),
    }
    return render(request, "assessments/round_detail.html", context)


@require_http_methods(["GET", "POST"])
def round_scorers(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    if not access.can_run_round:
        raise PermissionDenied(RUN_ROUND_ONLY)
    current = [scorer.user_id for scorer in selectors.scorers(round=round)]
    data = request.POST if request.method == "POST" else None
    form = ScorersForm(data, ward=round.ward, initial={"scorers": current})
    if form.is_bound and form.is_valid():
        scorer_ids = form.cleaned_data["scorers"]
        if apply_service(
            form, services.set_scorers, round=round, scorer_ids=scorer_ids, by=request.user
        ):
            messages.success(request, "The scorers are saved")
            return redirect("assessments:round_detail", round.pk)
    chosen = form.cleaned_data.get("scorers", current) if form.is_bound else current
    context = {"round": round, "form": form, "lone_notice": _chooser_notice(round.ward, chosen)}
    return render(request, "assessments/round_scorers.html", context)


@require_POST
def start_scoring(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    if not access.can_run_round:
        raise PermissionDenied(RUN_ROUND_ONLY)
    done = "Scoring has started. Each scorer can now rate the standards."
    return _step(request, round, services.start_scoring, done=done)


@require_http_methods(["GET", "POST"])
def close_scoring(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    if not access.can_run_round:
        raise PermissionDenied(RUN_ROUND_ONLY)
    form = CloseScoringForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        if apply_service(form, services.close_scoring, round=round, reason=reason, by=request.user):
            messages.success(request, "Scoring is closed. The ratings can now be agreed.")
            return redirect("assessments:round_detail", round.pk)
    scorers = list(selectors.scorers(round=round))
    context = {"round": round, "form": form, "waiting": [s for s in scorers if not s.has_submitted]}
    return render(request, "assessments/close_scoring.html", context)


@require_http_methods(["GET", "POST"])
def return_to_agreeing(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    if not access.can_agree:
        raise PermissionDenied(MANAGER_ONLY)
    form = ReturnToAgreeingForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        reason = form.cleaned_data["reason"]
        if apply_service(
            form, services.return_to_agreeing, round=round, reason=reason, by=request.user
        ):
            messages.success(
                request, "The assessment is back in agreeing. Any signatures are void."
            )
            return redirect("assessments:round_detail", round.pk)
    return render(request, "assessments/return_to_agreeing.html", {"round": round, "form": form})


@require_http_methods(["GET", "POST"])
def scoring_closes_on(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    if not access.can_run_round:
        raise PermissionDenied(RUN_ROUND_ONLY)
    data = request.POST if request.method == "POST" else None
    form = ClosesOnForm(data, initial={"scoring_closes_on": round.scoring_closes_on})
    if form.is_bound and form.is_valid():
        changed = apply_service(
            form,
            services.set_scoring_closes_on,
            round=round,
            closes_on=form.cleaned_data["scoring_closes_on"],
            by=request.user,
        )
        if changed is not None:
            closes = changed.scoring_closes_on
            messages.success(request, f"Scoring now closes on {closes.day} {closes:%B %Y}")
            return redirect("assessments:round_detail", round.pk)
    status = 400 if form.errors else 200
    return render(
        request, "assessments/closes_on.html", {"round": round, "form": form}, status=status
    )
