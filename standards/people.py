"""Services of the trust administration area: sites, wards, and people's roles.

Every function takes the acting user as `by=`, who must be a trust administrator of the trust
changed, and records what it changed in `PeopleHistoryEntry`.
"""

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


def _check_ward_code(*, trust: Trust, code: str, ward=None) -> str:
    """A ward's code matches the lines of a ward measures CSV file: one ward a code a trust."""
    code = (code or "").strip()
    if len(code) > WARD_CODE_MAX:
        raise ValidationError({"code": f"Ward code must be {WARD_CODE_MAX} characters or fewer"})
    if code:
        same = Ward.objects.filter(site__trust=trust, code__iexact=code)
        if ward is not None:
            same = same.exclude(pk=ward.pk)
        taken = same.first()
        if taken is not None:
            raise ValidationError({"code": f"{taken.name} already has the ward code {code}"})
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


@transaction.atomic
def deactivate_person(*, by: User, trust: Trust, person: User) -> User:
    """The person can no longer sign in; their ratings, signatures and history keep their
    name. A person with roles in another trust is that trust's to deactivate too."""
    ensure_trust_admin(by=by, trust=trust)
    if person.pk == by.pk:
        raise ValidationError("You cannot deactivate yourself. Ask another trust administrator.")
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


@transaction.atomic
def remove_trust_role(*, by: User, trust: Trust, person: User, role: str) -> None:
    """The trust keeps at least one trust administrator, so the last cannot remove their own."""
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
