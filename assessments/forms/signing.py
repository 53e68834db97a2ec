"""Forms for signing, co-signing and reopening an assessment."""

from django import forms

from culture_of_care.nhsuk_forms import LongTextField

from ..models import SignatureDecision, SignatureRole
from .rounds import reason_field

# The form a person uses to sign is chosen by the role they sign in (a hidden field), since
# someone may hold both roles and is offered both forms.
ROLE_FIELD = "signing_as"


class ManagerSignForm(forms.Form):
    role = SignatureRole.WARD_MANAGER
    declaration = forms.BooleanField(
        label=(
            "I confirm that the agreed ratings, evidence and actions are a fair record of "
            "what the ward agreed"
        ),
        error_messages={"required": "Confirm the declaration to sign the assessment"},
    )


class LeaderSignForm(forms.Form):
    role = SignatureRole.LIVED_EXPERIENCE_LEADER
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[
            (SignatureDecision.SIGNED, "Sign"),
            (SignatureDecision.RESERVATIONS, "Sign with reservations"),
            (SignatureDecision.DECLINED, "Decline to sign"),
        ],
        error_messages={
            "required": "Choose whether you sign, sign with reservations or decline",
            "invalid_choice": "Choose whether you sign, sign with reservations or decline",
        },
    )
    # Not stripped: reservations and reasons are reproduced exactly as written.
    words = LongTextField(
        what="Your reservations or reason",
        label="Your reservations or reason, in your own words",
        help_text=(
            "Needed if you sign with reservations or decline. It is shown word for word "
            "wherever this assessment is reported."
        ),
        required=False,
        strip=False,
        rows=6,
    )


SIGN_FORMS = {form.role: form for form in (ManagerSignForm, LeaderSignForm)}


class ReopenForm(forms.Form):
    reason = reason_field(
        label="Why are you reopening this assessment?",
        required="Enter why the assessment is being reopened",
        hint="The signatures are voided. The reason is kept and shown with the assessment.",
    )
