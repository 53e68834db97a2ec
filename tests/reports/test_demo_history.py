import datetime
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Avg, Count

from assessments.models import AgreedRating, Rating, Round, Scorer, Signature
from reports.demo_history import build_history, current_quarter, quarters
from standards.demo import DEMO_TRUST
from standards.models import Standard, Trust, User, Ward


def test_quarters_are_the_most_recent_completed_ones_oldest_first():
    found = quarters(5, today=datetime.date(2026, 11, 26))
    assert [q.label for q in found] == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3"]
    assert found[-1].end == datetime.date(2026, 9, 30)
    assert quarters(1, today=datetime.date(2026, 2, 1))[0].label == "2025 Q4"


def test_build_history_gives_each_ward_signed_rounds_with_everything_filled_in(catalogue):
    result = build_history(wards=3, rounds=4)
    standards = Standard.objects.filter(edition=catalogue).count()
    rounds = Round.objects.all()
    assert result.rounds == rounds.count() == 12
    assert set(rounds.values_list("status", flat=True)) == {"signed"}
    assert not rounds.filter(signed_at__isnull=True).exists()
    assert AgreedRating.objects.count() == 12 * standards
    assert Rating.objects.count() == 12 * 3 * standards
    groups = Scorer.objects.values("round_id", "group").annotate(n=Count("pk"))
    assert {(g["group"], g["n"]) for g in groups} == {("staff", 2), ("lived-experience", 1)}
    assert not Scorer.objects.filter(submitted_at__isnull=True).exists()
    roles = Signature.objects.values("round_id").annotate(n=Count("role", distinct=True))
    assert {r["n"] for r in roles} == {2}


def test_build_history_adds_wards_until_the_trust_has_enough(catalogue):
    build_history(wards=9, rounds=1)
    trust = Trust.objects.get(name=DEMO_TRUST)
    assert Ward.objects.filter(site__trust=trust).count() == 9
    assert {"Ward 001", "Ward 002", "Ward 003"} <= set(
        Ward.objects.filter(site__trust=trust).values_list("name", flat=True)
    )
    assert Round.objects.count() == 9


def test_build_history_twice_duplicates_nothing(catalogue):
    build_history(wards=8, rounds=2)
    counts = (
        Ward.objects.count(),
        Round.objects.count(),
        Rating.objects.count(),
        User.objects.count(),
    )
    again = build_history(wards=8, rounds=2)
    assert again.wards_built == 0
    assert (
        Ward.objects.count(),
        Round.objects.count(),
        Rating.objects.count(),
        User.objects.count(),
    ) == counts


def test_build_history_tells_a_story_with_one_deteriorating_ward(catalogue):
    result = build_history(wards=8, rounds=12)
    assert list(result.stories.values()).count("deteriorating") == 1
    means = (
        AgreedRating.objects.filter(level__isnull=False)
        .values("round__ward__name", "round__label")
        .annotate(mean=Avg("level"))
    )
    by_ward: dict[str, dict[str, float]] = {}
    for row in means:
        by_ward.setdefault(row["round__ward__name"], {})[row["round__label"]] = row["mean"]
    change = {}
    for name, series in by_ward.items():
        values = [series[label] for label in sorted(series)]
        change[name] = sum(values[-3:]) / 3 - sum(values[:3]) / 3
    falling = [name for name, delta in change.items() if delta < -0.3]
    assert falling == [name for name, story in result.stories.items() if story == "deteriorating"]
    assert sum(1 for delta in change.values() if delta > 0) == 7


def test_build_history_lived_experience_partners_rate_lower_on_average(catalogue):
    build_history(wards=4, rounds=3)
    means = dict(
        Rating.objects.filter(level__isnull=False)
        .values_list("scorer__group")
        .annotate(mean=Avg("level"))
    )
    assert means["lived-experience"] < means["staff"]
    assert Rating.objects.filter(level__isnull=True).exists()  # some "Not sure"


def test_build_history_rounds_are_locked_in_the_database(catalogue):
    build_history(wards=1, rounds=1)
    round = Round.objects.get()
    scorer = round.scorers.first()
    agreed = round.agreed_ratings.first()
    for change in (
        lambda: Rating.objects.filter(scorer=scorer).update(level=0),
        lambda: AgreedRating.objects.filter(pk=agreed.pk).update(level=0),
        lambda: Round.objects.filter(pk=round.pk).update(label="renamed"),
        lambda: Scorer.objects.create(round=round, user=User.objects.first(), group="staff"),
        lambda: AgreedRating.objects.filter(pk=agreed.pk).delete(),
    ):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            change()
    assert round.is_locked


def test_seed_demo_with_wards_and_rounds_keeps_willow_wards_demo_rounds(catalogue):
    out = io.StringIO()
    call_command("seed_demo", password="demo-pass-123", wards=7, rounds=2, stdout=out)
    call_command("seed_demo", password="demo-pass-123", wards=7, rounds=2, stdout=io.StringIO())
    assert "History:" in out.getvalue()
    willow = set(Round.objects.filter(ward__name="Willow Ward").values_list("label", flat=True))
    assert willow == {"2026 Q2", "2026 Q4"}
    assert Ward.objects.count() == 7
    # Beech Ward's demo round waits for signatures; history leaves wards with rounds alone.
    beech = Round.objects.get(ward__name="Beech Ward")
    assert (beech.label, beech.status) == ("2026 Q3", "awaiting-signoff")
    demo_wards = ["Willow Ward", "Beech Ward"]
    # One ward in ten (at least one) has also signed this quarter's round, except in a
    # quarter's first month (reports/demo_history.current_quarter).
    now = 1 if current_quarter() else 0
    assert Round.objects.exclude(ward__name__in=demo_wards).count() == 5 * 2 + now


def test_build_history_leaves_postgresql_statistics_for_the_planner(catalogue):
    from django.db import connection

    from tests.conftest import service_unavailable

    if connection.vendor != "postgresql":
        service_unavailable("planner statistics are PostgreSQL's (set DATABASE_URL)")
    build_history(wards=2, rounds=2)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('assessments_rating', 'assessments_agreedrating')"
        )
        estimates = dict(cursor.fetchall())
    # Never analysed, PostgreSQL estimates -1 rows; analysed, the rows that are there.
    assert estimates["assessments_rating"] == Rating.objects.count()
    assert estimates["assessments_agreedrating"] == AgreedRating.objects.count()


def test_current_quarter_is_in_progress_from_its_second_month():
    assert current_quarter(datetime.date(2026, 10, 20)) is None  # the previous is being signed
    now = current_quarter(datetime.date(2026, 12, 4))
    assert now.label == "2026 Q4"
    assert now.signed_on == datetime.date(2026, 12, 4)
