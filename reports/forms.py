from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms

from culture_of_care.nhsuk_forms import Button, DateInputField, Field
from standards.models import ServiceType

from .models import measure_key


class TrustFilterForm(forms.Form):
    site = forms.TypedChoiceField(label="Site", required=False, coerce=int, empty_value=None)
    service_type = forms.ChoiceField(label="Service type", required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "All sites")] + [(s.pk, s.name) for s in sites]
        self.fields["service_type"].choices = [("", "All service types"), *ServiceType.choices]


class ProcessChangeForm(forms.Form):
    """Mark a change in a chart's process; the page says who sees it."""

    measure = forms.ChoiceField(
        label="Which chart?",
        error_messages={
            "required": "Choose a chart to mark the change on",
            "invalid_choice": "Choose a chart to mark the change on",
        },
    )
    date = DateInputField(
        label="When did the process change?",
        help_text="Rounds signed on or after this date are after the change. For example, 1 4 2026",
        error_messages={"required": "Enter the date the process changed"},
    )
    note = forms.CharField(
        label="What changed?",
        max_length=200,
        help_text="For example, new model of care. Shown on the chart to everyone who sees it.",
        error_messages={
            "required": "Enter what changed, for example new model of care",
            "max_length": "What changed must be 200 characters or fewer",
        },
    )

    def __init__(self, *args, titles: dict[int, str], wards=(), **kwargs):
        super().__init__(*args, **kwargs)
        trust_wide = [
            (measure_key(0), "Overall score"),
            *[(measure_key(n), f"{n}. {t}") for n, t in titles.items()],
        ]
        by_ward = [(f"ward:{w.pk}:overall", f"{w.name}: overall score") for w in wards]
        self.fields["measure"].choices = [("Trust-wide", trust_wide), ("Wards", by_ward)]
        self.helper = FormHelper()
        self.helper.show_error_summary = False
        self.helper.layout = Layout(
            Field("measure", label_size="s"),
            Field("date", label_size="s"),
            Field("note", label_size="s"),
        )
        self.helper.add_input(Button("Mark the change", prevent_double_click=True))
