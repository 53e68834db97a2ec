"""Ward measures beside the self-assessment: the rules, written once (issue 13).

What a month's figure is (rates from numerator and denominator, never typed), what may be shown
outside the ward (small counts and months with few bed days withheld), the SPC chart of a
measure (the same module, baselines and headlines as the assessment charts, lower-is-better
where it applies), and when a ward's agreed score and a measure disagree. Pages, PDFs, imports
and exports all read these.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from standards import numbers
from standards.models import Trust, Ward

from . import charts, periods
from .headlines import Headline, headline
from .models import (
    DEFAULT_MINIMUM_BED_DAYS,
    DEFAULT_SMALL_COUNT_MAX,
    Measure,
    MeasureCatalogue,
    MeasureMonth,
    MeasureUnit,
    TrustReportSettings,
)
from .spc import SpcResult, SpcSettings, analyse

# Months of figures a chart shows (three years).
CHART_MONTHS = 36
# Months a row of the board pack's data table holds.
POINTS_PER_ROW = 8
# A commitment agreed at this mean or above is "Established or Embedded"...
HIGH_AGREED = 3.0
# ...and below this "Not yet or Starting".
LOW_AGREED_BELOW = 2.0
# The months before a round opened that count as its period (with the months it ran).
PERIOD_MONTHS_BEFORE = 2
CONCERN, IMPROVEMENT = "concern", "improvement"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_label(month: datetime.date) -> str:
    return month.strftime("%b %Y")


def figure_value(unit: str, numerator: int | None, denominator: int | None, value) -> float | None:
    """A month's figure: per 1,000 occupied bed days from numerator and denominator; a
    percentage from them, or as given when only the percentage is known; a count as given."""
    if unit == MeasureUnit.PER_1000_BED_DAYS:
        if numerator is None or not denominator:
            return None
        return numerator * 1000 / denominator
    if unit == MeasureUnit.PERCENT:
        if numerator is not None and denominator:
            return numerator * 100 / denominator
        return None if value is None else float(value)
    if value is not None:
        return float(value)
    return None if numerator is None else float(numerator)


def format_value(unit: str, value: float | None) -> str:
    """A month's figure with its unit, by standards.numbers: "2.3 per 1,000 bed days", "63%",
    "1,234"."""
    if value is None:
        return "Not available"
    if unit == MeasureUnit.PER_1000_BED_DAYS:
        return numbers.rate_text(value)
    if unit == MeasureUnit.PERCENT:
        return numbers.share_text(value)
    return numbers.count_text(value)


@dataclass(frozen=True)
class Disclosure:
    """How a trust's ward measures are shown outside the ward."""

    small_count_max: int = DEFAULT_SMALL_COUNT_MAX
    minimum_bed_days: int = DEFAULT_MINIMUM_BED_DAYS

    @property
    def small_count_text(self) -> str:
        return f"fewer than {self.small_count_max + 1}"


def disclosure(trust: Trust) -> Disclosure:
    kept = TrustReportSettings.objects.filter(trust=trust).first()
    if kept is None:
        return Disclosure()
    return Disclosure(kept.small_count_max, kept.minimum_bed_days)


@dataclass(frozen=True)
class Figure:
    """One month of one measure as a page shows it: ``value`` is None when there is no figure
    or it is withheld (``withheld`` says why)."""

    month: datetime.date
    value: float | None
    text: str
    count_text: str  # the numerator as it may be shown ("fewer than 8", "12", or "")
    withheld: str = ""
    # Trust-wide (pooled) months only: how many wards reported the month, and why it is
    # incomplete and so not judged (reports/periods.py), or None.
    wards: int | None = None
    incomplete: str | None = None

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def judged(self) -> bool:
        """Shown and complete: a point of the SPC analysis."""
        return self.value is not None and self.incomplete is None

    @property
    def wards_text(self) -> str:
        return "" if self.wards is None else periods.wards_text(self.wards)


def figure(measure: Measure, row: MeasureMonth, *, outside_ward: bool, rules: Disclosure) -> Figure:
    """The month as shown inside the ward (everything) or outside it: a count from 1 to the
    trust's small-count maximum is shown as "fewer than 8", and the rate or percentage made from
    it is withheld too (with the bed days beside it, it would give the count away); no rate is
    shown for a month with too few occupied bed days."""
    value = figure_value(measure.unit, row.numerator, row.denominator, row.value)
    count_text = numbers.count_text(row.numerator, none="")
    if not outside_ward:
        return Figure(row.month, value, format_value(measure.unit, value), count_text)
    small = row.numerator is not None and 1 <= row.numerator <= rules.small_count_max
    if small:
        count_text = rules.small_count_text
    if measure.is_rate and row.denominator is not None and row.denominator < rules.minimum_bed_days:
        reason = f"fewer than {rules.minimum_bed_days} occupied bed days"
    elif small and measure.unit != MeasureUnit.COUNT:
        reason = f"a count {rules.small_count_text}"
    else:
        return Figure(row.month, value, format_value(measure.unit, value), count_text)
    return Figure(row.month, None, f"Not shown: {reason}", count_text, withheld=reason)


def trust_measures(trust: Trust) -> QuerySet[Measure]:
    """The latest national catalogue's measures, then the trust's own."""
    latest = MeasureCatalogue.objects.order_by("-created_at", "-pk").first()
    national = Q(catalogue=latest) if latest else Q(pk__in=[])
    return Measure.objects.filter(national | Q(trust=trust)).order_by(
        "trust_id", "position", "code"
    )


def ward_months(
    wards: Iterable[Ward], measures: Iterable[Measure], *, since: datetime.date
) -> dict:
    """Every month since ``since`` of the given wards and measures, by (ward id, measure id),
    in month order, in one query. Rows are light (ward_id, measure_id, month, numerator,
    denominator, value) tuples, not model objects: a trust's three years are tens of thousands."""
    found: dict[tuple[int, int], list] = defaultdict(list)
    rows = (
        MeasureMonth.objects.filter(
            ward__in=[w.pk for w in wards], measure__in=[m.pk for m in measures], month__gte=since
        )
        .order_by("ward_id", "measure_id", "month")
        .values_list(
            "ward_id", "measure_id", "month", "numerator", "denominator", "value", named=True
        )
    )
    for row in rows.iterator(chunk_size=5000):
        found[(row.ward_id, row.measure_id)].append(row)
    return found


@dataclass
class MeasureChart:
    measure: Measure
    figures: list[Figure]
    result: SpcResult | None
    headline: Headline
    chart: SafeString | None
    anchor: str

    @property
    def latest(self) -> Figure | None:
        """The latest judged month (for a ward's own chart, the latest shown)."""
        shown = [f for f in self.figures if f.judged]
        return shown[-1] if shown else None

    @property
    def pooled(self) -> bool:
        """A trust-wide chart: each month says how many wards reported it."""
        return any(f.wards is not None for f in self.figures)

    @property
    def latest_text(self) -> str:
        """ "12.4 per 1,000 bed days from 27 wards (Oct 2026)": the latest judged month."""
        latest = self.latest
        if latest is None:
            return ""
        wards = f" {latest.wards_text}" if latest.wards_text else ""
        return f"{latest.text}{wards} ({latest.label})"

    @property
    def incomplete_text(self) -> str:
        """ "Dec 2026: 9.1 per 1,000 bed days from 2 wards, incomplete (in progress), not
        judged." for each incomplete month after the latest judged one, or ""."""
        latest = self.latest
        later = self.figures[self.figures.index(latest) + 1 :] if latest else self.figures
        return " ".join(
            f"{f.label}: {f.text} {f.wards_text}, incomplete ({f.incomplete}), not judged."
            for f in later
            if f.incomplete is not None
        )

    @property
    def table(self) -> list[tuple[Figure, str, str]]:
        """Each month with its "Special cause" cell, in full and in a word (the board pack's
        narrow columns): what the rules found, or that it is incomplete and not judged."""
        points = iter(self.result.points if self.result else [])
        rows = []
        for f in self.figures:
            if f.incomplete is not None:
                why = f"Incomplete ({f.incomplete}): not judged"
                rows.append((f, why, "Incomplete, not judged"))
                continue
            point = next(points) if f.value is not None else None
            if point is not None and point.variation:
                word = point.variation.capitalize()
                rows.append((f, f"{word}: {', '.join(point.rules)}", word))
            else:
                rows.append((f, "None", "None"))
        return rows

    @property
    def point_rows(self) -> list[list]:
        """The table's months a few at a time, so the board pack can print them beside the
        chart (empty cells keep the columns aligned)."""
        cells: list = list(self.table)
        if cells:
            cells += [None] * (-len(cells) % POINTS_PER_ROW)
        return [cells[i : i + POINTS_PER_ROW] for i in range(0, len(cells), POINTS_PER_ROW)]

    def variation_in(self, months: set[datetime.date]) -> set[str]:
        """Special cause variation ("concern", "improvement") on points in ``months``."""
        if self.result is None or self.measure.higher_is_better is None:
            return set()
        judged = [f for f in self.figures if f.judged]
        return {
            point.variation
            for f, point in zip(judged, self.result.points, strict=True)
            if f.month in months and point.variation
        }


def measure_chart(
    measure: Measure, figures: list[Figure], *, spc: SpcSettings, id_prefix: str, draw: bool = True
) -> MeasureChart:
    """A measure's Making Data Count chart over its shown months (withheld months left out).
    Without ``draw``, the analysis and headline only (for flags): no picture is made."""
    anchor = f"{id_prefix}-{measure.code}"
    shown = [f for f in figures if f.value is not None]
    if not shown:
        words = Headline(
            "No figures yet", "The chart is drawn once a month's figures are entered.", "none"
        )
        return MeasureChart(measure, figures, None, words, None, anchor)
    # Incomplete months (trust-wide only) are drawn but left out of the analysis.
    judged = [f for f in shown if f.judged]
    improvement = "down" if measure.higher_is_better is False else "up"
    result = analyse(
        [f.value for f in judged], [f.label for f in judged], improvement=improvement, settings=spc
    )
    words = headline(
        result, measure.name, period="months", number_text=lambda v: format_value(measure.unit, v)
    )
    if not judged:
        words = Headline(
            "No complete month to judge yet",
            "Only incomplete months so far: their figures are drawn, and no variation is claimed.",
            "none",
        )
    if not draw:
        return MeasureChart(measure, figures, result, words, None, anchor)
    top = max(f.value for f in shown)
    ceiling = 100 if measure.unit == MeasureUnit.PERCENT else max(1.0, top * 1.2)
    chart = mark_safe(  # noqa: S308 - built from escaped text by reports.charts
        charts.spc_chart(
            result,
            title=measure.name,
            id_prefix=anchor,
            value_format=lambda v: format_value(measure.unit, v),
            y_min=0,
            y_max=ceiling,
            headline=words.text,
            periods=_chart_months(shown) if any(f.wards is not None for f in shown) else None,
        )
    )
    return MeasureChart(measure, figures, result, words, chart, anchor)


def _chart_months(shown: list[Figure]) -> list[charts.ChartPeriod]:
    """A pooled chart's shown months, each with the wards it stands on; incomplete ones are
    drawn as open circles, not judged."""
    return [
        charts.ChartPeriod(f.label, f.value, note=f.wards_text, incomplete=f.incomplete)
        for f in shown
    ]


def round_period(opened: datetime.date, until: datetime.date) -> set[datetime.date]:
    """The months a round speaks for: from PERIOD_MONTHS_BEFORE months before it opened to the
    month it was signed (or today, while it runs)."""
    month, last = add_months(month_start(opened), -PERIOD_MONTHS_BEFORE), month_start(until)
    months = set()
    while month <= last:
        months.add(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True)
class Contradiction:
    """An agreed score and a measure that informs it point opposite ways in the same period."""

    commitment: int
    commitment_title: str
    agreed: float
    measure: Measure
    variation: str
    chart_anchor: str
    sentence: str = field(default="")


def contradiction_sentence(
    *, title: str, agreed: float, measure: Measure, variation: str, rated: str
) -> str:
    if variation == CONCERN:
        return (
            f'"{title}" is agreed at {numbers.score_sentence(agreed)} ({rated}) while '
            f"{measure.name.lower()} shows "
            "special cause concern in the same months."
        )
    return (
        f'"{title}" is agreed at {numbers.score_sentence(agreed)} ({rated}) while '
        f"{measure.name.lower()} shows "
        "special cause improvement in the same months."
    )


def could_contradict(agreed: float | None) -> bool:
    """Whether a commitment agreed at this mean could be contradicted by any measure. Judged on
    the mean as displayed, so that the sentence's words match its number ("a mean of 2.0" is
    never called "Not yet or Starting")."""
    shown = numbers.score_value(agreed)
    return shown is not None and (shown >= HIGH_AGREED or shown < LOW_AGREED_BELOW)


def contradictions(
    *,
    agreed: dict[int, float | None],
    titles: dict[int, str],
    measure_charts: Iterable[MeasureChart],
    months: set[datetime.date],
) -> list[Contradiction]:
    """The rule, once: a commitment agreed Established or Embedded (mean 3 or more) while a
    measure informing it shows special cause concern in the period, or agreed Not yet or
    Starting (mean below 2) while it shows special cause improvement."""
    found = []
    for chart in measure_charts:
        variations = chart.variation_in(months)
        if not variations:
            continue
        for number in chart.measure.commitments:
            mean = agreed.get(number)
            if not could_contradict(mean):
                continue
            shown = numbers.score_value(mean)
            if shown >= HIGH_AGREED and CONCERN in variations:
                variation, rated = CONCERN, "Established or Embedded"
            elif shown < LOW_AGREED_BELOW and IMPROVEMENT in variations:
                variation, rated = IMPROVEMENT, "Not yet or Starting"
            else:
                continue
            title = titles.get(number, f"Commitment {number}")
            found.append(
                Contradiction(
                    commitment=number,
                    commitment_title=title,
                    agreed=mean,
                    measure=chart.measure,
                    variation=variation,
                    chart_anchor=chart.anchor,
                    sentence=contradiction_sentence(
                        title=title,
                        agreed=mean,
                        measure=chart.measure,
                        variation=variation,
                        rated=rated,
                    ),
                )
            )
    return sorted(found, key=lambda c: (c.commitment, c.measure.position, c.measure.code))


def pooled(measure: Measure, month: datetime.date, rows: list[MeasureMonth]) -> MeasureMonth:
    """Several wards' figures for one month as one: numerators and denominators summed (so a
    trust-wide rate is events per 1,000 of all the bed days), values summed for counts and
    averaged for percentages given only as values."""
    counted, given = _pooled_parts(measure, rows)
    numerators = [r.numerator for r in counted]
    denominators = [r.denominator for r in counted]
    values = [float(r.value) for r in given]
    value = None
    if values and measure.unit == MeasureUnit.COUNT:
        value = sum(values)
    elif values and not numerators:
        value = sum(values) / len(values)
    return MeasureMonth(
        measure=measure,
        month=month,
        numerator=sum(numerators) if numerators else None,
        denominator=sum(denominators) if denominators else None,
        value=value,
    )


def _pooled_parts(measure: Measure, rows: list) -> tuple[list, list]:
    """The rows whose numerator and denominator are pooled, and those whose value is."""
    counted = [r for r in rows if r.numerator is not None and r.denominator]
    given = [r for r in rows if r.value is not None]
    return counted, given


def pooled_wards(measure: Measure, rows: list) -> int:
    """How many wards the pooled figure of ``rows`` (one month, one row a ward) is made from:
    the wards whose numbers reach the figure figure_value works out from pooled()."""
    counted, given = _pooled_parts(measure, rows)
    if measure.unit == MeasureUnit.PER_1000_BED_DAYS:
        used = counted
    elif measure.unit == MeasureUnit.PERCENT:
        used = counted or given
    else:  # a count: the values when any are given, else the numerators
        used = given or counted
    return len({r.ward_id for r in used})
