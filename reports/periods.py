"""When a trust-wide period is complete enough to be judged (docs/decisions/0025).

Pure Python, like reports.spc. A trust-wide point is the mean of every ward's signed round with
the same period label. It is *incomplete*, drawn as such and never judged by the SPC rules, when

* the period is still in progress: its label names a calendar quarter ("2026 Q4", the form the
  round form asks for) that has not ended by today, or one still to come; or
* it stands on fewer wards than the trust's minimum: the trust's setting when it has one, else
  half the wards of the previous period (rounded up), and never fewer than 3.

A label that names no quarter cannot be in progress by its name: only the minimum applies.

The ward measures pooled trust-wide (reports/trust_measures.py) follow the same rule month by
month: a month is in progress from its first day (the current calendar month, or one still to
come), and "the previous period" is the calendar month before it.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence

IN_PROGRESS = "in progress"
TOO_FEW_WARDS = "too few wards"
FEWEST_WARDS = 3

_QUARTER = re.compile(r"^\s*(\d{4})\s*Q([1-4])\s*$", re.IGNORECASE)


def quarter_end(label: str) -> datetime.date | None:
    """The last day of the quarter a label such as "2026 Q4" names, or None."""
    match = _QUARTER.match(label)
    if match is None:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    if quarter == 4:
        return datetime.date(year, 12, 31)
    return datetime.date(year, quarter * 3 + 1, 1) - datetime.timedelta(days=1)


def in_progress(label: str, today: datetime.date) -> bool:
    """True while the quarter a label names has not ended (today is in it, or before it)."""
    end = quarter_end(label)
    return end is not None and today <= end


def month_in_progress(month: datetime.date, today: datetime.date) -> bool:
    """True for the calendar month ``today`` is in, and any month still to come."""
    return (month.year, month.month) >= (today.year, today.month)


def minimum_wards(previous: int | None, setting: int | None = None) -> int:
    """The fewest wards a period needs to be judged: the trust's setting, else half of the
    previous period's wards (rounded up), and never fewer than FEWEST_WARDS."""
    if setting:
        return setting
    return max(FEWEST_WARDS, math.ceil((previous or 0) / 2))


def incomplete_periods(
    labels: Sequence[str],
    wards: Sequence[int],
    *,
    today: datetime.date,
    setting: int | None = None,
    months: Sequence[datetime.date] | None = None,
) -> dict[int, str]:
    """The periods (by index, oldest first) that are incomplete, and why: IN_PROGRESS or
    TOO_FEW_WARDS. ``wards`` are each period's ward counts. ``months``, when given, are the
    periods as calendar months (the first of each, consecutive), read by month_in_progress
    instead of the labels."""
    found: dict[int, str] = {}
    for i, label in enumerate(labels):
        running = (
            month_in_progress(months[i], today) if months is not None else in_progress(label, today)
        )
        if running:
            found[i] = IN_PROGRESS
            continue
        previous = wards[i - 1] if i > 0 else None
        if wards[i] < minimum_wards(previous, setting):
            found[i] = TOO_FEW_WARDS
    return found


def wards_text(count: int) -> str:
    """ "from 1 ward", "from 27 wards": what a trust-wide point stands on."""
    return f"from {count} ward{'' if count == 1 else 's'}"


def minimum_rule_text(setting: int | None, period: str = "period") -> str:
    """The trust's minimum in words, for the sentence said once on each page."""
    if setting:
        return f"fewer than {setting} ward{'' if setting == 1 else 's'} (the trust's setting)"
    return (
        f"fewer than half the wards of the {period} before it (and never fewer than {FEWEST_WARDS})"
    )


def incomplete_note(
    labels: Sequence[str], wards: Sequence[int], incomplete: dict[int, str], setting: int | None
) -> str:
    """What each trust-wide point stands on and how incomplete periods are shown, said once on
    each page or report, naming the periods incomplete now."""
    note = (
        "Each trust-wide point says how many wards it stands on. A period still in progress "
        f"(a quarter that has not ended), or one with {minimum_rule_text(setting)}, is drawn as "
        "an open circle and marked incomplete: the rules do not judge it, and it feeds no "
        "headline and nothing in “What needs attention” until it is complete."
    )
    if incomplete:
        now = "; ".join(
            f"{labels[i]} ({wards_text(wards[i])}, {why})"
            for i, why in sorted(incomplete.items())
            if i < len(labels) and i < len(wards)
        )
        note += f" Incomplete now: {now}."
    return note


def incomplete_months_note(setting: int | None) -> str:
    """The same rule for the ward measures pooled trust-wide, month by month, said once in the
    measures section of each page or report."""
    return (
        "Each trust-wide month of a ward measure says how many wards reported it. The current "
        f"month, or a month reported by {minimum_rule_text(setting, 'month')}, is drawn as an "
        "open circle and marked incomplete: the rules do not judge it, and it feeds no "
        "headline until it is complete."
    )
