"""The lived experience leader's decision and words reach every page and report, verbatim."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from assessments import services
from reports import pdf, voice
from tests.assessments.builders import agree_all, agreeing_round, signed_round

WORDS = "We are not there yet.\nR&D <soon>"
RENDERED = "We are not there yet.<br>R&amp;D &lt;soon&gt;"


@pytest.fixture
def reserved_round(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader):
    return signed_round(
        ward=ward,
        manager=ward_manager,
        staff=ward_staff,
        partner=le_partner,
        leader=le_leader,
        words=WORDS,
    )


def test_round_voice_keeps_the_words_exactly(reserved_round):
    [said] = voice.round_voice(reserved_round)
    assert said.decision == "reservations"
    assert said.decision_label == "Signed with reservations"
    assert said.words == WORDS


def test_ward_dashboard_shows_the_leaders_words(client, reserved_round, ward, ward_staff):
    client.force_login(ward_staff)
    page = client.get(reverse("reports:ward_dashboard", args=[ward.pk])).content.decode()
    assert "Signed with reservations" in page
    assert RENDERED in page
    assert "<soon>" not in page


def test_trust_dashboard_lists_reservations_linking_to_the_summary(
    client, reserved_round, trust, board_member
):
    client.force_login(board_member)
    page = client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()
    assert "What lived experience leaders said" in page
    assert RENDERED in page
    assert reverse("assessments:summary", args=[reserved_round.pk]) in page


def test_ward_pdf_html_shows_the_words_on_page_one_before_the_scores(reserved_round):
    html = render_to_string(
        "reports/pdf/ward_assessment.html", pdf.ward_assessment_context(reserved_round)
    )
    cover = html[: html.index("Scores by commitment")]
    assert "Signed with reservations" in cover
    assert RENDERED in cover
    assert html.index(RENDERED) < html.index("<table>", html.index("Scores by commitment"))


def test_board_pack_html_shows_the_words_on_the_ward_page_and_in_the_section(reserved_round, trust):
    pack = pdf.board_pack_data(trust)
    front = render_to_string("reports/pdf/board_pack.html", {"pack": pack})
    section = front[front.index('id="le-voice"') :]
    assert "What lived experience leaders said" in section
    assert RENDERED in section
    wards = render_to_string(
        "reports/pdf/board_pack_wards.html",
        {"pack": pack, "wards": pack.wards, "first_page": 1, "first_index": 1},
    )
    assert RENDERED in wards


def test_board_pack_section_lists_a_decline_that_was_not_followed_by_a_signature(
    catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    agree_all(round=round, manager=ward_manager)
    services.finish_agreeing(round=round, by=ward_manager)
    services.sign_as_manager(round=round, by=ward_manager)
    services.sign_as_leader(round=round, decision="declined", words=WORDS, by=le_leader)

    pack = pdf.board_pack_data(trust)

    # Not the ward's latest signed round (it has none): listed apart, linked to its summary.
    assert pack.voices == []
    [(ward_voices, [(said, url)])] = pack.other_voices
    assert said.is_declined
    assert not said.round_signed
    assert said.words == WORDS
    assert url.endswith(reverse("assessments:summary", args=[round.pk]))
    front = render_to_string("reports/pdf/board_pack.html", {"pack": pack})
    assert "2026 Q4 (not signed yet), declined to sign" in front


def test_perception_gap_stands_beside_every_agreed_score(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader
):
    # Staff rate 3, partners 3 but 1 on 1.1; the agreed score is 3 everywhere: the partners'
    # view shows as a gap beside it and is never averaged in.
    round = agreeing_round(
        ward=ward,
        manager=ward_manager,
        staff=ward_staff,
        partner=le_partner,
        overrides_partner={"1.1": "1"},
    )
    agree_all(round=round, manager=ward_manager)
    client.force_login(ward_manager)
    page = client.get(reverse("assessments:summary", args=[round.pk])).content.decode()
    assert "Perception gap (lived experience minus staff)" in page
    assert "No difference" in page
    assert "(lived experience lower)" in page
    context = pdf.ward_assessment_context(round)
    assert all(m.mean in (None, 3.0) for m in context["scores"].commitments)
    assert any(g.gap is not None and g.gap < 0 for g in context["scores"].gaps)
