"""Forms of the trust administration area. Each field where people type says who sees it."""

from django import forms

from .models import ServiceType, Site, Trust, TrustRole, Ward, WardRole

TRUST_SEES = "Everyone at your trust who uses Culture of Care sees this."
ADMINS_AND_PERSON_SEE = (
    "Your trust's administrators and the person invited see this. It is in the invitation email."
)
MAX_IMPORT_BYTES = 1024 * 1024


class SiteForm(forms.Form):
    name = forms.CharField(
        label="Site name",
        max_length=200,
        help_text=f"For example, Riverside Hospital. {TRUST_SEES}",
        error_messages={
            "required": "Enter the site's name",
            "max_length": "Site name must be 200 characters or fewer",
        },
    )


class WardForm(forms.Form):
    name = forms.CharField(
        label="Ward name",
        max_length=200,
        help_text=f"For example, Willow Ward. {TRUST_SEES}",
        error_messages={
            "required": "Enter the ward's name",
            "max_length": "Ward name must be 200 characters or fewer",
        },
    )
    site = forms.ModelChoiceField(
        label="Site",
        queryset=Site.objects.none(),
        empty_label="Choose a site",
        error_messages={
            "required": "Choose the ward's site",
            "invalid_choice": "Choose one of your trust's sites",
        },
    )
    service_type = forms.ChoiceField(
        label="Service type",
        choices=[("", "Choose a service type"), *ServiceType.choices],
        error_messages={
            "required": "Choose the ward's service type",
            "invalid_choice": "Choose a service type from the list",
        },
    )
    beds = forms.IntegerField(
        label="Number of beds (optional)",
        required=False,
        min_value=1,
        max_value=200,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
        error_messages={
            "invalid": "Number of beds must be a whole number, like 18",
            "min_value": "Number of beds must be 1 or more",
            "max_value": "Number of beds must be 200 or fewer",
        },
    )
    code = forms.CharField(
        label="Ward code (optional)",
        max_length=20,
        required=False,
        help_text="The code your trust uses for this ward in its measures returns, for example "
        "WIL01. Lines of a ward measures CSV file are matched to the ward by it. Each ward needs "
        f"its own code. {TRUST_SEES}",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
        error_messages={"max_length": "Ward code must be 20 characters or fewer"},
    )
    support_contact = forms.CharField(
        label="Who can people talk to if a standard is hard to read? (optional)",
        max_length=300,
        required=False,
        help_text="Some standards are about restraint, seclusion, sexual safety or racism. "
        "Pages with them name this contact, for example: the nurse in charge, or the ward's "
        "peer support worker. Shown to the ward's people only. Never a patient's details.",
        error_messages={"max_length": "Keep the contact to 300 characters or fewer"},
    )
    is_active = forms.TypedChoiceField(
        label="Is the ward open?",
        choices=[("yes", "Open"), ("no", "Closed")],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
        help_text="A closed ward keeps its assessments, people and history. Nobody can be "
        "added to it until it reopens.",
        error_messages={"required": "Choose whether the ward is open or closed"},
    )

    def __init__(self, *args, trust: Trust, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = trust.sites.order_by("name")
        if not editing:
            del self.fields["is_active"]

    @staticmethod
    def initial_for(ward: Ward) -> dict:
        return {
            "name": ward.name,
            "site": ward.site_id,
            "service_type": ward.service_type,
            "beds": ward.beds,
            "code": ward.code,
            "support_contact": ward.support_contact,
            "is_active": "yes" if ward.is_active else "no",
        }


def _open_wards(trust: Trust):
    return Ward.objects.filter(site__trust=trust, is_active=True).select_related("site")


class WardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Ward) -> str:
        return f"{obj.name}, {obj.site.name}"


class InviteForm(forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        help_text=ADMINS_AND_PERSON_SEE,
        error_messages={
            "required": "Enter their first name",
            "max_length": "First name must be 150 characters or fewer",
        },
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        error_messages={
            "required": "Enter their last name",
            "max_length": "Last name must be 150 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Work email address",
        max_length=254,
        help_text="We send the invitation here. Once they accept, people at your trust who "
        "work with them can see it.",
        error_messages={
            "required": "Enter their work email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    ward = WardChoiceField(
        label="Ward (optional)",
        queryset=Ward.objects.none(),
        required=False,
        empty_label="No ward role",
        error_messages={"invalid_choice": "Choose one of your trust's open wards"},
    )
    ward_role = forms.ChoiceField(
        label="Role on the ward",
        required=False,
        choices=[("", "Choose a role"), *WardRole.choices],
        error_messages={"invalid_choice": "Choose a ward role from the list"},
    )
    trust_roles = forms.MultipleChoiceField(
        label="Trust roles (optional)",
        required=False,
        choices=TrustRole.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Trust roles must sign in with a second factor, such as an authenticator app.",
        error_messages={"invalid_choice": "Choose trust roles from the list"},
    )

    def __init__(self, *args, trust: Trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = _open_wards(trust)

    def clean(self):
        data = super().clean()
        ward, role = data.get("ward"), data.get("ward_role")
        if ward and not role and "ward_role" not in self.errors:
            self.add_error("ward_role", f"Choose their role on {ward.name}")
        if role and not ward and "ward" not in self.errors:
            self.add_error("ward", "Choose the ward for their ward role")
        if not self.errors and not ward and not data.get("trust_roles"):
            self.add_error("ward", "Choose a ward role or a trust role, or both")
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        ward = data.get("ward")
        return {
            "email": data["email"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "ward_roles": [(ward, data["ward_role"])] if ward else [],
            "trust_roles": data.get("trust_roles") or [],
        }


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Avoid common words and anything about you. Nobody "
        "else sees your password: it is stored scrambled.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match. Type the same password twice")
        return data


class AddWardRoleForm(forms.Form):
    ward = WardChoiceField(
        label="Ward",
        queryset=Ward.objects.none(),
        empty_label="Choose a ward",
        error_messages={
            "required": "Choose a ward",
            "invalid_choice": "Choose one of your trust's open wards",
        },
    )
    role = forms.ChoiceField(
        label="Role on the ward",
        choices=[("", "Choose a role"), *WardRole.choices],
        error_messages={
            "required": "Choose a role on the ward",
            "invalid_choice": "Choose a ward role from the list",
        },
    )

    def __init__(self, *args, trust: Trust, **kwargs):
        super().__init__(*args, prefix="ward-role", **kwargs)
        self.fields["ward"].queryset = _open_wards(trust)


class AddTrustRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Trust role",
        choices=[("", "Choose a role"), *TrustRole.choices],
        help_text="Trust roles must sign in with a second factor, such as an authenticator app.",
        error_messages={
            "required": "Choose a trust role",
            "invalid_choice": "Choose a trust role from the list",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="trust-role", **kwargs)


class MoveForm(forms.Form):
    to_ward = WardChoiceField(
        label="Move to",
        queryset=Ward.objects.none(),
        empty_label="Choose a ward",
        error_messages={
            "required": "Choose the ward to move them to",
            "invalid_choice": "Choose one of your trust's open wards",
        },
    )

    def __init__(self, *args, trust: Trust, **kwargs):
        super().__init__(*args, prefix="move", **kwargs)
        self.fields["to_ward"].queryset = _open_wards(trust)


class RemoveTrustRoleForm(forms.Form):
    role = forms.ChoiceField(choices=TrustRole.choices)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Up to 2,000 rows and 1 MB. Your trust's administrators see what it holds; "
        "people it names see their own name and roles once they accept.",
        error_messages={
            "required": "Choose a CSV file to upload",
            "empty": "The file is empty. Choose a CSV file with a header row and data",
            "invalid": "Choose a CSV file to upload",
        },
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file must be 1 MB or smaller")
        raw = upload.read()
        if b"\x00" in raw:
            raise forms.ValidationError("The file must be a CSV file saved as text")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file must be a CSV file saved as UTF-8 text (in Excel: CSV UTF-8)"
            ) from None
