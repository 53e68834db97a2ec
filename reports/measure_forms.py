"""Forms for entering and importing ward measure figures (issue 13). The pages around them say
who sees what is typed, and that nothing about a patient is asked for."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.utils.html import escape

from culture_of_care.nhsuk_forms import Button, Field, Fieldset
from culture_of_care.templatetags.nhsuk_forms import SummaryError, nhsuk_error_list
from standards import numbers
from standards.trust_admin_forms import ImportForm

from .measure_services import (
    MAX_NUMBER,
    MeasureFigures,
    MonthNotSaved,
    ReplaceRefused,
    replacing_token,
    snapshot,
)
from .measures import month_label
from .models import Measure, MeasureMonth, MeasureUnit

NUMBER = {"inputmode": "numeric", "class": "nhsuk-input--width-10", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "class": "nhsuk-input--width-10", "autocomplete": "off"}


def month_key(month: datetime.date) -> str:
    return month.strftime("%Y-%m")


class MonthChoiceForm(forms.Form):
    """Which month the ward month form shows (a GET form: works without JavaScript)."""

    month = forms.ChoiceField(label="Which month?", required=False)

    def __init__(self, *args, months: list[datetime.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.months = {month_key(m): m for m in months}
        self.fields["month"].choices = [(month_key(m), month_label(m)) for m in months]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.show_error_summary = False
        self.helper.layout = Layout(Field("month", label_size="s"))
        self.helper.add_input(Button("Show this month", secondary=True))

    def is_offered(self) -> bool:
        return self.data.get("month", "") in self.months

    def chosen(self, default: datetime.date) -> datetime.date:
        """The month asked for, or the default when none (or one not offered) is asked for."""
        key = self.data.get("month", "")
        return self.months.get(key, default)


def _number(label: str, name: str, help_text: str, like: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_NUMBER,
        help_text=help_text,
        widget=forms.TextInput(attrs=NUMBER),
        error_messages={
            "invalid": f"The {name} must be a whole number, like {like}",
            "min_value": f"The {name} must be 0 or more",
            "max_value": f"The {name} must be {numbers.count_text(MAX_NUMBER)} or less",
        },
    )


def _figure(label: str, name: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs=DECIMAL),
        error_messages={
            "invalid": f"The {name} must be a number, like 85 or 85.5",
            "min_value": f"The {name} must be 0 or more",
            "max_digits": f"The {name} must be 9,999,999 or less",
            "max_whole_digits": f"The {name} must be 9,999,999 or less",
            "max_decimal_places": f"The {name} can have up to 2 decimal places",
        },
    )


def held_text(row: MeasureMonth | None) -> str:
    """What a month holds for a measure, and who entered it, as the page says it."""
    if row is None:
        return "Nothing entered yet."
    held = ", ".join(
        f"{name} {value}" for name, value in snapshot(row).items() if value is not None
    )
    person = row.entered_by
    who = (person.get_full_name() or person.username) if person else ""
    by = f", entered by {who} on {row.updated_at:%-d %B %Y}" if who else ""
    return f"Now held: {held}{by}. Leave blank to keep it, or type new figures to replace it."


class MeasureFiguresForm(forms.Form):
    """One measure of a ward's month, a fieldset of the ward month form. Only the boxes its
    unit takes are shown: a rate has no box for the rate (it is worked out, never typed)."""

    # What this measure held when the page was shown ("" for nothing): a save that would
    # replace other figures than those is refused and shows them (no silent overwrite).
    replacing = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, measure: Measure, held: MeasureMonth | None, **kwargs):
        super().__init__(*args, prefix=measure.code, **kwargs)
        self.measure, self.held = measure, held
        if measure.unit == MeasureUnit.PER_1000_BED_DAYS:
            self.fields["numerator"] = _number(
                "Numerator", "numerator", "How many times it happened in the month.", "3"
            )
            self.fields["denominator"] = _number(
                "Denominator", "denominator", "Occupied bed days in the month.", "540"
            )
        elif measure.unit == MeasureUnit.PERCENT:
            self.fields["numerator"] = _number(
                "Numerator", "numerator", "How many answered yes.", "12"
            )
            self.fields["denominator"] = _number(
                "Denominator", "denominator", "How many answered.", "16"
            )
            self.fields["value"] = _figure(
                "Percentage (only if you do not have the numbers)",
                "percentage",
                "Leave blank if you entered the numerator and denominator.",
            )
        else:
            self.fields["value"] = _figure("Count", "count", "How many in the month.")
        self.fields["replacing"].initial = replacing_token(held)

    @property
    def helper(self) -> FormHelper:
        # Built when shown, so that a refusal shows what the month holds now.
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.show_error_summary = False
        code = self.measure.code
        said = [
            f'<p class="nhsuk-error-message" id="measure-{code}-error">'
            f'<span class="nhsuk-u-visually-hidden">Error:</span> {escape(message)}</p>'
            for message in (self.non_field_errors() if self.is_bound else [])
        ]
        said.append(f'<p class="app-measure-held">{escape(held_text(self.held))}</p>')
        boxes = [
            Field(name) for name in ("numerator", "denominator", "value") if name in self.fields
        ]
        helper.layout = Layout(
            Fieldset(
                f"{self.measure.name} ({self.measure.get_unit_display()})",
                HTML("".join(said)),
                *boxes,
                Field("replacing"),
                legend_size="s",
                css_id=f"measure-{code}",
            )
        )
        return helper

    def figures(self) -> MeasureFigures:
        data = self.cleaned_data
        return MeasureFigures(
            measure=self.measure,
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            value=data.get("value"),
            replacing=data.get("replacing") or "",
        )

    def add_problems(self, problems: dict[str, list[str]]) -> None:
        for name, errors in problems.items():
            self.add_error(name if name in self.fields else None, errors)

    def show_refused(self, refused: ReplaceRefused) -> None:
        """After a refusal: the next save replaces the figures now shown (what was typed stays)."""
        self.held = refused.row
        self.add_error(None, refused.messages[0])
        self.data = self.data.copy()
        self.data[self.add_prefix("replacing")] = refused.token


class WardMonthForm:
    """A ward's month of measures on one page: a fieldset a measure, saved at once
    (reports.measure_services.save_ward_month)."""

    def __init__(
        self,
        data=None,
        *,
        month: datetime.date,
        measures: list[Measure],
        held: dict[int, MeasureMonth],
    ):
        self.month = month
        self.is_bound = data is not None
        self.forms = [MeasureFiguresForm(data, measure=m, held=held.get(m.pk)) for m in measures]
        self.non_field_errors: list[str] = []

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.forms])

    def figures(self) -> list[MeasureFigures]:
        return [form.figures() for form in self.forms]

    def add_error(self, message: str) -> None:
        self.non_field_errors.append(message)

    def not_saved(self, error: MonthNotSaved) -> None:
        for form in self.forms:
            code = form.measure.code
            if code in error.refused:
                form.show_refused(error.refused[code])
            if code in error.problems:
                form.add_problems(error.problems[code])

    def summary(self) -> list[SummaryError]:
        """The error summary: each error names its measure and links to its box."""
        found = [SummaryError(message, "") for message in self.non_field_errors]
        for form in self.forms:
            for error in nhsuk_error_list(form):
                href = error.href or f"#measure-{form.measure.code}"
                text = error.text
                if not text.startswith(form.measure.name):
                    text = f"{form.measure.name}: {text[:1].lower()}{text[1:]}"
                found.append(SummaryError(text, href))
        return found


class MeasureImportForm(ImportForm):
    """The people import's upload (the same checks of size and text), with its own words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "Up to 5,000 rows and 1 MB, saved as CSV UTF-8. Numbers only: never a patient's "
            "name, NHS number or date of birth."
        )


DIRECTIONS = {"higher": True, "lower": False, "context": None}


class TrustMeasureForm(forms.Form):
    """A measure of the trust's own (reports.measure_services.add_trust_measure)."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="As wards and the board will read it, like: Incidents of self-harm",
        error_messages={"required": "Enter the measure's name"},
    )
    code = forms.SlugField(
        label="Code",
        max_length=50,
        help_text="Used in CSV imports: lower-case letters, numbers and hyphens, like self-harm",
        error_messages={
            "required": "Enter a code for the measure",
            "invalid": "Use only lower-case letters, numbers and hyphens in the code",
        },
    )
    unit = forms.ChoiceField(
        label="What kind of figure is it?",
        choices=MeasureUnit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of figure it is"},
    )
    direction = forms.ChoiceField(
        label="Which way is better?",
        choices=[
            ("lower", "Lower is better"),
            ("higher", "Higher is better"),
            ("context", "Neither: shown for context only, never flagged"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which way is better"},
    )
    commitments = forms.TypedMultipleChoiceField(
        label="Which commitments does it tell you about? (optional)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A ward's agreed score on these is compared with the measure.",
    )
    definition = forms.CharField(
        label="How is it counted?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say how the measure is counted"},
    )

    def __init__(self, *args, titles: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitments"].choices = [(n, f"{n}. {t}") for n, t in titles.items()]
        self.helper = FormHelper()
        self.helper.show_error_summary = False
        self.helper.layout = Layout(
            Field("name", label_size="s"),
            Field("code", label_size="s"),
            Field("unit", label_size="s"),
            Field("direction", label_size="s"),
            Field("commitments", label_size="s"),
            Field("definition", label_size="s"),
        )
        self.helper.add_input(Button("Add the measure", prevent_double_click=True))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name": data["name"],
            "unit": data["unit"],
            "higher_is_better": DIRECTIONS[data["direction"]],
            "commitments": data["commitments"],
            "definition": data["definition"],
        }
