"""Turn dashboard numbers into what people read: charts, SPC results, sentences and tables.

Shared by the pages and the PDFs so that both show the same picture.
"""

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from assessments import rules

from . import charts, heat
from .selectors import Gap, Measure, TrustDashboard, WardDashboard
from .spc import SpcResult, analyse


@dataclass
class SpcPanel:
    number: int
    title: str
    result: SpcResult
    chart: SafeString
    sentence: str
    variation_label: str
    assurance_label: str
    variation_icon: SafeString
    assurance_icon: SafeString
    latest: float | None
    target: float | None
    rows: list[tuple[str, float | None]]


def _safe(svg: str) -> SafeString:
    # Charts are built from escaped text by reports.charts.
    return mark_safe(svg)  # noqa: S308


def _gap_text(gap: float | None) -> str:
    if gap is None:
        return "Not available"
    if not rules.gap_value(gap):
        return "No difference"
    side = "higher" if gap > 0 else "lower"
    return f"{rules.gap_text(gap)} (lived experience {side})"


def measure_items(measures: list[Measure]) -> list[tuple[str, float | None]]:
    return [(m.title, m.mean) for m in measures]


def gap_items(gaps: list[Gap]) -> list[tuple[str, float | None]]:
    return [(g.title, g.gap) for g in gaps]


def ward_charts(dashboard: WardDashboard) -> dict:
    """Charts for the ward dashboard: scores by commitment and pillar, the gap, the trend."""
    context: dict = {}
    prefix = f"ward{dashboard.ward.pk}"
    if dashboard.scores:
        scores = dashboard.scores
        context["commitment_chart"] = _safe(
            charts.bar_chart(
                measure_items(scores.commitments),
                title="Agreed score by commitment",
                id_prefix=f"{prefix}-c",
            )
        )
        context["pillar_chart"] = _safe(
            charts.bar_chart(
                measure_items(scores.pillars),
                title="Agreed score by pillar",
                id_prefix=f"{prefix}-p",
            )
        )
        context["gap_chart"] = _safe(
            charts.gap_chart(
                gap_items(scores.gaps),
                title="Perception gap: lived experience minus staff",
                id_prefix=f"{prefix}-g",
            )
        )
        context["gap_rows"] = [(g, _gap_text(g.gap)) for g in [*scores.gaps, scores.overall_gap]]
    trend = dashboard.trend
    series = {
        f"{number}. {title}": list(zip(trend.labels, trend.series.get(number, []), strict=False))
        for number, title in dashboard.titles.items()
    }
    context["trend_chart"] = (
        _safe(
            charts.trend_chart(
                series,
                title="Agreed score by commitment, each signed round",
                id_prefix=f"{prefix}-t",
            )
        )
        if trend.labels
        else None
    )
    context["trend_rows"] = [
        (f"{number}. {title}", trend.series.get(number, [None] * len(trend.labels)))
        for number, title in [(0, "Overall"), *dashboard.titles.items()]
    ]
    return context


def spc_panels(dashboard: TrustDashboard) -> list[SpcPanel]:
    """An SPC chart per commitment and overall from the trust-wide trend."""
    panels = []
    trend = dashboard.trend
    for number, title in [(0, "Overall score"), *dashboard.titles.items()]:
        pairs = [
            (label, value)
            for label, value in zip(trend.labels, trend.series.get(number, []), strict=False)
            if value is not None
        ]
        target = dashboard.targets.get(number)
        result = analyse(
            [v for _, v in pairs], [label for label, _ in pairs], improvement="up", target=target
        )
        prefix = f"spc{dashboard.trust.pk}-{number}"
        assurance = result.assurance_icon or "no-target"
        panels.append(
            SpcPanel(
                number=number,
                title=title,
                result=result,
                chart=_safe(charts.spc_chart(result, title=title, id_prefix=prefix)),
                sentence=result.summary(title),
                variation_label=charts.VARIATION_LABELS[result.variation_icon],
                assurance_label=(
                    "Not yet available (fewer than 13 points)"
                    if target is not None and not result.has_limits
                    else charts.ASSURANCE_LABELS.get(assurance, "No target set")
                ),
                variation_icon=_safe(
                    charts.variation_icon_svg(result.variation_icon, id_prefix=f"{prefix}-v")
                ),
                assurance_icon=_safe(
                    charts.assurance_icon_svg(result.assurance_icon, id_prefix=f"{prefix}-a")
                ),
                latest=pairs[-1][1] if pairs else None,
                target=target,
                rows=pairs,
            )
        )
    return panels


def heat_class(mean: float | None) -> str:
    """A shade band for a heatmap cell; the value is always written in the cell too."""
    return heat.heat_class(mean)
