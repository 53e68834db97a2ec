"""Scorers are told who sees what before rating, and may share a comment without their name."""

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Rating
from standards.models import Standard
from tests.assessments.builders import rate_all, scoring_round

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
COMMENT = "Night staff rarely join the community meeting"


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner):
    return scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])


def _first(round) -> Standard:
    return Standard.objects.get(edition=round.edition, code="1.1")


def _page(round):
    return reverse("assessments:score_commitment", args=[round.pk, 1])


def test_scoring_page_says_who_sees_what_and_offers_share_without_name(client, round, le_partner):
    client.force_login(le_partner)
    page = client.get(_page(round)).content.decode()
    assert "Who will see your ratings and comments, and when" in page
    assert "the trust board never sees your name" in page
    assert f'name="anonymous-{_first(round).pk}"' in page
    assert "Share this comment without my name" in page


def test_round_page_says_who_sees_what_before_scoring(client, round, le_partner):
    client.force_login(le_partner)
    page = client.get(reverse("assessments:round_detail", args=[round.pk])).content.decode()
    assert "Who will see your ratings and comments, and when" in page


def test_plain_post_saves_share_without_name(client, round, le_partner):
    client.force_login(le_partner)
    first = _first(round)
    client.post(
        _page(round),
        {f"answer-{first.pk}": "2", f"comment-{first.pk}": COMMENT, f"anonymous-{first.pk}": "on"},
    )
    rating = Rating.objects.get(scorer__user=le_partner, standard=first)
    assert (rating.comment, rating.share_without_name) == (COMMENT, True)


def test_autosave_saves_and_clears_share_without_name(client, round, le_partner):
    client.force_login(le_partner)
    first = _first(round)
    data = {"standard": first.pk, f"answer-{first.pk}": "2", f"comment-{first.pk}": COMMENT}
    response = client.post(_page(round), {**data, f"anonymous-{first.pk}": "on"}, **FETCH)
    assert response.json()["saved"] is True
    assert Rating.objects.get(scorer__user=le_partner, standard=first).share_without_name
    client.post(_page(round), data, **FETCH)  # only the box changed
    assert not Rating.objects.get(scorer__user=le_partner, standard=first).share_without_name


@pytest.fixture
def agreeing(round, ward_staff, le_partner):
    rate_all(round=round, user=ward_staff)
    rate_all(round=round, user=le_partner, answer="2")
    services.save_rating(
        round=round,
        standard=_first(round),
        answer="1",
        comment=COMMENT,
        share_without_name=True,
        by=le_partner,
    )
    services.submit_ratings(round=round, by=ward_staff)
    services.submit_ratings(round=round, by=le_partner)
    round.refresh_from_db()
    return round


def test_history_shows_the_group_not_the_name_for_a_comment_shared_without_name(
    client, agreeing, ward_manager, le_partner
):
    client.force_login(ward_manager)
    page = client.get(reverse("assessments:history", args=[agreeing.pk])).content.decode()
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page, flags=re.S)
    rated = [row for row in rows if "Rated 1.1" in row and COMMENT in row]
    assert rated
    for row in rated:
        assert "A lived experience partner" in row
        assert le_partner.display_name not in row
    # Their other ratings are still theirs by name.
    assert any("Rated 1.2" in row and le_partner.display_name in row for row in rows)


def test_agreeing_page_shows_the_comment_without_the_name(
    client, agreeing, ward_manager, le_partner
):
    client.force_login(ward_manager)
    page = client.get(
        reverse("assessments:agree_commitment", args=[agreeing.pk, 1])
    ).content.decode()
    item = re.search(rf"<li>[^<]*{COMMENT}[^<]*</li>", page)
    assert item
    assert le_partner.display_name not in item.group(0)
