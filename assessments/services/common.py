from typing import Any

from django.core.exceptions import ValidationError

from standards import kept

from .. import rules
from ..models import HistoryEntry, Round, RoundStatus


class LockedError(ValidationError):
    """The round is signed: nothing about it can change until a QI lead reopens it."""

    def __init__(self) -> None:
        super().__init__(rules.LOCKED_MESSAGE, code="locked")


class ConflictError(ValidationError):
    """Someone else saved this first. `current` is their version, to show beside ours."""

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message, code="conflict")
        self.current = current


def lock_round(round_id: int) -> Round:
    """Re-read the round inside the transaction, holding a row lock so transitions serialise."""
    return (
        Round.objects.select_for_update(of=("self",)).select_related("ward__site").get(pk=round_id)
    )


def require_allowed(round: Round, action: str) -> None:
    """Refuse `action` unless the round's status allows it (rules.ALLOWED_IN)."""
    refusal = rules.refusal(round.status, action)
    if not refusal:
        return
    if round.status == RoundStatus.SIGNED:
        raise LockedError()
    raise ValidationError(refusal, code="wrong_status")


def record(
    *,
    round: Round,
    by,
    kind: str,
    summary: str,
    before: Any = None,
    after: Any = None,
    kept_reads_change: bool = True,
) -> None:
    """Keep the change in the round's history, and move on its trust's readings version in the
    same transaction (standards/kept.py), so every kept page drawn from it is drawn afresh: this
    covers the changes made by bulk updates, which send no signals. Only a change no kept page
    reads (a rating of a round not yet signed) passes kept_reads_change=False."""
    HistoryEntry.objects.create(
        round=round, actor=by, kind=kind, summary=summary[:300], before=before, after=after
    )
    if kept_reads_change:
        kept.bump_for(round)
