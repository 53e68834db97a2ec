"""Turn dashboard numbers into what people read: charts, SPC results, sentences and tables.

Shared by the pages and the PDFs so that both show the same picture.
"""

import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from standards import numbers

from . import charts, heat, periods, selectors, trust_gap, voice
from .board_summary import board_summary
from .headlines import RULES_SECTION_ID, rules_paragraphs
from .measures import disclosure
from .process_changes import can_mark_changes, trust_changes
from .selectors import Gap, Measure, TrustDashboard, WardDashboard
from .spc_panels import SpcPanel, spc_settings, trust_panels
from .trust_measures import trust_measures


def _safe(svg: str) -> SafeString:
    # Charts are built from escaped text by reports.charts.
    return mark_safe(svg)  # noqa: S308


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
    if dashboard.scores and not dashboard.groups_hidden:
        scores = dashboard.scores
        context["gap_chart"] = _safe(
            charts.gap_chart(
                gap_items(scores.gaps),
                title="Perception gap: lived experience minus staff",
                id_prefix=f"{prefix}-g",
            )
        )
        context["gap_rows"] = [
            (g, numbers.gap_sentence(g.gap)) for g in [*scores.gaps, scores.overall_gap]
        ]
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


def spc_panels(dashboard: TrustDashboard, changes: dict | None = None) -> list[SpcPanel]:
    """An SPC panel per commitment and overall from the trust-wide trend (shared with the PDF)."""
    return trust_panels(
        trend=dashboard.trend,
        titles=dashboard.titles,
        targets=dashboard.targets,
        changes=changes or {},
        id_prefix=f"spc{dashboard.trust.pk}",
    )


def trust_page(
    dashboard: TrustDashboard,
    *,
    user,
    may_mark: bool | None = None,
    measures_ward: int | None = None,
) -> dict:
    """The trust dashboard's board summary, SPC panels and the rules said once."""
    changes = trust_changes(trust=dashboard.trust)
    spc = spc_settings()
    panels = spc_panels(dashboard, changes)
    ward_measures = trust_measures(
        trust=dashboard.trust,
        wards=dashboard.wards,
        titles=dashboard.titles,
        spc=spc,
        page_wards=[row.ward for row in dashboard.rows],
        chart_ward=next((w for w in dashboard.wards if w.pk == measures_ward), None),
        minimum_setting=dashboard.trend.minimum_setting,
    )
    return {
        "panels": panels,
        **trust_gap_context(dashboard),
        "ward_measures": ward_measures,
        "ward_measures_rules": disclosure(dashboard.trust),
        "summary": board_summary(
            trust=dashboard.trust,
            wards=dashboard.wards,
            panels=panels,
            changes=changes,
            spc=spc,
            contradictions=ward_measures.flags,
        ),
        "incomplete_note": periods.incomplete_note(
            dashboard.trend.labels,
            dashboard.trend.wards,
            dashboard.trend.incomplete,
            dashboard.trend.minimum_setting,
        ),
        "incomplete_months_note": periods.incomplete_months_note(dashboard.trend.minimum_setting),
        "spc_rules": rules_paragraphs(spc),
        "rules_id": RULES_SECTION_ID,
        "can_mark_changes": (
            can_mark_changes(user=user, trust=dashboard.trust) if may_mark is None else may_mark
        ),
    }


def trust_gap_context(dashboard: TrustDashboard) -> dict:
    """The perception gap with each group pooled over the wards the filters allow
    (reports/trust_gap.py): its figures, their words and its chart."""
    gap = trust_gap.pooled_gap(
        trust=dashboard.trust,
        round_ids=(w.latest_round_id for w in dashboard.wards),
        titles=dashboard.titles,
    )
    return {
        "trust_gap": gap,
        "trust_gap_rows": [(g, numbers.gap_sentence(g.gap)) for g in gap.rows],
        "trust_gap_chart": (
            _safe(
                charts.gap_chart(
                    gap_items(gap.commitments),
                    title="Perception gap across the trust: lived experience minus staff",
                    id_prefix=f"tgap{dashboard.trust.pk}",
                )
            )
            if gap.shown
            else None
        ),
    }


# A rendered trust dashboard is kept this long at most, to free the memory: it is keyed by the
# trust's readings version (standards/kept.py), so it is never out of date.
BODY_CACHE_SECONDS = selectors.TREND_CACHE_SECONDS
# Stands in the kept HTML for the viewer's CSRF token, filled in on every request: a kept page
# never carries one person's token to another.
CSRF_SLOT = "kept-csrf-token-slot"


def trust_dashboard_body(
    request,
    *,
    trust,
    site_id: int | None,
    service_type: str | None,
    page,
    measures_ward: int | None = None,
) -> SafeString:
    """The trust dashboard's readings (board summary, summary table, heatmap page, leaders'
    words, trends), rendered once and kept in the cache under the trust's readings version and
    every trust's (selectors.trust_readings_state: moved on by any change to what a kept page
    reads, its report settings included, standards/kept.py), today's date (overdue actions,
    periods in progress), the SPC settings, the
    filters and page, the ward whose measure charts are asked for (one of the trust's, or none),
    and whether the viewer may mark process changes. Every dashboard role sees the same
    readings, so a board of 300 wards is drawn once, not on every view."""
    user = request.user
    may_mark = can_mark_changes(user=user, trust=trust)
    state = selectors.trust_readings_state(trust)
    page = selectors.shown_page(page, state.wards)
    measures_ward = selectors.trust_ward_id(trust, measures_ward)
    parts = [
        trust.pk,
        site_id,
        service_type,
        page,
        may_mark,
        timezone.localdate().isoformat(),
        repr(spc_settings()),
        state.key,
        measures_ward,
    ]
    key = "trust-body:v3:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]
    body = cache.get(key)
    if body is None:
        dashboard = selectors.trust_dashboard(
            user=user, trust_id=trust.pk, site_id=site_id, service_type=service_type, page=page
        )
        context = {
            "dashboard": dashboard,
            "trust": trust,
            "page_size": selectors.WARDS_PER_PAGE,
            **trust_page(dashboard, user=user, may_mark=may_mark, measures_ward=measures_ward),
            "voices": voice.reservations_and_declines(
                voice.round_voices(
                    (w.latest_round_id for w in dashboard.wards), with_words_only=True
                )
            ),
            "other_voices": voice.other_rounds_voices(
                ward_ids=[w.pk for w in dashboard.wards],
                latest_round_ids=[w.latest_round_id for w in dashboard.wards],
            ),
            "csrf_token": CSRF_SLOT,
        }
        body = render_to_string("reports/_trust_dashboard_body.html", context, request=request)
        cache.set(key, body, BODY_CACHE_SECONDS)
    return mark_safe(body.replace(CSRF_SLOT, get_token(request)))  # noqa: S308


def heat_class(mean: float | None) -> str:
    """A shade band for a heatmap cell; the value is always written in the cell too."""
    return heat.heat_class(mean)
