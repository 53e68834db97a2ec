"""The trust dashboard and the board pack count and quote the same reservations and declines:
those of each ward's latest signed round. Earlier rounds' (and a round not yet signed) are
listed apart, each linking to the round's summary, where the words are kept."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from assessments import services
from reports import pdf
from tests.assessments.builders import agree_all, rate_all, scoring_round

EARLIER = "Earlier: the community meeting was cancelled twice."
LATEST = "Latest: partners were not asked about nights."
PENDING = "Not yet: restraint figures are missing."


def _through_agreeing(*, ward, manager, staff, partner, label):
    round = scoring_round(ward=ward, manager=manager, scorers=[staff, partner], label=label)
    for user in (staff, partner):
        rate_all(round=round, user=user)
        services.submit_ratings(round=round, by=user)
    agree_all(round=round, manager=manager)
    services.finish_agreeing(round=round, by=manager)
    services.sign_as_manager(round=round, by=manager)
    return round


@pytest.fixture
def history(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader):
    """Two signed rounds of Willow Ward, each with reservations, then a third declined and not
    yet signed."""
    people = {"ward": ward, "manager": ward_manager, "staff": ward_staff, "partner": le_partner}
    rounds = {}
    for label, words in [("2026 Q2", EARLIER), ("2026 Q3", LATEST)]:
        rounds[label] = _through_agreeing(**people, label=label)
        services.sign_as_leader(
            round=rounds[label], decision="reservations", words=words, by=le_leader
        )
    rounds["2026 Q4"] = _through_agreeing(**people, label="2026 Q4")
    services.sign_as_leader(
        round=rounds["2026 Q4"], decision="declined", words=PENDING, by=le_leader
    )
    return rounds


def _summary_link(round) -> str:
    return reverse("assessments:summary", args=[round.pk])


def test_dashboard_counts_and_quotes_the_latest_signed_rounds_and_lists_the_others(
    client, history, trust, board_member
):
    client.force_login(board_member)
    page = client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()

    assert "signed with reservations 1 time and declined to sign 0 times" in page
    voices = page[page.index('id="le-voice"') : page.index('id="le-voice-other-rounds"')]
    assert LATEST in voices
    assert EARLIER not in voices
    assert PENDING not in voices
    others = page[page.index('id="le-voice-other-rounds"') : page.index("Trust-wide trends")]
    earlier = _summary_link(history["2026 Q2"])
    assert f'href="{earlier}">2026 Q2, signed with reservations</a>' in others
    assert (
        f'href="{_summary_link(history["2026 Q4"])}">2026 Q4 (not signed yet), declined to sign</a>'
        in others
    )
    assert _summary_link(history["2026 Q3"]) not in others


def test_board_pack_counts_and_quotes_the_same_rounds_as_the_dashboard(history, trust):
    pack = pdf.board_pack_data(trust)
    front = render_to_string("reports/pdf/board_pack.html", {"pack": pack})

    assert (pack.summary.reservations, pack.summary.declines) == (1, 0)
    assert [v.words for v in pack.voices] == [LATEST]
    assert "signed with reservations 1 time and declined to sign 0 times" in front
    voices = front[front.index('id="le-voice"') : front.index('id="le-voice-other-rounds"')]
    assert LATEST in voices
    assert EARLIER not in front
    assert PENDING not in front
    others = front[front.index('id="le-voice-other-rounds"') :]
    site = settings.SITE_URL.rstrip("/")
    assert f'href="{site}{_summary_link(history["2026 Q2"])}"' in others
    assert f'href="{site}{_summary_link(history["2026 Q4"])}"' in others


def test_earlier_words_stay_readable_on_the_rounds_summary(client, history, board_member):
    client.force_login(board_member)
    page = client.get(_summary_link(history["2026 Q2"])).content.decode()
    assert EARLIER in page
