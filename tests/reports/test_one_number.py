"""One measure, one number: a round whose means fall on the half-way cases reads the same on the
summary page, both dashboards, the ward PDF, the board pack and the scores export."""

import csv
import io
import re
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags

from assessments import services
from reports import pdf
from standards.models import Standard
from tests.assessments.builders import agreeing_round
from tests.measure_builders import load_measures, restraint_months

MINUS = "\u2212"

# Agreed levels per commitment; any other standard is agreed at 3.
AGREED = {
    2: [1, 1, 1, 1, 1, 0, 0, 0],  # 0.625: "0.6", 15.625% is "16%"
    4: [4, 4, 4, 4, 4, 4, 3, 3],  # 3.75: "3.8", 93.75% is "94%"
    6: [3, 3, 3, 3, 2, 2, 1, 1],  # 2.25: "2.3" (not 2.2), 56.25% is "56%"
    10: [3, 3, 2, 2],  # 2.5: "2.5", 62.5% is "63%" (not 62%)
    12: [4, 3, 3, 3],  # 3.25: "3.3" (not 3.2), 81.25% is "81%"
}
# (commitment, title, score, percent)
EXPECTED = [
    (2, "Safety", "0.6", "16%"),
    (4, "Staff support", "3.8", "94%"),
    (6, "Avoiding harm", "2.3", "56%"),
    (10, "Things to do on the ward", "2.5", "63%"),
    (12, "Transparency", "3.3", "81%"),
    (1, "Lived experience", "3.0", "75%"),
]
# Staff rate Avoiding harm 2 throughout, lived experience partners 2.25 on average: gap +0.25.
PARTNER = dict(zip([f"6.{i}" for i in range(1, 9)], "33222222", strict=True))
GAP = ("Avoiding harm", "2.0", "2.3", "+0.3")


def _agreed_level(standard) -> str:
    levels = AGREED.get(standard.commitment.number)
    return str(levels[standard.position - 1]) if levels else "3"


@pytest.fixture
def half_way_round(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader):
    round = agreeing_round(
        ward=ward,
        manager=ward_manager,
        staff=ward_staff,
        partner=le_partner,
        overrides_staff={s.code: "2" for s in Standard.objects.all()},
        overrides_partner={s.code: PARTNER.get(s.code, "2") for s in Standard.objects.all()},
    )
    for standard in Standard.objects.filter(edition=round.edition).select_related("commitment"):
        services.record_agreed_rating(
            round=round,
            standard=standard,
            answer=_agreed_level(standard),
            rationale="Agreed together",
            version=None,
            by=ward_manager,
        )
    services.finish_agreeing(round=round, by=ward_manager)
    services.sign_as_manager(round=round, by=ward_manager)
    services.sign_as_leader(round=round, decision="signed", words="", by=le_leader)
    round.refresh_from_db()
    return round


def rows(html: str) -> list[list[str]]:
    """Every table row's cells as text, whitespace made single spaces."""
    return [
        [
            " ".join(strip_tags(cell).split())
            for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr\b.*?</tr>", html, re.S)
    ]


def row_for(html: str, first_cell: str, start: int = 0) -> list[str]:
    """The first row (from the `start`th match on) whose first cell is `first_cell`."""
    found = [r for r in rows(html) if r and r[0] == first_cell]
    assert len(found) > start, f"No row {first_cell!r} in the page"
    return found[start]


def assert_scores_table(html: str, *, percent: bool = True) -> None:
    for number, title, score, pct in EXPECTED:
        cells = row_for(html, f"{number}. {title}")
        assert cells[1] == score, (title, cells)
        if percent:
            assert cells[2] == pct, (title, cells)


def test_one_number_on_the_summary_page(client, half_way_round, ward_manager):
    client.force_login(ward_manager)
    html = client.get(reverse("assessments:summary", args=[half_way_round.pk])).content.decode()
    assert_scores_table(html)


def test_one_number_on_the_ward_dashboard(client, half_way_round, ward_staff):
    client.force_login(ward_staff)
    url = reverse("reports:ward_dashboard", args=[half_way_round.ward_id])
    html = client.get(url).content.decode()
    assert_scores_table(html)
    title, staff, lived, gap = GAP
    assert row_for(html, f"6. {title}", start=1)[1:] == [
        staff,
        lived,
        f"{gap} (lived experience higher)",
    ]
    # The chart's summary and the numbers printed in it use the same rule.
    assert "Highest: Staff support (3.8). Lowest: Safety (0.6)." in html
    assert f"Largest gap: {title}, {gap} (lived experience higher)." in html
    assert ">2.3</text>" in html and ">2.2</text>" not in html
    # The trend table and chart: one signed round, Avoiding harm 2.3.
    assert "6. Avoiding harm: 2.3 in 2026 Q4, 2.3 in 2026 Q4." in html


def test_one_number_on_the_trust_dashboard(client, half_way_round, board_member):
    client.force_login(board_member)
    url = reverse("reports:trust_dashboard", args=[half_way_round.ward.site.trust_id])
    html = client.get(url).content.decode()
    heat = next(r for r in rows(html) if r and r[0].startswith(half_way_round.ward.name))
    for number, title, score, _pct in EXPECTED:
        # One scorer a group: the ward's cells are marked "*", and keep the agreed score.
        assert heat[number].split("*")[0] == score, (title, heat)
        # One ward: the trust-wide value is the ward's, shown as incomplete (one ward is
        # fewer than a period needs to be judged).
        assert f": {score} from 1 ward, incomplete" in row_for(html, f"{number}. {title}")[1]
    assert heat[13].split("*")[0] == "2.7"  # overall: 208 / 76 = 2.74


def test_one_number_in_the_ward_pdf(half_way_round):
    html = render_to_string(
        "reports/pdf/ward_assessment.html", pdf.ward_assessment_context(half_way_round)
    )
    assert_scores_table(html)
    title, staff, lived, gap = GAP
    assert row_for(html, f"6. {title}", start=1)[1:] == [staff, lived, gap]
    assert "Overall score</th><td>2.7 out of 4 (68%)" in html
    assert "Highest: 4. Staff support (3.8). Lowest: 2. Safety (0.6)." in html


def test_one_number_in_the_board_pack(half_way_round):
    pack = pdf.board_pack_data(half_way_round.ward.site.trust)
    front = render_to_string("reports/pdf/board_pack.html", {"pack": pack})
    wards = render_to_string(
        "reports/pdf/board_pack_wards.html",
        {"pack": pack, "wards": pack.wards, "first_page": 5, "first_index": 1},
    )
    ward = half_way_round.ward
    heat = row_for(front, f"{ward.name}, {ward.site.name}")
    title, staff, lived, gap = GAP
    for number, name, score, pct in EXPECTED:
        assert heat[number + 1].split("*")[0] == score, (name, heat)
        assert f": {score} from 1 ward, incomplete" in row_for(front, f"{number}. {name}")[1]
        page = row_for(wards, f"{number}. {name}")
        assert page[1:3] == [score, pct], (name, page)
    # One scorer a group: the board pack combines them (2 and 2.25 together: 2.125, "2.1").
    assert row_for(wards, f"6. {title}")[3:] == ["2.1"]


@pytest.mark.parametrize("scope", ["ward", "trust"])
def test_one_number_in_the_scores_export(
    client, half_way_round, board_member, ward_staff, scope, download_trust_export
):
    if scope == "ward":
        client.force_login(ward_staff)
        url = reverse("reports:ward_export", args=[half_way_round.ward_id, "scores", "csv"])
        response = client.get(url)
    else:
        client.force_login(board_member)
        response = download_trust_export(half_way_round.ward.site.trust_id, "scores", "csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    by_measure = {row["Measure"]: row for row in table}
    for number, title, score, pct in EXPECTED:
        row = by_measure[f"{number}. {title}"]
        assert row["Mean agreed score (0 to 4)"] == score
        assert row["Percentage of maximum"] == pct.removesuffix("%")
    title, staff, lived, gap = GAP
    row = by_measure[f"6. {title}"]
    group_figures = [
        row["Staff mean"],
        row["Lived experience mean"],
        row["Perception gap (lived experience minus staff)"],
    ]
    if scope == "ward":
        assert group_figures == [staff, lived, gap.removeprefix("+")]
    else:
        # One scorer a group: outside the ward the groups are not shown apart.
        assert group_figures == ["", "", ""]
    assert by_measure["Overall"]["Mean agreed score (0 to 4)"] == "2.7"
    assert by_measure["Overall"]["Percentage of maximum"] == "68"
    assert len(table) == 13


def test_scores_export_as_xlsx_holds_numbers(
    client, half_way_round, board_member, download_trust_export
):
    from openpyxl import load_workbook

    client.force_login(board_member)
    response = download_trust_export(half_way_round.ward.site.trust_id, "scores", "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *data = list(sheet.values)
    row = dict(
        zip(
            header,
            next(r for r in data if r[header.index("Measure")] == "6. Avoiding harm"),
            strict=True,
        )
    )
    assert row["Mean agreed score (0 to 4)"] == 2.3
    assert row["Percentage of maximum"] == 56


def test_scores_export_rows_take_six_queries(django_assert_num_queries, half_way_round):
    """The rounds, their stored tallies, the commitments' titles, and three for the small-group
    rule, whatever the number of rounds."""
    from reports import exports

    rows = exports.trust_dataset(trust=half_way_round.ward.site.trust, dataset="scores").rows
    with django_assert_num_queries(6):
        assert len(list(rows)) == 13


@pytest.fixture
def avoiding_harm_at_three_and_a_quarter(
    catalogue, ward, ward_manager, ward_staff, le_partner, le_leader
):
    """Willow Ward signed with Avoiding harm agreed at 3.25 (6.1 and 6.2 at 4, the rest at 3),
    restrictive interventions rising sharply over the same months."""
    load_measures()
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    for standard in Standard.objects.filter(edition=round.edition):
        services.record_agreed_rating(
            round=round,
            standard=standard,
            answer="4" if standard.code in ("6.1", "6.2") else "3",
            rationale="Agreed together",
            version=None,
            by=ward_manager,
        )
    services.finish_agreeing(round=round, by=ward_manager)
    services.sign_as_manager(round=round, by=ward_manager)
    services.sign_as_leader(round=round, decision="signed", words="", by=le_leader)
    restraint_months(ward)
    return round


def test_the_ward_dashboards_flag_and_its_table_show_one_number(
    client, avoiding_harm_at_three_and_a_quarter, ward_staff
):
    client.force_login(ward_staff)
    url = reverse("reports:ward_dashboard", args=[avoiding_harm_at_three_and_a_quarter.ward_id])
    html = client.get(url).content.decode()
    # 3.25 is "3.3" in the table; "{:.1f}" once made the flag beside it say 3.2.
    assert row_for(html, "6. Avoiding harm")[1] == "3.3"
    text = " ".join(unescape(strip_tags(html)).split())
    assert (
        '"Avoiding harm" is agreed at a mean of 3.3 out of 4 (Established or Embedded) while '
        "restrictive interventions shows special cause concern in the same months." in text
    )
    # "agreed at 3.3" alone reads like standard 3.3.
    assert "agreed at 3.3" not in text


@pytest.mark.parametrize(
    ("unit", "value", "shown"),
    [
        ("percent", 62.5, "63%"),  # a score's "62.5" once, beside "63%" in the table
        ("count", 1234, "1,234"),
        ("per-1000-bed-days", 2.25, "2.3 per 1,000 bed days"),
    ],
)
def test_a_measures_headline_writes_its_values_as_its_table_does(unit, value, shown):
    import datetime

    from reports.measures import Figure, format_value, measure_chart
    from reports.models import Measure
    from reports.spc import SpcSettings

    measure = Measure(code="m", name="A measure", unit=unit, higher_is_better=True)
    months = [datetime.date(2026, m, 1) for m in (1, 2, 3)]
    figures = [Figure(m, value, format_value(unit, value), "") for m in months]
    chart = measure_chart(measure, figures, spc=SpcSettings(), id_prefix="t", draw=False)
    assert figures[-1].text == shown
    assert f"Latest value {shown}." in chart.headline.detail
