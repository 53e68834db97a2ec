"""Adding and changing actions: what will change, who owns it and by when."""

from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.utils.formats import date_format
from django.utils.text import Truncator

from culture_of_care.nhsuk_forms import Button, DateInputField, Field
from standards.models import Commitment

from ..models import Action, ActionStatus
from .agreeing import Conflict, VersionedForm


class StandardsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {Truncator(obj.text).chars(90)}"


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


class ActionForm(VersionedForm):
    title = forms.CharField(
        label="What will change",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Do not include patient names, NHS numbers, dates of birth or clinical details.",
        error_messages={
            "required": "Enter what will change",
            "max_length": "What will change must be 500 characters or fewer",
        },
    )
    owner = forms.TypedChoiceField(
        label="Who owns this action?",
        coerce=int,
        empty_value=None,
        help_text="Someone from the ward",
        error_messages={
            "required": "Choose who owns this action",
            "invalid_choice": "Choose an owner from the ward's people",
        },
    )
    due_date = DateInputField(
        label="When is it due?",
        help_text="For example, 27 3 2027",
        error_messages={"required": "Enter the date this action is due"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        initial=ActionStatus.NOT_STARTED,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status"},
    )
    standards = StandardsField(
        queryset=None,
        label="Which standards does it relate to?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"invalid_choice": "Choose standards from this round"},
    )
    commitments = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Which commitments does it relate to as a whole?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose commitments from this round"},
    )
    co_produced = forms.BooleanField(
        label="A lived experience partner helped shape this action", required=False
    )
    version = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": "Reload the page and make your changes again"},
    )

    def __init__(
        self, *args: Any, people, standards, commitments=None, editing: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        owners: dict[int, str] = {}
        for membership in people:
            owners.setdefault(membership.user_id, membership.user.display_name)
        self.fields["owner"].choices = [("", "Choose an owner"), *owners.items()]
        self.fields["standards"].queryset = standards
        if commitments is None:
            commitments = Commitment.objects.filter(
                pk__in=standards.values("commitment_id")
            ).order_by("number")
        self.fields["commitments"].queryset = commitments
        self.fields["version"].required = editing
        self.fields["version"].error_messages["required"] = (
            "Reload the page and make your changes again"
        )
        self.helper = FormHelper()
        # The page shows the error summary above its heading, as the NHS pattern asks.
        self.helper.show_error_summary = False
        self.helper.layout = Layout(
            Field("title", label_size="s"),
            Field("owner", label_size="s"),
            Field("due_date", label_size="s"),
            Field("status", label_size="s"),
            # Grouped by commitment, with each standard's full text: see _action_links.html.
            HTML('{% include "assessments/_action_links.html" %}'),
            Field("co_produced"),
            "version",
        )
        text = "Save changes" if editing else "Add action"
        self.helper.add_input(Button(text, prevent_double_click=True))

    @property
    def link_groups(self) -> list["LinkGroup"]:
        return link_groups(self)

    @staticmethod
    def initial_for(action: Action) -> dict[str, Any]:
        return {
            "title": action.title,
            "owner": action.owner_id,
            "due_date": action.due_date,
            "status": action.status,
            "standards": [s.pk for s in action.standards.all()],
            "commitments": [c.pk for c in action.commitments.all()],
            "co_produced": action.co_produced,
            "version": action.version,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "owner_id": data["owner"],
            "due_date": data["due_date"],
            "status": data["status"],
            "standards": list(data["standards"]),
            "commitments": list(data["commitments"]),
            "co_produced": data["co_produced"],
        }

    def conflict(self, current: Action) -> Conflict:
        data = self.cleaned_data
        owners = dict(self.fields["owner"].choices)
        statuses = dict(ActionStatus.choices)
        their_codes = ", ".join(sorted(s.code for s in current.standards.all())) or "None"
        your_codes = ", ".join(sorted(s.code for s in data["standards"])) or "None"
        return Conflict(
            who=current.updated_by.display_name if current.updated_by else "Someone else",
            when=current.updated_at,
            rows=[
                ("What will change", current.title, data["title"]),
                ("Owner", current.owner.display_name, owners.get(data["owner"], "")),
                (
                    "Due date",
                    date_format(current.due_date, "j F Y"),
                    date_format(data["due_date"], "j F Y"),
                ),
                ("Status", current.get_status_display(), statuses[data["status"]]),
                ("Linked standards", their_codes, your_codes),
                ("Co-produced", _yes_no(current.co_produced), _yes_no(data["co_produced"])),
            ],
        )


@dataclass
class LinkChoice:
    id: str
    name: str
    value: int
    label: str
    checked: bool


@dataclass
class LinkGroup:
    commitment: Commitment
    whole: LinkChoice
    standards: list[LinkChoice]


def link_groups(form: ActionForm) -> list[LinkGroup]:
    """The commitments, each with a "whole commitment" choice and its standards' full text,
    checked as the form holds them (what was typed survives an error)."""
    chosen_standards = {str(v) for v in (form["standards"].value() or [])}
    chosen_commitments = {str(v) for v in (form["commitments"].value() or [])}
    groups: dict[int, LinkGroup] = {}
    for index, commitment in enumerate(form.fields["commitments"].queryset):
        groups[commitment.pk] = LinkGroup(
            commitment=commitment,
            whole=LinkChoice(
                # The first box carries the field's own id: the error summary links to it.
                id="id_commitments" if index == 0 else f"id_commitments_{index}",
                name="commitments",
                value=commitment.pk,
                label=f"The whole commitment: {commitment.number}. {commitment.title}",
                checked=str(commitment.pk) in chosen_commitments,
            ),
            standards=[],
        )
    for index, standard in enumerate(form.fields["standards"].queryset):
        group = groups.get(standard.commitment_id)
        if group is None:
            continue
        group.standards.append(
            LinkChoice(
                id="id_standards" if index == 0 else f"id_standards_{index}",
                name="standards",
                value=standard.pk,
                label=f"{standard.code} {standard.text}",
                checked=str(standard.pk) in chosen_standards,
            )
        )
    return list(groups.values())
