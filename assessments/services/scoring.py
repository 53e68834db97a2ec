"""Independent scoring: each scorer rates every standard on their own, then submits."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from standards.models import Standard

from .. import rules
from ..models import RATING_CHOICES, HistoryEntry, HistoryKind, Rating, Round, Scorer
from .common import ConflictError, lock_round, record, require_allowed
from .rounds import move_to_agreeing_if_all_submitted

NOT_SURE = "not-sure"
HISTORY_FOLD_WINDOW = datetime.timedelta(minutes=10)


def parse_answer(answer: str | None, *, code: str) -> int | None:
    """'0'..'4' is a level; 'not-sure' is None. Anything else is a clear error."""
    if answer == NOT_SURE:
        return None
    if answer in {"0", "1", "2", "3", "4"}:
        return int(answer)
    raise ValidationError(f"Select a rating for {code}", code="required")


def _scorer_for(round: Round, by) -> Scorer:
    scorer = Scorer.objects.filter(round=round, user=by).first()
    if scorer is None:
        raise PermissionDenied("You are not a scorer in this round.")
    return scorer


def _changed_elsewhere(standard: Standard, rating: Rating | None) -> str:
    if rating is None:
        now = "it has no answer now"
    else:
        label = "Not sure" if rating.level is None else dict(RATING_CHOICES)[rating.level]
        now = f"it now says {label}"
    return (
        f"Your answer for {standard.code} was changed in another tab or window after this page "
        f"was opened: {now}. Reload the page to see it, or choose your answer again here to "
        "replace it."
    )


@transaction.atomic
def save_rating(
    *,
    round: Round,
    standard: Standard,
    answer: str,
    comment: str = "",
    share_without_name: bool = False,
    version: int | None = None,
    by,
) -> Rating:
    """Store one answer of the acting scorer. Only their own, only while scoring, not after
    they have submitted. `share_without_name`: show the comment without the scorer's name.
    `version`: the rating's version the page saw (0: none yet); if it has changed since (another
    tab or device) and this answer differs, ConflictError, and nothing is overwritten."""
    round = lock_round(round.pk)
    scorer = _scorer_for(round, by)
    require_allowed(round, rules.RATE)
    if scorer.has_submitted:
        raise ValidationError(rules.SUBMITTED)
    if standard.edition_id != round.edition_id:
        raise ValidationError("That standard is not part of this round's edition.")
    level = parse_answer(answer, code=standard.code)
    comment = comment.strip()
    share_without_name = bool(share_without_name)
    rating = Rating.objects.filter(scorer=scorer, standard=standard).first()
    before = None if rating is None else {"level": rating.level, "comment": rating.comment}
    if (
        version is not None
        and version != (rating.version if rating else 0)
        and before != {"level": level, "comment": comment}
    ):
        raise ConflictError(_changed_elsewhere(standard, rating), current=rating)
    if rating is None:
        rating = Rating.objects.create(
            scorer=scorer,
            standard=standard,
            level=level,
            comment=comment,
            share_without_name=share_without_name,
        )
    elif before != {"level": level, "comment": comment}:
        rating.level, rating.comment = level, comment
        rating.share_without_name = share_without_name
        rating.version += 1
        rating.save(
            update_fields=["level", "comment", "share_without_name", "version", "updated_at"]
        )
    elif rating.share_without_name != share_without_name:
        rating.share_without_name = share_without_name
        rating.save(update_fields=["share_without_name", "updated_at"])
        return rating
    else:
        return rating
    after = {"level": level, "comment": comment}
    summary = f"Rated {standard.code}"
    # Autosave sends every pause in typing: fold a scorer's run of edits to one standard into
    # one history entry (first "before", latest "after") rather than dozens.
    recent = (
        HistoryEntry.objects.filter(round=round, kind=HistoryKind.RATING)
        .order_by("-at", "-pk")
        .first()
    )
    if (
        recent is not None
        and recent.actor_id == by.pk
        and recent.summary == summary
        and recent.at > timezone.now() - HISTORY_FOLD_WINDOW
    ):
        recent.after = after
        recent.save(update_fields=["after"])
        return rating
    record(round=round, by=by, kind=HistoryKind.RATING, summary=summary, before=before, after=after)
    return rating


@transaction.atomic
def submit_ratings(*, round: Round, by) -> Scorer:
    """A scorer submits once every standard has an answer; the last one starts agreeing."""
    from ..selectors import unanswered_standards

    round = lock_round(round.pk)
    scorer = _scorer_for(round, by)
    require_allowed(round, rules.SUBMIT_RATINGS)
    if scorer.has_submitted:
        raise ValidationError(rules.SUBMITTED)
    missing = unanswered_standards(scorer=scorer)
    if missing:
        raise ValidationError(
            f"Rate every standard before you submit: {len(missing)} still to rate",
            code="incomplete",
        )
    scorer.submitted_at = timezone.now()
    scorer.save(update_fields=["submitted_at"])
    record(round=round, by=by, kind=HistoryKind.RATING, summary="Submitted ratings")
    move_to_agreeing_if_all_submitted(round=round, by=by)
    return scorer
