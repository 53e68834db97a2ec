"""The ward-measure rules, written once in reports/measures.py."""

import datetime

import pytest
from django.core.management import call_command

from reports import measures
from reports.measures import Disclosure, figure, figure_value
from reports.models import Measure, MeasureMonth, MeasureUnit
from reports.spc_panels import spc_settings

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def catalogue_of_measures(db):
    call_command("loaddata", "ward-measures", verbosity=0)
    return {m.code: m for m in Measure.objects.all()}


def test_the_catalogue_holds_the_seven_measures_issue_13_names(catalogue_of_measures):
    assert set(catalogue_of_measures) == {
        "restrictive-interventions",
        "prone-restraint",
        "seclusion",
        "rapid-tranquillisation",
        "patient-experience",
        "staff-experience",
        "occupied-bed-days",
    }
    restraint = catalogue_of_measures["restrictive-interventions"]
    assert restraint.higher_is_better is False
    assert 6 in restraint.commitments  # Avoiding harm
    assert catalogue_of_measures["occupied-bed-days"].higher_is_better is None


@pytest.mark.parametrize(
    ("unit", "numerator", "denominator", "value", "expected"),
    [
        (MeasureUnit.PER_1000_BED_DAYS, 12, 600, None, 20.0),
        (MeasureUnit.PER_1000_BED_DAYS, 12, None, "99", None),  # a rate is never typed
        (MeasureUnit.PER_1000_BED_DAYS, 3, 0, None, None),
        (MeasureUnit.PERCENT, 42, 50, None, 84.0),
        (MeasureUnit.PERCENT, None, None, "71.5", 71.5),
        (MeasureUnit.COUNT, None, None, "620", 620.0),
    ],
)
def test_a_months_figure_comes_from_numerator_and_denominator(
    unit, numerator, denominator, value, expected
):
    assert figure_value(unit, numerator, denominator, value) == expected


def test_outside_the_ward_small_counts_and_thin_months_are_withheld(catalogue_of_measures):
    restraint = catalogue_of_measures["restrictive-interventions"]
    rules = Disclosure(small_count_max=7, minimum_bed_days=100)
    small = MeasureMonth(month=MARCH, numerator=5, denominator=600)
    outside = figure(restraint, small, outside_ward=True, rules=rules)
    assert outside.count_text == "fewer than 8"
    # The rate goes too: with the bed days beside it, it would give the count away.
    assert (outside.value, outside.text) == (None, "Not shown: a count fewer than 8")
    assert figure(restraint, small, outside_ward=False, rules=rules).text == (
        "8.3 per 1,000 bed days"
    )
    assert figure(restraint, small, outside_ward=False, rules=rules).count_text == "5"
    thin = MeasureMonth(month=MARCH, numerator=12, denominator=90)
    shown = figure(restraint, thin, outside_ward=True, rules=rules)
    assert shown.value is None
    assert shown.text == "Not shown: fewer than 100 occupied bed days"
    assert figure(restraint, thin, outside_ward=False, rules=rules).value == pytest.approx(
        133.3, 0.01
    )
    none = MeasureMonth(month=MARCH, numerator=0, denominator=600)
    assert figure(restraint, none, outside_ward=True, rules=rules).count_text == "0"


def _rising(restraint, months=24, jump_from=18):
    rows = []
    for i in range(months):
        month = measures.add_months(datetime.date(2024, 1, 1), i)
        count = 6 + (i % 3) if i < jump_from else 30 + i
        rows.append(MeasureMonth(month=month, numerator=count, denominator=600))
    rules = Disclosure()
    return [figure(restraint, row, outside_ward=False, rules=rules) for row in rows]


def test_a_rising_restraint_rate_contradicts_a_high_avoiding_harm_score(catalogue_of_measures):
    restraint = catalogue_of_measures["restrictive-interventions"]
    figures = _rising(restraint)
    chart = measures.measure_chart(restraint, figures, spc=spc_settings(), id_prefix="ward")
    assert chart.chart is not None
    last_months = {f.month for f in figures[-3:]}
    assert chart.variation_in(last_months) == {"concern"}  # lower is better: a rise is concern
    flags = measures.contradictions(
        agreed={6: 3.4, 2: 2.5},
        titles={6: "Avoiding harm", 2: "Safety"},
        measure_charts=[chart],
        months=last_months,
    )
    assert [(f.commitment, f.variation) for f in flags] == [(6, "concern")]
    assert "Avoiding harm" in flags[0].sentence
    assert "restrictive interventions shows special cause concern" in flags[0].sentence
    # Rated low while the same measure falls (improvement): flagged the other way.
    falling = [
        figure(
            restraint,
            MeasureMonth(month=f.month, numerator=max(0, 60 - i * 3), denominator=600),
            outside_ward=False,
            rules=Disclosure(),
        )
        for i, f in enumerate(figures)
    ]
    chart = measures.measure_chart(restraint, falling, spc=spc_settings(), id_prefix="ward")
    flags = measures.contradictions(
        agreed={6: 1.2}, titles={6: "Avoiding harm"}, measure_charts=[chart], months=last_months
    )
    assert [(f.commitment, f.variation) for f in flags] == [(6, "improvement")]
    # Agreed in the middle: nothing to flag either way.
    assert not measures.contradictions(
        agreed={6: 2.5}, titles={6: "Avoiding harm"}, measure_charts=[chart], months=last_months
    )


def test_a_round_speaks_for_the_months_before_it_opened_until_it_was_signed():
    months = measures.round_period(datetime.date(2026, 3, 20), datetime.date(2026, 4, 2))
    assert sorted(months) == [
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 1),
    ]
