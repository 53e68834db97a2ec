from typing import Any

from django.core.exceptions import ValidationError

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
    *, round: Round, by, kind: str, summary: str, before: Any = None, after: Any = None
) -> None:
    HistoryEntry.objects.create(
        round=round, actor=by, kind=kind, summary=summary[:300], before=before, after=after
    )
