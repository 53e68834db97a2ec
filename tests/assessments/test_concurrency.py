"""Two people saving the same thing at once, on two real PostgreSQL connections."""

import datetime
import threading

import pytest
from django.db import connection, connections

from assessments import services
from assessments.models import Action, AgreedRating
from standards.models import Standard
from tests.assessments.builders import agreeing_round
from tests.conftest import service_unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        service_unavailable("concurrency tests need PostgreSQL (set DATABASE_URL)")


def _race(*calls):
    """Run each call in its own thread (own connection), released together."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert on
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_concurrent_agreed_rating_saves_one_wins_one_is_told(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    standard = Standard.objects.get(code="4.1")
    first = services.record_agreed_rating(
        round=round, standard=standard, answer="3", rationale="", version=None, by=ward_manager
    )
    outcomes = _race(
        lambda: services.record_agreed_rating(
            round=round,
            standard=standard,
            answer="2",
            rationale="Ours",
            version=first.version,
            by=ward_manager,
        ),
        lambda: services.record_agreed_rating(
            round=round,
            standard=standard,
            answer="4",
            rationale="Theirs",
            version=first.version,
            by=ward_manager,
        ),
    )
    conflicts = [o for o in outcomes if isinstance(o, services.ConflictError)]
    saved = [o for o in outcomes if isinstance(o, AgreedRating)]
    assert len(conflicts) == 1 and len(saved) == 1, outcomes
    final = AgreedRating.objects.get(round=round, standard=standard)
    assert final.rationale == saved[0].rationale
    assert conflicts[0].current.rationale == final.rationale
    assert final.version == first.version + 1


def test_concurrent_first_agreed_ratings_do_not_duplicate(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    standard = Standard.objects.get(code="5.1")
    outcomes = _race(
        *[
            (
                lambda r=r: services.record_agreed_rating(
                    round=round,
                    standard=standard,
                    answer="3",
                    rationale=r,
                    version=None,
                    by=ward_manager,
                )
            )
            for r in ("First", "Second")
        ]
    )
    assert sum(isinstance(o, services.ConflictError) for o in outcomes) == 1, outcomes
    assert AgreedRating.objects.filter(round=round, standard=standard).count() == 1


def test_concurrent_action_edits_one_wins_one_is_told(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    action = services.create_action(
        round=round,
        title="Start",
        owner_id=ward_staff.pk,
        due_date=datetime.date(2027, 3, 1),
        by=ward_manager,
    )
    common = dict(
        owner_id=ward_staff.pk,
        due_date=datetime.date(2027, 3, 1),
        status="in-progress",
        standards=[],
        co_produced=False,
    )
    outcomes = _race(
        lambda: services.update_action(
            action=action, version=1, title="Manager's", by=ward_manager, **common
        ),
        lambda: services.update_action(
            action=action, version=1, title="Staff's", by=ward_staff, **common
        ),
    )
    assert sum(isinstance(o, services.ConflictError) for o in outcomes) == 1, outcomes
    assert Action.objects.get(pk=action.pk).version == 2
