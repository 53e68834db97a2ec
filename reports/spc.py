"""Statistical process control (Making Data Count) for a single measure.

Pure Python, standard library only: no Django imports, so it can be used from views, reports,
exports and tests alike.

An XmR (individuals and moving range) chart:

* centre line = mean of the values;
* moving range ``MR_i = |x_i - x_(i-1)|`` for every point after the first;
* process limits = ``mean ± 2.66 × mean(MR)``;
* two-sigma lines = ``mean ± 1.773 × mean(MR)``.

A point shows *special cause* variation when any of these rules flags it:

1. ``"beyond-limit"``: the point is above the upper or below the lower process limit
   (strictly; a point exactly on a limit is inside it).
2. ``"shift"``: it belongs to a run of at least ``shift_length`` (default 7) consecutive points
   strictly on the same side of the centre line. A point exactly on the centre line breaks the
   run. Every point of the run is flagged.
3. ``"trend"``: it belongs to a run of at least ``trend_length`` (default 7) consecutive
   points each strictly higher (or each strictly lower) than the one before. The run length
   counts *points*, not steps: 7 points in a strictly increasing sequence (6 increases) are a
   trend, 6 such points are not. Two equal consecutive values (a tie) break the run. Every point
   of the run is flagged.
4. ``"two-of-three"``: in some window of three consecutive points, two or three points are
   beyond the same two-sigma line (all above the upper one, or all below the lower one).
   Points beyond the process limit count too. The points beyond that line are flagged (not the
   third point of the window). Two points beyond two sigma on opposite sides do not count.

Baselines (NHS England Making Data Count): the mean and the average moving range are
calculated from a *baseline*, the first ``baseline_points`` (default 20) points of the series
once it has at least ``min_points_for_limits`` (default 12), and the limits are then extended
over the later points, not recalculated with every new point. A *change in the process*
(``changes``: the index of the first point after the change, with a note) starts a new
segment that gets its own baseline; rules are judged within a segment, never across a change.

Below ``min_points_for_limits`` points in a segment there are no process limits: the segment
is a *run chart* around its median. Rules 1 and 4 are not applied, the shift rule is judged
around the median (a point on the median breaks the run) and the trend rule applies
unchanged. Below ``min_points_for_rules`` (default 5) points no rule applies at all: the
values are shown and nothing is claimed about them (no variation or assurance icon).

A *sustained shift*: when the shift rule flags a run that is still going at the latest point
of a segment with limits, the process has probably moved to a new level. The result then
prompts "consider recalculating limits" (``recalculate_prompt``), and the points before the
run that are flagged only by the shift or two-of-three rules for lying on the other side of the
centre line are not classed as special cause: they are the old level, not a signal. A point
beyond a process limit is always special cause, whatever comes before or after it: no
quietening ever removes the beyond-limit rule.

Each flagged point is classed as ``"improvement"`` or ``"concern"``. Its *side* is "high" or
"low": for the side-based rules (beyond-limit, shift, two-of-three) it is the side of the
centre line the point lies on; when a point is flagged only by the trend rule it is the trend's
direction (rising = high). A point flagged by both a side-based rule and a trend takes the side
of the centre line. A point that ends one trend and starts the opposite one (a peak or a
trough) takes the direction of the trend it ends. A high point is an improvement when higher
is better (``improvement="up"``) and a concern when lower is better (``improvement="down"``);
a low point the other way round.

The latest point has one *classification* (``SpcResult.classification``): no claim (too few
points), common cause, or special cause improvement or concern, high or low, with the rule that
describes it. The variation icon, the summary sentence and the headline (reports.headlines) are
all read from it, so they cannot disagree. The variation icon is ``None`` when the latest
segment has fewer than ``min_points_for_rules`` points, ``"common-cause"`` when the point is
not flagged, otherwise ``"improvement-high"``, ``"improvement-low"``, ``"concern-high"`` or
``"concern-low"``.

The assurance icon needs both a target and process limits (otherwise it is ``None``). When
higher is better: lower limit > target gives ``"pass"`` (the process always meets the target),
upper limit < target gives ``"fail"`` (it always misses it), anything else ``"hit-and-miss"``.
When lower is better it is mirrored: upper limit < target passes, lower limit > target fails.

Values are compared with a tiny tolerance (relative 1e-9), so that floating point noise in a
mean does not move a point off the centre line or break a tie.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from standards import numbers

__all__ = [
    "ASSURANCE_FAIL",
    "ASSURANCE_HIT_AND_MISS",
    "ASSURANCE_PASS",
    "Direction",
    "LIMIT_FACTOR",
    "RULE_BEYOND_LIMIT",
    "RULE_SHIFT",
    "RULE_TREND",
    "RULE_TWO_OF_THREE",
    "TWO_SIGMA_FACTOR",
    "Classification",
    "SpcPoint",
    "SpcResult",
    "SpcSegment",
    "SpcSettings",
    "analyse",
]

Direction = Literal["up", "down"]
"""Improvement direction of a measure: ``"up"`` means higher is better."""

LIMIT_FACTOR = 2.66
"""Process limits are the mean ± LIMIT_FACTOR × the average moving range (3 sigma)."""

TWO_SIGMA_FACTOR = 1.773
"""Two-sigma lines are the mean ± TWO_SIGMA_FACTOR × the average moving range."""

RULE_BEYOND_LIMIT = "beyond-limit"
RULE_SHIFT = "shift"
RULE_TREND = "trend"
RULE_TWO_OF_THREE = "two-of-three"
_RULE_ORDER = (RULE_BEYOND_LIMIT, RULE_SHIFT, RULE_TREND, RULE_TWO_OF_THREE)
_SIDE_RULES = frozenset({RULE_BEYOND_LIMIT, RULE_SHIFT, RULE_TWO_OF_THREE})

IMPROVEMENT = "improvement"
CONCERN = "concern"
COMMON_CAUSE = "common-cause"

ASSURANCE_PASS = "pass"
ASSURANCE_FAIL = "fail"
ASSURANCE_HIT_AND_MISS = "hit-and-miss"

_REL_TOL = 1e-9
_ABS_TOL = 1e-12


@dataclass(frozen=True)
class SpcSettings:
    """Lengths used by the special cause rules and the baseline.

    ``shift_length``: points in a row on one side of the centre line (at least 2).
    ``trend_length``: points in a row, each strictly higher (or lower) than the one before,
    counting points rather than steps (at least 2).
    ``min_points_for_limits``: the fewest points in a segment for which process limits are
    calculated (at least 2, since a moving range needs two points); below it the segment is a
    run chart.
    ``baseline_points``: how many of a segment's first points the limits are calculated from
    (never fewer than ``min_points_for_limits``).
    ``min_points_for_rules``: below this many points in a segment no rule is applied and no
    variation is claimed (at least 2; never more than ``min_points_for_limits``).
    ``run_shift_length`` and ``run_trend_length``: the shift and trend lengths on a run chart
    (Making Data Count's run chart rules: 6 points on one side of the median, 5 rising or
    falling).
    """

    shift_length: int = 7
    trend_length: int = 7
    min_points_for_limits: int = 12
    baseline_points: int = 20
    min_points_for_rules: int = 5
    run_shift_length: int = 6
    run_trend_length: int = 5

    def __post_init__(self) -> None:
        for name in (
            "shift_length",
            "trend_length",
            "min_points_for_limits",
            "baseline_points",
            "min_points_for_rules",
            "run_shift_length",
            "run_trend_length",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 2:
                raise ValueError(f"{name} must be a whole number of at least 2, not {value!r}")

    @property
    def baseline_length(self) -> int:
        return max(self.baseline_points, self.min_points_for_limits)

    @property
    def rules_from(self) -> int:
        return min(self.min_points_for_rules, self.min_points_for_limits)


SEGMENT_LIMITS = "limits"
SEGMENT_RUN = "run"
SEGMENT_VALUES = "values"


@dataclass
class SpcSegment:
    """Points ``start`` to ``end`` (exclusive) between changes in the process.

    ``kind`` is ``"limits"`` (XmR chart from a baseline of points ``start`` to
    ``baseline_end``), ``"run"`` (run chart around the median) or ``"values"`` (too few points
    for any rule). ``note`` is the change's note for every segment but the first.
    """

    start: int
    end: int
    kind: str
    centre: float | None
    mean: float | None
    median: float | None
    mean_moving_range: float | None
    upper_limit: float | None = None
    lower_limit: float | None = None
    upper_two_sigma: float | None = None
    lower_two_sigma: float | None = None
    baseline_end: int | None = None
    note: str | None = None
    sustained_shift: bool = False

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def has_limits(self) -> bool:
        return self.kind == SEGMENT_LIMITS

    @property
    def baseline_size(self) -> int:
        return 0 if self.baseline_end is None else self.baseline_end - self.start


@dataclass
class SpcPoint:
    """One point of the chart.

    ``rules`` lists the rules flagging the point, in the order beyond-limit, shift, trend,
    two-of-three (empty for common cause). ``variation`` is ``"improvement"``, ``"concern"`` or
    ``None`` when no rule flags the point.
    """

    index: int
    label: str
    value: float
    rules: list[str] = field(default_factory=list)
    variation: str | None = None

    @property
    def is_special_cause(self) -> bool:
        """True when at least one rule flags this point."""
        return bool(self.rules)


KIND_NONE = "none"


@dataclass(frozen=True)
class Classification:
    """The one reading of the latest point: what the icon, the headline and the sentences say.

    ``kind`` is ``"none"`` (too few points: no claim), ``"common-cause"``, ``"improvement"`` or
    ``"concern"``. For special cause, ``high`` is its side (or a trend's direction) and ``rule``
    the rule that describes it: a new level (a sustained shift) first, then beyond a limit, a
    shift, a trend whose direction agrees with the side, two of three beyond two sigma.
    ``new_level`` is True when the latest point belongs to a shift run still going at the end of
    a segment with limits: the process has probably moved, so limits should be recalculated.
    """

    kind: str
    high: bool | None = None
    rule: str | None = None
    new_level: bool = False

    @property
    def special_cause(self) -> bool:
        return self.kind in (IMPROVEMENT, CONCERN)

    @property
    def icon(self) -> str | None:
        """The Making Data Count variation icon's code, or None when no claim is made."""
        if self.kind == KIND_NONE:
            return None
        if not self.special_cause:
            return COMMON_CAUSE
        return f"{self.kind}-{'high' if self.high else 'low'}"


@dataclass
class SpcResult:
    """The analysis of one series: limits, flagged points, icons and plain-English text.

    ``centre`` is the mean when limits are available, otherwise the median (run chart).
    ``mean_moving_range`` is reported whenever there are at least two points, even on a run
    chart; the limit and two-sigma fields are ``None`` unless ``has_limits``.
    """

    labels: list[str]
    values: list[float]
    points: list[SpcPoint]
    centre: float
    mean: float
    median: float
    mean_moving_range: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_two_sigma: float | None
    lower_two_sigma: float | None
    has_limits: bool
    improvement: Direction
    target: float | None
    settings: SpcSettings
    variation_icon: str | None
    assurance_icon: str | None
    rules_text: str
    segments: list[SpcSegment] = field(default_factory=list)
    classification: Classification = Classification(KIND_NONE)

    @property
    def latest(self) -> SpcPoint | None:
        """The last point, or ``None`` when there is no data."""
        return self.points[-1] if self.points else None

    @property
    def latest_segment(self) -> SpcSegment | None:
        return self.segments[-1] if self.segments else None

    @property
    def rules_apply(self) -> bool:
        """True when the latest segment has enough points for any rule (and any claim)."""
        segment = self.latest_segment
        return segment is not None and segment.kind != SEGMENT_VALUES

    @property
    def points_needed(self) -> int:
        """Points needed in the latest segment before a rule can be applied."""
        return self.settings.rules_from

    @property
    def points_in_latest_segment(self) -> int:
        segment = self.latest_segment
        return 0 if segment is None else segment.size

    @property
    def recalculate_prompt(self) -> bool:
        """True when the latest point belongs to a sustained shift (see the module docstring):
        the process has moved, so limits from the old baseline no longer describe it."""
        return self.classification.new_level

    @property
    def latest_is_high(self) -> bool:
        """True when the latest point's special cause lies on the high side (or rises)."""
        return bool(self.classification.high)

    @property
    def latest_rule(self) -> str | None:
        """The rule that describes the latest point (``classification.rule``), or None."""
        return self.classification.rule

    @property
    def rising_at_end(self) -> bool:
        return self._trend_rising_at_end()

    @property
    def shift_run_at_end(self) -> int:
        """Points in a row on the latest point's side of the centre line, in its segment."""
        return self._shift_run_at_end()

    @property
    def trend_run_at_end(self) -> int:
        """Points in the strictly rising or falling run that ends with the latest point."""
        return self._trend_run_at_end()

    def beyond_two_sigma_in_last_three(self, high: bool) -> int:
        return self._beyond_two_sigma_in_last_three(high)

    @property
    def changes(self) -> list[SpcSegment]:
        """The segments that start with a change in the process."""
        return self.segments[1:]

    @property
    def centre_name(self) -> str:
        """``"mean"`` on an XmR chart, ``"median"`` on a run chart."""
        return "mean" if self.has_limits else "median"

    def summary(self, measure: str, number: Callable[[float], str] | None = None) -> str:
        """One plain-English sentence about the latest point, naming the measure.

        It states the latest value and its conclusion: the rule that flags the latest point
        (beyond a limit, then a shift, then a trend, then two of three beyond two sigma; a trend
        is only chosen when its direction agrees with the point's classification) followed by
        "special cause improvement" or "special cause concern", or "common cause variation: no
        significant change". Run charts add that process limits are not yet available.
        """
        latest = self.latest
        if latest is None:
            return f"{measure} has no data yet."
        value = (number or _format_number)(latest.value)
        if not self.rules_apply:
            return (
                f"{measure}: too few points to judge variation "
                f"({self.points_in_latest_segment} of {self.points_needed} needed; "
                f"latest value {value})."
            )
        not_yet = (
            ""
            if self.has_limits
            else (
                "; process limits are not yet available "
                f"(fewer than {self.settings.min_points_for_limits} points)"
            )
        )
        if not self.classification.special_cause:
            return (
                f"{measure} shows common cause variation: no significant change "
                f"(latest value {value}){not_yet}."
            )

        reading = self.classification
        conclusion = f"special cause {reading.kind}"
        high = bool(reading.high)
        above = "above" if high else "below"
        possessive = _possessive(measure)
        rule = reading.rule
        if rule == RULE_BEYOND_LIMIT:
            limit = "upper" if high else "lower"
            return (
                f"{possessive} latest point ({value}) is {above} the {limit} process limit: "
                f"{conclusion}."
            )
        if rule == RULE_SHIFT:
            run = self._shift_run_at_end()
            return (
                f"{measure} has been {above} the {self.centre_name} for {run} rounds in a row "
                f"(latest value {value}): {conclusion}{not_yet}."
            )
        if rule == RULE_TREND:
            run = self._trend_run_at_end()
            moved = "risen" if self._trend_rising_at_end() else "fallen"
            return (
                f"{measure} has {moved} for {run} rounds in a row (latest value {value}): "
                f"{conclusion}{not_yet}."
            )
        count = self._beyond_two_sigma_in_last_three(high)
        return (
            f"{possessive} latest point ({value}) is one of {count} of the last 3 points more "
            f"than 2 sigma {above} the mean: {conclusion}."
        )

    def _latest_values(self) -> list[float]:
        segment = self.latest_segment
        return self.values if segment is None else self.values[segment.start : segment.end]

    def _shift_run_at_end(self) -> int:
        """Length of the run of points on the latest point's side of the centre line."""
        values = self._latest_values()
        side = _compare(values[-1], self.centre)
        run = 0
        for value in reversed(values):
            if side == 0 or _compare(value, self.centre) != side:
                break
            run += 1
        return run

    def _trend_direction_at_end(self) -> int:
        values = self._latest_values()
        if len(values) < 2:
            return 0
        return _compare(values[-1], values[-2])

    def _trend_rising_at_end(self) -> bool:
        return self._trend_direction_at_end() > 0

    def _trend_run_at_end(self) -> int:
        """Points in the strictly monotone run that ends with the latest point."""
        direction = self._trend_direction_at_end()
        if direction == 0:
            return 1
        values = self._latest_values()
        run = 1
        for i in range(len(values) - 1, 0, -1):
            if _compare(values[i], values[i - 1]) != direction:
                break
            run += 1
        return run

    def _beyond_two_sigma_in_last_three(self, high: bool) -> int:
        if self.upper_two_sigma is None or self.lower_two_sigma is None:
            return 0
        last_three = self._latest_values()[-3:]
        if high:
            return sum(_compare(v, self.upper_two_sigma) > 0 for v in last_three)
        return sum(_compare(v, self.lower_two_sigma) < 0 for v in last_three)


def analyse(
    values: Sequence[float],
    labels: Sequence[str] | None = None,
    *,
    improvement: Direction = "up",
    target: float | None = None,
    settings: SpcSettings = SpcSettings(),
    changes: Mapping[int, str] | None = None,
) -> SpcResult:
    """Analyse a series in time order and return its chart, flagged points and icons.

    ``labels`` default to "1", "2", ... and must match ``values`` in length. Values must be
    finite numbers. ``changes`` maps the index of the first point after a change in the
    process to the change's note (an index past the last point starts an empty segment; index
    0 or below is ignored). The top-level centre and limits are the latest segment's. See the
    module docstring for the baseline and the rules.
    """
    if improvement not in ("up", "down"):
        raise ValueError(f'improvement must be "up" or "down", not {improvement!r}')
    xs = [float(v) for v in values]
    if any(not math.isfinite(x) for x in xs):
        raise ValueError("values must be finite numbers")
    if labels is None:
        names = [str(i + 1) for i in range(len(xs))]
    else:
        names = [str(label) for label in labels]
        if len(names) != len(xs):
            raise ValueError(f"{len(names)} labels given for {len(xs)} values")
    target_value = None if target is None else float(target)

    n = len(xs)
    breaks = sorted({min(i, n): note for i, note in (changes or {}).items() if i > 0}.items())
    bounds = [(0, None), *breaks]
    segments = [
        _segment(xs, start, bounds[k + 1][0] if k + 1 < len(bounds) else n, note, settings)
        for k, (start, note) in enumerate(bounds)
    ]

    flags: list[set[str]] = [set() for _ in xs]
    trend_direction: dict[int, int] = {}
    centres: list[float] = [0.0] * n
    for seg in segments:
        if seg.kind == SEGMENT_VALUES or seg.centre is None:
            continue
        part = xs[seg.start : seg.end]
        for i in range(seg.start, seg.end):
            centres[i] = seg.centre
        if seg.upper_limit is not None and seg.lower_limit is not None:
            for i in range(seg.start, seg.end):
                if _compare(xs[i], seg.upper_limit) > 0 or _compare(xs[i], seg.lower_limit) < 0:
                    flags[i].add(RULE_BEYOND_LIMIT)
        shift_length, trend_length = (
            (settings.shift_length, settings.trend_length)
            if seg.has_limits
            else (settings.run_shift_length, settings.run_trend_length)
        )
        shifted = _shift_points(part, seg.centre, shift_length)
        for i in shifted:
            flags[seg.start + i].add(RULE_SHIFT)
        for i, direction in _trend_points(part, trend_length).items():
            flags[seg.start + i].add(RULE_TREND)
            trend_direction[seg.start + i] = direction
        if seg.upper_two_sigma is not None and seg.lower_two_sigma is not None:
            for i in _two_of_three_points(part, seg.upper_two_sigma, seg.lower_two_sigma):
                flags[seg.start + i].add(RULE_TWO_OF_THREE)
        new_level = _new_level_start(part, seg.centre, shifted)
        if seg.has_limits and new_level is not None:
            seg.sustained_shift = True
            _drop_old_level(xs, flags, seg, seg.start + new_level)

    points: list[SpcPoint] = []
    highs: list[bool | None] = []
    for i, (x, name) in enumerate(zip(xs, names, strict=True)):
        rules = [rule for rule in _RULE_ORDER if rule in flags[i]]
        high: bool | None = None
        if flags[i] & _SIDE_RULES:
            high = _compare(x, centres[i]) > 0
        elif RULE_TREND in flags[i]:
            high = trend_direction[i] > 0
        variation = None if high is None else _variation(high, improvement)
        highs.append(high)
        points.append(SpcPoint(index=i, label=name, value=x, rules=rules, variation=variation))

    latest = segments[-1]
    reading = _classify(xs, points, highs, latest)

    return SpcResult(
        labels=names,
        values=xs,
        points=points,
        centre=latest.centre if latest.centre is not None else 0.0,
        mean=latest.mean if latest.mean is not None else 0.0,
        median=latest.median if latest.median is not None else 0.0,
        mean_moving_range=latest.mean_moving_range,
        upper_limit=latest.upper_limit,
        lower_limit=latest.lower_limit,
        upper_two_sigma=latest.upper_two_sigma,
        lower_two_sigma=latest.lower_two_sigma,
        has_limits=latest.has_limits,
        improvement=improvement,
        target=target_value,
        settings=settings,
        variation_icon=reading.icon,
        assurance_icon=_assurance(
            latest.upper_limit, latest.lower_limit, target_value, improvement
        ),
        rules_text=_rules_text(settings, latest.has_limits),
        segments=segments,
        classification=reading,
    )


def _classify(
    xs: list[float], points: list[SpcPoint], highs: list[bool | None], latest: SpcSegment
) -> Classification:
    """The latest point's one classification (see Classification)."""
    if latest.kind == SEGMENT_VALUES or not latest.size:
        return Classification(KIND_NONE)
    point = points[-1]
    if point.variation is None:
        return Classification(COMMON_CAUSE)
    high = bool(highs[-1])
    new_level = latest.sustained_shift and RULE_SHIFT in point.rules
    if new_level:
        rule = RULE_SHIFT
    else:
        part = xs[latest.start : latest.end]
        rising = len(part) > 1 and _compare(part[-1], part[-2]) > 0
        rule = _describing_rule(point.rules, rising, high)
    return Classification(point.variation, high=high, rule=rule, new_level=new_level)


def _segment(
    xs: list[float], start: int, end: int, note: str | None, settings: SpcSettings
) -> SpcSegment:
    """A segment's centre and limits: from its baseline when it has enough points for them."""
    part = xs[start:end]
    if not part:
        return SpcSegment(start, end, SEGMENT_VALUES, None, None, None, None, note=note)
    median = float(statistics.median(part))
    moving_ranges = [abs(part[i] - part[i - 1]) for i in range(1, len(part))]
    if len(part) < settings.min_points_for_limits:
        kind = SEGMENT_RUN if len(part) >= settings.rules_from else SEGMENT_VALUES
        return SpcSegment(
            start,
            end,
            kind,
            centre=median,
            mean=statistics.fmean(part),
            median=median,
            mean_moving_range=statistics.fmean(moving_ranges) if moving_ranges else None,
            note=note,
        )
    baseline = part[: settings.baseline_length]
    mean = statistics.fmean(baseline)
    mean_mr = statistics.fmean(abs(baseline[i] - baseline[i - 1]) for i in range(1, len(baseline)))
    return SpcSegment(
        start,
        end,
        SEGMENT_LIMITS,
        centre=mean,
        mean=mean,
        median=float(statistics.median(baseline)),
        mean_moving_range=mean_mr,
        upper_limit=mean + LIMIT_FACTOR * mean_mr,
        lower_limit=mean - LIMIT_FACTOR * mean_mr,
        upper_two_sigma=mean + TWO_SIGMA_FACTOR * mean_mr,
        lower_two_sigma=mean - TWO_SIGMA_FACTOR * mean_mr,
        baseline_end=start + len(baseline),
        note=note,
    )


def _new_level_start(part: list[float], centre: float, shifted: set[int]) -> int | None:
    """Where the process's new level starts, if it has moved: the start of the latest shift run
    when that run is still going at the latest point. (A run that has ended is a signal, not a
    new level: its points, and the other side's, stay flagged.)"""
    if len(part) - 1 not in shifted:
        return None
    start = len(part) - 1
    side = _compare(part[start], centre)
    while start - 1 in shifted and _compare(part[start - 1], centre) == side:
        start -= 1
    return start


# What a new level quietens on the old level: never the beyond-limit rule.
_OLD_LEVEL_RULES = frozenset({RULE_SHIFT, RULE_TWO_OF_THREE})


def _drop_old_level(xs: list[float], flags: list[set[str]], seg: SpcSegment, start: int) -> None:
    """Unflag the shift and two-of-three signals on the far side of the centre before the new
    level.

    Those points are the process's old level, seen against limits that straddle two levels;
    calling each of them special cause says nothing the prompt to recalculate does not. A point
    beyond a process limit stays special cause: Making Data Count never explains one away.
    """
    assert seg.centre is not None
    side = _compare(xs[start], seg.centre)
    for i in range(seg.start, start):
        if _compare(xs[i], seg.centre) == -side:
            flags[i] -= _OLD_LEVEL_RULES


def _compare(a: float, b: float) -> int:
    """-1, 0 or 1 as ``a`` is below, (almost exactly) equal to, or above ``b``."""
    if math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=_ABS_TOL):
        return 0
    return 1 if a > b else -1


def _shift_points(xs: list[float], centre: float, length: int) -> set[int]:
    """Indexes of points in runs of ``length`` or more on one side of ``centre``."""
    flagged: set[int] = set()
    start = 0
    for i in range(len(xs) + 1):
        side_here = _compare(xs[i], centre) if i < len(xs) else 0
        side_start = _compare(xs[start], centre) if start < len(xs) else 0
        if i < len(xs) and side_here != 0 and side_here == side_start:
            continue
        if side_start != 0 and i - start >= length:
            flagged.update(range(start, i))
        start = i
    return flagged


def _trend_points(xs: list[float], length: int) -> dict[int, int]:
    """Points in strictly monotone runs of ``length`` or more points, mapped to +1 or -1.

    A point ending one trend and starting the opposite one keeps the direction of the
    trend it ends (runs are visited in time order and the first direction is kept).
    """
    directions: dict[int, int] = {}
    i = 0
    while i < len(xs) - 1:
        direction = _compare(xs[i + 1], xs[i])
        if direction == 0:
            i += 1
            continue
        end = i + 1
        while end + 1 < len(xs) and _compare(xs[end + 1], xs[end]) == direction:
            end += 1
        if end - i + 1 >= length:
            for j in range(i, end + 1):
                directions.setdefault(j, direction)
        i = end
    return directions


def _two_of_three_points(xs: list[float], upper_2s: float, lower_2s: float) -> set[int]:
    """Points beyond a two-sigma line in a window of three with another beyond the same line."""
    flagged: set[int] = set()
    for start in range(len(xs) - 2):
        window = range(start, start + 3)
        above = [i for i in window if _compare(xs[i], upper_2s) > 0]
        below = [i for i in window if _compare(xs[i], lower_2s) < 0]
        for side in (above, below):
            if len(side) >= 2:
                flagged.update(side)
    return flagged


def _variation(high: bool, improvement: Direction) -> str:
    return IMPROVEMENT if high == (improvement == "up") else CONCERN


def _is_high(variation: str | None, improvement: Direction) -> bool:
    return (variation == IMPROVEMENT) == (improvement == "up")


def _describing_rule(rules: list[str], rising: bool, high: bool) -> str:
    for rule in _RULE_ORDER:
        if rule not in rules:
            continue
        if rule == RULE_TREND and rising != high:
            continue
        return rule
    return rules[0]


def _assurance(
    upper: float | None, lower: float | None, target: float | None, improvement: Direction
) -> str | None:
    if upper is None or lower is None or target is None:
        return None
    if improvement == "up":
        meets, misses = _compare(lower, target) > 0, _compare(upper, target) < 0
    else:
        meets, misses = _compare(upper, target) < 0, _compare(lower, target) > 0
    if meets:
        return ASSURANCE_PASS
    if misses:
        return ASSURANCE_FAIL
    return ASSURANCE_HIT_AND_MISS


def _rules_text(settings: SpcSettings, has_limits: bool) -> str:
    length = settings.trend_length if has_limits else settings.run_trend_length
    trend = f"{length} points in a row each rising or each falling (equal values break the run)"
    if has_limits:
        return (
            f"Process limits: mean ± {LIMIT_FACTOR} × average moving range. "
            "Special cause: a point beyond a limit; "
            f"{settings.shift_length} points in a row on one side of the mean "
            "(a point on the mean breaks the run); "
            f"{trend}; "
            f"2 of 3 points beyond 2 sigma (mean ± {TWO_SIGMA_FACTOR} × average moving range) "
            "on the same side."
        )
    return (
        "Process limits are not yet available "
        f"(fewer than {settings.min_points_for_limits} points): this is a run chart around "
        "the median. Special cause: "
        f"{settings.run_shift_length} points in a row on one side of the median "
        "(a point on the median breaks the run); "
        f"{trend}."
    )


def _format_number(value: float) -> str:
    return numbers.plain_text(value, 2)


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"
