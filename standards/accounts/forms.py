"""allauth's forms with the service's own labels and error messages."""

from allauth.account.forms import LoginForm


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
        password = self.fields["password"]
        password.help_text = ""
        password.widget.attrs.pop("placeholder", None)
        password.error_messages["required"] = "Enter your password"
        self.fields.pop("remember", None)
