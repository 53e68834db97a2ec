"""Forms for opening a round, choosing its scorers and moving it on."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from culture_of_care.nhsuk_forms import DateInputField, LongTextField
from standards import selectors as standards_selectors
from standards.models import Ward

from .. import rules
from ..models import ScorerGroup
from ..services.rounds import scorer_candidates

# How a scorer's group reads after their name: "Dev Patel (lived experience partner)".
GROUP_LABELS = {
    ScorerGroup.STAFF: "staff",
    ScorerGroup.LIVED_EXPERIENCE: "lived experience partner",
}

SCORERS_HELP = (
    "You can change who scores until scoring starts. Scoring needs at least one member of "
    "staff and one lived experience partner."
)


def scorer_choices(*, ward: Ward) -> list[tuple[int, str]]:
    """The ward's people who may score, by name, each with the group they would score in."""
    candidates = scorer_candidates(ward=ward)
    choices: dict[int, str] = {}
    for membership in standards_selectors.ward_people(ward=ward):
        user = membership.user
        if user.pk in candidates and user.pk not in choices:
            choices[user.pk] = f"{user.display_name} ({GROUP_LABELS[candidates[user.pk]]})"
    return list(choices.items())


class ScorersField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Who will score")
        kwargs.setdefault("help_text", SCORERS_HELP)
        super().__init__(coerce=int, required=False, **kwargs)


class RoundForm(forms.Form):
    label = forms.CharField(
        label="Period",
        max_length=100,
        help_text="For example, 2026 Q4",
        error_messages={
            "required": "Enter the period for this round, for example 2026 Q4",
            "max_length": "Period must be 100 characters or fewer",
        },
    )
    edition = forms.ModelChoiceField(
        label="Framework edition",
        queryset=None,
        empty_label=None,
        help_text="The round is scored against this edition of the standards.",
        error_messages={
            "required": "Select a framework edition",
            "invalid_choice": "Select a framework edition from the list",
        },
    )
    scorers = ScorersField()
    scoring_closes_on = DateInputField(
        label="Scoring closes on",
        help_text="Scorers are reminded 7 days and 1 day before. For example, 19 12 2026",
        error_messages={"required": "Enter the date scoring closes"},
    )

    def __init__(self, *args, ward: Ward, **kwargs):
        super().__init__(*args, **kwargs)
        closes = self.fields["scoring_closes_on"]
        closes.initial = rules.default_scoring_closes_on(timezone.localdate())
        # Left empty, scoring closes three weeks from today (the next working day, if that is not).
        closes.required = False
        self.fields["edition"].queryset = standards_selectors.edition_list()
        self.fields["edition"].initial = standards_selectors.latest_edition()
        self.fields["scorers"].choices = scorer_choices(ward=ward)


class ScorersForm(forms.Form):
    scorers = ScorersField()

    def __init__(self, *args, ward: Ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scorers"].choices = scorer_choices(ward=ward)


def reason_field(*, label: str, required: str, hint: str = "") -> forms.CharField:
    """A reason in the person's own words, for steps that must say why."""
    return LongTextField(
        what="Reason",
        label=label,
        help_text=hint,
        rows=4,
        error_messages={"required": required},
    )


class CloseScoringForm(forms.Form):
    reason = reason_field(
        label="Why are you closing scoring now?",
        required="Enter why scoring is being closed before everyone has submitted",
        hint="Ratings that were not submitted stay private and are not counted.",
    )


class ReturnToAgreeingForm(forms.Form):
    reason = reason_field(
        label="Why do the agreed ratings need to change?",
        required="Enter why the agreed ratings need to change",
        hint="Any signatures already given are voided and the assessment will need signing again.",
    )


class StepForm(forms.Form):
    """A button that moves the round on: no fields, but it carries the service's errors."""


class ClosesOnForm(forms.Form):
    scoring_closes_on = DateInputField(
        label="Scoring closes on",
        help_text="Scorers are reminded 7 days and 1 day before. For example, 19 12 2026",
        error_messages={"required": "Enter the date scoring closes"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The page shows the error summary above its heading, as the NHS pattern asks.
        self.helper.show_error_summary = False
