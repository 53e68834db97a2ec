from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def apply_service(form: forms.Form, service: Callable[..., Any], **kwargs) -> Any | None:
    """Call a service for a view; put its rule errors on the form (by field where it names
    one) and return None, or return the service's result.

    A conflict (code "conflict": someone else saved first) is re-raised, for the view to show
    both versions.
    """
    try:
        return service(**kwargs)
    except ValidationError as error:
        if getattr(error, "code", None) == "conflict":
            raise
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


class PillarFilterForm(forms.Form):
    pillar = forms.ChoiceField(label="Show standards for a pillar", required=False)

    def __init__(self, *args, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].choices = [("", "All pillars")] + [(p.slug, p.title) for p in pillars]


class EmailChoiceForm(forms.Form):
    """How often a person wants emails about their work."""

    email_choice = forms.ChoiceField(
        label="How do you want to hear about your work?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how often you want emails",
            "invalid_choice": "Choose how often you want emails",
        },
    )

    def __init__(self, *args, **kwargs):
        from .models import EmailChoice

        super().__init__(*args, **kwargs)
        self.fields["email_choice"].choices = EmailChoice.choices
