import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from reports import exports
from reports.models import Measure, MeasureMonth, TrustReportSettings
from tests.factories import SiteFactory, WardFactory

JANUARY, FEBRUARY = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)


@pytest.fixture
def measures(db):
    call_command("loaddata", "ward-measures", verbosity=0)
    return {m.code: m for m in Measure.objects.all()}


@pytest.fixture
def figures(measures, ward, other_trust_ward):
    """Two months of Willow Ward, the second thin and with few restraints, and a month of
    another trust's ward that must never appear in this trust's export."""
    ward.code = "WIL01"
    ward.save(update_fields=["code"])
    restraint = measures["restrictive-interventions"]
    rows = [
        MeasureMonth(ward=ward, measure=restraint, month=JANUARY, numerator=12, denominator=480),
        MeasureMonth(ward=ward, measure=restraint, month=FEBRUARY, numerator=3, denominator=90),
        MeasureMonth(
            ward=ward,
            measure=measures["patient-experience"],
            month=JANUARY,
            numerator=15,
            denominator=20,
        ),
        MeasureMonth(ward=ward, measure=measures["occupied-bed-days"], month=JANUARY, value=480),
        MeasureMonth(
            ward=other_trust_ward, measure=restraint, month=JANUARY, numerator=9, denominator=500
        ),
    ]
    return MeasureMonth.objects.bulk_create(rows)


def _rows(dataset: exports.Dataset) -> list[dict]:
    return [dict(zip(dataset.header, row, strict=True)) for row in dataset.rows]


def _key(row: dict) -> tuple[str, str]:
    return row["Measure code"], row["Month"]


def test_measure_export_has_one_row_per_ward_measure_and_month(figures, ward):
    rows = _rows(exports.trust_dataset(trust=ward.site.trust, dataset="measures"))
    assert [_key(r) for r in rows] == [
        ("restrictive-interventions", "2026-01"),
        ("restrictive-interventions", "2026-02"),
        ("patient-experience", "2026-01"),
        ("occupied-bed-days", "2026-01"),
    ]
    january = rows[0]
    assert january == {
        "Trust": "North Demo NHS Trust",
        "Site": ward.site.name,
        "Ward": "Willow Ward",
        "Ward code": "WIL01",
        "Month": "2026-01",
        "Measure code": "restrictive-interventions",
        "Measure": "Restrictive interventions",
        "Unit": "per 1,000 occupied bed days",
        "Numerator": 12,
        "Denominator": 480,
        "Value": None,
        "Figure": 25,
        "Withheld": "",
    }
    assert rows[2]["Figure"] == 75
    assert rows[2]["Unit"] == "percent"
    assert rows[3]["Value"] == 480
    assert rows[3]["Figure"] == 480


def test_trust_measure_export_withholds_small_counts_and_thin_months(figures, ward):
    rows = {
        _key(r): r for r in _rows(exports.trust_dataset(trust=ward.site.trust, dataset="measures"))
    }
    thin = rows[("restrictive-interventions", "2026-02")]
    assert thin["Numerator"] == "fewer than 8"
    assert thin["Figure"] is None
    assert thin["Withheld"] == "fewer than 100 occupied bed days"
    assert rows[("restrictive-interventions", "2026-01")]["Numerator"] == 12


def test_trust_measure_export_follows_the_trusts_own_disclosure_settings(figures, ward):
    settings = TrustReportSettings.objects.create(
        trust=ward.site.trust, small_count_max=12, minimum_bed_days=50
    )
    rows = {
        _key(r): r for r in _rows(exports.trust_dataset(trust=ward.site.trust, dataset="measures"))
    }
    january = rows[("restrictive-interventions", "2026-01")]
    # A small count goes, and so does the rate made from it (it would give the count away).
    assert (january["Numerator"], january["Figure"]) == ("fewer than 13", None)
    assert january["Withheld"] == "a count fewer than 13"
    settings.small_count_max = 2
    settings.save()
    rows = {
        _key(r): r for r in _rows(exports.trust_dataset(trust=ward.site.trust, dataset="measures"))
    }
    thin = rows[("restrictive-interventions", "2026-02")]  # 90 bed days: enough at 50
    assert thin["Figure"] == pytest.approx(33.33)
    assert thin["Withheld"] == ""


def test_ward_measure_export_shows_everything_inside_the_ward(client, figures, ward, ward_staff):
    client.force_login(ward_staff)
    response = client.get(reverse("reports:ward_export", args=[ward.pk, "measures", "csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    header, *data = list(csv.reader(io.StringIO(body)))
    assert header == exports.MEASURE_HEADER
    rows = {(r[5], r[4]): dict(zip(header, r, strict=True)) for r in data}
    assert len(rows) == 4
    thin = rows[("restrictive-interventions", "2026-02")]
    assert thin["Numerator"] == "3"
    assert thin["Figure"] == "33.33"
    assert thin["Withheld"] == ""


def test_trust_measure_export_never_holds_another_trusts_wards(figures, ward, other_trust_ward):
    rows = _rows(exports.trust_dataset(trust=ward.site.trust, dataset="measures"))
    assert {r["Ward"] for r in rows} == {"Willow Ward"}
    other = _rows(exports.trust_dataset(trust=other_trust_ward.site.trust, dataset="measures"))
    assert [(r["Ward"], r["Numerator"]) for r in other] == [(other_trust_ward.name, 9)]


def test_trust_measure_export_leaves_out_another_trusts_own_measures(
    figures, ward, other_trust_ward
):
    theirs = Measure.objects.create(
        trust=other_trust_ward.site.trust,
        code="their-own",
        name="Their own measure",
        unit="count",
        definition="A measure of another trust.",
    )
    MeasureMonth.objects.create(ward=ward, measure=theirs, month=JANUARY, value=4)
    rows = _rows(exports.trust_dataset(trust=ward.site.trust, dataset="measures"))
    assert "their-own" not in {r["Measure code"] for r in rows}


def test_trust_measure_export_downloads_as_xlsx(
    client, figures, ward, board_member, download_trust_export
):
    client.force_login(board_member)
    response = download_trust_export(ward.site.trust_id, "measures", "xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    header, *data = list(workbook.active.iter_rows(values_only=True))
    assert list(header) == exports.MEASURE_HEADER
    assert len(data) == 4
    assert {row[2] for row in data} == {"Willow Ward"}
    assert ("fewer than 8", None) in {(row[8], row[11]) for row in data}


def test_trust_measure_export_progress_counts_its_rows(figures, ward):
    told = []
    dataset = exports.trust_dataset(
        trust=ward.site.trust,
        dataset="measures",
        progress=lambda done, total, text: told.append((done, total, text)),
    )
    exports.write_file(dataset, fmt="csv", target=io.BytesIO())
    assert told[-1] == (4, 4, "Row 4 of 4")


def test_trust_measure_rows_take_a_fixed_number_of_queries(
    django_assert_max_num_queries, measures, ward
):
    restraint = measures["restrictive-interventions"]
    wards = [ward] + [WardFactory(site=SiteFactory(trust=ward.site.trust)) for _ in range(5)]
    MeasureMonth.objects.bulk_create(
        MeasureMonth(ward=w, measure=restraint, month=JANUARY, numerator=10, denominator=400)
        for w in wards
    )
    rows = exports.trust_dataset(trust=ward.site.trust, dataset="measures").rows
    # Disclosure settings, the measures, the months.
    with django_assert_max_num_queries(3):
        assert sum(1 for _ in rows) == 6
