"""Form fields for the ``nhsuk`` crispy template pack."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from standards.numbers import count_text

from .widgets import DATE_PARTS, DateInputWidget

# Far more than anyone writes in one box (two pages of A4), but a bound all the same, so a
# script cannot store megabytes in a comment or a reason.
LONG_TEXT_LIMIT = 5000


class LongTextField(forms.CharField):
    """Free text in a textarea, with a length limit nobody reaches by typing.

    Going over it is an error that names the limit: "Comment on 2.3 must be 5,000 characters or
    fewer", where ``what`` is the "Comment on 2.3". The textarea gets no ``maxlength``
    attribute: the NHS character count guidance warns that it cuts off pasted text without
    saying so, and then the person's words are lost rather than kept.
    """

    def __init__(self, *, what: str, max_length: int = LONG_TEXT_LIMIT, rows: int = 5, **kwargs):
        messages = kwargs.pop("error_messages", None) or {}
        # The message is %-formatted with the validator's params, so a literal % is doubled.
        most = count_text(max_length)
        too_long = f"{what} must be {most} characters or fewer".replace("%", "%%")
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(
            max_length=max_length, error_messages={"max_length": too_long, **messages}, **kwargs
        )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class DateInputField(forms.Field):
    """A date typed into separate day, month and year boxes (the NHS date input).

    Errors follow the NHS service manual: say which part is missing or wrong rather than
    "Enter a valid date". Each error carries ``params["parts"]``, the boxes to highlight, which
    the template pack reads so only those inputs get the red border. Override the wording per
    question with ``error_messages`` as with any Django field, e.g.
    ``{"required": "Enter your date of birth"}``.
    """

    widget = DateInputWidget
    default_error_messages = {
        "required": "Enter a date",
        "incomplete": "Date must include a %(missing)s",
        "invalid": "Enter a real date",
        "year": "Year must include 4 numbers",
    }

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return value
        if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 3:
            return None
        typed = {
            part.key: str(text or "").strip() for part, text in zip(DATE_PARTS, value, strict=True)
        }
        if not any(typed.values()):
            return None  # Field.validate() then raises "required" if the question is required.

        missing = [key for key, text in typed.items() if not text]
        if missing:
            raise self._error("incomplete", missing, missing=" and ".join(missing))
        # isdecimal() alone would accept digits from other scripts, which int() also accepts.
        not_numbers = [
            key for key, text in typed.items() if not (text.isascii() and text.isdecimal())
        ]
        if not_numbers:
            raise self._error("invalid", not_numbers)
        if len(typed["year"]) != 4:
            raise self._error("year", ["year"])
        # A day or month that cannot be right is checked as text: past the C int range the
        # date constructor raises OverflowError rather than ValueError, and int() refuses
        # thousands of digits. Here the wrong box is known, so only it is highlighted.
        out_of_range = [
            key for key, most in (("day", 31), ("month", 12)) if not _within(typed[key], most)
        ]
        if out_of_range:
            raise self._error("invalid", out_of_range)
        try:
            return datetime.date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
        except ValueError:
            # Which part is wrong is ambiguous (31/02 could be a wrong day or month), so
            # highlight the whole date.
            raise self._error("invalid", [part.key for part in DATE_PARTS]) from None

    def _error(self, code: str, parts: list[str], **params: str) -> ValidationError:
        return ValidationError(
            self.error_messages[code], code=code, params={"parts": parts, **params}
        )


def _within(digits: str, most: int) -> bool:
    """Whether a number typed as ASCII digits, perhaps zero-padded, is from 1 to `most`."""
    digits = digits.lstrip("0")
    return 0 < len(digits) <= len(str(most)) and int(digits) <= most
