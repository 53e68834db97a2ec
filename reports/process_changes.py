"""Changes in the process: a QI lead marks the date a measure's process changed, and SPC limits
are calculated afresh from the points after it (NHS England Making Data Count).

Services (add, remove) and reads for the charts live together here, apart from the report jobs'
services.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from assessments import scores
from standards.models import Trust, TrustRole, Ward

from .models import ProcessChange
from .selectors import get_dashboard_trust

_MEASURE = re.compile(r"^(overall|commitment:(?P<number>\d{1,2})|ward:(?P<ward>\d+):overall)$")
MAX_COMMITMENT = 12


def can_mark_changes(*, user, trust: Trust) -> bool:
    """Only the trust's QI leads mark or remove changes in the process."""
    return Trust.objects.with_trust_role(user, TrustRole.QI_LEAD).filter(pk=trust.pk).exists()


def _check_qi_lead(*, by, trust: Trust) -> None:
    if not can_mark_changes(user=by, trust=trust):
        raise ValidationError("Only the trust's QI lead can mark a change in the process.")


def _check_measure(*, trust: Trust, measure: str) -> None:
    match = _MEASURE.match(measure)
    if match is None:
        raise ValidationError({"measure": "Choose a chart to mark the change on."})
    number = match.group("number")
    if number is not None and not 1 <= int(number) <= MAX_COMMITMENT:
        raise ValidationError({"measure": "Choose a chart to mark the change on."})
    ward = match.group("ward")
    if ward is not None and not Ward.objects.filter(pk=int(ward), site__trust=trust).exists():
        raise ValidationError({"measure": "Choose a chart to mark the change on."})


@transaction.atomic
def add_process_change(
    *, by, trust: Trust, measure: str, date: datetime.date, note: str
) -> ProcessChange:
    """Mark a change in the process of one of the trust's charts (QI lead only)."""
    _check_qi_lead(by=by, trust=trust)
    _check_measure(trust=trust, measure=measure)
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Enter what changed, for example “new model of care”."})
    if date > timezone.localdate():
        raise ValidationError({"date": "The date of the change must be today or in the past."})
    if ProcessChange.objects.filter(trust=trust, measure=measure, date=date).exists():
        raise ValidationError({"date": "This chart already has a change on that date."})
    change = ProcessChange.objects.create(
        trust=trust, measure=measure, date=date, note=note, created_by=by
    )
    scores.forget_ward_variations(trust_id=trust.pk)
    return change


@transaction.atomic
def remove_process_change(*, by, change: ProcessChange) -> None:
    """Remove a marked change (QI lead of its trust only); the limits go back to before it."""
    _check_qi_lead(by=by, trust=change.trust)
    change.delete()
    scores.forget_ward_variations(trust_id=change.trust_id)


def get_process_change(*, user, trust_id: int, change_id: int) -> ProcessChange:
    """A change on a trust dashboard the user may read: 404 for other trusts, 403 for people
    of the trust who may not mark changes."""
    trust = get_dashboard_trust(user=user, trust_id=trust_id)
    change = ProcessChange.objects.filter(trust=trust, pk=change_id).first()
    if change is None:
        raise Http404("No such change")
    if not can_mark_changes(user=user, trust=trust):
        raise PermissionDenied("Only the trust's QI lead can mark a change in the process.")
    return change


def get_trust_for_changes(*, user, trust_id: int) -> Trust:
    """A trust whose charts the user may mark: 404 for other trusts, 403 for others of it."""
    trust = get_dashboard_trust(user=user, trust_id=trust_id)
    if not can_mark_changes(user=user, trust=trust):
        raise PermissionDenied("Only the trust's QI lead can mark a change in the process.")
    return trust


def trust_changes(*, trust: Trust) -> dict[str, list[ProcessChange]]:
    """The trust's marked changes by measure key, oldest first (one query)."""
    changes: dict[str, list[ProcessChange]] = {}
    for change in ProcessChange.objects.filter(trust=trust).order_by("date", "pk"):
        changes.setdefault(change.measure, []).append(change)
    return changes


def change_indexes(starts: list, changes: list[ProcessChange]) -> dict[int, str]:
    """Each change's first point: the first period signed on or after its date."""
    out: dict[int, str] = {}
    for change in changes:
        index = next(
            (
                i
                for i, start in enumerate(starts)
                if start is not None and timezone.localtime(start).date() >= change.date
            ),
            len(starts),
        )
        out[index] = change.note
    return out
