"""Small groups protected outside the ward: one rule (reports/small_groups.py), a setting per
trust that never goes below 2, and the ward's own agreeing page still showing both groups."""

import csv
import io

import pytest
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from assessments import services
from reports import exports, pdf, small_groups
from reports.admin import TrustReportSettingsForm
from reports.models import TrustReportSettings
from tests.assessments.builders import agree_all, rate_all, scoring_round
from tests.factories import UserFactory, WardMembershipFactory

WHY = (
    "Fewer than 3 lived experience partners scored Willow Ward's round, so their ratings are "
    "combined with staff ratings to protect their anonymity."
)


def _person(ward, role, username):
    user = UserFactory(username=username)
    WardMembershipFactory(user=user, ward=ward, role=role)
    return user


@pytest.fixture
def agreeing(catalogue, ward, ward_manager, ward_staff, le_partner):
    """Three staff and two lived experience partners submitted; the round is being agreed."""
    staff = [ward_staff, _person(ward, "ward-staff", "staff2"), _person(ward, "ward-staff", "s3")]
    partners = [le_partner, _person(ward, "le-partner", "partner2")]
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[*staff, *partners])
    for user in staff:
        rate_all(round=round, user=user, answer="3")
    for user in partners:
        rate_all(round=round, user=user, answer="1")
    for user in [*staff, *partners]:
        services.submit_ratings(round=round, by=user)
    round.refresh_from_db()
    return round


@pytest.fixture
def signed(agreeing, ward_manager, le_leader):
    agree_all(round=agreeing, manager=ward_manager)
    services.finish_agreeing(round=agreeing, by=ward_manager)
    services.sign_as_manager(round=agreeing, by=ward_manager)
    services.sign_as_leader(round=agreeing, decision="signed", words="", by=le_leader)
    agreeing.refresh_from_db()
    return agreeing


def _trust_csv(trust) -> list[dict]:
    dataset = exports.trust_dataset(trust=trust, dataset="ratings")
    text = b"".join(exports.csv_chunks(dataset)).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _board_pack_ward_page(trust) -> str:
    pack = pdf.board_pack_data(trust)
    return render_to_string(
        "reports/pdf/board_pack_wards.html",
        {"pack": pack, "wards": pack.wards, "first_page": 1, "first_index": 1},
    )


def test_small_group_threshold_is_3_by_default_and_follows_the_trust_setting(trust):
    assert small_group_threshold_of(trust) == 3
    TrustReportSettings.objects.create(trust=trust, small_group_threshold=2)
    assert small_group_threshold_of(trust) == 2


def small_group_threshold_of(trust):
    return small_groups.small_group_threshold(trust)


def test_small_group_threshold_cannot_go_below_2(trust):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrustReportSettings.objects.create(trust=trust, small_group_threshold=1)
    form = TrustReportSettingsForm(data={"trust": trust.pk, "small_group_threshold": 1})
    assert not form.is_valid()
    assert "small_group_threshold" in form.errors
    valid = {"small_group_threshold": 2, "small_count_max": 7, "minimum_bed_days": 100}
    assert TrustReportSettingsForm(data={"trust": trust.pk, **valid}).is_valid()


def test_two_partners_are_combined_on_the_trust_dashboard_and_it_says_why(
    client, signed, trust, board_member
):
    client.force_login(board_member)
    page = client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()
    assert "Small groups protected" in page
    assert WHY.replace("'", "&#x27;") in page
    assert "The perception gap is not shown for Willow Ward here" in page
    # The heatmap keeps the ward's agreed scores and marks them.
    assert "(a group too small to show on its own)" in page


def test_two_partners_are_combined_in_the_board_pack_and_it_says_why(signed, trust):
    html = _board_pack_ward_page(trust)
    assert WHY.replace("'", "&#x27;") in html
    assert 'class="app-num">Lived experience</th>' not in html
    assert "All scorers' ratings (both groups together)" in html


def test_two_partners_are_combined_in_the_trust_csv_and_it_says_why(signed, trust):
    rows = _trust_csv(trust)
    assert rows
    for row in rows:
        assert row["Lived experience median"] == ""
        assert row["Staff median"] == ""
        assert row["Difference (lived experience minus staff)"] == ""
        assert row["All scorers median"] == "3"  # 3, 3, 3, 1, 1
        assert row["Groups combined to protect a small group"].startswith(WHY)


def test_with_the_threshold_at_2_both_groups_show_at_trust_level(
    client, signed, trust, board_member
):
    TrustReportSettings.objects.create(trust=trust, small_group_threshold=2)
    client.force_login(board_member)
    page = client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()
    assert "Small groups protected" not in page
    assert "(a group too small to show on its own)" not in page
    html = _board_pack_ward_page(trust)
    assert "Fewer than" not in html
    assert 'class="app-num">Lived experience</th>' in html
    rows = _trust_csv(trust)
    assert {row["Lived experience median"] for row in rows} == {"1"}
    assert {row["Staff median"] for row in rows} == {"3"}
    assert {row["Groups combined to protect a small group"] for row in rows} == {""}


def test_the_ward_agreeing_page_still_shows_both_groups(client, agreeing, ward_manager):
    client.force_login(ward_manager)
    page = client.get(
        reverse("assessments:agree_commitment", args=[agreeing.pk, 1])
    ).content.decode()
    assert "Lived experience partners</th>" in page
    assert "Fewer than" not in page


def test_the_ward_export_still_shows_both_groups(signed, ward):
    dataset = exports.ward_dataset(ward=ward, dataset="ratings")
    text = b"".join(exports.csv_chunks(dataset)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["Lived experience median"] for row in rows} == {"1"}
