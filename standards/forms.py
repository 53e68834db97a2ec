from django import forms


class PillarFilterForm(forms.Form):
    pillar = forms.ChoiceField(label="Show standards for a pillar", required=False)

    def __init__(self, *args, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].choices = [("", "All pillars")] + [(p.slug, p.title) for p in pillars]
