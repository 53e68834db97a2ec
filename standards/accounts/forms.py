"""allauth's forms with the service's own labels and error messages."""

from allauth.account.forms import LoginForm
from django.core.validators import MaxLengthValidator


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
