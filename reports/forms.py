from django import forms

from standards.models import ServiceType


class TrustFilterForm(forms.Form):
    site = forms.TypedChoiceField(label="Site", required=False, coerce=int, empty_value=None)
    service_type = forms.ChoiceField(label="Service type", required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "All sites")] + [(s.pk, s.name) for s in sites]
        self.fields["service_type"].choices = [("", "All service types"), *ServiceType.choices]
