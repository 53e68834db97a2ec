"""Entering a ward's monthly measure figures (issue 13): who may, what a month must hold, and
the history kept of every change.

The checks here are shared by the form and the CSV import (reports/measure_import.py), so a
figure is accepted or refused for the same reasons whichever way it arrives. What a figure
means (a rate from its numerator and denominator, never typed) is reports/measures.py's.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from standards import numbers
from standards.models import Trust, TrustMembership, TrustRole, User, Ward, WardMembership, WardRole

from .measures import month_start
from .models import Measure, MeasureChange, MeasureMonth, MeasureUnit

# A month's counts: a ward of 200 beds has about 6,200 occupied bed days; far past any ward.
MAX_NUMBER = 999_999
MAX_NUMBER_TEXT = numbers.count_text(MAX_NUMBER)
MAX_PERCENT = Decimal(100)
CENTS = Decimal("0.01")
SOURCE_FORM, SOURCE_IMPORT = "form", "import"


def can_enter_figures(*, user, ward: Ward) -> bool:
    """The ward's manager or the trust's QI lead enters a ward's figures."""
    if not user.is_authenticated:
        return False
    return (
        WardMembership.objects.filter(user=user, ward=ward, role=WardRole.MANAGER).exists()
        or TrustMembership.objects.filter(
            user=user, trust_id=ward.site.trust_id, role=TrustRole.QI_LEAD
        ).exists()
    )


def can_manage_measures(*, user, trust: Trust) -> bool:
    """Only the trust's QI lead imports figures for the trust's wards and adds its own
    measures."""
    if not user.is_authenticated:
        return False
    return TrustMembership.objects.filter(user=user, trust=trust, role=TrustRole.QI_LEAD).exists()


def measure_allowed(*, measure: Measure, trust_id: int) -> bool:
    """A national measure, or the ward's own trust's."""
    return measure.catalogue_id is not None or measure.trust_id == trust_id


def figure_problems(
    *,
    measure: Measure,
    month: datetime.date,
    numerator: int | None,
    denominator: int | None,
    value: Decimal | None,
    today: datetime.date,
) -> dict[str, str]:
    """What is wrong with a month's figures for the measure's unit, by field ("" when fine):
    a rate needs its numerator and denominator (never the rate itself); a percentage its
    numerator and denominator or the percentage; a count the count."""
    problems: dict[str, str] = {}
    if month_start(month) > month_start(today):
        problems["month"] = "The month must be this month or earlier"
    for name, number in (("numerator", numerator), ("denominator", denominator)):
        if number is not None and not 0 <= number <= MAX_NUMBER:
            problems[name] = f"The {name} must be a whole number from 0 to {MAX_NUMBER_TEXT}"
    if value is not None and value < 0:
        problems["value"] = "The figure must be 0 or more"
    if problems:
        return problems
    if measure.unit == MeasureUnit.PER_1000_BED_DAYS:
        if numerator is None:
            problems["numerator"] = f"Enter the number of {measure.name.lower()} in the month"
        if denominator is None:
            problems["denominator"] = "Enter the occupied bed days in the month"
        elif denominator == 0:
            problems["denominator"] = "Occupied bed days must be 1 or more"
        if value is not None:
            problems["value"] = (
                "Leave the figure blank: the rate is worked out from the numerator and denominator"
            )
    elif measure.unit == MeasureUnit.PERCENT:
        given = (numerator is not None, denominator is not None)
        if given == (False, False):
            if value is None:
                problems["value"] = (
                    "Enter the numerator and denominator, or the percentage if only it is known"
                )
            elif value > MAX_PERCENT:
                problems["value"] = "The percentage must be from 0 to 100"
        elif given != (True, True):
            missing = "denominator" if given[0] else "numerator"
            problems[missing] = f"Enter the {missing} too, or leave both blank"
        elif denominator == 0:
            problems["denominator"] = "The denominator must be 1 or more"
        elif numerator > denominator:
            problems["numerator"] = "The numerator must be no more than the denominator"
        elif value is not None:
            problems["value"] = (
                "Leave the percentage blank: it is worked out from the numerator and denominator"
            )
    else:
        if denominator is not None:
            problems["denominator"] = "Leave the denominator blank: this measure is a count"
        if numerator is not None and value is not None:
            problems["value"] = "Enter the count once: as the numerator or as the figure"
        elif numerator is None and value is None:
            problems["value"] = f"Enter the {measure.name.lower()} in the month"
        elif value is not None and (value > MAX_NUMBER or value != value.to_integral_value()):
            problems["value"] = f"The count must be a whole number from 0 to {MAX_NUMBER_TEXT}"
    return problems


def replacing_token(row: MeasureMonth | None) -> str:
    """The figures a month holds, as a form carries them between showing and saving."""
    return "" if row is None else json.dumps(snapshot(row), sort_keys=True)


class ReplaceRefused(ValidationError):
    """The month holds figures the person has not seen: shown to them, then saved on request."""

    def __init__(self, row: MeasureMonth | None) -> None:
        self.row = row
        self.token = replacing_token(row)
        if row is None:
            message = (
                "The figures you were replacing have been removed since. Save again to enter yours."
            )
        else:
            held = ", ".join(
                f"{name} {value}" for name, value in snapshot(row).items() if value is not None
            )
            person = row.entered_by
            who = (person.get_full_name() or person.username) if person else ""
            by = f" (entered by {who} on {row.updated_at:%-d %B %Y})" if who else ""
            message = (
                f"{row.measure.name} for {row.month:%B %Y} already has figures: {held}{by}. "
                "Check yours, then save again to replace them."
            )
        super().__init__(message, code="conflict")


def snapshot(row: MeasureMonth | None) -> dict | None:
    """A month's figures as history keeps them."""
    if row is None:
        return None
    return {
        "numerator": row.numerator,
        "denominator": row.denominator,
        "value": None if row.value is None else str(Decimal(row.value).quantize(CENTS)),
    }


@transaction.atomic
def save_month(
    *,
    ward: Ward,
    measure: Measure,
    month: datetime.date,
    numerator: int | None,
    denominator: int | None,
    value: Decimal | None,
    by: User,
    source: str = SOURCE_FORM,
    replacing: str | None = None,
) -> MeasureMonth:
    """Enter (or replace) a ward's figures for one measure and month, keeping the before and
    after in history: the ward's manager or the trust's QI lead only. ``replacing`` (the form's)
    is `replacing_token` of the figures the person knows the month holds ("" for none): if it
    holds others, nothing is saved and a ReplaceRefused says what it holds. Imports pass None:
    their preview showed what each line replaces."""
    if not can_enter_figures(user=by, ward=ward):
        raise PermissionDenied("Only the ward's manager or the trust's QI lead enters figures.")
    if not measure_allowed(measure=measure, trust_id=ward.site.trust_id):
        raise ValidationError({"measure": "Choose one of your trust's measures"})
    problems = figure_problems(
        measure=measure,
        month=month,
        numerator=numerator,
        denominator=denominator,
        value=value,
        today=timezone.localdate(),
    )
    if problems:
        raise ValidationError(problems)
    month = month_start(month)
    value = None if value is None else value.quantize(CENTS)
    row = (
        MeasureMonth.objects.select_for_update()
        .filter(ward=ward, measure=measure, month=month)
        .first()
    )
    before = snapshot(row)
    if replacing is not None and replacing != replacing_token(row):
        raise ReplaceRefused(row)
    if row is None:
        row = MeasureMonth(ward=ward, measure=measure, month=month)
    row.numerator, row.denominator, row.value, row.entered_by = numerator, denominator, value, by
    row.save()
    MeasureChange.objects.create(
        ward=ward,
        measure=measure,
        month=month,
        actor=by,
        source=source,
        before=before,
        after=snapshot(row),
    )
    return row


@transaction.atomic
def add_trust_measure(
    *,
    trust: Trust,
    by: User,
    code: str,
    name: str,
    unit: str,
    higher_is_better: bool | None,
    commitments: list[int],
    definition: str,
) -> Measure:
    """A measure of the trust's own, beside the national catalogue: its QI lead only. Its code
    is unique among the trust's measures and the national ones (imports name measures by it)."""
    if not can_manage_measures(user=by, trust=trust):
        raise PermissionDenied("Only the trust's QI lead adds the trust's own measures.")
    code, name, definition = code.strip().lower(), name.strip(), definition.strip()
    problems = {}
    if (
        Measure.objects.filter(code=code)
        .filter(Q(catalogue__isnull=False) | Q(trust=trust))
        .exists()
    ):
        problems["code"] = f"There is already a measure with the code {code}: choose another"
    if not name:
        problems["name"] = "Enter the measure's name"
    if not definition:
        problems["definition"] = "Say how the measure is counted, so every ward counts it alike"
    if any(number not in range(1, 13) for number in commitments):
        problems["commitments"] = "Choose commitments from 1 to 12"
    if problems:
        raise ValidationError(problems)
    position = 100 + Measure.objects.filter(trust=trust).count()
    return Measure.objects.create(
        trust=trust,
        code=code,
        name=name,
        unit=unit,
        higher_is_better=higher_is_better,
        commitments=sorted(set(commitments)),
        definition=definition,
        position=position,
    )


@dataclass(frozen=True)
class MeasureFigures:
    """What was typed for one measure of a ward's month, and the figures the person was shown
    it holds (`replacing_token`)."""

    measure: Measure
    numerator: int | None = None
    denominator: int | None = None
    value: Decimal | None = None
    replacing: str = ""

    @property
    def is_blank(self) -> bool:
        return self.numerator is None and self.denominator is None and self.value is None


class MonthNotSaved(ValidationError):
    """Some measures of a ward's month were refused, so none was saved. ``problems`` holds field
    errors by measure code; ``refused`` the measures whose figures changed since shown."""

    def __init__(
        self, *, problems: dict[str, dict[str, list[str]]], refused: dict[str, ReplaceRefused]
    ) -> None:
        self.problems, self.refused = problems, refused
        count = len(problems.keys() | refused.keys())
        super().__init__(
            f"{count} measure{'s' * (count != 1)} could not be saved, so nothing was saved"
        )


def _as_held(entry: MeasureFigures) -> dict | None:
    """The typed figures as `snapshot` would keep them (None if they could not be kept)."""
    try:
        value = None if entry.value is None else str(entry.value.quantize(CENTS))
    except ArithmeticError:
        return None
    return {"numerator": entry.numerator, "denominator": entry.denominator, "value": value}


def save_ward_month(
    *,
    ward: Ward,
    month: datetime.date,
    figures: list[MeasureFigures],
    by: User,
    source: str = SOURCE_FORM,
) -> list[MeasureMonth]:
    """Enter a ward's month of measures at once, all or nothing: each measure typed is saved
    by `save_month`'s rules (history kept, never replacing figures other than those shown); a
    blank measure is left as it is, and one typed as it is held is not saved again."""
    if not can_enter_figures(user=by, ward=ward):
        raise PermissionDenied("Only the ward's manager or the trust's QI lead enters figures.")
    typed = [f for f in figures if not f.is_blank]
    if not typed:
        raise ValidationError("Enter the figures of at least one measure")
    month = month_start(month)
    problems: dict[str, dict[str, list[str]]] = {}
    refused: dict[str, ReplaceRefused] = {}
    saved: list[MeasureMonth] = []
    with transaction.atomic():
        held = {
            row.measure_id: row
            for row in MeasureMonth.objects.select_for_update().filter(
                ward=ward, month=month, measure__in=[f.measure for f in typed]
            )
        }
        for entry in typed:
            row = held.get(entry.measure.pk)
            if row is not None and _as_held(entry) == snapshot(row):
                continue  # typed as it is held: nothing to change, nothing to record
            try:
                saved.append(
                    save_month(
                        ward=ward,
                        measure=entry.measure,
                        month=month,
                        numerator=entry.numerator,
                        denominator=entry.denominator,
                        value=entry.value,
                        by=by,
                        source=source,
                        replacing=entry.replacing,
                    )
                )
            except ReplaceRefused as refusal:
                refused[entry.measure.code] = refusal
            except ValidationError as error:
                found = error.message_dict if hasattr(error, "error_dict") else None
                problems[entry.measure.code] = found or {"__all__": error.messages}
        if problems or refused:
            raise MonthNotSaved(problems=problems, refused=refused)
    return saved
