"""Layout objects for the ``nhsuk`` crispy template pack.

They subclass crispy's own objects so ``FormHelper`` and ``Layout`` treat them as usual; the
only additions are the NHS.UK options that a plain crispy layout cannot express.
"""

from __future__ import annotations

from typing import Any, Literal

from crispy_forms import layout as crispy
from crispy_forms.utils import TEMPLATE_PACK, flatatt
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# The label and legend modifier sizes in NHS.UK frontend (nhsuk-label--m, ...).
Size = Literal["", "s", "m", "l", "xl"]


class Field(crispy.Field):
    """A form field with NHS.UK display options.

    ``label_size`` sizes the label, or the legend for radios, checkboxes and date inputs.
    ``is_page_heading`` wraps that label or legend in the page's ``<h1>``, for one-question pages.
    ``inline`` lays out radios or checkboxes side by side.
    ``item_hints`` maps a choice value to hint text shown under that radio or checkbox.
    Other keyword arguments become attributes of the input, as with crispy's ``Field``.
    """

    def __init__(
        self,
        *fields: str,
        label_size: Size = "",
        is_page_heading: bool = False,
        inline: bool = False,
        item_hints: dict[Any, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*fields, **kwargs)
        self.nhsuk_options = {
            "label_size": label_size,
            "is_page_heading": is_page_heading,
            "inline": inline,
            # Keys as strings, because choice values arrive from the template as strings.
            "item_hints": {str(key): hint for key, hint in (item_hints or {}).items()},
        }

    def render(
        self,
        form: Any,
        context: Context,
        template_pack: str = TEMPLATE_PACK,
        extra_context: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SafeString:
        # One namespaced key, so page context variables such as "inline" cannot leak in.
        extra_context = {"nhsuk_options": self.nhsuk_options, **(extra_context or {})}
        return super().render(form, context, template_pack, extra_context=extra_context, **kwargs)


class Fieldset(crispy.Fieldset):
    """An NHS.UK fieldset grouping several questions under one legend.

    ``legend_size`` picks the ``nhsuk-fieldset__legend--<size>`` class and ``is_page_heading``
    puts the legend text in the page's ``<h1>``.
    """

    def __init__(
        self,
        legend: str,
        *fields: Any,
        legend_size: Size = "",
        is_page_heading: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(legend, *fields, **kwargs)
        self.legend_size = legend_size
        self.is_page_heading = is_page_heading


class Button(crispy.BaseInput):
    """An NHS.UK button: ``<button class="nhsuk-button" data-module="nhsuk-button">``.

    Unlike crispy's ``Submit`` it needs no name, so the markup matches the NHS component; give
    ``name`` and ``value`` only when the view must know which of several buttons was pressed.
    Use it in a layout or with ``helper.add_input()``.
    """

    template = "%s/layout/baseinput.html"
    input_type = "submit"

    def __init__(
        self,
        text: str,
        *,
        secondary: bool = False,
        prevent_double_click: bool = False,
        name: str = "",
        value: str = "",
        input_type: Literal["submit", "button", "reset"] = "submit",
        css_id: str | None = None,
        css_class: str | None = None,
        template: str | None = None,
        **kwargs: Any,
    ) -> None:
        # crispy's BaseInput.__init__ is skipped: it requires a name and invents an id.
        self.text = text
        self.name = name
        self.value = value
        self.input_type = input_type
        self.id = css_id or ""
        self.prevent_double_click = prevent_double_click
        classes = ["nhsuk-button", "nhsuk-button--secondary" if secondary else "", css_class or ""]
        self.nhsuk_class = " ".join(c for c in classes if c)
        self.template = template or self.template
        self.flat_attrs = flatatt(kwargs)

    def render(
        self, form: Any, context: Context, template_pack: str = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        # As with crispy's inputs, the text may use the page's context ("Save {{ thing }}").
        text = Template(str(self.text)).render(context)
        context.update({"input": self, "input_text": text})
        try:
            return render_to_string(self.get_template_name(template_pack), context.flatten())
        finally:
            context.pop()
