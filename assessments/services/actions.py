"""Actions: what will change, who owns it, by when. They carry into the next round."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from standards.models import Commitment, Standard, WardMembership

from ..models import Action, ActionStatus, HistoryKind, Round
from ..permissions import access_for, require
from .common import ConflictError, LockedError, lock_round, record


def _snapshot(action: Action) -> dict:
    return {
        "title": action.title,
        "owner": action.owner_id,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "status": action.status,
        "co_produced": action.co_produced,
        "standards": sorted(action.standards.values_list("code", flat=True)) if action.pk else [],
        "commitments": sorted(action.commitments.values_list("number", flat=True))
        if action.pk
        else [],
    }


def _validate(
    *,
    ward,
    title: str,
    owner_id: int | None,
    due_date,
    status: str,
    standards,
    edition_id,
    commitments=(),
):
    errors = {}
    if not title.strip():
        errors["title"] = "Enter what will change"
    if owner_id is None or not WardMembership.objects.filter(ward=ward, user_id=owner_id).exists():
        errors["owner"] = "Choose an owner from the ward's people"
    if not isinstance(due_date, datetime.date):
        errors["due_date"] = "Enter a due date"
    if status not in ActionStatus.values:
        errors["status"] = "Choose a status"
    if any(s.edition_id != edition_id for s in standards):
        errors["standards"] = "Choose standards from this round's edition"
    if any(c.edition_id != edition_id for c in commitments):
        errors["commitments"] = "Choose commitments from this round's edition"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_action(
    *,
    round: Round,
    title: str,
    owner_id: int | None,
    due_date: datetime.date | None,
    by,
    status: str = ActionStatus.NOT_STARTED,
    standards: list[Standard] | tuple = (),
    co_produced: bool = False,
    commitments: list[Commitment] | tuple = (),
) -> Action:
    round = lock_round(round.pk)
    require(
        access_for(user=by, ward=round.ward).can_contribute,
        "Only the ward's people can add actions.",
    )
    if round.is_locked:
        raise LockedError()
    _validate(
        ward=round.ward,
        title=title,
        owner_id=owner_id,
        due_date=due_date,
        status=status,
        standards=standards,
        edition_id=round.edition_id,
        commitments=commitments,
    )
    action = Action.objects.create(
        ward=round.ward,
        origin_round=round,
        title=title.strip(),
        owner_id=owner_id,
        due_date=due_date,
        status=status,
        co_produced=co_produced,
        created_by=by,
        updated_by=by,
    )
    action.rounds.add(round)
    action.standards.set(standards)
    action.commitments.set(commitments)
    record(
        round=round,
        by=by,
        kind=HistoryKind.ACTION,
        summary=f"Added action: {action.title}",
        after=_snapshot(action),
    )
    return action


@transaction.atomic
def update_action(
    *,
    action: Action,
    version: int,
    title: str,
    owner_id: int | None,
    due_date: datetime.date | None,
    status: str,
    standards: list[Standard] | tuple,
    co_produced: bool,
    by,
    commitments: list[Commitment] | tuple = (),
) -> Action:
    """Change an action. Refused with the other person's version if someone saved first."""
    require(
        access_for(user=by, ward=action.ward).can_contribute,
        "Only the ward's people can change actions.",
    )
    latest = action.rounds.order_by("-opened_at", "-pk").first() or action.origin_round
    if latest.is_locked:
        # Every round showing this action is signed: it changes again in the next round.
        raise LockedError()
    edition_id = action.origin_round.edition_id
    _validate(
        ward=action.ward,
        title=title,
        owner_id=owner_id,
        due_date=due_date,
        status=status,
        standards=standards,
        edition_id=edition_id,
        commitments=commitments,
    )
    current = Action.objects.select_for_update().get(pk=action.pk)
    if current.version != version:
        raise ConflictError(
            "Someone else changed this action while you were editing it.", current=current
        )
    before = _snapshot(current)
    updated = Action.objects.filter(pk=action.pk, version=version).update(
        title=title.strip(),
        owner_id=owner_id,
        due_date=due_date,
        status=status,
        co_produced=co_produced,
        version=version + 1,
        updated_by=by,
    )
    if not updated:
        current.refresh_from_db()
        raise ConflictError(
            "Someone else changed this action while you were editing it.", current=current
        )
    current.refresh_from_db()
    current.standards.set(standards)
    current.commitments.set(commitments)
    latest_round = current.rounds.order_by("-opened_at", "-pk").first() or current.origin_round
    record(
        round=latest_round,
        by=by,
        kind=HistoryKind.ACTION,
        summary=f"Changed action: {current.title}",
        before=before,
        after=_snapshot(current),
    )
    return current
