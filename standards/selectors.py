"""Reads of the catalogue and of who may see which trust and ward."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from .models import (
    Commitment,
    FrameworkEdition,
    Pillar,
    RatingLevel,
    SignInEvent,
    Standard,
    Trust,
    TrustMembership,
    Ward,
    WardMembership,
)


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


def rating_scale() -> QuerySet[RatingLevel]:
    """The five levels then "Not sure", in order."""
    return RatingLevel.objects.order_by("position")


def pillar_list() -> QuerySet[Pillar]:
    return Pillar.objects.all()


@dataclass
class WardRoles:
    ward: Ward
    roles: list[str] = field(default_factory=list)
    via_trust: bool = False


@dataclass
class TrustRoles:
    trust: Trust
    roles: list[str] = field(default_factory=list)


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
        trusts.setdefault(membership.trust_id, TrustRoles(trust=membership.trust)).roles.append(
            membership.get_role_display()
        )
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
