"""Ward measures on the trust dashboard and in the board pack: trust-wide charts of each measure
(the wards' figures pooled month by month, shown as outside the ward) and every ward whose
latest agreed scores contradict its measures. The rules are reports/measures.py's."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.urls import reverse
from django.utils import timezone

from assessments import scores
from assessments.models import Round

from . import measures, periods
from .measure_panels import MEASURE_PREFIX, commitment_anchor
from .measures import Contradiction, MeasureChart
from .selectors import trend_minimum_setting
from .spc import SpcSettings

# trust_measures reads the trust's minimum itself unless given it.
_READ = object()


@dataclass(frozen=True)
class WardFlag:
    ward_id: int
    ward_name: str
    contradiction: Contradiction

    @property
    def url(self) -> str:
        return reverse("reports:ward_dashboard", args=[self.ward_id])

    @property
    def chart_url(self) -> str:
        return f"{self.url}#{self.contradiction.chart_anchor}"

    @property
    def commitment_url(self) -> str:
        return f"{self.url}#{commitment_anchor(self.contradiction.commitment)}"


@dataclass(frozen=True)
class WardCell:
    """A ward's latest shown month of one measure, and the special cause variation there."""

    text: str
    label: str  # the month
    variation: str | None


@dataclass(frozen=True)
class WardRow:
    ward_id: int
    ward_name: str
    cells: list[WardCell | None]
    columns: list = field(default_factory=list)  # the measures, in the cells' order

    @property
    def items(self) -> list[tuple]:
        return list(zip(self.columns, self.cells, strict=True))

    @property
    def url(self) -> str:
        return reverse("reports:ward_dashboard", args=[self.ward_id])


@dataclass
class TrustMeasures:
    charts: list[MeasureChart] = field(default_factory=list)
    flags: list[WardFlag] = field(default_factory=list)
    # The judged measures (columns) and, for the wards of the page shown, each one's latest.
    columns: list = field(default_factory=list)
    rows: list[WardRow] = field(default_factory=list)
    # One ward's charts, asked for by name, as shown outside the ward.
    chart_ward: object | None = None
    ward_charts: list[MeasureChart] = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        return any(chart.result is not None for chart in self.charts)


def trust_measures(
    *,
    trust,
    wards: list,
    titles: dict[int, str],
    spc: SpcSettings,
    page_wards: list | None = None,
    chart_ward=None,
    today=None,
    minimum_setting=_READ,
) -> TrustMeasures:
    """Charts and contradictions for ``wards`` (each with ``latest_round_id``), and a row of
    latest figures for each of ``page_wards``, in a fixed number of queries however many wards
    or months: the catalogue, the months, the latest rounds' dates and their stored scores.

    Each pooled month carries the wards that reported it; the current month, and one reported
    by fewer wards than the trust's minimum (``minimum_setting``, the trust trend's
    ``minimum_setting``; read when not given), is incomplete and not judged (periods.py)."""
    today = today or timezone.localdate()
    catalogue = list(measures.trust_measures(trust))
    if not catalogue or not wards:
        return TrustMeasures()
    since = measures.add_months(measures.month_start(today), -measures.CHART_MONTHS)
    months = measures.ward_months(wards, catalogue, since=since)
    rules = measures.disclosure(trust)
    if minimum_setting is _READ:
        minimum_setting = trend_minimum_setting(trust)
    charts = []
    for measure in catalogue:
        by_month: dict[datetime.date, list] = defaultdict(list)
        for ward in wards:
            for row in months.get((ward.pk, measure.pk), []):
                by_month[row.month].append(row)
        figures = _pooled_figures(measure, by_month, rules, today, minimum_setting)
        charts.append(measures.measure_chart(measure, figures, spc=spc, id_prefix="trust"))
    judged = [m for m in catalogue if m.higher_is_better is not None]
    return TrustMeasures(
        charts=[c for c in charts if c.figures],
        flags=_ward_flags(wards, catalogue, months, titles, spc, rules),
        columns=judged,
        rows=_ward_rows(page_wards or [], judged, months, spc, rules),
        chart_ward=chart_ward,
        ward_charts=_one_wards_charts(chart_ward, catalogue, months, spc, rules),
    )


def _pooled_figures(measure, by_month, rules, today, setting) -> list[measures.Figure]:
    """The wards' months pooled, oldest first, each saying how many wards reported it and
    whether it is incomplete. The rule is periods.py's, over every calendar month from the
    first reported (a month nobody reported stands on no wards), so "the previous period" is
    always the month before."""
    if not by_month:
        return []
    first, last = min(by_month), max(by_month)
    calendar = [first]
    while calendar[-1] < last:
        calendar.append(measures.add_months(calendar[-1], 1))
    wards = [measures.pooled_wards(measure, by_month.get(m, [])) for m in calendar]
    incomplete = periods.incomplete_periods(
        [measures.month_label(m) for m in calendar],
        wards,
        today=today,
        setting=setting,
        months=calendar,
    )
    return [
        replace(
            measures.figure(
                measure,
                measures.pooled(measure, month, by_month[month]),
                outside_ward=True,
                rules=rules,
            ),
            wards=count,
            incomplete=incomplete.get(i),
        )
        for i, (month, count) in enumerate(zip(calendar, wards, strict=True))
        if month in by_month
    ]


def _one_wards_charts(ward, catalogue, months, spc, rules) -> list[MeasureChart]:
    """A ward's charts as outside the ward: withheld months are left out of each."""
    if ward is None:
        return []
    charts = []
    for measure in catalogue:
        rows = months.get((ward.pk, measure.pk))
        if rows:
            figures = [measures.figure(measure, r, outside_ward=True, rules=rules) for r in rows]
            charts.append(measures.measure_chart(measure, figures, spc=spc, id_prefix="trust-ward"))
    return charts


def _analysed(measure, rows, spc, rules) -> MeasureChart:
    """A ward's chart of one measure as analysed: every month, as inside the ward. Outside the
    ward only its words (a flag, a variation) are shown, never a withheld figure."""
    figures = [measures.figure(measure, r, outside_ward=False, rules=rules) for r in rows]
    return measures.measure_chart(measure, figures, spc=spc, id_prefix=MEASURE_PREFIX, draw=False)


def _ward_rows(wards, judged, months, spc, rules) -> list[WardRow]:
    rows = []
    for ward in wards:
        cells: list[WardCell | None] = []
        for measure in judged:
            found = months.get((ward.pk, measure.pk))
            if not found:
                cells.append(None)
                continue
            # The latest month as it may be shown outside the ward; its variation from the
            # analysis of every month (a word, which gives no count away).
            shown = measures.figure(measure, found[-1], outside_ward=True, rules=rules)
            chart = _analysed(measure, found, spc, rules)
            latest = chart.result.points[-1] if chart.result else None
            same_month = chart.latest is not None and chart.latest.month == shown.month
            variation = latest.variation if latest and same_month else None
            cells.append(WardCell(shown.text, shown.label, variation))
        if any(cells):
            rows.append(WardRow(ward.pk, ward.name, cells, judged))
    return rows


def _ward_flags(wards, catalogue, months, titles, spc, rules) -> list[WardFlag]:
    informing = [m for m in catalogue if m.commitments and m.higher_is_better is not None]
    latest = {w.latest_round_id: w for w in wards if getattr(w, "latest_round_id", None)}
    if not informing or not latest:
        return []
    dates = dict(
        (pk, (opened, signed))
        for pk, opened, signed in Round.objects.filter(pk__in=list(latest)).values_list(
            "pk", "opened_at", "signed_at"
        )
    )
    tallies = scores.stored(list(latest), pillars=False)
    flags = []
    for round_id, ward in latest.items():
        opened, signed = dates.get(round_id, (None, None))
        if opened is None or signed is None:
            continue
        agreed = {}
        for number in titles:
            tally = tallies.get(round_id, {}).get(scores.commitment_measure(number))
            agreed[number] = None if tally is None else scores.mean(tally.rated, tally.total)
        ward_charts = []
        for measure in informing:
            rows = months.get((ward.pk, measure.pk))
            # Only a measure informing a commitment agreed high or low can contradict it.
            if rows and any(measures.could_contradict(agreed.get(n)) for n in measure.commitments):
                ward_charts.append(_analysed(measure, rows, spc, rules))
        for contradiction in measures.contradictions(
            agreed=agreed,
            titles=titles,
            measure_charts=ward_charts,
            months=measures.round_period(opened.date(), signed.date()),
        ):
            flags.append(WardFlag(ward.pk, ward.name, contradiction))
    return flags
