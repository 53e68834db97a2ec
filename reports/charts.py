"""Server-side SVG charts, identical in HTML pages and WeasyPrint PDFs.

Only presentation attributes are used: the CSP forbids inline styles, and PDFs have no stylesheet.
Colours meet 3:1 against white and every meaning is also carried by a shape or by text.
Every number written in a chart or its summary goes through standards.numbers, as on the pages;
only the plotted positions use the exact values. Text is at least 12 units high, and the pages
show charts at no less than their natural width (scrolling sideways in a narrow window rather
than shrinking), so on screen chart text is never smaller than 12px.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.html import escape

from standards import numbers

if TYPE_CHECKING:
    from reports.spc import SpcPoint, SpcResult

BLUE = "#005eb8"  # improvement, meets target: 6.7:1 on white
ORANGE = "#b35000"  # concern, misses target: 5.2:1
GREY = "#6b6b6b"  # common cause, hit and miss: 5.3:1
INK = "#212b32"  # text, axes and centre line: 14.9:1
SLATE = "#425563"  # data line, limits, gap bars: 7.7:1
GREEN = "#007f3b"  # target line: 5.3:1
GRID = "#d8dde0"  # decorative gridlines only: every value is also written as text
FONT = "Arial, sans-serif"

VARIATION_LABELS: dict[str, str] = {
    "improvement-high": "Special cause improvement, high",
    "improvement-low": "Special cause improvement, low",
    "concern-high": "Special cause concern, high",
    "concern-low": "Special cause concern, low",
    "common-cause": "Common cause variation",
}
ASSURANCE_LABELS: dict[str, str] = {
    "pass": "Consistently meets the target",
    "fail": "Consistently misses the target",
    "hit-and-miss": "Hit and miss",
    "no-target": "No target set",
}
_MARKER_LABELS = {
    "circle": "Common cause",
    "triangle": "Special cause improvement",
    "diamond": "Special cause concern",
}
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_MINUS = "\u2212"
Point = tuple[float, float]
Items = list[tuple[str, float | None]]
Scale = Callable[[float], float]
Label = Callable[[float], str]


# --- SVG primitives ---------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _el(tag: str, content: str | None = None, **attrs: object) -> str:
    """One element; `font_size` becomes `font-size`, numbers are rounded, text is escaped."""
    parts = "".join(
        f' {name.replace("_", "-")}="{_n(v) if isinstance(v, int | float) else escape(v)}"'
        for name, v in attrs.items()
        if v is not None
    )
    return f"<{tag}{parts}/>" if content is None else f"<{tag}{parts}>{escape(content)}</{tag}>"


def _check_id(id_prefix: str) -> None:
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be a valid XML id, not {id_prefix!r}")


def _svg(id_prefix: str, title: str, desc: str, size: tuple[float, float], body: list[str]) -> str:
    _check_id(id_prefix)
    width, height = size
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
            f'width="100%" role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc">',
            _el("title", title, id=f"{id_prefix}-title"),
            _el("desc", desc, id=f"{id_prefix}-desc"),
            _el("rect", x=0, y=0, width=width, height=height, fill="#ffffff"),
            *body,
            "</svg>",
        ]
    )


def _text(
    x: float, y: float, content: str, size: int = 12, anchor: str = "start", **attrs: object
) -> str:
    attrs = {"fill": INK, **attrs}
    return _el(
        "text", content, x=x, y=y, font_family=FONT, font_size=size, text_anchor=anchor, **attrs
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, **attrs: object) -> str:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, **attrs)


def _grid(
    ticks: list[float], at: Scale, span: Point, label: Label, vertical: bool = False, size: int = 12
) -> list[str]:
    """Gridlines across `span`, labelled left of the axis, or above it when `vertical`."""
    out: list[str] = []
    for tick in ticks:
        (a, b), p = span, at(tick)
        if vertical:
            out += [_line(p, a, p, b), _text(p, a - 8, label(tick), 12, "middle")]
        else:
            out += [_line(a, p, b, p), _text(a - 8, p + 4, label(tick), size, "end")]
    return out


def _points(pts: list[Point]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)


def _polyline(pts: list[Point], stroke: str, width: float = 2) -> str:
    return _el("polyline", points=_points(pts), fill="none", stroke=stroke, stroke_width=width)


def _marker(shape: str, x: float, y: float, scale: float = 1) -> str:
    """Chart markers: grey circle, blue up-triangle (improvement), orange diamond (concern)."""
    s = 6 * scale
    if shape == "triangle":
        pts = [(x, y - s * 1.1), (x + s, y + s * 0.7), (x - s, y + s * 0.7)]
        return _el("polygon", points=_points(pts), fill=BLUE, stroke=INK, stroke_width=1.5 * scale)
    if shape == "diamond":
        pts = [(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
        return _el(
            "polygon", points=_points(pts), fill=ORANGE, stroke=INK, stroke_width=1.5 * scale
        )
    return _el("circle", cx=x, cy=y, r=3.5, fill=GREY)


def _ticks(lo: float, hi: float, most: int = 6) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _spread(ys: list[float], gap: float) -> list[float]:
    """Move line labels apart so that close lines never overprint each other's labels."""
    out, previous = list(ys), -math.inf
    for i in sorted(range(len(ys)), key=ys.__getitem__):
        out[i] = previous = max(ys[i], previous + gap)
    return out


def _thin(count: int, most: int = 8) -> set[int]:
    """Indexes whose x label is shown: at most `most`, always including the latest."""
    step = max(1, math.ceil(count / most))
    return {i for i in range(count) if (count - 1 - i) % step == 0}


def _x_positions(count: int, left: float, right: float) -> list[float]:
    if count == 1:
        return [(left + right) / 2]
    return [left + i * (right - left) / (count - 1) for i in range(count)]


def _rows(
    items: Items, top: float, bar: Callable[[float | None, float], list[str]]
) -> tuple[list[str], float]:
    """Lay out one row per item: its label (wrapped) above whatever `bar` draws."""
    body: list[str] = []
    y = top
    for label, value in items:
        for line in textwrap.wrap(label, 88) or [""]:
            y += 16
            body.append(_text(16, y, line, size=13))
        body.extend(bar(value, y))
        y += 34
    return body, y + 8


def _not_rated_summary(items: Items) -> str:
    missing = sum(1 for _, value in items if value is None)
    return f" Not rated: {missing}." if missing else ""


# --- charts -----------------------------------------------------------------------------------


def _spc_lines(result: SpcResult, fmt: Label) -> tuple[list[tuple], str]:
    """The reference lines as (label, value, line attributes), and a sentence about the limits."""
    lines: list[tuple] = []
    sentence = "Too few points for a centre line: only the values are shown."
    if getattr(result, "rules_apply", True):
        centre = f"{'Mean' if result.has_limits else 'Median'} {fmt(result.centre)}"
        lines.append((centre, result.centre, {"stroke": INK, "stroke_width": 1.5}))
        sentence = (
            f"No process limits are drawn yet: this is a run chart around the {centre.lower()}."
        )
    if result.has_limits:  # SpcResult guarantees both limits then
        dashed = {"stroke": SLATE, "stroke_width": 1.5, "stroke_dasharray": "6 4"}
        lines.append((f"Upper process limit {fmt(result.upper_limit)}", result.upper_limit, dashed))
        lines.append((f"Lower process limit {fmt(result.lower_limit)}", result.lower_limit, dashed))
        sentence = (
            f"Process limits run from {fmt(result.lower_limit)} to {fmt(result.upper_limit)} "
            f"around a mean of {fmt(result.centre)}."
        )
    if result.target is not None:
        dotted = {"stroke": GREEN, "stroke_width": 2, "stroke_dasharray": "2 3"}
        lines.append((f"Target {fmt(result.target)}", result.target, dotted))
        sentence += f" The target is {fmt(result.target)}."
    return lines, sentence if result.values else ""


@dataclass(frozen=True)
class ChartPeriod:
    """A period drawn on an SPC chart: judged periods are the result's points, in order;
    ``incomplete`` (why, for example "in progress") marks one drawn but not judged. ``note``
    says what the value stands on ("from 27 wards")."""

    label: str
    value: float
    note: str = ""
    incomplete: str | None = None


INCOMPLETE_LABEL = "Incomplete, not judged"


def _spc_point(point: SpcPoint, x: float, y: float, fmt: Label, note: str = "") -> str:
    """A point's marker by its variation, with a hover title giving its value and rules."""
    shape = {"improvement": "triangle", "concern": "diamond"}.get(point.variation or "", "circle")
    stands_on = f" {note}" if note else ""
    tooltip = f"{point.label}: {fmt(point.value)}{stands_on}, {_MARKER_LABELS[shape].lower()}"
    if point.rules:
        tooltip += f" ({'; '.join(point.rules)})"
    return f"<g>{_el('title', tooltip)}{_marker(shape, x, y)}</g>"


def _incomplete_marker(x: float, y: float) -> str:
    """An open circle: drawn, not judged."""
    return _el("circle", cx=x, cy=y, r=5, fill="#ffffff", stroke=SLATE, stroke_width=2)


def _incomplete_point(period: ChartPeriod, x: float, y: float, fmt: Label) -> str:
    stands_on = f" {period.note}" if period.note else ""
    tooltip = (
        f"{period.label}: {fmt(period.value)}{stands_on}, incomplete ({period.incomplete}), "
        "not judged"
    )
    return f"<g>{_el('title', tooltip)}{_incomplete_marker(x, y)}</g>"


def _incomplete_sentences(periods: list[ChartPeriod], fmt: Label) -> list[str]:
    return [
        f"{p.label} ({fmt(p.value)}{' ' + p.note if p.note else ''}) is incomplete "
        f"({p.incomplete}): drawn as an open circle and not judged."
        for p in periods
        if p.incomplete is not None
    ]


def _segment_span(xs: list[float], start: int, end: int, edges: Point) -> Point:
    """The x range of points start..end-1, reaching halfway to the neighbouring points."""
    left, right = edges
    step = (xs[1] - xs[0]) / 2 if len(xs) > 1 else (right - left) / 2
    a = xs[start] - step if start > 0 else left
    b = xs[end - 1] + step if end < len(xs) else right
    return a, b


def _spc_segments(
    result: SpcResult, xs: list[float], y_of: Scale, edges: Point, top: float, bottom: float
) -> tuple[list[str], list[str]]:
    """Baselines (shaded, labelled), changes (a labelled vertical line) and each earlier
    segment's own centre and limits; and sentences saying so."""
    out: list[str] = []
    said: list[str] = []
    segments = result.segments
    dashed = {"stroke": SLATE, "stroke_width": 1.5, "stroke_dasharray": "6 4"}
    for k, seg in enumerate(segments):
        if seg.note is not None:
            x = _segment_span(xs, seg.start, max(seg.end, seg.start + 1), edges)[0] if xs else 0
            if seg.start >= len(xs) and xs:
                x = edges[1]
            label = textwrap.shorten(f"Change: {seg.note}", 40, placeholder="…")
            out.append(_line(x, top, x, bottom, INK, stroke_width=2, stroke_dasharray="4 3"))
            anchor = "end" if x > (edges[0] + edges[1]) / 2 else "start"
            out.append(_text(x + (-4 if anchor == "end" else 4), top + 12, label, anchor=anchor))
            said.append(
                f"A change in the process ({seg.note}) is marked before point {seg.start + 1}; "
                "limits are calculated afresh after it."
            )
        if not seg.size or not xs:
            continue
        a, b = _segment_span(xs, seg.start, seg.end, edges)
        if seg.has_limits and seg.baseline_end is not None:
            end = _segment_span(xs, seg.start, seg.baseline_end, edges)[1]
            out.insert(
                0, _el("rect", x=a, y=top, width=end - a, height=bottom - top, fill="#eef3f6")
            )
            out.append(_text(a + 4, bottom - 6, f"Baseline ({seg.baseline_size} points)"))
            said.append(
                f"Limits are calculated from a baseline of points {seg.start + 1} to "
                f"{seg.baseline_end} and extended after it."
            )
        if k == len(segments) - 1 or seg.kind == "values" or seg.centre is None:
            continue  # the latest segment's lines are drawn, with labels, by spc_chart
        out.append(_line(a, y_of(seg.centre), b, y_of(seg.centre), INK, stroke_width=1.5))
        if seg.upper_limit is not None and seg.lower_limit is not None:
            out.append(_line(a, y_of(seg.upper_limit), b, y_of(seg.upper_limit), **dashed))
            out.append(_line(a, y_of(seg.lower_limit), b, y_of(seg.lower_limit), **dashed))
    return out, said


def spc_chart(
    result: SpcResult,
    *,
    title: str,
    id_prefix: str,
    value_format: Label = numbers.score_text,
    y_min: float = 0,
    y_max: float = 4,
    headline: str | None = None,
    periods: Sequence[ChartPeriod] | None = None,
) -> str:
    """An XmR chart (a run chart around the median before limits are available), Making Data
    Count style, with its baselines and marked changes in the process. ``headline`` leads the
    description when given. ``periods``, when given, are every period drawn in order: the
    judged ones are the result's points, and incomplete ones are drawn as open circles between
    them, never judged."""
    fmt = value_format
    drawn = list(periods or [])
    judged_at = [i for i, p in enumerate(drawn) if p.incomplete is None]
    if drawn and len(judged_at) != len(result.values):
        raise ValueError("periods must hold one judged period for each of the result's points")
    lines, sentence = _spc_lines(result, fmt)
    segments = getattr(result, "segments", None) or []
    extra = [
        v
        for seg in segments[:-1]
        for v in (seg.upper_limit, seg.lower_limit, seg.centre)
        if v is not None
    ]
    # Widen the axis rather than hide a limit or a point that falls outside the usual scale.
    extra += [p.value for p in drawn]
    lo = min([y_min, *result.values, *(line[1] for line in lines), *extra])
    hi = max([y_max, *result.values, *(line[1] for line in lines), *extra])
    height, left, right, top, bottom = 340, 52, 548, 16, 262

    def y_of(v: float) -> float:
        return bottom - (v - lo) / ((hi - lo) or 1) * (bottom - top)

    if drawn:
        all_xs = _x_positions(len(drawn), left + 14, right - 14)
        all_labels = [p.label for p in drawn]
        xs = [all_xs[i] for i in judged_at]
    else:
        xs = all_xs = _x_positions(len(result.values), left + 14, right - 14)
        all_labels = list(result.labels)
    shaded, said = (
        _spc_segments(result, xs, y_of, (left, right), top, bottom) if segments else ([], [])
    )
    out = [s for s in shaded if s.startswith("<rect")]
    out += _grid(_ticks(lo, hi), y_of, (left, right), fmt)
    out += [_line(left, top, left, bottom, INK), _line(left, bottom, right, bottom, INK)]
    out += [s for s in shaded if not s.startswith("<rect")]
    span = (left, right)
    if segments and segments[-1].size and xs:
        span = _segment_span(xs, segments[-1].start, segments[-1].end, (left, right))
    label_ys = _spread([y_of(line[1]) + 4 for line in lines], 14)
    for (label, value, style), label_y in zip(lines, label_ys, strict=True):
        a, b = (left, right) if label.startswith("Target") else span
        out.append(_line(a, y_of(value), b, y_of(value), **style))
        out.append(_text(right + 8, label_y, label, fill=style["stroke"]))
    shown = _thin(len(all_xs))
    out += [
        _text(x, bottom + 18, label, 12, "middle")
        for i, (x, label) in enumerate(zip(all_xs, all_labels, strict=False))
        if i in shown
    ]
    incomplete = [(all_xs[i], p) for i, p in enumerate(drawn) if p.incomplete is not None]
    if incomplete and len(drawn) > 1:  # a dashed line through every period, judged or not
        out.append(
            _el(
                "polyline",
                points=_points([(x, y_of(p.value)) for x, p in zip(all_xs, drawn, strict=True)]),
                fill="none",
                stroke=SLATE,
                stroke_width=1.5,
                stroke_dasharray="4 4",
            )
        )
    if not all_xs:
        out.append(
            _text(
                (left + right) / 2, (top + bottom) / 2, "No signed assessments yet", anchor="middle"
            )
        )
    if len(xs) > 1:
        out.append(
            _polyline([(x, y_of(v)) for x, v in zip(xs, result.values, strict=False)], SLATE)
        )
    notes = [drawn[i].note for i in judged_at] if drawn else [""] * len(xs)
    out += [
        _spc_point(p, xs[p.index], y_of(p.value), fmt, notes[p.index])
        for p in result.points
        if p.index < len(xs)
    ]
    out += [_incomplete_point(p, x, y_of(p.value), fmt) for x, p in incomplete]
    x = float(left)
    for shape, label in _MARKER_LABELS.items():
        out += [_marker(shape, x + 6, height - 22), _text(x + 16, height - 18, label)]
        x += 36 + len(label) * 5.8
    if incomplete:
        legend = _text(x + 16, height - 18, INCOMPLETE_LABEL)
        out += [_incomplete_marker(x + 6, height - 22), legend]
    lead = headline + "." if headline else result.summary(title, fmt)
    desc = " ".join([lead, sentence, *said, *_incomplete_sentences(drawn, fmt)]).strip()
    return _svg(id_prefix, title, desc, (720, height), out)


def bar_chart(
    items: Items,
    *,
    title: str,
    id_prefix: str,
    max_value: float = 4,
    value_format: Label = numbers.score_text,
) -> str:
    """Horizontal bars, each with its label above and its value written at the bar's end."""
    fmt = value_format
    rated = [(label, value) for label, value in items if value is not None]
    desc = f"Horizontal bar chart on a scale of 0 to {fmt(max_value)}."
    if rated:
        (best, high), (worst, low) = max(rated, key=lambda i: i[1]), min(rated, key=lambda i: i[1])
        desc += f" Highest: {best} ({fmt(high)}). Lowest: {worst} ({fmt(low)})."
    desc += _not_rated_summary(items)

    def x_of(v: float) -> float:
        return 16 + max(0.0, min(v, max_value)) / (max_value or 1) * 624

    def bar(value: float | None, y: float) -> list[str]:
        if value is None:
            return [_text(16, y + 18, "Not rated", fill=GREY)]
        end = x_of(value)
        return [
            _el("rect", x=16, y=y + 5, width=end - 16, height=18, fill=BLUE),
            _text(end + 6, y + 18, fmt(value), font_weight="bold"),
        ]

    body, height = _rows(items, 34, bar)
    axis = _grid(_ticks(0, max_value, 4), x_of, (24, height - 8), fmt, True)
    return _svg(id_prefix, title, desc, (720, height), axis + body)


def _gap_text(value: float) -> tuple[str, int]:
    """The signed value with its meaning in words, and which side of zero it falls."""
    shown = numbers.gap_text(value)
    if not numbers.gap_value(value):
        return f"{shown} (agree)", 0
    if value > 0:
        return f"{shown} (lived experience higher)", 1
    return f"{shown} (lived experience lower)", -1


def gap_chart(items: Items, *, title: str, id_prefix: str, limit: float = 4) -> str:
    """Diverging bars around zero: lived experience minus staff, lower to the left."""
    zero, half = 380.0, 180.0
    desc = (
        "Perception gap: the lived experience score minus the staff score, "
        f"from {numbers.signed_text(-limit)} on the left "
        f"to {numbers.signed_text(limit)} on the right."
    )
    rated = [(label, value) for label, value in items if value is not None]
    if rated:
        label, value = max(rated, key=lambda item: abs(item[1]))
        desc += f" Largest gap: {label}, {_gap_text(value)[0]}."
    desc += _not_rated_summary(items)

    def x_of(v: float) -> float:
        return zero + max(-limit, min(v, limit)) / (limit or 1) * half

    def bar(value: float | None, y: float) -> list[str]:
        if value is None:
            return [_text(zero + 6, y + 18, "Not rated", fill=GREY)]
        text, side = _gap_text(value)
        end = x_of(value)
        anchor, text_x = ("end", end - 6) if side < 0 else ("start", max(end, zero) + 6)
        rect = _el("rect", x=min(zero, end), y=y + 5, width=abs(end - zero), height=18, fill=SLATE)
        return [rect, _text(text_x, y + 18, text, anchor=anchor, font_weight="bold")]

    def signed(tick: float) -> str:
        return numbers.signed_text(tick)

    body, height = _rows(items, 62, bar)
    out = [
        _text(zero, 16, "Staff and lived experience agree", anchor="middle", font_weight="bold"),
        _text(zero - 10, 32, "\u2190 Lived experience lower", 12, "end"),
        _text(zero + 10, 32, "Lived experience higher \u2192", 12),
        *_grid(_ticks(-limit, limit, 4), x_of, (58, height - 8), signed, True),
        *body,
        _line(zero, 58, zero, height - 8, INK, stroke_width=2),
    ]
    return _svg(id_prefix, title, desc, (760, height), out)


def _trend_panel(
    name: str, points: Items, xs: dict[str, float], shown: set[str], top: float, y_max: float
) -> list[str]:
    """One small multiple: labelled axes, the line (broken where a round is not rated), latest."""
    left, right, bottom = 44, 540, top + 70

    def y_of(v: float) -> float:
        return bottom - max(0.0, min(v, y_max)) / (y_max or 1) * (bottom - top)

    out = [_text(16, top - 8, name, 13, font_weight="bold")]
    out += _grid(_ticks(0, y_max, 2), y_of, (left, right), numbers.plain_text, size=12)
    out.append(_line(left, bottom, right, bottom, INK))
    segment: list[Point] = []
    for rnd, value in [*points, ("", None)]:
        if value is None:
            if len(segment) > 1:
                out.append(_polyline(segment, BLUE))
            segment = []
        else:
            segment.append((xs[rnd], y_of(value)))
            out.append(_el("circle", cx=xs[rnd], cy=y_of(value), r=3.5, fill=BLUE))
    out += [_text(xs[r], bottom + 16, r, 12, "middle") for r in xs if r in shown]
    if points:
        last_round, last = points[-1]
        latest = numbers.score_text(last, none="Not rated")
        out.append(_text(right + 12, top + 38, f"Latest ({last_round}): {latest}"))
    return out


def trend_chart(series: dict[str, Items], *, title: str, id_prefix: str, y_max: float = 4) -> str:
    """Small multiples: one labelled line per measure over the rounds, stacked in one SVG."""
    rounds = list(dict.fromkeys(rnd for points in series.values() for rnd, _ in points))
    xs = dict(zip(rounds, _x_positions(len(rounds), 56, 528), strict=True))
    shown = {rounds[i] for i in _thin(len(rounds))}
    scale = numbers.plain_text(y_max)
    sentences = [f"{len(series)} measures over {len(rounds)} rounds, on a scale of 0 to {scale}."]
    body = [] if series else [_text(360, 60, "No data yet", anchor="middle")]
    for n, (name, points) in enumerate(series.items()):
        body += _trend_panel(name, points, xs, shown, n * 128 + 24, y_max)
        rated = [(rnd, v) for rnd, v in points if v is not None]
        if rated:
            (first_round, first), (end_round, end) = rated[0], rated[-1]
            sentences.append(
                f"{name}: {numbers.score_text(first)} in {first_round}, "
                f"{numbers.score_text(end)} in {end_round}."
            )
        else:
            sentences.append(f"{name}: not rated.")
    height = max(len(series), 1) * 128 + 8
    return _svg(id_prefix, title, " ".join(sentences), (720, height), body)


# --- Making Data Count icons ------------------------------------------------------------------


def _icon(id_prefix: str, label: str, colour: str, glyphs: list[str], size: int) -> str:
    _check_id(id_prefix)
    ring = _el("circle", cx=16, cy=16, r=14, fill="#ffffff", stroke=colour, stroke_width=2.5)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="{size}" '
        f'height="{size}" role="img" aria-labelledby="{id_prefix}-title">'
        f"{_el('title', label, id=f'{id_prefix}-title')}{ring}{''.join(glyphs)}</svg>"
    )


def _letter(letter: str, colour: str, y: float) -> str:
    return _text(16, y, letter, 13, "middle", fill=colour, font_weight="bold")


def _code(icon: str) -> str:
    return icon.strip().lower().replace("_", "-").replace(" ", "-")


def variation_icon_svg(icon: str, *, id_prefix: str, size: int = 32) -> str:
    """Icon for a VARIATION_LABELS code; special cause also carries its chart marker's shape."""
    code = _code(icon)
    if code not in VARIATION_LABELS:
        raise ValueError(f"Unknown variation icon {icon!r}")
    if code == "common-cause":
        flat = _polyline([(8, 17), (12, 15), (16, 17), (20, 15), (24, 17)], GREY, 2.5)
        return _icon(id_prefix, VARIATION_LABELS[code], GREY, [flat], size)
    kind, _, side = code.partition("-")
    colour = BLUE if kind == "improvement" else ORANGE
    shape = "triangle" if kind == "improvement" else "diamond"
    glyphs = [_letter("H" if side == "high" else "L", colour, 18), _marker(shape, 16, 24.5, 0.5)]
    return _icon(id_prefix, VARIATION_LABELS[code], colour, glyphs, size)


def assurance_icon_svg(icon: str | None, *, id_prefix: str, size: int = 32) -> str:
    """Icon for an ASSURANCE_LABELS code; None means no target, shown as a grey dash."""
    code = "no-target" if icon is None else _code(icon)
    if code not in ASSURANCE_LABELS:
        raise ValueError(f"Unknown assurance icon {icon!r}")
    colour = {"pass": BLUE, "fail": ORANGE}.get(code, GREY)
    letter = {"pass": "P", "fail": "F", "hit-and-miss": "?", "no-target": _MINUS}[code]
    return _icon(id_prefix, ASSURANCE_LABELS[code], colour, [_letter(letter, colour, 20.5)], size)
