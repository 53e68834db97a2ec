"""allauth's forms with the service's own labels, error messages and sign-in protection."""

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.forms import LoginForm, ResetPasswordForm
from allauth.core import context
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.forms import AuthenticateWebAuthnForm
from allauth.mfa.webauthn.internal import auth as webauthn_auth
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from . import password_reset, protection


class SignInForm(LoginForm):
    """Username or email address and password; no "remember me" on shared ward computers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Username or email address"
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs["autocomplete"] = "username"
        login.widget.attrs["spellcheck"] = "false"
        login.error_messages["required"] = "Enter your username or email address"
        # Usernames are at most 150 characters and addresses 254: anything longer is refused
        # here, before it reaches a database lookup.
        login.max_length = 254
        login.validators.append(MaxLengthValidator(254))
        login.error_messages["max_length"] = (
            "Username or email address must be 254 characters or fewer"
        )
        password = self.fields["password"]
        password.help_text = ""
        password.widget.attrs.pop("placeholder", None)
        password.error_messages["required"] = "Enter your password"
        self.fields.pop("remember", None)

    def clean(self):
        # Every post counts towards its address's limit, even one with field errors.
        try:
            protection.sign_in_post(self.request)
        except protection.Refused as refused:
            raise _refusal(refused) from None
        return super().clean()


def _refusal(refused: protection.Refused) -> ValidationError:
    adapter = get_account_adapter()
    if refused.wait:
        return adapter.validation_error(refused.reason, refused.wait)
    return adapter.validation_error(refused.reason)


class SecondFactorForm(AuthenticateForm):
    """The code after the password, counted per (account, address) and per address: someone
    who has the password cannot lock the owner out of their second factor, and a success clears
    only this person's own count (protection.code_attempt)."""

    def clean_code(self) -> str:
        request = context.request
        try:
            attempt = protection.code_attempt(request, self.user)
        except protection.Refused as refused:
            raise _refusal(refused) from None
        code = self.cleaned_data["code"]
        main = None
        for authenticator in Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN  # a security key cannot check a typed code
        ):
            if main is None or authenticator.type == Authenticator.Type.TOTP:
                main = authenticator
            if authenticator.wrap().validate_code(code):
                authenticator.user = self.user
                self.authenticator = authenticator
                attempt.succeeded()
                return code
        protection.code_failed(request, self.user)
        if main is not None:
            self._emit_authentication_failed(main)
        raise get_mfa_adapter().validation_error("incorrect_code")


class SecurityKeyForm(AuthenticateWebAuthnForm):
    """A security key after the password, counted like a code."""

    def clean_credential(self) -> Authenticator:
        request = context.request
        try:
            attempt = protection.code_attempt(request, self.user)
        except protection.Refused as refused:
            raise _refusal(refused) from None
        credential = self.cleaned_data["credential"]
        try:
            webauthn_auth.parse_authentication_response(credential)
            authenticator = webauthn_auth.complete_authentication(self.user, credential)
        except ValidationError:
            protection.code_failed(request, self.user)
            raise
        attempt.succeeded()
        return authenticator


class PasswordResetRequestForm(ResetPasswordForm):
    """Asks for the reset without looking the address up: the worker does that, so a known and
    an unknown address take the same path here (password_reset)."""

    def clean_email(self) -> str:
        email = get_account_adapter().clean_email(self.cleaned_data["email"].lower())
        self.users = []
        return email

    def save(self, request, **kwargs) -> str:
        email = self.cleaned_data["email"]
        password_reset.request_reset(email)
        return email
