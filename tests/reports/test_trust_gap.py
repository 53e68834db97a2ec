"""The perception gap across the trust (reports/trust_gap.py): each group's ratings pooled over
the wards' latest signed rounds, the small-group rule on the pooled groups, the dashboard's
filters, and the same figures in the board pack."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from assessments import services
from assessments.models import RoundScore
from reports import pdf, selectors, trust_gap
from reports.models import TrustReportSettings
from standards.models import Site, Standard
from tests.assessments.builders import agree_all, rate_all, scoring_round
from tests.factories import UserFactory, WardFactory, WardMembershipFactory


def _person(ward, role, username):
    user = UserFactory(username=username)
    WardMembershipFactory(user=user, ward=ward, role=role)
    return user


def _signed(*, ward, leader, staff, partner, partner_answer, partner_overrides=None):
    """A signed round on `ward`: the member of staff rates every standard 3, the partner
    `partner_answer` (with `partner_overrides` by standard code)."""
    manager = _person(ward, "ward-manager", f"manager-{ward.pk}")
    round = scoring_round(ward=ward, manager=manager, scorers=[staff, partner])
    rate_all(round=round, user=staff, answer="3")
    rate_all(round=round, user=partner, answer=partner_answer, overrides=partner_overrides)
    services.submit_ratings(round=round, by=staff)
    services.submit_ratings(round=round, by=partner)
    agree_all(round=round, manager=manager)
    services.finish_agreeing(round=round, by=manager)
    services.sign_as_manager(round=round, by=manager)
    services.sign_as_leader(round=round, decision="signed", words="", by=leader)
    return round


def _commitment_codes(catalogue, number: int) -> list[str]:
    return list(
        Standard.objects.filter(edition=catalogue, commitment__number=number).values_list(
            "code", flat=True
        )
    )


@pytest.fixture
def three_wards(catalogue, trust, ward, le_leader):
    """Willow and Ash Wards on one site, Birch Ward (a learning disability ward) on another;
    one member of staff and one partner each. Staff rate everything 3; the partners rate 1 on
    Willow, 2 on Ash, and 4 on Birch but "Not sure" for every standard of commitment 1."""
    ash = WardFactory(site=ward.site, name="Ash Ward")
    birch = WardFactory(
        site=Site.objects.create(trust=trust, name="Riverside"),
        name="Birch Ward",
        service_type="lda",
    )
    not_sure_on_1 = dict.fromkeys(_commitment_codes(catalogue, 1), "not-sure")
    for w, answer, overrides in [(ward, "1", None), (ash, "2", None), (birch, "4", not_sure_on_1)]:
        _signed(
            ward=w,
            leader=le_leader,
            staff=_person(w, "ward-staff", f"staff-{w.pk}"),
            partner=_person(w, "le-partner", f"partner-{w.pk}"),
            partner_answer=answer,
            partner_overrides=overrides,
        )
    return {"willow": ward, "ash": ash, "birch": birch}


def _gap(trust, user, **filters) -> trust_gap.TrustGap:
    dashboard = selectors.trust_dashboard(user=user, trust_id=trust.pk, **filters)
    return trust_gap.pooled_gap(
        trust=trust, round_ids=[w.latest_round_id for w in dashboard.wards], titles=dashboard.titles
    )


def test_pooled_gap_counts_every_rating_once_across_the_wards(
    catalogue, three_wards, trust, board_member
):
    gap = _gap(trust, board_member)

    assert gap.shown
    assert (gap.wards, gap.staff.people, gap.lived_experience.people) == (3, 3, 3)
    by_number = {g.number: g for g in gap.commitments}
    # Commitment 1: Birch's partner was not sure, so only Willow's 1s and Ash's 2s count.
    assert by_number[1].staff == pytest.approx(3)
    assert by_number[1].lived_experience == pytest.approx(1.5)
    assert by_number[1].gap == pytest.approx(-1.5)
    # Commitment 2: 1, 2 and 4 pooled, minus the staff's 3.
    assert by_number[2].gap == pytest.approx(7 / 3 - 3)
    # Overall: every counted rating once, so Birch (fewer ratings) weighs a little less.
    total = len(Standard.objects.filter(edition=catalogue))
    first = len(_commitment_codes(catalogue, 1))
    lived = (total * 1 + total * 2 + (total - first) * 4) / (3 * total - first)
    assert gap.overall.lived_experience == pytest.approx(lived)
    assert gap.overall.gap == pytest.approx(lived - 3)
    assert gap.stands_on == (
        "From the latest signed assessments of 3 wards: the ratings of 3 members of staff "
        "(on 3 wards) and 3 lived experience partners (on 3 wards), each rating counted once."
    )


def test_trust_dashboard_shows_the_pooled_gap_where_no_ward_can_show_its_own(
    client, three_wards, trust, board_member
):
    client.force_login(board_member)
    page = client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()

    # Each ward alone has one partner, so its own gap is withheld outside the ward; pooled
    # over the three wards the trust sees its gap, and what it stands on.
    section = page[page.index('id="trust-gap"') : page.index('id="le-voice"')]
    assert "Perception gap across the trust by commitment" in section
    assert "\u22121.5 (lived experience lower)" in section
    assert "3 members of staff (on 3 wards) and 3 lived experience partners (on 3 wards)" in section
    assert 'href="#trust-gap"' in page


def test_a_small_pooled_group_is_withheld_and_the_page_says_why(
    client, three_wards, trust, board_member
):
    client.force_login(board_member)
    url = reverse("reports:trust_dashboard", args=[trust.pk])
    page = client.get(url, {"site": three_wards["willow"].site_id}).content.decode()

    section = page[page.index('id="trust-gap"') : page.index('id="le-voice"')]
    assert "From the latest signed assessments of 2 wards." in section
    assert (
        "Fewer than 3 lived experience partners scored in these wards&#x27; latest signed "
        "assessments, even taken together, so their ratings are not shown on their own."
    ) in section
    assert "The perception gap is not shown, because it would reveal how they rated." in section
    assert "Perception gap across the trust by commitment" not in section
    assert "lived experience lower" not in section


def test_filters_choose_the_wards_pooled(three_wards, trust, board_member):
    TrustReportSettings.objects.create(trust=trust, small_group_threshold=2)

    site = _gap(trust, board_member, site_id=three_wards["willow"].site_id)
    assert site.shown
    assert site.wards == 2
    assert {g.number: g.lived_experience for g in site.commitments}[2] == pytest.approx(1.5)

    lda_only = _gap(trust, board_member, service_type="lda")
    assert lda_only.wards == 1
    assert not lda_only.shown
    assert lda_only.rows == []
    assert "Fewer than 2 lived experience partners" in lda_only.explanation


def test_a_person_scoring_on_two_wards_counts_once(catalogue, trust, ward, le_leader):
    """Three wards but the same partner on two of them: two partners, fewer than three."""
    ash = WardFactory(site=ward.site, name="Ash Ward")
    birch = WardFactory(site=ward.site, name="Birch Ward")
    shared = _person(ward, "le-partner", "shared-partner")
    WardMembershipFactory(user=shared, ward=birch, role="le-partner")
    for w, partner in [(ward, shared), (ash, _person(ash, "le-partner", "ash-p")), (birch, shared)]:
        _signed(
            ward=w,
            leader=le_leader,
            staff=_person(w, "ward-staff", f"staff-{w.pk}"),
            partner=partner,
            partner_answer="2",
        )
    wards = selectors.trust_wards(trust=trust)
    gap = trust_gap.pooled_gap(
        trust=trust, round_ids=[w.latest_round_id for w in wards], titles={1: "One"}
    )
    assert (gap.staff.people, gap.lived_experience.people, gap.lived_experience.wards) == (3, 2, 3)
    assert not gap.shown


def test_board_pack_shows_the_pooled_gap(three_wards, trust):
    pack = pdf.board_pack_data(trust)
    front = render_to_string("reports/pdf/board_pack.html", {"pack": pack})

    section = front[front.index('id="trust-gap"') : front.index('id="le-voice"')]
    assert "Perception gap across the trust by commitment" in section
    assert '<td class="app-num">\u22121.5</td>' in section
    assert "3 members of staff (on 3 wards) and 3 lived experience partners (on 3 wards)" in section


def test_pooled_gap_reads_three_queries_however_many_wards(
    three_wards, trust, django_assert_num_queries
):
    wards = list(selectors.trust_wards(trust=trust))
    with django_assert_num_queries(3):
        trust_gap.pooled_gap(trust=trust, round_ids=[wards[0].latest_round_id], titles={1: "One"})
    with django_assert_num_queries(3):
        trust_gap.pooled_gap(
            trust=trust, round_ids=[w.latest_round_id for w in wards], titles={1: "One"}
        )


def test_no_signed_round_no_gap_and_no_error(catalogue, trust, ward):
    gap = trust_gap.pooled_gap(trust=trust, round_ids=[None], titles={1: "One"})
    assert gap.wards == 0
    assert not gap.shown
    assert gap.stands_on == "No ward shown has a signed assessment yet."
    assert gap.explanation == ""


def test_a_signed_round_without_stored_tallies_is_tallied_on_the_spot(
    three_wards, trust, board_member
):
    stored = _gap(trust, board_member)
    RoundScore.objects.filter(round__ward=three_wards["birch"]).delete()

    tallied = _gap(trust, board_member)

    assert [g.gap for g in tallied.rows] == pytest.approx([g.gap for g in stored.rows])
    assert tallied.overall.lived_experience == pytest.approx(stored.overall.lived_experience)
