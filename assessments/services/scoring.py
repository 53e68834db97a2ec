"""Independent scoring: each scorer rates every standard on their own, then submits."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
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


@dataclass(frozen=True)
class ScorerTally:
    """How many standards the scorer has answered, in all and on the saved standard's page,
    and how many there are."""

    rated: int
    commitment_rated: int
    total: int
    commitment_total: int

    def answered(self) -> "ScorerTally":
        """The same after a first answer to one more standard."""
        return ScorerTally(self.rated + 1, self.commitment_rated + 1, *self.sizes)

    @property
    def sizes(self) -> tuple[int, int]:
        return self.total, self.commitment_total


@dataclass(frozen=True)
class _LastEntry:
    pk: int | None
    actor_id: int | None
    summary: str | None
    at: datetime.datetime | None


def _rating_state(round: Round, by, standard: Standard) -> tuple[Scorer, Rating | None, _LastEntry]:
    """Under the round's lock, in one query: the acting scorer, their answer for `standard`,
    how many standards they have answered and there are (in all and on its page), and the
    round's latest rating entry in its history (to fold a run of edits into it)."""
    theirs = Rating.objects.filter(scorer=OuterRef("pk")).order_by()
    answer = theirs.filter(standard=standard)
    on_page = theirs.filter(standard__commitment_id=standard.commitment_id)
    latest = HistoryEntry.objects.filter(round=round, kind=HistoryKind.RATING).order_by(
        "-at", "-pk"
    )

    def count(rows):
        return Coalesce(Subquery(rows.values(one=Value(1)).annotate(n=Count("pk")).values("n")), 0)

    in_round = Standard.objects.filter(edition_id=round.edition_id).order_by()
    scorer = (
        Scorer.objects.filter(round=round, user=by)
        .annotate(
            answer_id=Subquery(answer.values("pk")[:1]),
            answer_level=Subquery(answer.values("level")[:1]),
            answer_comment=Subquery(answer.values("comment")[:1]),
            answer_share=Subquery(answer.values("share_without_name")[:1]),
            answer_version=Subquery(answer.values("version")[:1]),
            rated=count(theirs),
            rated_on_page=count(on_page),
            standards=count(in_round),
            standards_on_page=count(in_round.filter(commitment_id=standard.commitment_id)),
            last_id=Subquery(latest.values("pk")[:1]),
            last_actor_id=Subquery(latest.values("actor_id")[:1]),
            last_summary=Subquery(latest.values("summary")[:1]),
            last_at=Subquery(latest.values("at")[:1]),
        )
        .first()
    )
    if scorer is None:
        raise PermissionDenied("You are not a scorer in this round.")
    rating = None
    if scorer.answer_id is not None:
        rating = Rating(
            pk=scorer.answer_id,
            scorer=scorer,
            standard=standard,
            level=scorer.answer_level,
            comment=scorer.answer_comment,
            share_without_name=scorer.answer_share,
            version=scorer.answer_version,
        )
        rating._state.adding = False
        rating._state.db = scorer._state.db
    last = _LastEntry(scorer.last_id, scorer.last_actor_id, scorer.last_summary, scorer.last_at)
    return scorer, rating, last


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
    require_allowed(round, rules.RATE)
    if standard.edition_id != round.edition_id:
        raise ValidationError("That standard is not part of this round's edition.")
    scorer, rating, last = _rating_state(round, by, standard)
    if scorer.has_submitted:
        raise ValidationError(rules.SUBMITTED)
    level = parse_answer(answer, code=standard.code)
    comment = comment.strip()
    share_without_name = bool(share_without_name)
    before = None if rating is None else {"level": rating.level, "comment": rating.comment}
    if (
        version is not None
        and version != (rating.version if rating else 0)
        and before != {"level": level, "comment": comment}
    ):
        raise ConflictError(_changed_elsewhere(standard, rating), current=rating)
    tally = ScorerTally(
        scorer.rated, scorer.rated_on_page, scorer.standards, scorer.standards_on_page
    )
    if rating is None:
        rating = Rating.objects.create(
            scorer=scorer,
            standard=standard,
            level=level,
            comment=comment,
            share_without_name=share_without_name,
        )
        tally = tally.answered()
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
        rating.tally = tally
        return rating
    else:
        rating.tally = tally
        return rating
    rating.tally = tally
    after = {"level": level, "comment": comment}
    summary = f"Rated {standard.code}"
    # Autosave sends every pause in typing: fold a scorer's run of edits to one standard into
    # one history entry (first "before", latest "after") rather than dozens.
    if (
        last.pk is not None
        and last.actor_id == by.pk
        and last.summary == summary
        and last.at > timezone.now() - HISTORY_FOLD_WINDOW
    ):
        HistoryEntry.objects.filter(pk=last.pk).update(after=after)
        return rating
    # A rating of a round not yet signed: no kept page reads it (assessments/signals.py).
    record(
        round=round,
        by=by,
        kind=HistoryKind.RATING,
        summary=summary,
        before=before,
        after=after,
        kept_reads_change=False,
    )
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
