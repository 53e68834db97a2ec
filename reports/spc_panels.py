"""One SPC panel per measure, built the same way for the trust dashboard and the board pack:
the analysis (with the trust's baselines and marked changes), the headline, the chart, the icons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from standards import numbers

from . import charts, periods
from .headlines import Headline, headline, period_word
from .models import ProcessChange, measure_key
from .process_changes import change_indexes
from .selectors import Trend
from .spc import SpcPoint, SpcResult, SpcSettings, analyse

POINTS_PER_ROW = 8


def spc_settings() -> SpcSettings:
    """The SPC settings: the baseline length and its minimum come from the project settings."""
    return SpcSettings(
        baseline_points=getattr(settings, "SPC_BASELINE_POINTS", 20),
        min_points_for_limits=getattr(settings, "SPC_MIN_BASELINE_POINTS", 12),
    )


def _safe(svg: str) -> SafeString:
    # reports.charts escapes every piece of text it puts in an SVG.
    return mark_safe(svg)  # noqa: S308


@dataclass
class PeriodPoint:
    """One period of a trust-wide chart as its table shows it: the value, how many wards it
    stands on, and either its SPC point (judged) or why it is incomplete (not judged)."""

    label: str
    value: float
    wards: int | None
    point: SpcPoint | None = None
    incomplete: str | None = None

    @property
    def variation(self) -> str | None:
        return self.point.variation if self.point else None

    @property
    def rules(self) -> list[str]:
        return self.point.rules if self.point else []

    @property
    def wards_text(self) -> str:
        return "" if self.wards is None else periods.wards_text(self.wards)

    @property
    def judged_text(self) -> str:
        """The table's "Special cause" cell: what the rules found, or why nothing is judged."""
        if self.incomplete is not None:
            return f"Incomplete ({self.incomplete}): not judged"
        if self.point is None or not self.point.variation:
            return "None"
        return f"{self.point.variation.capitalize()}: {', '.join(self.point.rules)}"


@dataclass
class SpcPanel:
    """A measure's chart with what it supports: ``headline`` first, then the detail."""

    number: int
    key: str
    title: str
    name: str
    result: SpcResult
    headline: Headline
    chart: SafeString | None
    variation_icon: SafeString | None
    variation_label: str
    assurance_icon: SafeString | None
    assurance_label: str
    target: float | None
    changes: list[ProcessChange] = field(default_factory=list)
    # Every period drawn, judged or incomplete, oldest first (the chart's data table).
    periods: list[PeriodPoint] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"spc-{self.number}"

    @property
    def latest_period(self) -> PeriodPoint | None:
        """The latest judged period: what the headline, icons and summary speak of."""
        return next((p for p in reversed(self.periods) if p.incomplete is None), None)

    @property
    def latest(self) -> float | None:
        return self.result.latest.value if self.result.latest else None

    @property
    def latest_text(self) -> str:
        """ "2.4 from 27 wards (2026 Q3)": the latest judged value and what it stands on."""
        period = self.latest_period
        if period is None:
            return "" if self.periods else "No data"
        wards = f" {period.wards_text}" if period.wards_text else ""
        return f"{numbers.score_text(period.value)}{wards} ({period.label})"

    @property
    def incomplete_after(self) -> list[PeriodPoint]:
        """Incomplete periods after the latest judged one (the ones still filling up)."""
        latest = self.latest_period
        start = 0 if latest is None else self.periods.index(latest) + 1
        return [p for p in self.periods[start:] if p.incomplete is not None]

    @property
    def incomplete_text(self) -> str:
        """ "2026 Q4: 1.5 from 1 ward, incomplete (in progress), not judged." or ""."""
        return " ".join(
            f"{p.label}: {numbers.score_text(p.value)} {p.wards_text}, incomplete "
            f"({p.incomplete}), not judged."
            for p in self.incomplete_after
        )

    @property
    def sentence(self) -> str:
        return self.headline.text

    @property
    def rows(self) -> list[tuple[str, float]]:
        return [(p.label, p.value) for p in self.periods]

    @property
    def point_rows(self) -> list[list]:
        """The chart's periods, a few per table row so the data fits beside the chart."""
        points: list = list(self.periods)
        if points:
            points += [None] * (-len(points) % POINTS_PER_ROW)  # keep the columns aligned
        return [points[i : i + POINTS_PER_ROW] for i in range(0, len(points), POINTS_PER_ROW)]


def _series(trend: Trend, number: int) -> tuple[list[float], list[str], list]:
    """A measure's judged points in time order: periods where it was not rated, and
    incomplete periods (reports/periods.py), are left out."""
    starts = trend.starts or [None] * len(trend.labels)
    points = [
        (value, label, start)
        for i, (value, label, start) in enumerate(
            zip(trend.series.get(number, []), trend.labels, starts, strict=False)
        )
        if value is not None and i not in trend.incomplete
    ]
    return [p[0] for p in points], [p[1] for p in points], [p[2] for p in points]


def _periods(trend: Trend, number: int, result: SpcResult) -> list[PeriodPoint]:
    """Every rated period of a measure, judged ones carrying their SPC point."""
    judged = iter(result.points)
    out = []
    for i, (value, label) in enumerate(
        zip(trend.series.get(number, []), trend.labels, strict=False)
    ):
        if value is None:
            continue
        reason = trend.incomplete.get(i)
        point = None if reason is not None else next(judged)
        out.append(PeriodPoint(label, value, trend.wards_at(i), point=point, incomplete=reason))
    return out


def build_panel(
    *,
    number: int,
    title: str,
    name: str,
    trend: Trend,
    target: float | None,
    changes: list[ProcessChange],
    id_prefix: str,
    spc: SpcSettings,
) -> SpcPanel:
    """The panel for one measure of a trend (number 0 is the overall score)."""
    values, labels, starts = _series(trend, number)
    result = analyse(
        values,
        labels,
        improvement="up",
        target=target,
        settings=spc,
        changes=change_indexes(starts, changes),
    )
    periods_drawn = _periods(trend, number, result)
    words = headline(result, name, period=period_word(trend.labels))
    if not result.points and periods_drawn:
        # Only incomplete periods so far: drawn, and nothing claimed about them.
        words = Headline(
            "No complete period to judge yet",
            "Only incomplete periods so far: their values are drawn, and no variation or "
            "assurance is claimed.",
            "none",
        )
    if result.variation_icon is None:
        variation_icon = None
        variation_label = (
            f"Not yet shown: {result.points_in_latest_segment} of "
            f"{result.points_needed} points needed"
        )
    else:
        variation_icon = _safe(
            charts.variation_icon_svg(result.variation_icon, id_prefix=f"{id_prefix}-variation")
        )
        variation_label = charts.VARIATION_LABELS[result.variation_icon]
    if target is None:
        assurance_icon, assurance_label = None, "No target set"
    elif result.assurance_icon is None:
        assurance_icon = None
        assurance_label = (
            f"Not yet available: fewer than {spc.min_points_for_limits} points to compare "
            "with the target"
        )
    else:
        assurance_label = charts.ASSURANCE_LABELS[result.assurance_icon]
        assurance_icon = _safe(
            charts.assurance_icon_svg(result.assurance_icon, id_prefix=f"{id_prefix}-assurance")
        )
    chart = None
    if periods_drawn or result.points:  # nothing drawn, no chart: the headline says so
        chart = _safe(
            charts.spc_chart(
                result,
                title=title,
                id_prefix=f"{id_prefix}-spc",
                headline=words.text,
                periods=[_chart_period(p) for p in periods_drawn],
            )
        )
    return SpcPanel(
        number=number,
        key=measure_key(number),
        title=title,
        name=name,
        result=result,
        headline=words,
        chart=chart,
        variation_icon=variation_icon,
        variation_label=variation_label,
        assurance_icon=assurance_icon,
        assurance_label=assurance_label,
        target=target,
        changes=changes,
        periods=periods_drawn,
    )


def _chart_period(period: PeriodPoint) -> charts.ChartPeriod:
    return charts.ChartPeriod(
        label=period.label,
        value=period.value,
        note=period.wards_text,
        incomplete=period.incomplete,
    )


def trust_panels(
    *,
    trend: Trend,
    titles: dict[int, str],
    targets: dict[int, float],
    changes: dict[str, list[ProcessChange]],
    id_prefix: str,
    spc: SpcSettings | None = None,
    numbered: bool = False,
) -> list[SpcPanel]:
    """Overall first, then each commitment. ``numbered`` puts the commitment's number in its
    title (the board pack's headings); pages show the number beside the title instead."""
    spc = spc or spc_settings()
    measures = [(0, "Overall score", "The overall score")]
    measures += [
        (number, f"{number}. {title}" if numbered else title, title)
        for number, title in titles.items()
    ]
    return [
        build_panel(
            number=number,
            title=title,
            name=name,
            trend=trend,
            target=targets.get(number),
            changes=changes.get(measure_key(number), []),
            id_prefix=f"{id_prefix}-{number}",
            spc=spc,
        )
        for number, title, name in measures
    ]
