"""Adding and removing evidence. The service checks each kind and the file's content; the
form only collects what the person typed."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.utils.text import Truncator

from culture_of_care.nhsuk_forms import Button, Field, LongTextField

from ..models import EvidenceKind

NO_PATIENT_DETAILS = (
    "Do not include patient names, NHS numbers, dates of birth or clinical details."
)
# A hint for the file picker only: the service decides by the file's content, not its name.
ACCEPT = ",".join(
    [
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".png",
        ".jpg",
        ".jpeg",
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
)


REQUIRED = {
    EvidenceKind.NOTE: "Enter the evidence: what you have seen, done or been told",
    EvidenceKind.LINK: "Enter the link",
    EvidenceKind.FILE: "Choose a file to upload",
}


class StandardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {Truncator(obj.text).chars(90)}"


class EvidenceForm(forms.Form):
    standard = StandardChoiceField(
        queryset=None,
        label="Which standard is this evidence for?",
        empty_label="Choose a standard",
        error_messages={
            "required": "Choose the standard this evidence is for",
            "invalid_choice": "Choose a standard from this round",
        },
    )
    kind = forms.ChoiceField(
        label="What kind of evidence is it?",
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the evidence is a note, a link or a file"},
    )
    note = LongTextField(
        what="Note",
        label="Note",
        required=False,
        help_text=f"Only if you chose a note. {NO_PATIENT_DETAILS}",
    )
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Only if you chose a link. For example, https://intranet.example.nhs.uk/page",
        error_messages={
            "invalid": "Enter a link in the correct format, like https://intranet.example.nhs.uk/page",
            "max_length": "Enter a link of 500 characters or fewer",
        },
    )
    file = forms.FileField(
        label="File",
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text=(
            "Only if you chose a file. A PDF, Word, Excel, PNG or JPEG file, smaller than 10MB. "
            + NO_PATIENT_DETAILS
        ),
        error_messages={
            "empty": "The selected file is empty",
            "invalid": "Choose a file to upload",
        },
    )

    def __init__(self, *args: Any, standards, kind: str | None = None, **kwargs: Any) -> None:
        """Without `kind`, the first step: which standard and what kind of evidence (sent by
        GET). With it, the second: only that kind's field, so nobody fills in the wrong one."""
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = standards
        self.helper = FormHelper()
        # The page shows the error summary above its heading, as the NHS pattern asks.
        self.helper.show_error_summary = False
        field_for = {EvidenceKind.NOTE: "note", EvidenceKind.LINK: "url", EvidenceKind.FILE: "file"}
        if kind is None:
            for name in field_for.values():
                del self.fields[name]
            self.helper.form_method = "get"
            self.helper.layout = Layout(
                HTML('<input type="hidden" name="step" value="kind">'),
                Field("standard", label_size="s"),
                Field(
                    "kind",
                    label_size="s",
                    item_hints={
                        EvidenceKind.NOTE: "Something you have seen, done or been told",
                        EvidenceKind.LINK: "A page on your intranet or a shared document",
                        EvidenceKind.FILE: "Meeting notes, a leaflet or a photo of a poster",
                    },
                ),
            )
            self.helper.add_input(Button("Continue"))
            return
        chosen = field_for[kind]
        for name in set(field_for.values()) - {chosen}:
            del self.fields[name]
        self.fields[chosen].required = True
        self.fields[chosen].help_text = self.fields[chosen].help_text.removeprefix(
            f"Only if you chose a {'link' if kind == EvidenceKind.LINK else kind}. "
        )
        self.fields[chosen].error_messages["required"] = REQUIRED[kind]
        self.fields["kind"].widget = forms.HiddenInput()
        self.helper.layout = Layout(
            Field("standard", label_size="s"), "kind", Field(chosen, label_size="s")
        )
        self.helper.add_input(Button("Add evidence", prevent_double_click=True))

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "standard": data["standard"],
            "kind": data["kind"],
            "note": data.get("note", ""),
            "url": data.get("url", ""),
            "upload": data.get("file"),
        }


class EvidenceDeleteForm(forms.Form):
    """Nothing to fill in: it carries the service's refusal, if any, to the page."""
