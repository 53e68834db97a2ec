"""Template helpers for the ``nhsuk`` crispy template pack (``templates/nhsuk/``).

The NHS.UK markup ties a field's parts together by id (hint, error message,
aria-describedby, error summary links). Building those ids and class lists in Django template
language would be unreadable, so ``nhsuk_field`` works them out once per field and the
templates only print them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from culture_of_care.nhsuk_forms.widgets import DateInputWidget

register = template.Library()

# CSS classes per kind of single control: (base class, error modifier).
CONTROL_CLASSES = {
    "input": ("nhsuk-input", "nhsuk-input--error"),
    "textarea": ("nhsuk-textarea", "nhsuk-textarea--error"),
    "select": ("nhsuk-select", "nhsuk-select--error"),
    "file": ("nhsuk-file-upload__input", ""),
    "checkbox": ("nhsuk-checkboxes__input", ""),
}


def widget_kind(widget: forms.Widget) -> str:
    """Which NHS component renders this widget (field.html dispatches on it)."""
    if widget.is_hidden:
        return "hidden"
    # Order matters: CheckboxSelectMultiple subclasses RadioSelect.
    kinds: list[tuple[type[forms.Widget], str]] = [
        (DateInputWidget, "date"),
        (forms.CheckboxSelectMultiple, "checkboxes"),
        (forms.RadioSelect, "radios"),
        (forms.CheckboxInput, "checkbox"),
        (forms.Select, "select"),  # also SelectMultiple
        (forms.Textarea, "textarea"),
        (forms.FileInput, "file"),
    ]
    return next((kind for cls, kind in kinds if isinstance(widget, cls)), "input")


@dataclass(frozen=True)
class ChoiceItem:
    id: str
    value: str
    label: str
    checked: bool
    hint: str
    hint_id: str


@dataclass(frozen=True)
class DateItem:
    id: str
    name: str
    label: str
    value: str
    width: int
    error: bool


@dataclass
class NhsField:
    """Everything the pack's templates need to render one bound field."""

    field: BoundField
    label_size: str = ""
    is_page_heading: bool = False
    inline: bool = False
    item_hints: dict[str, str] = field(default_factory=dict)
    show_errors: bool = True

    @cached_property
    def kind(self) -> str:
        return widget_kind(self.field.field.widget)

    @cached_property
    def id(self) -> str:
        # NHS components fall back to the name when there is no id; so do we (auto_id=False).
        widget_id = self.field.field.widget.attrs.get("id")
        return str(widget_id or self.field.auto_id or self.field.html_name)

    @property
    def hint_id(self) -> str:
        if not self.field.help_text:
            return ""
        # A single checkbox shows its help text under its label, as a checkbox item hint.
        return f"{self.id}-item-hint" if self.kind == "checkbox" else f"{self.id}-hint"

    @cached_property
    def error(self) -> str:
        # One message per question, as the NHS error message pattern asks.
        return str(self.field.errors[0]) if self.show_errors and self.field.errors else ""

    @property
    def error_id(self) -> str:
        return f"{self.id}-error" if self.error else ""

    @property
    def describedby(self) -> str:
        return " ".join(i for i in (self.hint_id, self.error_id) if i)

    @property
    def anchor(self) -> str:
        """The id an error summary link should jump to: the first input with the error."""
        if self.kind == "date":
            return next((i.id for i in self.date_items if i.error), self.date_items[0].id)
        return self.id

    def control(self) -> SafeString:
        """The control itself (input, textarea, select, single checkbox), with NHS classes."""
        bound = self.field
        base_class, error_class = CONTROL_CLASSES[self.kind]
        widget = copy.copy(bound.field.widget)
        attrs = bound.build_widget_attrs(widget.attrs, widget)
        # The NHS components validate on the server and point to errors with the error message
        # and summary, so Django's automatic required/aria-invalid/aria-describedby go.
        for name in ("required", "aria-invalid", "aria-describedby"):
            attrs.pop(name, None)
        if self.kind == "textarea":
            attrs.pop("cols", None)  # Django always adds cols="40"; NHS CSS sets the width.
        classes = (base_class, error_class if self.error else "", attrs.get("class", ""))
        attrs["class"] = " ".join(c for c in classes if c)
        attrs["id"] = self.id
        if self.describedby:
            attrs["aria-describedby"] = self.describedby
        widget.attrs = {}
        if bound.field.localize:
            widget.is_localized = True
        return widget.render(
            bound.html_name, bound.value(), attrs=attrs, renderer=bound.form.renderer
        )

    @cached_property
    def choice_items(self) -> list[ChoiceItem]:
        """Radios or checkboxes; the first id is the field's own so the summary can link to it."""
        items = []
        for index, option in enumerate(self.field.subwidgets, start=1):
            item_id = self.id if index == 1 else f"{self.id}-{index}"
            value = "" if option.data["value"] is None else str(option.data["value"])
            hint = self.item_hints.get(value, "")
            items.append(
                ChoiceItem(
                    id=item_id,
                    value=value,
                    label=str(option.choice_label),
                    checked=bool(option.data["selected"]),
                    hint=hint,
                    hint_id=f"{item_id}-item-hint" if hint else "",
                )
            )
        return items

    @cached_property
    def date_items(self) -> list[DateItem]:
        widget = self.field.field.widget
        assert isinstance(widget, DateInputWidget)
        values = widget.part_values(self.field.value())
        error_parts = self._error_parts()
        return [
            DateItem(
                id=f"{self.id}-{part.key}",
                name=f"{self.field.html_name}{suffix}",
                label=part.label,
                value=value,
                width=part.width,
                error=part.key in error_parts,
            )
            for part, suffix, value in zip(widget.parts, widget.widgets_names, values, strict=True)
        ]

    def _error_parts(self) -> set[str]:
        """The date boxes to highlight: those named by the error, or all of them."""
        if not self.error:
            return set()
        first = self.field.errors.as_data()[0]
        parts = (first.params or {}).get("parts")
        return set(parts) if parts else {part.key for part in DateInputWidget.parts}


@register.simple_tag(takes_context=True)
def nhsuk_field(context: template.Context, bound_field: BoundField) -> NhsField:
    """``{% nhsuk_field field as nhsuk %}``: options come from the layout ``Field``, if any."""
    return NhsField(
        field=bound_field,
        show_errors=context.get("form_show_errors", True) is not False,
        **(context.get("nhsuk_options") or {}),
    )


@dataclass(frozen=True)
class SummaryError:
    text: str
    href: str  # empty for errors that belong to no visible field


@register.simple_tag
def nhsuk_error_list(form: forms.BaseForm | forms.BaseFormSet) -> list[SummaryError]:
    """The error summary's list: form-wide errors first, then each field in page order."""
    if isinstance(form, forms.BaseFormSet):
        errors = [SummaryError(str(e), "") for e in form.non_form_errors()]
        for subform in form:
            errors += nhsuk_error_list(subform)
        return errors
    errors = [SummaryError(str(e), "") for e in form.non_field_errors()]
    for bound_field in form:
        if bound_field.errors:
            nhsuk = NhsField(bound_field)
            href = "" if bound_field.is_hidden else f"#{nhsuk.anchor}"
            errors.append(SummaryError(nhsuk.error, href))
    return errors
