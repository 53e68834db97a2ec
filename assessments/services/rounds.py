"""Opening a round and moving it through open -> scoring -> agreeing -> awaiting sign-off."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from standards.models import FrameworkEdition, Ward, WardMembership, WardRole
from standards.selectors import latest_edition

from .. import notices, rules
from ..models import Action, HistoryKind, Round, RoundStatus, Scorer, ScorerGroup
from ..permissions import access_for, require
from .common import lock_round, record, require_allowed

GROUP_FOR_ROLE = {
    WardRole.STAFF: ScorerGroup.STAFF,
    WardRole.MANAGER: ScorerGroup.STAFF,
    WardRole.LIVED_EXPERIENCE_PARTNER: ScorerGroup.LIVED_EXPERIENCE,
}


def scorer_candidates(*, ward: Ward) -> dict[int, str]:
    """The ward's people who may score, with their group; partners count as lived experience."""
    candidates: dict[int, str] = {}
    for user_id, role in WardMembership.objects.filter(ward=ward).values_list("user_id", "role"):
        group = GROUP_FOR_ROLE[role]
        # Someone who is both staff and partner on a ward scores as a lived experience partner.
        if candidates.get(user_id) != ScorerGroup.LIVED_EXPERIENCE:
            candidates[user_id] = group
    return candidates


@transaction.atomic
def open_round(
    *,
    ward: Ward,
    label: str,
    by,
    edition: FrameworkEdition | None = None,
    scorer_ids: list[int] | None = None,
    scoring_closes_on: datetime.date | None = None,
) -> Round:
    """Open a round for a ward: one unfinished round per ward; open actions carry into it.
    Scoring closes on the given day, by default three weeks from today moved on to a working
    day (rules.default_scoring_closes_on)."""
    require(
        access_for(user=by, ward=ward).can_run_round,
        "Only a ward manager or QI lead can open a round.",
    )
    edition = edition or latest_edition()
    if edition is None:
        raise ValidationError({"edition": "Load a framework edition before opening a round."})
    label = label.strip()
    if not label:
        raise ValidationError({"label": "Enter the period for this round, for example 2026 Q4"})
    today = timezone.localdate()
    closes_on = scoring_closes_on or rules.default_scoring_closes_on(today)
    if closes_on < today:
        raise ValidationError(
            {"scoring_closes_on": "The date scoring closes must be today or later"}
        )
    if Round.objects.filter(ward=ward).unfinished().exists():
        raise ValidationError(
            "This ward already has a round in progress. Finish it before opening another."
        )
    if Round.objects.filter(ward=ward, label__iexact=label).exists():
        raise ValidationError({"label": f"This ward already has a round called {label}"})
    try:
        with transaction.atomic():
            round = Round.objects.create(
                ward=ward,
                edition=edition,
                label=label,
                opened_by=by,
                scoring_closes_on=closes_on,
            )
    except IntegrityError as error:
        raise ValidationError("This ward already has a round in progress.") from error
    for action in Action.objects.filter(ward=ward).open():
        action.rounds.add(round)
    record(
        round=round,
        by=by,
        kind=HistoryKind.ROUND,
        summary=f"Opened round {label}",
        after={"status": round.status, "edition": str(edition)},
    )
    if scorer_ids:
        _replace_scorers(round=round, scorer_ids=scorer_ids, by=by)
    return round


def _replace_scorers(*, round: Round, scorer_ids: list[int], by) -> None:
    candidates = scorer_candidates(ward=round.ward)
    unknown = set(scorer_ids) - set(candidates)
    if unknown:
        raise ValidationError({"scorers": "Choose scorers from the ward's people only."})
    before = sorted(round.scorers.values_list("user_id", flat=True))
    round.scorers.exclude(user_id__in=scorer_ids).delete()
    existing = set(round.scorers.values_list("user_id", flat=True))
    Scorer.objects.bulk_create(
        Scorer(round=round, user_id=user_id, group=candidates[user_id])
        for user_id in scorer_ids
        if user_id not in existing
    )
    record(
        round=round,
        by=by,
        kind=HistoryKind.ROUND,
        summary="Changed the scorers",
        before={"scorers": before},
        after={"scorers": sorted(scorer_ids)},
    )


@transaction.atomic
def set_scorers(*, round: Round, scorer_ids: list[int], by) -> Round:
    """Choose who scores. Only while the round is open, before scoring starts."""
    round = lock_round(round.pk)
    require(access_for(user=by, ward=round.ward).can_run_round)
    require_allowed(round, rules.CHANGE_SCORERS)
    _replace_scorers(round=round, scorer_ids=scorer_ids, by=by)
    return round


def _set_status(round: Round, status: str, *, by, summary: str, **extra) -> Round:
    before = round.status
    round.status = status
    for name, value in extra.items():
        setattr(round, name, value)
    round.save(update_fields=["status", *extra])
    record(
        round=round,
        by=by,
        kind=HistoryKind.ROUND,
        summary=summary,
        before={"status": before},
        after={"status": status, **extra},
    )
    return round


@transaction.atomic
def start_scoring(*, round: Round, by) -> Round:
    """Scoring needs at least one staff scorer and one lived experience scorer."""
    round = lock_round(round.pk)
    require(access_for(user=by, ward=round.ward).can_run_round)
    require_allowed(round, rules.START_SCORING)
    groups = set(round.scorers.values_list("group", flat=True))
    if groups != {ScorerGroup.STAFF, ScorerGroup.LIVED_EXPERIENCE}:
        raise ValidationError(
            {"scorers": "Choose at least one staff member and one lived experience partner"}
        )
    round = _set_status(round, RoundStatus.SCORING, by=by, summary="Started scoring")
    notices.scoring_started(round)
    return round


def move_to_agreeing_if_all_submitted(*, round: Round, by) -> Round:
    if not round.scorers.filter(submitted_at__isnull=True).exists():
        round = _set_status(
            round, RoundStatus.AGREEING, by=by, summary="Every scorer submitted: agreeing started"
        )
        notices.all_submitted(round)
    return round


@transaction.atomic
def close_scoring(*, round: Round, by, reason: str) -> Round:
    """The ward manager may end scoring early, saying why; unsubmitted ratings stay hidden."""
    round = lock_round(round.pk)
    require(access_for(user=by, ward=round.ward).can_run_round)
    require_allowed(round, rules.CLOSE_SCORING)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Enter why scoring is being closed before everyone has submitted"}
        )
    if not round.scorers.filter(submitted_at__isnull=False).exists():
        raise ValidationError("Nobody has submitted their ratings yet: there is nothing to agree.")
    return _set_status(
        round,
        RoundStatus.AGREEING,
        by=by,
        summary="Closed scoring early",
        scoring_closed_reason=reason,
    )


@transaction.atomic
def finish_agreeing(*, round: Round, by) -> Round:
    """Every standard needs an agreed rating (and its rationale where required)."""
    from ..selectors import missing_agreed_ratings

    round = lock_round(round.pk)
    require(access_for(user=by, ward=round.ward).can_agree, "Only the ward manager can do this.")
    require_allowed(round, rules.FINISH_AGREEING)
    missing = missing_agreed_ratings(round=round)
    if missing:
        codes = ", ".join(s.code for s in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise ValidationError(f"Record an agreed rating for {codes}{more}")
    round = _set_status(round, RoundStatus.AWAITING_SIGNOFF, by=by, summary="Finished agreeing")
    notices.awaiting_cosignature(round)
    return round


@transaction.atomic
def return_to_agreeing(*, round: Round, by, reason: str) -> Round:
    """Before the assessment is signed, the manager may reopen agreeing; signatures are voided."""
    from django.utils import timezone

    round = lock_round(round.pk)
    require(access_for(user=by, ward=round.ward).can_agree, "Only the ward manager can do this.")
    require_allowed(round, rules.RETURN_TO_AGREEING)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the agreed ratings need to change"})
    live = round.signatures.live()
    voided = list(live.select_related("signer"))
    live.update(voided_at=timezone.now(), void_reason=reason.strip())
    round = _set_status(
        round, RoundStatus.AGREEING, by=by, summary=f"Returned to agreeing: {reason.strip()}"
    )
    notices.signatures_voided(round, voided, reason=reason.strip(), reopened=False, by=by)
    return round


@transaction.atomic
def set_scoring_closes_on(*, round: Round, closes_on: datetime.date, by) -> Round:
    """The manager or QI lead moves the day scoring should close, while it is being scored."""
    round = lock_round(round.pk)
    require(
        access_for(user=by, ward=round.ward).can_run_round,
        "Only a ward manager or QI lead can change when scoring closes.",
    )
    if not rules.is_scoring(round.status):
        raise ValidationError("Scoring has finished, so its closing date cannot change.")
    if not isinstance(closes_on, datetime.date):
        raise ValidationError({"scoring_closes_on": "Enter the date scoring closes"})
    if closes_on < timezone.localdate():
        raise ValidationError(
            {"scoring_closes_on": "The date scoring closes must be today or later"}
        )
    before = round.scoring_closes_on
    if before == closes_on:
        return round
    round.scoring_closes_on = closes_on
    round.save(update_fields=["scoring_closes_on"])
    record(
        round=round,
        by=by,
        kind=HistoryKind.ROUND,
        summary="Changed when scoring closes",
        before={"scoring_closes_on": before.isoformat() if before else None},
        after={"scoring_closes_on": closes_on.isoformat()},
    )
    return round
