"""Recording the agreed rating for a standard, and showing both versions when two people
saved the same thing at once."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms

from culture_of_care.nhsuk_forms import Button, Field, LongTextField

from ..models import RATING_CHOICES, AgreedRating
from ..services import ConflictError
from ..services.scoring import NOT_SURE

NOT_SURE_LABEL = "Not sure"
LEVEL_CHOICES = [(str(level), label) for level, label in RATING_CHOICES] + [
    (NOT_SURE, NOT_SURE_LABEL)
]
CONFLICT_TITLE = "Someone else saved this first"


def rationale_hint(*, flagged: bool, levels) -> str:
    """What the page says about the reason before anyone chooses: required for every level
    when the groups differed by two or more, else for the levels outside both groups' ratings."""
    if flagged:
        return "Required: staff and lived experience partners differed by two levels or more."
    if levels:
        names = [dict(RATING_CHOICES)[level] for level in levels]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return (
            f"Required if you agree {listed}: outside both groups' ratings. "
            "Otherwise optional: say how the group reached this rating."
        )
    return "Optional: say how the group reached this rating."


def level_label(level: int | None) -> str:
    """ "3 Established", or "Not sure" for a null level (never a zero)."""
    return NOT_SURE_LABEL if level is None else dict(RATING_CHOICES)[level]


@dataclass
class Conflict:
    """The other person's saved version beside the one this person typed."""

    who: str
    when: datetime | None
    rows: list[tuple[str, str, str]]  # (what, theirs, yours)


class VersionedForm(forms.Form):
    """A form with a hidden `version`: the one the person started from."""

    helper: FormHelper

    def conflict(self, current: Any) -> Conflict:
        raise NotImplementedError

    def show_conflict(self, error: ConflictError) -> Conflict:
        """Keep what the person typed, point the hidden version at the saved one so a
        deliberate second save replaces it, explain what happened, and return both versions."""
        conflict = self.conflict(error.current)
        data = self.data.copy()
        data["version"] = "" if error.current is None else str(error.current.version)
        self.data = data
        self.helper.form_error_title = CONFLICT_TITLE
        self.add_error(
            None,
            f"{error.messages[0]} Compare their version with yours below. "
            "To replace theirs with yours, check your answers and save again.",
        )
        return conflict


class AgreedRatingForm(VersionedForm):
    level = forms.ChoiceField(choices=LEVEL_CHOICES, widget=forms.RadioSelect)
    rationale = LongTextField(
        what="Reason for the agreed rating",
        label="Why the group agreed this rating",
        required=False,
    )
    version = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": "Reload the page and enter the agreed rating again"},
    )

    def __init__(
        self, *args: Any, standard, flagged: bool, rationale_levels=(), embedded=False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        level = self.fields["level"]
        level.label = f"Agreed rating for {standard.code}"
        level.error_messages["required"] = f"Select the agreed rating for {standard.code}"
        self.fields["rationale"].label = f"Why the group agreed this rating for {standard.code}"
        # For agree_rationale.js: which chosen ratings need a reason ("all" when flagged).
        required = "all" if flagged else ",".join(str(level) for level in rationale_levels)
        self.fields["rationale"].widget.attrs["data-required-levels"] = required
        self.fields["rationale"].help_text = (
            rationale_hint(flagged=flagged, levels=rationale_levels)
            + " Do not include patient names, NHS numbers, dates of birth or clinical details."
        )
        self.standard = standard
        self.helper = FormHelper()
        # The page shows the error summary above its heading, as the NHS pattern asks.
        self.helper.show_error_summary = False
        self.helper.layout = Layout(
            Field("level", label_size="s" if embedded else "m"),
            Field("rationale", label_size="s" if embedded else "m"),
            "version",
        )
        if embedded:
            # One of several on a commitment's page: the page has the form tag and one button,
            # and a standard left blank is simply not agreed yet.
            self.helper.form_tag = False
            level.required = False
        else:
            self.helper.add_input(Button("Save agreed rating", prevent_double_click=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("level") and (data.get("rationale") or "").strip():
            self.add_error("level", f"Select the agreed rating for {self.standard.code}")
        return data

    @staticmethod
    def initial_for(agreed: AgreedRating | None) -> dict[str, Any]:
        if agreed is None:
            return {}
        return {
            "level": NOT_SURE if agreed.level is None else str(agreed.level),
            "rationale": agreed.rationale,
            "version": agreed.version,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "answer": data["level"],
            "rationale": data["rationale"],
            "version": data["version"],
        }

    def conflict(self, current: AgreedRating | None) -> Conflict:
        answer = self.cleaned_data["level"]
        yours_level = level_label(None if answer == NOT_SURE else int(answer))
        yours_rationale = self.cleaned_data["rationale"].strip() or "None given"
        if current is None:
            return Conflict(
                who="Someone",
                when=None,
                rows=[
                    ("Agreed rating", "Removed", yours_level),
                    ("Why", "Removed", yours_rationale),
                ],
            )
        return Conflict(
            who=current.updated_by.display_name,
            when=current.updated_at,
            rows=[
                ("Agreed rating", level_label(current.level), yours_level),
                ("Why", current.rationale or "None given", yours_rationale),
            ],
        )
