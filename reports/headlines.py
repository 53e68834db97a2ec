"""Plain-English headlines for SPC charts: what a board member reads first, then the detail.

One function (`headline`) turns an SpcResult into the words, so the trust dashboard and the
board pack say the same thing about the same chart. Pure Python, like reports.spc.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from standards import numbers

from .spc import (
    CONCERN,
    IMPROVEMENT,
    LIMIT_FACTOR,
    RULE_BEYOND_LIMIT,
    RULE_SHIFT,
    RULE_TREND,
    TWO_SIGMA_FACTOR,
    SpcResult,
    SpcSettings,
)

RULES_SECTION_ID = "how-we-read-charts"
RECALCULATE = "consider recalculating limits"
_QUARTER = re.compile(r"\bQ[1-4]\b")


def number_text(value: float) -> str:
    """How a score is written in a headline: the project-wide rule (one decimal, half up), so
    headlines match every other number."""
    return numbers.score_text(value)


@dataclass(frozen=True)
class Headline:
    """``text`` leads the chart; ``detail`` follows it. ``tone`` is "improvement", "concern",
    "neutral" (common cause) or "none" (too few points for any claim)."""

    text: str
    detail: str
    tone: str


def period_word(labels: list[str]) -> str:
    """ "quarters" when every label names a quarter (as the demo's "2026 Q3"), else "rounds"."""
    if labels and all(_QUARTER.search(label) for label in labels):
        return "quarters"
    return "rounds"


def headline(
    result: SpcResult,
    measure: str,
    *,
    period: str | None = None,
    number_text: Callable[[float], str] = number_text,
) -> Headline:
    """What the chart of ``measure`` supports, in words, judged on its latest point.
    ``number_text`` writes its values: a score by default; a ward measure passes its own, with
    its unit, so the headline shows the number its table shows."""
    periods = period or period_word(result.labels)
    latest = result.latest
    segment = result.latest_segment
    since_change = segment is not None and segment.note is not None
    if latest is None and not since_change:
        return Headline(
            "No signed assessments yet", "The chart is drawn once a round is signed.", "none"
        )
    if not result.rules_apply:
        where = " since the change in the process" if since_change else " yet"
        text = (
            f"Too few assessments{where} to show a trend "
            f"({result.points_in_latest_segment} of {result.points_needed} needed)"
        )
        detail = "Only the values are shown; no variation or assurance is claimed."
        if latest is not None:
            detail = f"Latest value {number_text(latest.value)}. {detail}"
        return Headline(text, detail, "none")

    assert latest is not None
    value = number_text(latest.value)
    prompt = (
        " The points have stayed on one side of the mean for a sustained run: the process has "
        f"probably moved to a new level, so {RECALCULATE} (a QI lead can mark the change on "
        "the chart)."
        if result.recalculate_prompt
        else ""
    )
    limits = _limits_detail(result, number_text)
    reading = result.classification
    if not reading.special_cause:
        text = (
            f"{measure} is stable: no sign of real change"
            if result.has_limits
            else f"No sign of real change in {measure} yet"
        )
        detail = f"Common cause variation. Latest value {value}. {limits}"
        return Headline(text, detail.strip() + prompt, "neutral")

    # Everything below reads the one classification, as the icon and the summary do.
    high = bool(reading.high)
    rising = result.rising_at_end
    rule = reading.rule
    better = reading.kind == IMPROVEMENT
    kind = f"Special cause {'improvement' if better else 'concern'}"
    if rule == RULE_TREND:
        run = result.trend_run_at_end
        moved = "improved" if better else "got worse"
        text = f"{measure} has {moved} for {run} {periods} in a row"
        why = f"{run} points in a row each {'higher' if rising else 'lower'} than the one before."
    elif rule == RULE_BEYOND_LIMIT:
        moved = "rose above" if high else "fell below"
        text = f"{measure} {moved} what its history would predict"
        limit = result.upper_limit if high else result.lower_limit
        assert limit is not None
        side = "upper" if high else "lower"
        why = f"The latest value {value} is beyond the {side} process limit ({number_text(limit)})."
    elif rule == RULE_SHIFT:
        run = result.shift_run_at_end
        level = "higher" if high else "lower"
        text = f"{measure} has been {level} than usual for {run} {periods} in a row"
        why = f"{run} points in a row {'above' if high else 'below'} the {result.centre_name}."
    else:
        count = result.beyond_two_sigma_in_last_three(high)
        unusually = "unusually high" if high else "unusually low"
        text = f"{measure} was {unusually} in {count} of the last 3 {periods}"
        why = f"{count} of the last 3 points beyond two sigma, on the same side."
    detail = f"{kind}. {why} Latest value {value}. {limits}".strip() + prompt
    return Headline(text, detail, IMPROVEMENT if better else CONCERN)


def _limits_detail(result: SpcResult, number_text: Callable[[float], str] = number_text) -> str:
    segment = result.latest_segment
    if segment is None:
        return ""
    since = " since the change in the process" if segment.note is not None else ""
    if result.has_limits:
        assert result.lower_limit is not None and result.upper_limit is not None
        return (
            f"Process limits {number_text(result.lower_limit)} to "
            f"{number_text(result.upper_limit)}, from the first {segment.baseline_size} "
            f"points{since}."
        )
    return (
        f"Run chart around the median ({number_text(result.centre)}): process limits need "
        f"{result.settings.min_points_for_limits} points{since} "
        f"({segment.size} so far)."
    )


def rules_paragraphs(settings: SpcSettings) -> list[str]:
    """The rules behind every chart, said once per page or report."""
    return [
        "Each chart shows a measure over time, in the NHS England Making Data Count style. "
        "Triangles mark special cause improvement, diamonds special cause concern and "
        "circles common cause variation (the usual ups and downs).",
        f"Below {settings.rules_from} points only the values are shown: nothing is claimed. "
        f"From {settings.rules_from} to {settings.min_points_for_limits - 1} points the chart "
        "is a run chart around the median: special cause is "
        f"{settings.run_shift_length} points in a row on one side of the median, or "
        f"{settings.run_trend_length} points in a row each rising or each falling.",
        f"From {settings.min_points_for_limits} points, process limits are calculated from a "
        f"baseline: the first {settings.min_points_for_limits} to {settings.baseline_length} "
        f"points (mean ± {LIMIT_FACTOR} × average moving range), then extended, not "
        "recalculated with each new point. When a QI lead marks a change in the process, "
        "the points after it get their own baseline.",
        "With limits, special cause is a point beyond a process limit; "
        f"{settings.shift_length} points in a row on one side of the centre line; "
        f"{settings.trend_length} points in a row each rising or each falling; "
        f"2 of 3 points beyond 2 sigma (mean ± {TWO_SIGMA_FACTOR} × average moving range) on "
        "the same side. A point on the centre line, or an equal value, breaks a run.",
        "When a run on one side of the mean is still going at the latest point, the process "
        f"has probably moved to a new level: the chart says “{RECALCULATE}” rather than calling "
        "every earlier point on the other side special cause. A point beyond a process limit "
        "is always special cause, whatever comes before or after it.",
    ]
