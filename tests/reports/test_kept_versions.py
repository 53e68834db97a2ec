"""Kept pages are versioned by construction (standards/kept.py, docs/decisions/0026): every
table a kept page reads is either registered as moving its trust's version on, or named as not
needing to, with a reason. A new model that a kept page reads fails here until it is one or the
other."""

import datetime
import re

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Action
from culture_of_care.waiting import waiting_for
from reports import presenters, selectors
from reports.demo_history import build_history
from reports.models import ProcessChange, Target, TrustReportSettings
from standards import kept
from standards.demo import DEMO_TRUST
from standards.models import Trust, TrustMembership, User, WardMembership
from tests.measure_builders import load_measures, restraint_months

# Tables the kept pages read that hold no trust's data and change nothing a kept page shows.
VIEWER_ONLY = {
    "django_session": "the viewer's session: who is asking, never what the page shows",
}


def all_tables() -> set[str]:
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        tables.add(model._meta.db_table)
    return tables


def tables_read(sqls: list[str], known: set[str]) -> set[str]:
    """The known tables these statements name (quoted or not)."""
    named = set()
    for sql in sqls:
        for word in re.findall(r'"?([A-Za-z_][A-Za-z0-9_]*)"?', sql):
            if word in known:
                named.add(word)
    return named


def unversioned_tables(sqls: list[str], *, covered: set[str] | None = None) -> set[str]:
    """Tables these statements read that no version covers and no reason excuses."""
    known = all_tables()
    if covered is None:
        covered = kept.registered_tables() | set(kept.not_kept_tables()) | set(VIEWER_ONLY)
    return tables_read(sqls, known) - covered


def _rich_trust():
    """The demo trust with signed history, an overdue action, a marked change, a target, its
    own settings and a year of ward measures: every part of the dashboard has something."""
    build_history(wards=4, rounds=14)
    trust = Trust.objects.get(name=DEMO_TRUST)
    ward = trust.sites.first().wards.order_by("pk").first()
    round = ward.rounds.order_by("-signed_at").first()
    manager = WardMembership.objects.filter(ward=ward).first().user
    Action.objects.create(
        origin_round=round,
        ward=ward,
        title="Review blanket restrictions",
        owner=manager,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
        created_by=manager,
    )
    ProcessChange.objects.create(
        trust=trust, measure="overall", date=round.signed_at.date(), note="New rota"
    )
    Target.objects.create(trust=trust, commitment_number=0, value="3.00")
    TrustReportSettings.objects.update_or_create(trust=trust, defaults={"small_group_threshold": 3})
    load_measures()
    restraint_months(ward, months=14)
    return trust, ward


def _body_queries(trust) -> list[str]:
    viewer = TrustMembership.objects.filter(trust=trust, role="qi-lead").first().user
    request = RequestFactory().get("/")
    request.user = viewer
    request.session = {}
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        body = presenters.trust_dashboard_body(
            request, trust=trust, site_id=None, service_type=None, page=1
        )
    assert "Review blanket restrictions" in body or "overdue action" in body
    return [q["sql"] for q in queries]


def _task_queries(trust) -> list[str]:
    people = User.objects.filter(
        pk__in=WardMembership.objects.filter(ward__site__trust=trust).values("user")
    ) | User.objects.filter(pk__in=TrustMembership.objects.filter(trust=trust).values("user"))
    sqls = []
    for person in people.distinct():
        with CaptureQueriesContext(connection) as queries:
            waiting_for(person)
        sqls += [q["sql"] for q in queries]
    return sqls


def test_every_table_the_kept_trust_dashboard_reads_moves_its_version(catalogue):
    trust, _ = _rich_trust()
    sqls = _body_queries(trust)
    read = tables_read(sqls, all_tables())
    # The check sees the dashboard's reads (else it would pass on nothing).
    for table in ("assessments_round", "assessments_action", "reports_measuremonth"):
        assert table in read
    assert unversioned_tables(sqls) == set()


def test_every_table_the_header_task_count_reads_moves_a_version(catalogue):
    trust, _ = _rich_trust()
    sqls = _task_queries(trust)
    assert "assessments_round" in tables_read(sqls, all_tables())
    assert unversioned_tables(sqls) == set()


def test_the_trust_trend_reads_only_versioned_tables(catalogue):
    trust, _ = _rich_trust()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        selectors.trust_trend(trust=trust)
    sqls = [q["sql"] for q in queries]
    assert "assessments_roundscore" in tables_read(sqls, all_tables())
    assert unversioned_tables(sqls) == set()


def test_the_check_reports_a_table_no_version_covers(catalogue):
    """The check can fail: a page reading a table nobody registered (sign-in events here), or a
    registered model dropped from the list (targets), is reported by name."""
    trust, _ = _rich_trust()
    sqls = _body_queries(trust)
    planted = [*sqls, 'SELECT "standards_signinevent"."id" FROM "standards_signinevent"']
    assert unversioned_tables(planted) == {"standards_signinevent"}
    covered = kept.registered_tables() | set(kept.not_kept_tables()) | set(VIEWER_ONLY)
    assert unversioned_tables(sqls, covered=covered - {Target._meta.db_table}) == {
        Target._meta.db_table
    }


def test_every_registered_model_and_excuse_names_a_real_table():
    known = all_tables()
    assert kept.registered_tables() <= known
    assert set(kept.not_kept_tables()) <= known
    assert all(reason.strip() for reason in kept.not_kept_tables().values())
