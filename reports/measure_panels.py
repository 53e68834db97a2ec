"""Ward measures as a ward reads them beside its self-assessment (issue 13): a Making Data Count
chart per measure and where a measure and the agreed scores disagree.

Built once here for the ward dashboard, the agreeing pages and the ward PDF. The figures, the
charts and the contradiction rule themselves live in reports/measures.py; this module only reads
a ward's figures (a constant number of queries) and shapes them for pages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from assessments import rules as round_rules
from assessments import scores
from assessments.models import Round, RoundStatus
from standards.models import Commitment, Ward

from .headlines import RULES_SECTION_ID, rules_paragraphs
from .measures import (
    CHART_MONTHS,
    PERIOD_MONTHS_BEFORE,
    Contradiction,
    Disclosure,
    Figure,
    MeasureChart,
    add_months,
    contradictions,
    figure,
    measure_chart,
    month_start,
    round_period,
    trust_measures,
    ward_months,
)
from .models import Measure
from .selectors import WardDashboard
from .spc_panels import spc_settings

# Anchors on the ward dashboard: a measure's chart and a commitment's agreed score.
MEASURE_PREFIX = "ward-measure"  # the trust dashboard links here too (trust_measures.py)
COMMITMENT_PREFIX = "commitment"


def commitment_anchor(number: int) -> str:
    return f"{COMMITMENT_PREFIX}-{number}"


@dataclass(frozen=True)
class FigureRow:
    """One month of a measure's data table."""

    figure: Figure
    special_cause: str


@dataclass
class MeasurePanel:
    """A measure's chart with its data table."""

    chart: MeasureChart
    rows: list[FigureRow]

    @property
    def measure(self) -> Measure:
        return self.chart.measure

    @property
    def anchor(self) -> str:
        return self.chart.anchor


@dataclass(frozen=True)
class Flag:
    """A contradiction with links to the commitment's score and the measure's chart."""

    contradiction: Contradiction
    commitment_href: str
    measure_href: str

    @property
    def sentence(self) -> str:
        return self.contradiction.sentence


def _rows(chart: MeasureChart) -> list[FigureRow]:
    points = iter(chart.result.points if chart.result else [])
    rows = []
    for item in chart.figures:
        point = next(points) if item.value is not None else None
        if point is not None and point.variation:
            cause = f"{point.variation.capitalize()}: {', '.join(point.rules)}"
        else:
            cause = "None"
        rows.append(FigureRow(item, cause))
    return rows


def ward_measure_panels(ward: Ward, *, today: datetime.date | None = None) -> list[MeasurePanel]:
    """A chart per measure with figures for the ward in the last CHART_MONTHS months, inside the
    ward (nothing withheld). Three queries however many months or measures: the catalogue, the
    measures and the figures. ``ward`` comes from a scoped read, with its site's trust."""
    today = today or timezone.localdate()
    since = add_months(month_start(today), -(CHART_MONTHS - 1))
    measures = list(trust_measures(ward.site.trust))
    found = ward_months([ward], measures, since=since)
    rules, spc = Disclosure(), spc_settings()  # inside the ward the disclosure rules never apply
    panels = []
    for measure in measures:
        rows = found.get((ward.pk, measure.pk))
        if not rows:
            continue
        figures = [figure(measure, row, outside_ward=False, rules=rules) for row in rows]
        chart = measure_chart(measure, figures, spc=spc, id_prefix=MEASURE_PREFIX)
        panels.append(MeasurePanel(chart, _rows(chart)))
    return panels


def flags(
    *,
    agreed: dict[int, float | None],
    titles: dict[int, str],
    panels: list[MeasurePanel],
    months: set[datetime.date],
    dashboard_url: str = "",
) -> list[Flag]:
    """The contradictions (reports.measures.contradictions), each linked to the commitment's
    agreed score and the measure's chart on the ward dashboard (``dashboard_url``, or this page
    when empty)."""
    found = contradictions(
        agreed=agreed, titles=titles, measure_charts=[p.chart for p in panels], months=months
    )
    return [
        Flag(
            c,
            f"{dashboard_url}#{commitment_anchor(c.commitment)}",
            f"{dashboard_url}#{c.chart_anchor}",
        )
        for c in found
    ]


def signed_period(round: Round) -> set[datetime.date]:
    """The months a signed round speaks for."""
    return round_period(timezone.localdate(round.opened_at), timezone.localdate(round.signed_at))


def ward_dashboard_measures(dashboard: WardDashboard) -> dict:
    """The ward dashboard's measures: a panel per measure and the contradictions between them
    and the latest signed round's agreed scores over that round's period."""
    panels = ward_measure_panels(dashboard.ward)
    found: list[Flag] = []
    latest = dashboard.latest
    if latest is not None and dashboard.scores is not None and panels:
        agreed = {int(m.key): m.mean for m in dashboard.scores.commitments}
        found = flags(
            agreed=agreed, titles=dashboard.titles, panels=panels, months=signed_period(latest)
        )
    return {
        "measure_panels": panels,
        "measure_flags": found,
        "spc_rules": rules_paragraphs(spc_settings()),
        "rules_id": RULES_SECTION_ID,
        "period_months_before": PERIOD_MONTHS_BEFORE,
    }


def round_measures(
    round: Round, *, agreed: dict[int, float | None], titles: dict[int, str]
) -> dict:
    """The ward PDF's measures for a round: the charts up to the month it was signed (today
    while it runs) and the contradictions with its own agreed scores over its period, linked
    within the report."""
    until = timezone.localdate(round.signed_at) if round.signed_at else timezone.localdate()
    panels = ward_measure_panels(round.ward, today=until)
    found = flags(
        agreed=agreed,
        titles=titles,
        panels=panels,
        months=round_period(timezone.localdate(round.opened_at), until),
    )
    return {"measure_panels": panels, "measure_flags": found}


def agreed_means(round: Round) -> dict[int, float | None]:
    """A round's agreed mean per commitment, from its stored tallies (one query)."""
    rows = scores.stored([round.pk], pillars=False).get(round.pk, {})
    return {
        row.commitment_number: scores.mean(row.rated, row.total)
        for row in rows.values()
        if row.commitment_number
    }


def agreeing_measures(round: Round, *, today: datetime.date | None = None) -> dict:
    """Context for the team while agreeing, never changing a rating: where the ward's figures
    over this round's period (from two months before it opened until today) disagree with the
    agreed scores of the ward's latest signed round. Nothing outside agreeing."""
    if not round.allows(round_rules.AGREE):
        return {}
    today = today or timezone.localdate()
    previous = (
        Round.objects.filter(ward_id=round.ward_id, status=RoundStatus.SIGNED)
        .exclude(pk=round.pk)
        .order_by("-signed_at", "-pk")
        .first()
    )
    if previous is None:
        return {}
    panels = ward_measure_panels(round.ward, today=today)
    if not panels:
        return {}
    titles = dict(
        Commitment.objects.filter(edition_id=previous.edition_id).values_list("number", "title")
    )
    found = flags(
        agreed=agreed_means(previous),
        titles=titles,
        panels=panels,
        months=round_period(timezone.localdate(round.opened_at), today),
        dashboard_url=reverse("reports:ward_dashboard", args=[round.ward_id]),
    )
    return {"measure_flags": found, "measure_previous": previous}
