"""Ward measures on the trust dashboard and in the board summary: trust-wide charts pooled from
the wards, small counts withheld, and the wards whose agreed scores contradict their measures."""

import html

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports import measures
from reports.models import Measure, MeasureMonth
from standards import kept
from tests.assessments.builders import signed_round


@pytest.fixture
def restraint(db):
    call_command("loaddata", "ward-measures", verbosity=0)
    return Measure.objects.get(code="restrictive-interventions")


def _months(ward, measure, counts, bed_days=600):
    this_month = measures.month_start(timezone.localdate())
    first = measures.add_months(this_month, -(len(counts) - 1))
    MeasureMonth.objects.bulk_create(
        MeasureMonth(
            ward=ward,
            measure=measure,
            month=measures.add_months(first, i),
            numerator=count,
            denominator=bed_days,
        )
        for i, count in enumerate(counts)
    )
    # Written in bulk (no signals), as the import writes: it moves the trust's kept readings on
    # the same way (standards/kept.py).
    kept.bump([ward.site.trust_id])


STEADY = [9, 10, 11] * 7  # 21 months around 10 a month
RISING = [*STEADY, 40, 45, 50]  # then a clear rise in the round's months


def _flagged_ward(ward, ward_manager, ward_staff, le_partner, le_leader, restraint):
    signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )  # every standard agreed 3: Established
    _months(ward, restraint, RISING)


def test_the_trust_dashboard_flags_a_ward_rating_itself_highly_while_restraint_rises(
    client,
    catalogue,
    trust,
    ward,
    ward_manager,
    ward_staff,
    le_partner,
    le_leader,
    board_member,
    restraint,
):
    _flagged_ward(ward, ward_manager, ward_staff, le_partner, le_leader, restraint)
    client.force_login(board_member)
    page = html.unescape(
        client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()
    )
    assert "Ward measures" in page
    assert 'id="trust-restrictive-interventions"' in page  # the trust-wide chart
    sentence = (
        '"Avoiding harm" is agreed at a mean of 3.0 out of 4 '
        "(Established or Embedded) while restrictive "
        "interventions shows special cause concern in the same months."
    )
    assert page.count(sentence) == 2  # in "What needs attention" and in the measures section
    ward_url = reverse("reports:ward_dashboard", args=[ward.pk])
    assert f'href="{ward_url}#ward-measure-restrictive-interventions"' in page
    # Per ward: the latest month of each measure, with its special cause variation.
    assert '83.3 per 1,000 bed days<br><span class="nhsuk-body-s">' in page
    assert ": special cause concern</span>" in page


def test_a_ward_whose_measures_agree_with_its_scores_is_not_flagged(
    client,
    catalogue,
    trust,
    ward,
    ward_manager,
    ward_staff,
    le_partner,
    le_leader,
    board_member,
    restraint,
):
    signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )
    _months(ward, restraint, [*STEADY, 10, 9, 11])
    client.force_login(board_member)
    page = client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()
    assert "no ward's agreed scores disagree with its measures" in html.unescape(page)
    assert "special cause concern in the same months" not in page


def test_outside_the_ward_small_counts_read_fewer_than_eight(
    client, catalogue, trust, ward, board_member, restraint
):
    _months(ward, restraint, [3, 5, 2], bed_days=90)
    client.force_login(board_member)
    page = client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()
    assert "fewer than 8" in page
    assert "Not shown: fewer than 100 occupied bed days" in page
    assert ">5<" not in page


def test_new_figures_show_on_the_kept_dashboard_at_once(
    client, catalogue, trust, ward, board_member, restraint
):
    client.force_login(board_member)
    url = reverse("reports:trust_dashboard", args=[trust.pk])
    assert "No ward has entered monthly figures yet." in client.get(url).content.decode()
    _months(ward, restraint, [12, 14, 13])
    page = client.get(url).content.decode()
    assert "No ward has entered monthly figures yet." not in page
    assert "21.7 per 1,000 bed days" in page  # 13 in 600 bed days


def test_the_dashboard_with_measures_reads_a_fixed_number_of_queries(
    client,
    catalogue,
    trust,
    ward,
    ward_manager,
    ward_staff,
    le_partner,
    le_leader,
    board_member,
    restraint,
    django_assert_max_num_queries,
):
    from tests.conftest import forget_kept_reads

    _flagged_ward(ward, ward_manager, ward_staff, le_partner, le_leader, restraint)
    client.force_login(board_member)
    url = reverse("reports:trust_dashboard", args=[trust.pk])
    client.get(url)
    forget_kept_reads()
    with django_assert_max_num_queries(50) as few:
        client.get(url)
    fewer = len(few)
    # Twelve more months for the ward: not one query more.
    MeasureMonth.objects.filter(ward=ward).delete()
    _months(ward, restraint, [10] * 12 + RISING)
    forget_kept_reads()
    with django_assert_max_num_queries(fewer):
        client.get(url)


def test_the_board_pack_carries_the_flag_and_the_trust_wide_charts(
    catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader, restraint
):
    from reports.pdf import board_pack_data

    _flagged_ward(ward, ward_manager, ward_staff, le_partner, le_leader, restraint)
    pack = board_pack_data(trust)
    assert [item.name for item in pack.summary.contradictions] == ["Willow Ward", "Willow Ward"]
    assert any("Avoiding harm" in item.text for item in pack.summary.contradictions)
    assert [c.measure.code for c in pack.ward_measures.charts] == ["restrictive-interventions"]


def test_the_board_packs_ward_page_carries_its_latest_figures_and_flag(
    catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader, restraint
):
    from django.template.loader import render_to_string

    from reports.pdf import board_pack_data

    _flagged_ward(ward, ward_manager, ward_staff, le_partner, le_leader, restraint)
    pack = board_pack_data(trust)
    page = html.unescape(
        render_to_string(
            "reports/pdf/board_pack_wards.html",
            {"pack": pack, "wards": pack.wards, "first_page": 1, "first_index": 1},
        )
    )
    assert "Willow Ward: ward measures, latest month" in page
    assert "<td>83.3 per 1,000 bed days</td>" in page
    assert (
        'Measures and self-assessment disagree: "Avoiding harm" is agreed at a mean of 3.0 out of 4'
        in page
    )


def test_the_trust_dashboard_draws_one_wards_charts_on_request(
    client, catalogue, trust, ward, board_member, restraint, other_trust_ward
):
    _months(ward, restraint, [*STEADY, 5, 40, 45])
    client.force_login(board_member)
    url = reverse("reports:trust_dashboard", args=[trust.pk])
    page = client.get(url).content.decode()
    assert 'id="trust-ward-restrictive-interventions"' not in page
    assert f'<option value="{ward.pk}">Willow Ward' in page
    page = html.unescape(client.get(url, {"measures_ward": ward.pk}).content.decode())
    assert 'id="trust-ward-restrictive-interventions"' in page
    assert "Willow Ward's measures as they are shown outside the ward" in page
    assert "Not shown: a count fewer than 8" in page  # the month of 5, in its data table
    # Another trust's ward, or nonsense, shows no ward's charts.
    for asked in (other_trust_ward.pk, "x"):
        page = client.get(url, {"measures_ward": asked}).content.decode()
        assert 'id="trust-ward-restrictive-interventions"' not in page
