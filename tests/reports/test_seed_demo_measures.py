import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from assessments.models import Round, RoundStatus
from reports import demo_measures, measures
from reports.models import Measure, MeasureMonth
from reports.selectors import round_scores
from reports.spc_panels import spc_settings
from standards.models import Trust, Ward

PASSWORD = "demo-pass-123"


def _seed(**options) -> Trust:
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO(), **options)
    return Trust.objects.get()


def test_seed_demo_gives_every_ward_36_months_of_every_measure(catalogue):
    trust = _seed()
    wards = Ward.objects.filter(site__trust=trust)
    counts = MeasureMonth.objects.values("ward_id", "measure_id").annotate(n=Count("pk"))
    assert Measure.objects.count() == 7
    assert len(counts) == wards.count() * 7
    assert {row["n"] for row in counts} == {36}
    last = measures.add_months(measures.month_start(timezone.localdate()), -1)
    assert MeasureMonth.objects.latest("month").month == last
    assert MeasureMonth.objects.earliest("month").month == measures.add_months(last, -35)


def test_seed_demo_figures_are_realistic(catalogue):
    _seed()
    for row in MeasureMonth.objects.select_related("measure", "ward").exclude(
        ward__name=demo_measures.RISING_WARD
    ):
        value = measures.figure_value(row.measure.unit, row.numerator, row.denominator, row.value)
        code = row.measure.code
        if code == "occupied-bed-days":
            assert 0.75 * 28 * row.ward.beds <= value <= 31 * row.ward.beds
        elif code == "restrictive-interventions":
            assert 0 <= value <= 60
        elif code == "patient-experience":
            assert 40 <= value <= 100
        elif code == "staff-experience":
            assert 35 <= value <= 100


def test_seed_demo_gives_every_ward_a_code_unique_in_the_trust(catalogue):
    trust = _seed(wards=12, rounds=2)
    codes = list(Ward.objects.filter(site__trust=trust).values_list("code", flat=True))
    assert len(codes) == 12
    assert all(codes)
    assert len(set(codes)) == len(codes)
    assert Ward.objects.get(name="Willow Ward").code == "WIL01"
    assert MeasureMonth.objects.count() == 12 * 7 * 36


def test_seed_demo_twice_duplicates_no_figures(catalogue):
    _seed()
    before = list(MeasureMonth.objects.order_by("pk").values_list("numerator", "value"))
    codes = list(Ward.objects.order_by("pk").values_list("code", flat=True))
    _seed()
    assert list(MeasureMonth.objects.order_by("pk").values_list("numerator", "value")) == before
    assert list(Ward.objects.order_by("pk").values_list("code", flat=True)) == codes


def test_seed_demo_loads_the_measure_catalogue_when_missing(catalogue):
    assert not Measure.objects.exists()
    _seed()
    assert set(Measure.objects.values_list("code", flat=True)) >= {
        "restrictive-interventions",
        "occupied-bed-days",
    }


def _willow_charts(ward: Ward, codes: list[str]) -> list[measures.MeasureChart]:
    rules = measures.disclosure(ward.site.trust)
    by_code = {m.code: m for m in measures.trust_measures(ward.site.trust)}
    chosen = [by_code[code] for code in codes]
    rows = measures.ward_months([ward], chosen, since=datetime.date(2000, 1, 1))
    return [
        measures.measure_chart(
            measure,
            [
                measures.figure(measure, row, outside_ward=False, rules=rules)
                for row in rows[(ward.pk, measure.pk)]
            ],
            spc=spc_settings(),
            id_prefix="ward",
        )
        for measure in chosen
    ]


@pytest.mark.parametrize("options", [{}, {"wards": 8, "rounds": 2}])
def test_willow_wards_rising_restraint_contradicts_its_agreed_avoiding_harm(catalogue, options):
    _seed(**options)
    ward = Ward.objects.get(name=demo_measures.RISING_WARD)
    signed = (
        Round.objects.filter(ward=ward, status=RoundStatus.SIGNED).order_by("-signed_at").first()
    )
    scores = round_scores(round=signed)
    agreed = {int(m.key): m.mean for m in scores.commitments}
    titles = {int(m.key): m.title for m in scores.commitments}
    assert agreed[6] >= 3
    months = measures.round_period(
        timezone.localdate(signed.opened_at), timezone.localdate(signed.signed_at)
    )
    charts = _willow_charts(ward, ["restrictive-interventions", "prone-restraint"])
    for chart in charts:
        assert chart.variation_in(months) == {"concern"}, chart.measure.code

    flags = measures.contradictions(
        agreed=agreed, titles=titles, measure_charts=charts, months=months
    )

    found = {(f.commitment, f.measure.code, f.variation) for f in flags}
    assert (6, "restrictive-interventions", "concern") in found
    assert (6, "prone-restraint", "concern") in found
    assert any("Avoiding harm" in f.sentence for f in flags)


@pytest.mark.parametrize(
    "today", [datetime.date(2026, 1, 15), datetime.date(2026, 6, 1), datetime.date(2027, 3, 31)]
)
def test_the_rise_shows_as_concern_whatever_the_month(catalogue, today):
    """The figures change with the month they end in: the rise must show in any of them."""
    trust = _seed()
    MeasureMonth.objects.all().delete()
    demo_measures.seed_measures(trust=trust, today=today)
    ward = Ward.objects.get(name=demo_measures.RISING_WARD)
    months = set(demo_measures.demo_months(today=today)[-2:])
    for chart in _willow_charts(ward, ["restrictive-interventions", "prone-restraint"]):
        assert chart.variation_in(months) == {"concern"}, chart.measure.code


def test_ward_codes_are_short_and_unique():
    taken = {"WIL01", "W007"}
    assert demo_measures._free_code(demo_measures.ward_code_prefix("Willow Ward"), taken) == "WIL02"
    assert demo_measures._free_code(demo_measures.ward_code_prefix("Ward 012"), taken) == "W012"
    assert demo_measures._free_code(demo_measures.ward_code_prefix("Ward 007"), taken) == "W00701"
    assert demo_measures.ward_code_prefix("Ward") == "WRD"
