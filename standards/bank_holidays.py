"""England and Wales bank holidays, from the maintained `holidays` package (decision 0029).

No hand-written list: the package follows each year's proclamations, substitute days included
(Boxing Day 2026 falls on a Saturday and is observed on Monday 28 December). England's list and
Wales' list are the same, so England's subdivision stands for both.
"""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _year(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: datetime.date) -> bool:
    """A bank holiday in England and Wales (an observed substitute day counts)."""
    return day in _year(day.year)
