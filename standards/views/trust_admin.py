"""The trust administration area: a trust's sites, wards and people, for its administrators.

Another trust's pages answer 404; people of the trust without the administrator role get 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import invitations, people, selectors
from ..forms import apply_service
from ..models import ServiceType, Trust, TrustRole, WardRole
from ..people_import import PeopleImportError, apply_import, plan_import
from ..trust_admin_forms import (
    AddTrustRoleForm,
    AddWardRoleForm,
    ImportForm,
    InviteForm,
    MoveForm,
    RemoveTrustRoleForm,
    SiteForm,
    WardForm,
)

IMPORT_SESSION_KEY = "trust_admin_import"


def _trust(request: HttpRequest, trust_id: int) -> Trust:
    return selectors.get_trust_for_admin(user=request.user, trust_id=trust_id)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_GET
def home(request: HttpRequest, trust_id: int) -> HttpResponse:
    trust = _trust(request, trust_id)
    context = {
        "trust": trust,
        "sites": selectors.trust_sites(trust=trust),
        "wards": selectors.trust_wards(trust=trust),
        "people": selectors.trust_people(trust=trust),
        "invitations": selectors.open_invitations(trust=trust),
        "invitation_days": invitations.invitation_days(),
        "events": selectors.trust_sign_in_events(trust=trust),
        "history": selectors.people_history(trust=trust, limit=20),
    }
    return render(request, "standards/trust_admin/home.html", context)


@require_http_methods(["GET", "POST"])
def site_form(request: HttpRequest, trust_id: int, site_id: int | None = None) -> HttpResponse:
    trust = _trust(request, trust_id)
    site = selectors.get_site_for_admin(trust=trust, site_id=site_id) if site_id else None
    initial = {"name": site.name} if site else None
    form = SiteForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        name = form.cleaned_data["name"]
        if site is None:
            done = apply_service(form, people.create_site, by=request.user, trust=trust, name=name)
        else:
            done = apply_service(form, people.rename_site, by=request.user, site=site, name=name)
        if done is not None:
            messages.success(request, f"Site {done.name} saved")
            return redirect("trust_admin:home", trust.pk)
    context = {"trust": trust, "site": site, "form": form}
    return render(request, "standards/trust_admin/site_form.html", context)


@require_http_methods(["GET", "POST"])
def ward_form(request: HttpRequest, trust_id: int, ward_id: int | None = None) -> HttpResponse:
    trust = _trust(request, trust_id)
    ward = selectors.get_ward_for_admin(trust=trust, ward_id=ward_id) if ward_id else None
    form = WardForm(
        request.POST if request.method == "POST" else None,
        trust=trust,
        editing=ward is not None,
        initial=WardForm.initial_for(ward) if ward else None,
    )
    if form.is_bound and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        if ward is None:
            done = apply_service(form, people.create_ward, by=request.user, **data)
        else:
            done = apply_service(form, people.update_ward, by=request.user, ward=ward, **data)
        if done is not None:
            messages.success(request, f"Ward {done.name} saved")
            return redirect("trust_admin:home", trust.pk)
    context = {"trust": trust, "ward": ward, "form": form}
    return render(request, "standards/trust_admin/ward_form.html", context)


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, trust_id: int) -> HttpResponse:
    trust = _trust(request, trust_id)
    form = InviteForm(request.POST if request.method == "POST" else None, trust=trust)
    if form.is_bound and form.is_valid():
        invitation = apply_service(
            form,
            invitations.invite_person,
            by=request.user,
            trust=trust,
            base_url=_base_url(request),
            **form.service_arguments(),
        )
        if invitation is not None:
            messages.success(request, f"Invitation sent to {invitation.email}")
            return redirect("trust_admin:home", trust.pk)
    context = {"trust": trust, "form": form, "invitation_days": invitations.invitation_days()}
    return render(request, "standards/trust_admin/invite.html", context)


def _invitation_action(request: HttpRequest, trust_id: int, invitation_id: int, *, resend: bool):
    trust = _trust(request, trust_id)
    invitation = selectors.get_invitation_for_admin(trust=trust, invitation_id=invitation_id)
    try:
        if resend:
            invitations.resend_invitation(
                by=request.user, invitation=invitation, base_url=_base_url(request)
            )
            messages.success(request, f"Invitation sent again to {invitation.email}")
        else:
            invitations.revoke_invitation(by=request.user, invitation=invitation)
            messages.success(request, f"Invitation to {invitation.email} revoked")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("trust_admin:home", trust.pk)


@require_POST
def invitation_resend(request: HttpRequest, trust_id: int, invitation_id: int) -> HttpResponse:
    return _invitation_action(request, trust_id, invitation_id, resend=True)


@require_POST
def invitation_revoke(request: HttpRequest, trust_id: int, invitation_id: int) -> HttpResponse:
    return _invitation_action(request, trust_id, invitation_id, resend=False)


def _person_page(request, trust, person_id, status: int = 200, **bound) -> HttpResponse:
    person = selectors.get_person_for_admin(trust=trust, person_id=person_id)
    context = {
        "trust": trust,
        "person": person,
        "ward_role_form": bound.get("ward_role_form") or AddWardRoleForm(trust=trust),
        "trust_role_form": bound.get("trust_role_form") or AddTrustRoleForm(),
        "move_form": bound.get("move_form") or MoveForm(trust=trust),
        "move_membership_id": bound.get("move_membership_id"),
        "history": selectors.people_history(trust=trust, person=person.person),
        "is_you": people.changes_yourself(by=request.user, person=person.person),
        "own_change": people.OWN_CHANGE.format(trust=trust.name),
    }
    return render(request, "standards/trust_admin/person.html", context, status=status)


@require_GET
def person_detail(request: HttpRequest, trust_id: int, person_id: int) -> HttpResponse:
    return _person_page(request, _trust(request, trust_id), person_id)


@require_POST
def person_add_ward_role(request: HttpRequest, trust_id: int, person_id: int) -> HttpResponse:
    trust = _trust(request, trust_id)
    person = selectors.get_person_for_admin(trust=trust, person_id=person_id).person
    form = AddWardRoleForm(request.POST, trust=trust)
    if form.is_valid() and apply_service(
        form, people.add_ward_role, by=request.user, person=person, **form.cleaned_data
    ):
        messages.success(request, "Role added")
        return redirect("trust_admin:person", trust.pk, person.pk)
    return _person_page(request, trust, person_id, ward_role_form=form)


@require_POST
def person_add_trust_role(request: HttpRequest, trust_id: int, person_id: int) -> HttpResponse:
    trust = _trust(request, trust_id)
    person = selectors.get_person_for_admin(trust=trust, person_id=person_id).person
    form = AddTrustRoleForm(request.POST)
    if form.is_valid() and apply_service(
        form,
        people.add_trust_role,
        by=request.user,
        trust=trust,
        person=person,
        **form.cleaned_data,
    ):
        messages.success(request, "Role added")
        return redirect("trust_admin:person", trust.pk, person.pk)
    return _person_page(request, trust, person_id, trust_role_form=form)


@require_POST
def person_remove_trust_role(request: HttpRequest, trust_id: int, person_id: int) -> HttpResponse:
    trust = _trust(request, trust_id)
    person = selectors.get_person_for_admin(trust=trust, person_id=person_id).person
    form = RemoveTrustRoleForm(request.POST)
    if form.is_valid():
        try:
            people.remove_trust_role(
                by=request.user, trust=trust, person=person, role=form.cleaned_data["role"]
            )
            messages.success(request, "Role removed")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("trust_admin:person", trust.pk, person.pk)


@require_POST
def membership_remove(request: HttpRequest, trust_id: int, membership_id: int) -> HttpResponse:
    trust = _trust(request, trust_id)
    membership = selectors.get_ward_membership_for_admin(trust=trust, membership_id=membership_id)
    try:
        people.remove_ward_role(by=request.user, membership=membership)
        messages.success(request, "Role removed")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("trust_admin:person", trust.pk, membership.user_id)


@require_POST
def membership_move(request: HttpRequest, trust_id: int, membership_id: int) -> HttpResponse:
    trust = _trust(request, trust_id)
    membership = selectors.get_ward_membership_for_admin(trust=trust, membership_id=membership_id)
    form = MoveForm(request.POST, trust=trust)
    if form.is_valid() and apply_service(
        form, people.move_person, by=request.user, membership=membership, **form.cleaned_data
    ):
        messages.success(request, f"Moved to {form.cleaned_data['to_ward'].name}")
        return redirect("trust_admin:person", trust.pk, membership.user_id)
    return _person_page(
        request, trust, membership.user_id, move_form=form, move_membership_id=membership.pk
    )


@require_POST
def person_active(request: HttpRequest, trust_id: int, person_id: int) -> HttpResponse:
    """Deactivate (they can no longer sign in) or reactivate a person."""
    trust = _trust(request, trust_id)
    person = selectors.get_person_for_admin(trust=trust, person_id=person_id).person
    reactivate = request.POST.get("active") == "yes"
    service = people.reactivate_person if reactivate else people.deactivate_person
    try:
        service(by=request.user, trust=trust, person=person)
        state = "can sign in again" if person.is_active else "can no longer sign in"
        messages.success(request, f"{person.display_name} {state}")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("trust_admin:person", trust.pk, person.pk)


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, trust_id: int) -> HttpResponse:
    """Upload a CSV file; if every line is valid, show what would change before applying."""
    trust = _trust(request, trust_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    plan = None
    if form.is_bound and form.is_valid():
        content = form.cleaned_data["file"]
        plan = plan_import(trust=trust, content=content, by=request.user)
        if plan.is_valid:
            request.session[IMPORT_SESSION_KEY] = {"trust": trust.pk, "content": content}
        else:
            form.add_error("file", f"The file has {len(plan.errors)} problems: nothing was saved")
    context = {
        "trust": trust,
        "form": form,
        "plan": plan,
        "service_types": ServiceType.choices,
        "ward_roles": WardRole.choices,
        "trust_roles": TrustRole.choices,
    }
    return render(request, "standards/trust_admin/import.html", context)


@require_POST
def import_apply(request: HttpRequest, trust_id: int) -> HttpResponse:
    trust = _trust(request, trust_id)
    pending = request.session.get(IMPORT_SESSION_KEY) or {}
    if pending.get("trust") != trust.pk:
        messages.error(request, "Upload the file again: the preview was lost or has expired")
        return redirect("trust_admin:import", trust.pk)
    try:
        plan = apply_import(
            by=request.user, trust=trust, content=pending["content"], base_url=_base_url(request)
        )
    except PeopleImportError as error:
        # Something changed since the preview (a ward closed, an invitation sent).
        messages.error(request, "Nothing was saved: " + " ".join(error.errors[:5]))
        return redirect("trust_admin:import", trust.pk)
    del request.session[IMPORT_SESSION_KEY]
    messages.success(request, _applied_summary(plan))
    return redirect("trust_admin:home", trust.pk)


def _applied_summary(plan) -> str:
    parts = [
        (len(plan.new_sites), "site", "added"),
        (len(plan.new_wards), "ward", "added"),
        (len(plan.changed_wards), "ward", "changed"),
        (len(plan.invitations), "person", "invited"),
        (len(plan.grants), "person", "given new roles"),
    ]
    said = [
        f"{n} {word if n == 1 else ('people' if word == 'person' else word + 's')} {what}"
        for n, word, what in parts
        if n
    ]
    return "Import applied: " + (", ".join(said) if said else "nothing needed to change")
