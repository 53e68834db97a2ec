"""Widgets rendered by the ``nhsuk`` crispy template pack."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms


@dataclass(frozen=True)
class DatePart:
    key: str  # "day", "month" or "year": the suffix of the input's id and name
    label: str
    width: int  # characters, as in the nhsuk-input--width-N classes


DATE_PARTS = (DatePart("day", "Day", 2), DatePart("month", "Month", 2), DatePart("year", "Year", 4))


class DateInputWidget(forms.MultiWidget):
    """Three text inputs named ``<name>-day``, ``<name>-month`` and ``<name>-year``.

    The NHS date input uses separate text boxes rather than a date picker, so people can type
    a date they know (like a date of birth) without scrolling through a calendar. The markup
    itself comes from ``nhsuk/layout/date_input.html``; this widget only handles names and
    values, so typed text comes back unchanged after a validation error.
    """

    parts = DATE_PARTS

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput() for _ in self.parts], attrs)
        # Django would name sub-widgets "<name>_0"; NHS examples use readable suffixes.
        self.widgets_names = [f"-{part.key}" for part in self.parts]

    def decompress(self, value: datetime.date | str | None) -> list[str | None]:
        if isinstance(value, str):  # e.g. initial data stored as ISO text
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if not isinstance(value, datetime.date):
            return [None, None, None]
        # No zero padding: show the date as a person would type it ("5", not "05").
        return [str(value.day), str(value.month), str(value.year)]

    def part_values(self, value: Any) -> list[str]:
        """The text to show in each box, for a bound (list of strings) or initial value."""
        if not isinstance(value, list | tuple):
            value = self.decompress(value)
        return ["" if part is None else str(part) for part in value]
