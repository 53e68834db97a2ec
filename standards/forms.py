from django import forms


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
