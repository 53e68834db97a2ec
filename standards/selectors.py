"""Reads of the catalogue and of who may see which trust and ward."""

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import (
    WARD_VISIBLE_TRUST_ROLES,
    Commitment,
    FrameworkEdition,
    Invitation,
    Notification,
    PeopleHistoryEntry,
    Pillar,
    RatingLevel,
    SignInEvent,
    Site,
    Standard,
    Trust,
    TrustMembership,
    TrustRole,
    User,
    Ward,
    WardMembership,
    WardRole,
)
from .people import is_trust_admin


def latest_edition() -> FrameworkEdition | None:
    """The newest framework edition: the default for browsing and for new rounds."""
    return FrameworkEdition.objects.latest_first().first()


def edition_list() -> QuerySet[FrameworkEdition]:
    return FrameworkEdition.objects.latest_first()


def get_edition(*, edition_id: int | None) -> FrameworkEdition:
    """The edition asked for, or the latest one; 404 when there is none."""
    edition = (
        FrameworkEdition.objects.filter(pk=edition_id).first()
        if edition_id is not None
        else latest_edition()
    )
    if edition is None:
        raise Http404("No framework edition has been loaded")
    return edition


def get_pillar(*, slug: str | None) -> Pillar | None:
    if not slug:
        return None
    return Pillar.objects.filter(slug=slug).first()


def commitments_with_standards(
    *, edition: FrameworkEdition, pillar: Pillar | None = None
) -> QuerySet[Commitment]:
    """Commitments of an edition, each with its standards (only the pillar's, if given)."""
    standards = (
        Standard.objects.with_pillar(pillar)
        .order_by("position", "code")
        .prefetch_related("pillars")
    )
    return edition.commitments.order_by("number").prefetch_related(
        Prefetch("standards", queryset=standards, to_attr="shown_standards")
    )


def get_commitment(*, edition: FrameworkEdition, number: int) -> Commitment:
    commitment = commitments_with_standards(edition=edition).filter(number=number).first()
    if commitment is None:
        raise Http404("No such commitment")
    return commitment


RATING_SCALE_KEY = "standards:rating-scale"
RATING_SCALE_KEPT_SECONDS = 60 * 60


def rating_scale() -> list[RatingLevel]:
    """The five levels then "Not sure", in order. Kept in the cache: they change only when the
    catalogue is loaded or an administrator edits one, and both forget it (signals.py)."""
    levels = cache.get(RATING_SCALE_KEY)
    if levels is None:
        levels = list(RatingLevel.objects.order_by("position"))
        cache.set(RATING_SCALE_KEY, levels, RATING_SCALE_KEPT_SECONDS)
    return levels


def forget_rating_scale() -> None:
    cache.delete(RATING_SCALE_KEY)


def pillar_list() -> QuerySet[Pillar]:
    return Pillar.objects.all()


@dataclass
class WardRoles:
    ward: Ward
    roles: list[str] = field(default_factory=list)
    via_trust: bool = False
    # The ward's round in progress (else its latest), filled in by the home page.
    current_round: object = None


@dataclass
class TrustRoles:
    trust: Trust
    roles: list[str] = field(default_factory=list)
    role_values: set[str] = field(default_factory=set)

    @property
    def sees_dashboard(self) -> bool:
        return bool(self.role_values & set(WARD_VISIBLE_TRUST_ROLES))

    @property
    def is_admin(self) -> bool:
        return TrustRole.TRUST_ADMIN in self.role_values


@dataclass
class UserOverview:
    wards: list[WardRoles]
    trusts: list[TrustRoles]


def user_overview(*, user) -> UserOverview:
    """Each ward the user may see with the roles they hold there, and their trust roles."""
    ward_memberships = WardMembership.objects.filter(user=user).select_related("ward")
    roles_by_ward: dict[int, list[str]] = {}
    for membership in ward_memberships:
        roles_by_ward.setdefault(membership.ward_id, []).append(membership.get_role_display())
    trust_memberships = TrustMembership.objects.filter(user=user).select_related("trust")
    trusts: dict[int, TrustRoles] = {}
    for membership in trust_memberships:
        item = trusts.setdefault(membership.trust_id, TrustRoles(trust=membership.trust))
        item.roles.append(membership.get_role_display())
        item.role_values.add(membership.role)
    wards = [
        WardRoles(
            ward=ward,
            roles=roles_by_ward.get(ward.pk, []),
            via_trust=ward.pk not in roles_by_ward,
        )
        for ward in Ward.objects.for_user(user).select_related("site__trust")
    ]
    return UserOverview(wards=wards, trusts=list(trusts.values()))


def get_ward_for_user(*, user, ward_id: int) -> Ward:
    """A ward the user may see; 404 otherwise, so other wards' existence is not revealed."""
    ward = Ward.objects.for_user(user).select_related("site__trust").filter(pk=ward_id).first()
    if ward is None:
        raise Http404("No such ward")
    return ward


def ward_roles(*, user, ward: Ward) -> set[str]:
    return set(WardMembership.objects.filter(user=user, ward=ward).values_list("role", flat=True))


def trust_roles(*, user, trust: Trust) -> set[str]:
    return set(
        TrustMembership.objects.filter(user=user, trust=trust).values_list("role", flat=True)
    )


def ward_people(*, ward: Ward, role: str | None = None) -> QuerySet:
    memberships = WardMembership.objects.filter(ward=ward).select_related("user")
    if role:
        memberships = memberships.filter(role=role)
    return memberships.order_by("user__last_name", "user__first_name", "user__username")


def second_factors(*, user) -> list:
    """The person's authenticators (app, security keys, recovery codes), newest first."""
    return list(user.authenticator_set.order_by("-created_at"))


def recent_sign_in_events(*, user, limit: int = 10) -> list[SignInEvent]:
    """The person's own latest sign-in events, for their account page."""
    return list(SignInEvent.objects.filter(user=user)[:limit])


# The trust administration area: every read takes the trust an administrator was let into.


def get_trust_for_admin(*, user, trust_id: int) -> Trust:
    """404 unless the user has a role in the trust; 403 unless that role is trust
    administrator (people of the trust may know it exists; others may not)."""
    trust = Trust.objects.for_user(user).filter(pk=trust_id).first()
    if trust is None:
        raise Http404("No such trust")
    if not is_trust_admin(user=user, trust=trust):
        raise PermissionDenied("Only the trust's administrators can set up sites, wards and people")
    return trust


ADMIN_TRUSTS_CACHE_SECONDS = 300


def _admin_trusts_key(user_id: int) -> str:
    return f"coc:admin-trusts:{user_id}"


def administered_trusts(*, user) -> list[tuple[int, str]]:
    """(id, name) of the trusts the user administers, for the header's menu on every page.

    Cached for a few minutes so that pages pay no query for it; the services that change trust
    roles forget the cached answer. The admin pages themselves always check afresh.
    """
    if not user.is_authenticated:
        return []
    key = _admin_trusts_key(user.pk)
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not break every page
        found = None
    if found is None:
        trusts = Trust.objects.with_trust_role(user, TrustRole.TRUST_ADMIN)
        found = list(trusts.values_list("pk", "name"))
        with contextlib.suppress(Exception):
            cache.set(key, found, ADMIN_TRUSTS_CACHE_SECONDS)
    return found


def forget_administered_trusts(*user_ids: int) -> None:
    with contextlib.suppress(Exception):
        cache.delete_many([_admin_trusts_key(pk) for pk in user_ids])


def trust_sites(*, trust: Trust) -> QuerySet[Site]:
    return trust.sites.annotate(ward_count=Count("wards")).order_by("name")


def trust_wards(*, trust: Trust) -> QuerySet[Ward]:
    return (
        Ward.objects.filter(site__trust=trust)
        .select_related("site")
        .annotate(people_count=Count("memberships__user", distinct=True))
        .order_by("site__name", "name")
    )


def _people_of(trust: Trust) -> QuerySet[User]:
    return User.objects.filter(
        Exists(TrustMembership.objects.filter(user=OuterRef("pk"), trust=trust))
        | Exists(WardMembership.objects.filter(user=OuterRef("pk"), ward__site__trust=trust))
        | Exists(PeopleHistoryEntry.objects.filter(person=OuterRef("pk"), trust=trust))
    )


@dataclass
class PersonRoles:
    person: User
    ward_memberships: list[WardMembership] = field(default_factory=list)
    trust_memberships: list[TrustMembership] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [f"{m.get_role_display()} on {m.ward.name}" for m in self.ward_memberships] + [
            m.get_role_display() for m in self.trust_memberships
        ]


def trust_people(*, trust: Trust) -> list[PersonRoles]:
    """Everyone with a role in the trust or one of its wards (or who once had one), with
    their roles here, in three queries."""
    people = {
        user.pk: PersonRoles(person=user)
        for user in _people_of(trust).order_by("last_name", "first_name", "username")
    }
    for membership in WardMembership.objects.filter(
        ward__site__trust=trust, user_id__in=people
    ).select_related("ward__site"):
        people[membership.user_id].ward_memberships.append(membership)
    for membership in TrustMembership.objects.filter(trust=trust, user_id__in=people):
        people[membership.user_id].trust_memberships.append(membership)
    return list(people.values())


def get_person_for_admin(*, trust: Trust, person_id: int) -> PersonRoles:
    person = _people_of(trust).filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person in this trust")
    return PersonRoles(
        person=person,
        ward_memberships=list(
            WardMembership.objects.filter(user=person, ward__site__trust=trust).select_related(
                "ward__site"
            )
        ),
        trust_memberships=list(TrustMembership.objects.filter(user=person, trust=trust)),
    )


def get_site_for_admin(*, trust: Trust, site_id: int) -> Site:
    return get_object_or_404(Site, trust=trust, pk=site_id)


def get_ward_for_admin(*, trust: Trust, ward_id: int) -> Ward:
    return get_object_or_404(
        Ward.objects.select_related("site__trust"), site__trust=trust, pk=ward_id
    )


def get_ward_membership_for_admin(*, trust: Trust, membership_id: int) -> WardMembership:
    return get_object_or_404(
        WardMembership.objects.select_related("ward__site__trust", "user"),
        ward__site__trust=trust,
        pk=membership_id,
    )


def get_invitation_for_admin(*, trust: Trust, invitation_id: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("trust"), trust=trust, pk=invitation_id
    )


def open_invitations(*, trust: Trust) -> list[Invitation]:
    """Invitations not yet accepted or revoked (expired ones too, so they can be sent again)."""
    found = list(
        trust.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("created_by")
        .order_by("email")
    )
    roles = describe_roles(found)
    for invitation in found:
        invitation.role_labels = roles[invitation.pk]
    return found


def trust_sign_in_events(*, trust: Trust, limit: int = 100) -> list[SignInEvent]:
    return list(SignInEvent.objects.for_trust(trust).select_related("user")[:limit])


def people_history(*, trust: Trust, person: User | None = None, limit: int = 50) -> list:
    entries = PeopleHistoryEntry.objects.filter(trust=trust).select_related("by", "person")
    if person is not None:
        entries = entries.filter(Q(person=person) | Q(invitation__accepted_user=person))
    return list(entries[:limit])


def recent_notifications(*, user, limit: int = 50) -> list[Notification]:
    """The person's own notifications, newest first: what, when and whether it went."""
    return list(Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")[:limit])


def describe_roles(invitations: Iterable[Invitation]) -> dict[int, list[str]]:
    """Each invitation's roles in words ("Ward staff on Willow Ward, Riverside Hospital"),
    with one query for all the wards named."""
    invitations = list(invitations)
    ward_ids = {item["ward"] for inv in invitations for item in inv.ward_roles}
    wards = Ward.objects.select_related("site").in_bulk(ward_ids)
    described: dict[int, list[str]] = {}
    for inv in invitations:
        lines = []
        for item in inv.ward_roles:
            ward = wards.get(item["ward"])
            if ward is not None:
                lines.append(f"{WardRole(item['role']).label} on {ward.name}, {ward.site.name}")
        lines += [TrustRole(role).label for role in inv.trust_roles]
        described[inv.pk] = lines
    return described
