from django import forms
from django.contrib.auth.forms import AuthenticationForm

from . import services


class ThrottledAuthenticationForm(AuthenticationForm):
    """Sign-in that pauses after repeated failures for a username or an address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "throttled": (
            "Too many failed attempts to sign in. Wait 15 minutes, then try again, "
            "or reset your password."
        ),
    }

    def _address(self) -> str:
        return self.request.META.get("REMOTE_ADDR", "") if self.request else ""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self._address()
        if services.login_is_throttled(username=username, address=address):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.record_failed_login(username=username, address=address)
            raise
        services.clear_failed_logins(username=username, address=address)
        return cleaned


class PillarFilterForm(forms.Form):
    pillar = forms.ChoiceField(label="Show standards for a pillar", required=False)

    def __init__(self, *args, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].choices = [("", "All pillars")] + [(p.slug, p.title) for p in pillars]
