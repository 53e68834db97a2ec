"""Agreeing one rating per standard, with a rationale where the groups disagree."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from standards.models import Standard

from .. import rules
from ..models import AgreedRating, HistoryKind, Round
from ..permissions import access_for, require
from .common import ConflictError, lock_round, record, require_allowed
from .scoring import parse_answer


def record_agreed_rating(
    *, round: Round, standard: Standard, answer: str, rationale: str, version: int | None, by
) -> AgreedRating:
    """Record the agreed rating. `version` is the one the person started from: if someone
    saved since, the save is refused and their version returned, never silently overwritten."""
    from ..selectors import compare_standard

    with transaction.atomic():
        round = lock_round(round.pk)
        require(
            access_for(user=by, ward=round.ward).can_agree,
            "Only the ward manager can record agreed ratings.",
        )
        require_allowed(round, rules.AGREE)
        if standard.edition_id != round.edition_id:
            raise ValidationError("That standard is not part of this round's edition.")
        level = parse_answer(answer, code=standard.code)
        rationale = rationale.strip()
        reason = compare_standard(round=round, standard=standard).rationale_reason(level)
        if reason and not rationale:
            raise ValidationError(
                {"rationale": f"Enter why you agreed the rating for {standard.code}: {reason}"}
            )
        current = AgreedRating.objects.filter(round=round, standard=standard).first()
        if current is not None and current.version != version:
            raise ConflictError(
                f"{current.updated_by.display_name} changed the agreed rating for "
                f"{standard.code} while you were editing it.",
                current=current,
            )
        if current is None and version:
            raise ConflictError(
                "This agreed rating was removed while you were editing it.", current=None
            )
        before = (
            None if current is None else {"level": current.level, "rationale": current.rationale}
        )
        if current is None:
            try:
                with transaction.atomic():
                    agreed = AgreedRating.objects.create(
                        round=round,
                        standard=standard,
                        level=level,
                        rationale=rationale,
                        updated_by=by,
                    )
            except IntegrityError as error:
                winner = AgreedRating.objects.get(round=round, standard=standard)
                raise ConflictError(
                    f"{winner.updated_by.display_name} recorded the agreed rating for "
                    f"{standard.code} while you were editing it.",
                    current=winner,
                ) from error
        else:
            # Compare-and-swap on the version: under concurrency only one update can match.
            updated = AgreedRating.objects.filter(pk=current.pk, version=version).update(
                level=level, rationale=rationale, updated_by=by, version=version + 1
            )
            if not updated:
                current.refresh_from_db()
                raise ConflictError(
                    f"{current.updated_by.display_name} changed the agreed rating for "
                    f"{standard.code} while you were editing it.",
                    current=current,
                )
            agreed = AgreedRating.objects.get(pk=current.pk)
        # An agreed rating of a round not yet signed: no kept page reads it (assessments/signals).
        record(
            round=round,
            by=by,
            kind=HistoryKind.AGREED,
            summary=f"Agreed rating for {standard.code}",
            before=before,
            after={"level": level, "rationale": rationale},
            kept_reads_change=False,
        )
    return agreed


@dataclass
class AgreedEntry:
    """What the page sent for one standard: `answer` is "" when nothing was chosen."""

    standard: Standard
    answer: str
    rationale: str
    version: int | None


@dataclass
class AgreeOutcome:
    saved: list[Standard] = field(default_factory=list)
    unchanged: list[Standard] = field(default_factory=list)
    errors: dict[int, ValidationError] = field(default_factory=dict)
    conflicts: dict[int, ConflictError] = field(default_factory=dict)


def record_agreed_ratings(*, round: Round, entries: list[AgreedEntry], by) -> AgreeOutcome:
    """A commitment's agreed ratings in one save. Each standard is saved on its own terms (its
    reason, its version), so one refusal keeps the others; nothing unchanged is saved again,
    and a standard left blank is simply not agreed yet."""
    outcome = AgreeOutcome()
    current = {
        a.standard_id: a
        for a in AgreedRating.objects.filter(
            round=round, standard__in=[e.standard for e in entries]
        )
    }
    for entry in entries:
        agreed = current.get(entry.standard.pk)
        if not entry.answer or _same(entry, agreed):
            outcome.unchanged.append(entry.standard)
            continue
        try:
            record_agreed_rating(
                round=round,
                standard=entry.standard,
                answer=entry.answer,
                rationale=entry.rationale,
                version=entry.version,
                by=by,
            )
        except ConflictError as error:
            outcome.conflicts[entry.standard.pk] = error
        except ValidationError as error:
            outcome.errors[entry.standard.pk] = error
        else:
            outcome.saved.append(entry.standard)
    return outcome


def _same(entry: AgreedEntry, agreed: AgreedRating | None) -> bool:
    if agreed is None or entry.version != agreed.version:
        return False
    try:
        level = parse_answer(entry.answer, code=entry.standard.code)
    except ValidationError:
        return False
    return level == agreed.level and entry.rationale.strip() == agreed.rationale
