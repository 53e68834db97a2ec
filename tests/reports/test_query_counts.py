"""The dashboards issue the same number of queries however many wards and rounds there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Action, Round
from reports import selectors, trust_gap
from reports.demo_history import build_history
from standards.demo import DEMO_TRUST
from standards.models import Trust, User, Ward
from tests.conftest import forget_kept_reads


def _count(call) -> int:
    """Queries for a read with nothing kept from earlier requests (the cold path)."""
    forget_kept_reads()
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def _open_action(ward: Ward) -> None:
    """Every ward measured has an open action, so the same queries run for each."""
    round = Round.objects.filter(ward=ward).first()
    action = Action.objects.create(
        ward=ward,
        origin_round=round,
        title="Co-produce a weekly community meeting",
        owner=round.opened_by,
        due_date=datetime.date(2030, 1, 1),
        created_by=round.opened_by,
    )
    action.standards.add(*round.edition.standards.all()[:2])


@pytest.fixture
def small(catalogue):
    """The demo trust with one ward of two signed rounds."""
    build_history(wards=1, rounds=2)
    trust = Trust.objects.get(name=DEMO_TRUST)
    first = Ward.objects.filter(site__trust=trust).order_by("pk").first()
    _open_action(first)
    return {"trust": trust, "ward": first, "board": User.objects.get(username="demo.board")}


def _grow(small) -> Ward:
    """Ten wards, the new ones with four signed rounds each; returns one of those."""
    build_history(wards=10, rounds=4)
    large = (
        Ward.objects.filter(site__trust=small["trust"]).exclude(pk=small["ward"].pk).order_by("pk")
    ).first()
    _open_action(large)
    assert large.rounds.count() == 4
    return large


def test_ward_dashboard_selector_queries_do_not_grow_with_rounds_or_wards(
    small, django_assert_num_queries
):
    board = small["board"]
    count = _count(lambda: selectors.ward_dashboard(user=board, ward_id=small["ward"].pk))
    large = _grow(small)
    forget_kept_reads()
    with django_assert_num_queries(count):
        dashboard = selectors.ward_dashboard(user=board, ward_id=large.pk)
    assert len(dashboard.trend.labels) == 4
    forget_kept_reads()
    with django_assert_num_queries(count):
        selectors.ward_dashboard(user=board, ward_id=small["ward"].pk)


def test_ward_dashboard_queries_are_the_same_inside_and_outside_the_ward_team(
    small, django_assert_num_queries
):
    """The small-group rule outside the ward team (decision 0024) costs a fixed number of
    queries, and the ward team's page (the QI lead's) no more than a board member's."""
    qi = User.objects.get(username="demo.qi")
    board = small["board"]
    count = _count(lambda: selectors.ward_dashboard(user=board, ward_id=small["ward"].pk))
    inside = _count(lambda: selectors.ward_dashboard(user=qi, ward_id=small["ward"].pk))
    assert inside <= count
    large = _grow(small)
    forget_kept_reads()
    with django_assert_num_queries(inside):
        selectors.ward_dashboard(user=qi, ward_id=large.pk)


def test_trust_dashboard_selector_queries_do_not_grow_with_wards_or_rounds(
    small, django_assert_num_queries
):
    board, trust_id = small["board"], small["trust"].pk
    count = _count(lambda: selectors.trust_dashboard(user=board, trust_id=trust_id))
    _grow(small)
    forget_kept_reads()
    with django_assert_num_queries(count):
        dashboard = selectors.trust_dashboard(user=board, trust_id=trust_id)
    assert len(dashboard.rows) == 10
    assert len(dashboard.trend.labels) == 4


def test_ward_dashboard_page_queries_do_not_grow_with_rounds_or_wards(
    client, small, django_assert_num_queries
):
    client.force_login(small["board"])
    small_url = reverse("reports:ward_dashboard", args=[small["ward"].pk])
    client.get(small_url)  # the first request of a session does a little more
    count = _count(lambda: client.get(small_url))
    large = _grow(small)
    forget_kept_reads()
    with django_assert_num_queries(count):
        response = client.get(reverse("reports:ward_dashboard", args=[large.pk]))
    assert response.status_code == 200


def test_trust_dashboard_page_queries_do_not_grow_with_wards_or_rounds(
    client, small, django_assert_num_queries
):
    client.force_login(small["board"])
    url = reverse("reports:trust_dashboard", args=[small["trust"].pk])
    client.get(url)
    count = _count(lambda: client.get(url))
    _grow(small)
    forget_kept_reads()
    with django_assert_num_queries(count):
        response = client.get(url)
    assert response.status_code == 200


def test_a_second_look_at_the_trust_dashboard_reads_less(client, small):
    """The trend, the wards' SPC variations and the header's task count are kept: a board member
    looking again reads fewer queries than the first time, and sees the same page."""
    client.force_login(small["board"])
    url = reverse("reports:trust_dashboard", args=[small["trust"].pk])
    client.get(url)
    forget_kept_reads()
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(url)
    assert len(warm) < len(cold)

    def page(response) -> bytes:  # from the board summary to the downloads: no tokens in it
        return response.content.split(b'id="board-summary"')[1].split(b"download-the-data")[0]

    assert page(second) == page(first)


def test_trust_wide_perception_gap_queries_do_not_grow_with_wards_or_rounds(
    small, django_assert_num_queries
):
    trust = small["trust"]

    def pooled():
        wards = list(selectors.trust_wards(trust=trust))
        return trust_gap.pooled_gap(
            trust=trust,
            round_ids=[w.latest_round_id for w in wards],
            titles=selectors.commitment_titles(),
        )

    count = _count(pooled)
    _grow(small)
    forget_kept_reads()
    with django_assert_num_queries(count):
        gap = pooled()
    assert gap.wards == 10
    assert gap.shown
