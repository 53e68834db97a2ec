"""A signed round's scores are tallied once, when it is signed, and every reader uses them."""

import pytest
from django.core.management import call_command

from assessments import scores, services
from assessments.models import AgreedRating, RoundScore
from reports import selectors
from tests.assessments.builders import agree_all, agreeing_round, signed_round


@pytest.fixture
def signed(people):
    return signed_round(
        ward=people["ward"],
        manager=people["manager"],
        staff=people["staff"],
        partner=people["partner"],
        leader=people["leader"],
    )


def test_signing_stores_the_rounds_scores_and_they_match_the_ratings(signed):
    rows = {row.measure: row for row in RoundScore.objects.filter(round=signed)}
    agreed = AgreedRating.objects.scored().filter(round=signed)
    assert rows["overall"].rated == agreed.count() == 76
    assert rows["overall"].total == sum(agreed.values_list("level", flat=True))
    assert sum(row.rated for m, row in rows.items() if m.startswith("commitment:")) == 76
    assert {m for m in rows if m.startswith("pillar:")}, "pillars are tallied too"
    # Both groups' submitted ratings are tallied for the perception gap.
    assert rows["overall"].staff_rated == rows["overall"].lived_rated == 76


def test_an_unsigned_round_has_no_stored_scores_and_is_tallied_when_read(people):
    round = agreeing_round(
        ward=people["ward"],
        manager=people["manager"],
        staff=people["staff"],
        partner=people["partner"],
    )
    agree_all(round=round, manager=people["manager"], answer="2")
    assert not RoundScore.objects.filter(round=round).exists()
    assert selectors.round_scores(round=round).overall.mean == 2.0


def test_reopening_removes_the_scores_and_signing_again_stores_the_new_ones(signed, people):
    services.reopen_round(round=signed, reason="More evidence", by=people["qi"])
    assert not RoundScore.objects.filter(round=signed).exists()
    AgreedRating.objects.filter(round=signed).update(level=4)  # agreed again, all Embedded
    services.finish_agreeing(round=signed, by=people["manager"])
    services.sign_as_manager(round=signed, by=people["manager"])
    services.sign_as_leader(round=signed, decision="signed", words="", by=people["leader"])
    overall = RoundScore.objects.get(round=signed, measure=scores.OVERALL)
    assert overall.total == 4 * overall.rated


def test_rebuild_puts_back_lost_scores_and_drops_stray_ones(signed, people, capsys):
    before = sorted(RoundScore.objects.values_list("measure", "rated", "total"))
    RoundScore.objects.all().delete()
    call_command("rebuild_round_scores")
    assert sorted(RoundScore.objects.values_list("measure", "rated", "total")) == before
    assert "Stored" in capsys.readouterr().out


def test_the_ward_dashboard_reads_the_stored_scores(signed, people):
    """A stored tally is what is shown: change it and the dashboard says so (nothing recomputes
    a signed round's numbers behind it)."""
    RoundScore.objects.filter(round=signed, measure=scores.OVERALL).update(rated=76, total=0)
    dashboard = selectors.ward_dashboard(user=people["board"], ward_id=signed.ward_id)
    assert dashboard.scores.overall.mean == 0
