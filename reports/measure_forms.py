"""Forms for entering and importing ward measure figures (issue 13). The pages around them say
who sees what is typed, and that nothing about a patient is asked for."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms

from culture_of_care.nhsuk_forms import Button, Field
from standards import numbers
from standards.trust_admin_forms import ImportForm

from .measure_services import MAX_NUMBER
from .measures import month_label
from .models import Measure, MeasureUnit

NUMBER = {"inputmode": "numeric", "class": "nhsuk-input--width-10", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "class": "nhsuk-input--width-10", "autocomplete": "off"}


def month_key(month: datetime.date) -> str:
    return month.strftime("%Y-%m")


class MeasureMonthForm(forms.Form):
    measure = forms.TypedChoiceField(
        label="Which measure?",
        coerce=int,
        error_messages={
            "required": "Choose a measure",
            "invalid_choice": "Choose one of your trust's measures",
        },
    )
    month = forms.ChoiceField(
        label="Which month?",
        error_messages={
            "required": "Choose the month the figures are for",
            "invalid_choice": "Choose a month from the list",
        },
    )
    numerator = forms.IntegerField(
        label="Numerator (optional for a count or a percentage)",
        required=False,
        min_value=0,
        max_value=MAX_NUMBER,
        help_text="How many times it happened in the month, or how many answered yes. A number, "
        "never a name.",
        widget=forms.TextInput(attrs=NUMBER),
        error_messages={
            "invalid": "The numerator must be a whole number, like 12",
            "min_value": "The numerator must be 0 or more",
            "max_value": f"The numerator must be {numbers.count_text(MAX_NUMBER)} or less",
        },
    )
    denominator = forms.IntegerField(
        label="Denominator (optional for a count or a percentage)",
        required=False,
        min_value=0,
        max_value=MAX_NUMBER,
        help_text="For a rate, the occupied bed days in the month; for a percentage, how many "
        "answered.",
        widget=forms.TextInput(attrs=NUMBER),
        error_messages={
            "invalid": "The denominator must be a whole number, like 540",
            "min_value": "The denominator must be 0 or more",
            "max_value": f"The denominator must be {numbers.count_text(MAX_NUMBER)} or less",
        },
    )
    value = forms.DecimalField(
        label="Figure (only for a count, or a percentage without its numbers)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text="Leave blank for a rate: rates are worked out from the numerator and "
        "denominator.",
        widget=forms.TextInput(attrs=DECIMAL),
        error_messages={
            "invalid": "The figure must be a number, like 85 or 85.5",
            "min_value": "The figure must be 0 or more",
            "max_digits": "The figure must be 9,999,999 or less",
            "max_whole_digits": "The figure must be 9,999,999 or less",
            "max_decimal_places": "The figure can have up to 2 decimal places",
        },
    )

    # What this month held when the person was last shown it ("" for nothing): a save that
    # would replace other figures than those is refused and shows them (no silent overwrite).
    replacing = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, measures: list[Measure], months: list[datetime.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = {m.pk: m for m in measures}
        self.fields["measure"].choices = [("", "Choose a measure")] + [
            (m.pk, f"{m.name} ({m.get_unit_display()})") for m in measures
        ]
        self.months = {month_key(m): m for m in months}
        self.fields["month"].choices = [("", "Choose a month")] + [
            (month_key(m), month_label(m)) for m in months
        ]
        self.helper = FormHelper()
        self.helper.show_error_summary = False
        self.helper.layout = Layout(
            Field("measure", label_size="s"),
            Field("month", label_size="s"),
            Field("numerator", label_size="s"),
            Field("denominator", label_size="s"),
            Field("value", label_size="s"),
            Field("replacing"),
        )
        self.helper.add_input(Button("Save the figures", prevent_double_click=True))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "measure": self.measures[data["measure"]],
            "month": self.months[data["month"]],
            "numerator": data["numerator"],
            "denominator": data["denominator"],
            "value": data["value"],
            "replacing": data["replacing"],
        }

    def show_replacing(self, token: str) -> None:
        """After a refusal: the next save replaces the figures now shown (what was typed stays)."""
        self.data = self.data.copy()
        self.data["replacing"] = token


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
