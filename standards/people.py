"""Services of the trust administration area: sites, wards, and people's roles.

Every function takes the acting user as `by=`, who must be a trust administrator of the trust
changed, and records what it changed in `PeopleHistoryEntry`.
"""

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from . import kept
from .models import (
    PeopleChange,
    PeopleHistoryEntry,
    ServiceType,
    Site,
    Trust,
    TrustMembership,
    TrustRole,
    User,
    Ward,
    WardMembership,
    WardRole,
)

MAX_BEDS = 200
WARD_CODE_MAX = 20
OWN_CHANGE = (
    "You cannot change your own roles or close your own account. Ask another trust "
    "administrator of {trust} to do it."
)


def changes_yourself(*, by, person) -> bool:
    """Nobody adds, moves or removes their own roles or closes their own account (a trust
    administrator could otherwise give themselves any role): another administrator must."""
    return by.pk == person.pk


def is_trust_admin(*, user, trust: Trust) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and TrustMembership.objects.filter(
            user=user, trust=trust, role=TrustRole.TRUST_ADMIN
        ).exists()
    )


def ensure_trust_admin(*, by: User, trust: Trust) -> None:
    """Only the trust's own administrators change its sites, wards and people."""
    if not is_trust_admin(user=by, trust=trust):
        raise PermissionDenied("Only a trust administrator of this trust can do this.")


def record(
    *,
    trust: Trust,
    by: User | None,
    change: str,
    summary: str,
    person: User | None = None,
    invitation=None,
    before: dict | None = None,
    after: dict | None = None,
) -> PeopleHistoryEntry:
    # Every change recorded here is to what the trust's kept pages may read (standards/kept.py).
    kept.bump([trust.pk])
    return PeopleHistoryEntry.objects.create(
        trust=trust,
        by=by,
        change=change,
        summary=summary[:500],
        person=person,
        invitation=invitation,
        before=before or {},
        after=after or {},
    )


def not_on_yourself(attempt: str, subject: Callable[[dict], tuple[Trust, User]]):
    """Refuse a change to the acting person's own roles or account, and record the refused
    attempt in the people history (outside the change's transaction, so it is kept)."""

    def decorate(service):
        @functools.wraps(service)
        def refusing(*, by: User, **kwargs):
            trust, person = subject(kwargs)
            if changes_yourself(by=by, person=person) and is_trust_admin(user=by, trust=trust):
                record(
                    trust=trust,
                    by=by,
                    person=person,
                    change=PeopleChange.REFUSED,
                    summary=f"{by.display_name} tried to {attempt} and was refused: nobody "
                    "changes their own roles",
                    after={"attempt": attempt},
                )
                raise ValidationError(OWN_CHANGE.format(trust=trust.name), code="own_change")
            return service(by=by, **kwargs)

        return refusing

    return decorate


def _trust_person(kwargs: dict) -> tuple[Trust, User]:
    return kwargs["trust"], kwargs["person"]


def _ward_person(kwargs: dict) -> tuple[Trust, User]:
    return kwargs["ward"].site.trust, kwargs["person"]


def _membership_person(kwargs: dict) -> tuple[Trust, User]:
    membership = kwargs["membership"]
    return membership.ward.site.trust, membership.user


def _ward_snapshot(ward: Ward) -> dict:
    return {
        "name": ward.name,
        "site": ward.site.name,
        "service_type": ward.service_type,
        "beds": ward.beds,
        "support_contact": ward.support_contact,
        "is_active": ward.is_active,
        "code": ward.code,
    }


def _clean_name(name: str, *, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": f"Enter the {what}'s name"})
    if len(name) > 200:
        raise ValidationError({"name": f"The {what}'s name must be 200 characters or fewer"})
    return name


# Sites and wards


@transaction.atomic
def create_site(*, by: User, trust: Trust, name: str) -> Site:
    ensure_trust_admin(by=by, trust=trust)
    name = _clean_name(name, what="site")
    if Site.objects.filter(trust=trust, name__iexact=name).exists():
        raise ValidationError({"name": f"{trust} already has a site called {name}"})
    site = Site.objects.create(trust=trust, name=name)
    record(
        trust=trust,
        by=by,
        change=PeopleChange.SITE_ADDED,
        summary=f"Site {name} added",
        after={"name": name},
    )
    return site


@transaction.atomic
def rename_site(*, by: User, site: Site, name: str) -> Site:
    ensure_trust_admin(by=by, trust=site.trust)
    name = _clean_name(name, what="site")
    if Site.objects.filter(trust=site.trust, name__iexact=name).exclude(pk=site.pk).exists():
        raise ValidationError({"name": f"{site.trust} already has a site called {name}"})
    before = site.name
    if before != name:
        site.name = name
        site.save(update_fields=["name"])
        record(
            trust=site.trust,
            by=by,
            change=PeopleChange.SITE_CHANGED,
            summary=f"Site {before} renamed {name}",
            before={"name": before},
            after={"name": name},
        )
    return site


def _check_ward(*, site: Site, name: str, service_type: str, beds: int | None, ward=None) -> str:
    name = _clean_name(name, what="ward")
    errors = {}
    if service_type not in ServiceType.values:
        errors["service_type"] = "Select the ward's service type"
    if beds is not None and not 1 <= beds <= MAX_BEDS:
        errors["beds"] = f"Number of beds must be a whole number from 1 to {MAX_BEDS}"
    same_name = Ward.objects.filter(site=site, name__iexact=name)
    if ward is not None:
        same_name = same_name.exclude(pk=ward.pk)
    if same_name.exists():
        errors["name"] = f"{site} already has a ward called {name}"
    if errors:
        raise ValidationError(errors)
    return name


def ward_code_problem(code: str, *, holder: Ward | None) -> str:
    """What is wrong with a ward's code ("" when nothing): at most WARD_CODE_MAX characters,
    and held by no other ward of the trust (``holder``, found ignoring case). The ward form
    and the wards CSV import both check codes by this rule."""
    if len(code) > WARD_CODE_MAX:
        return f"Ward code must be {WARD_CODE_MAX} characters or fewer"
    if code and holder is not None:
        return f"{holder.name} already has the ward code {code}"
    return ""


def _check_ward_code(*, trust: Trust, code: str, ward=None) -> str:
    """A ward's code matches the lines of a ward measures CSV file: one ward a code a trust."""
    code = (code or "").strip()
    holder = None
    if code and len(code) <= WARD_CODE_MAX:
        same = Ward.objects.filter(site__trust=trust, code__iexact=code)
        if ward is not None:
            same = same.exclude(pk=ward.pk)
        holder = same.first()
    problem = ward_code_problem(code, holder=holder)
    if problem:
        raise ValidationError({"code": problem})
    return code


@transaction.atomic
def create_ward(
    *,
    by: User,
    site: Site,
    name: str,
    service_type: str,
    beds: int | None = None,
    support_contact: str = "",
    code: str = "",
) -> Ward:
    ensure_trust_admin(by=by, trust=site.trust)
    name = _check_ward(site=site, name=name, service_type=service_type, beds=beds)
    code = _check_ward_code(trust=site.trust, code=code)
    ward = Ward.objects.create(
        site=site,
        name=name,
        service_type=service_type,
        beds=beds,
        support_contact=support_contact.strip(),
        code=code,
    )
    record(
        trust=site.trust,
        by=by,
        change=PeopleChange.WARD_ADDED,
        summary=f"Ward {name} added at {site}",
        after=_ward_snapshot(ward),
    )
    return ward


@transaction.atomic
def update_ward(
    *,
    by: User,
    ward: Ward,
    site: Site,
    name: str,
    service_type: str,
    beds: int | None,
    is_active: bool,
    support_contact: str = "",
    code: str | None = None,
) -> Ward:
    """Change a ward's details, or close it (its people, assessments and history stay). A code
    of None keeps the ward's code."""
    trust = ward.site.trust
    ensure_trust_admin(by=by, trust=trust)
    if site.trust_id != trust.pk:
        raise ValidationError({"site": "Choose one of your trust's sites"})
    name = _check_ward(site=site, name=name, service_type=service_type, beds=beds, ward=ward)
    code = ward.code if code is None else _check_ward_code(trust=trust, code=code, ward=ward)
    before = _ward_snapshot(ward)
    ward.site, ward.name, ward.service_type, ward.beds, ward.is_active = (
        site,
        name,
        service_type,
        beds,
        is_active,
    )
    ward.support_contact = support_contact.strip()
    ward.code = code
    after = _ward_snapshot(ward)
    if before != after:
        ward.save()
        if before["is_active"] != is_active:
            what = "closed" if not is_active else "reopened"
        else:
            what = "changed"
        record(
            trust=trust,
            by=by,
            change=PeopleChange.WARD_CHANGED,
            summary=f"Ward {name} {what}",
            before=before,
            after=after,
        )
    return ward


# People


def _other_trust_roles_exist(*, person: User, trust: Trust) -> bool:
    return (
        TrustMembership.objects.filter(user=person).exclude(trust=trust).exists()
        or WardMembership.objects.filter(user=person).exclude(ward__site__trust=trust).exists()
    )


def _ensure_keeps_an_admin(*, trust: Trust, losing: User) -> None:
    others = (
        TrustMembership.objects.filter(
            trust=trust, role=TrustRole.TRUST_ADMIN, user__is_active=True
        )
        .exclude(user=losing)
        .exists()
    )
    if not others:
        raise ValidationError(
            "The trust must keep at least one trust administrator. Make someone else a trust "
            "administrator first."
        )


@not_on_yourself("close their own account", _trust_person)
@transaction.atomic
def deactivate_person(*, by: User, trust: Trust, person: User) -> User:
    """The person can no longer sign in; their ratings, signatures and history keep their
    name. A person with roles in another trust is that trust's to deactivate too."""
    ensure_trust_admin(by=by, trust=trust)
    if not person.is_active:
        raise ValidationError(f"{person.display_name} is already deactivated")
    if _other_trust_roles_exist(person=person, trust=trust):
        raise ValidationError(
            f"{person.display_name} also has roles in another trust. Remove their roles here "
            "instead."
        )
    if TrustMembership.objects.filter(user=person, trust=trust, role=TrustRole.TRUST_ADMIN):
        _ensure_keeps_an_admin(trust=trust, losing=person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    record(
        trust=trust,
        by=by,
        person=person,
        change=PeopleChange.DEACTIVATED,
        summary=f"{person.display_name} deactivated: they can no longer sign in",
        before={"is_active": True},
        after={"is_active": False},
    )
    return person


@transaction.atomic
def reactivate_person(*, by: User, trust: Trust, person: User) -> User:
    ensure_trust_admin(by=by, trust=trust)
    if person.is_active:
        raise ValidationError(f"{person.display_name} can already sign in")
    person.is_active = True
    person.save(update_fields=["is_active"])
    record(
        trust=trust,
        by=by,
        person=person,
        change=PeopleChange.REACTIVATED,
        summary=f"{person.display_name} reactivated: they can sign in again",
        before={"is_active": False},
        after={"is_active": True},
    )
    return person


@not_on_yourself("add a ward role to themselves", _ward_person)
@transaction.atomic
def add_ward_role(*, by: User, person: User, ward: Ward, role: str) -> WardMembership:
    trust = ward.site.trust
    ensure_trust_admin(by=by, trust=trust)
    if role not in WardRole.values:
        raise ValidationError({"role": "Choose a ward role"})
    if not ward.is_active:
        raise ValidationError({"ward": f"{ward} is closed. Reopen it first."})
    if WardMembership.objects.filter(user=person, ward=ward, role=role).exists():
        raise ValidationError(
            {"role": f"{person.display_name} is already {WardRole(role).label} on {ward}"}
        )
    membership = WardMembership.objects.create(user=person, ward=ward, role=role)
    label = WardRole(role).label
    record(
        trust=trust,
        by=by,
        person=person,
        change=PeopleChange.ROLE_ADDED,
        summary=f"{person.display_name}: {label} on {ward} added",
        after={"ward": ward.pk, "ward_name": ward.name, "role": role},
    )
    return membership


@not_on_yourself("remove one of their own ward roles", _membership_person)
@transaction.atomic
def remove_ward_role(*, by: User, membership: WardMembership) -> None:
    ward, person = membership.ward, membership.user
    trust = ward.site.trust
    ensure_trust_admin(by=by, trust=trust)
    membership.delete()
    record(
        trust=trust,
        by=by,
        person=person,
        change=PeopleChange.ROLE_REMOVED,
        summary=f"{person.display_name}: {WardRole(membership.role).label} on {ward} removed",
        before={"ward": ward.pk, "ward_name": ward.name, "role": membership.role},
    )


@not_on_yourself("move themselves to another ward", _membership_person)
@transaction.atomic
def move_person(*, by: User, membership: WardMembership, to_ward: Ward) -> WardMembership:
    """Move a person's role from one ward to another ward of the same trust."""
    from_ward, person = membership.ward, membership.user
    trust = from_ward.site.trust
    ensure_trust_admin(by=by, trust=trust)
    if to_ward.site.trust_id != trust.pk:
        raise ValidationError({"to_ward": "Choose one of your trust's wards"})
    if to_ward.pk == from_ward.pk:
        raise ValidationError({"to_ward": f"{person.display_name} is already on {to_ward}"})
    if not to_ward.is_active:
        raise ValidationError({"to_ward": f"{to_ward} is closed. Choose an open ward."})
    label = WardRole(membership.role).label
    if WardMembership.objects.filter(user=person, ward=to_ward, role=membership.role).exists():
        raise ValidationError({"to_ward": f"{person.display_name} is already {label} on {to_ward}"})
    membership.ward = to_ward
    membership.save(update_fields=["ward"])
    record(
        trust=trust,
        by=by,
        person=person,
        change=PeopleChange.MOVED,
        summary=f"{person.display_name}: {label} moved from {from_ward} to {to_ward}",
        before={"ward": from_ward.pk, "ward_name": from_ward.name, "role": membership.role},
        after={"ward": to_ward.pk, "ward_name": to_ward.name, "role": membership.role},
    )
    return membership


@not_on_yourself("give themselves a trust role", _trust_person)
@transaction.atomic
def add_trust_role(*, by: User, trust: Trust, person: User, role: str) -> TrustMembership:
    """Trust-level roles need a second factor: the person is asked to set one up next time."""
    ensure_trust_admin(by=by, trust=trust)
    if role not in TrustRole.values:
        raise ValidationError({"role": "Choose a trust role"})
    try:
        with transaction.atomic():
            membership = TrustMembership.objects.create(user=person, trust=trust, role=role)
    except IntegrityError:
        raise ValidationError(
            {"role": f"{person.display_name} is already {TrustRole(role).label}"}
        ) from None
    record(
        trust=trust,
        by=by,
        person=person,
        change=PeopleChange.ROLE_ADDED,
        summary=f"{person.display_name}: {TrustRole(role).label} added",
        after={"trust_role": role},
    )
    return membership


@not_on_yourself("remove one of their own trust roles", _trust_person)
@transaction.atomic
def remove_trust_role(*, by: User, trust: Trust, person: User, role: str) -> None:
    """The trust keeps at least one trust administrator."""
    ensure_trust_admin(by=by, trust=trust)
    membership = TrustMembership.objects.filter(user=person, trust=trust, role=role).first()
    if membership is None:
        raise ValidationError(f"{person.display_name} does not have that role")
    if role == TrustRole.TRUST_ADMIN:
        _ensure_keeps_an_admin(trust=trust, losing=person)
    membership.delete()
    record(
        trust=trust,
        by=by,
        person=person,
        change=PeopleChange.ROLE_REMOVED,
        summary=f"{person.display_name}: {TrustRole(role).label} removed",
        before={"trust_role": role},
    )
