"""A new ward manager's first steps, for their home page: open the ward's first round, choose
who scores, and give the ward its support contact and code. Once the ward has a signed
assessment it is past its first steps, and nothing shows.

Only steps not yet done, and each with a link only where the person may do it: a ward's
support contact and code are set by the trust's administrators, so a manager who is not one
is told to ask. One query, however many wards the person manages.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse

from standards.models import TrustMembership, TrustRole, Ward, WardMembership, WardRole

from .models import Round, RoundStatus, Scorer


@dataclass(frozen=True)
class Step:
    kind: str
    title: str
    detail: str
    url: str = ""


@dataclass
class WardSteps:
    ward: Ward
    steps: list[Step] = field(default_factory=list)


def _ward_role(role: str):
    return Exists(WardMembership.objects.filter(ward=OuterRef("pk"), role=role))


def first_steps(user) -> list[WardSteps]:
    """For each open ward the person manages that has no signed assessment yet, the first
    steps still to do, in order: none once its round has scorers and the ward has its support
    contact and code."""
    if not user.is_authenticated:
        return []
    managed = WardMembership.objects.filter(user=user, role=WardRole.MANAGER).values("ward_id")
    admin_of = TrustMembership.objects.filter(
        user=user, role=TrustRole.TRUST_ADMIN, trust_id=OuterRef("site__trust_id")
    )
    wards = (
        Ward.objects.filter(pk__in=managed, is_active=True)
        # A ward with a signed assessment is past its first steps.
        .exclude(Exists(Round.objects.filter(ward=OuterRef("pk"), status=RoundStatus.SIGNED)))
        .select_related("site")
        .annotate(
            has_round=Exists(Round.objects.filter(ward=OuterRef("pk"))),
            has_scorers=Exists(Scorer.objects.filter(round__ward=OuterRef("pk"))),
            open_round_id=Subquery(
                Round.objects.filter(ward=OuterRef("pk"), status=RoundStatus.OPEN)
                .order_by("-opened_at", "-pk")
                .values("pk")[:1]
            ),
            has_staff=_ward_role(WardRole.STAFF),
            has_partners=_ward_role(WardRole.LIVED_EXPERIENCE_PARTNER),
            is_admin=Exists(admin_of),
        )
        .order_by("name", "pk")
    )
    found = []
    for ward in wards:
        steps = _round_steps(ward) + _ward_details_steps(ward)
        if steps:
            found.append(WardSteps(ward=ward, steps=steps))
    return found


def _round_steps(ward) -> list[Step]:
    steps = []
    if not ward.has_round:
        steps.append(
            Step(
                kind="open-round",
                title=f"Open the first assessment round for {ward.name}",
                detail="Give it a period, such as 2026 Q4, and the date scoring closes.",
                url=reverse("assessments:round_create", args=[ward.pk]),
            )
        )
    if not ward.has_scorers:
        missing = [
            group
            for group, present in (
                ("ward staff", ward.has_staff),
                ("lived experience partners", ward.has_partners),
            )
            if not present
        ]
        detail = (
            "Choose at least one staff member and one lived experience partner, then start scoring."
        )
        if missing:
            detail += (
                f" {ward.name} has no {' and no '.join(missing)} yet: your trust's "
                "administrator invites people to the ward."
            )
        if ward.open_round_id:
            url = reverse("assessments:round_scorers", args=[ward.open_round_id])
        elif not ward.has_round:
            # The form that opens a round asks who scores too.
            url = reverse("assessments:round_create", args=[ward.pk])
            detail = "You can choose them as you open the round, or later on its page. " + detail
        else:
            url = ""
        steps.append(
            Step(
                kind="choose-scorers",
                title=f"Choose who scores for {ward.name}",
                detail=detail,
                url=url,
            )
        )
    return steps


SUPPORT_CONTACT_WHY = (
    "Who people can talk to if a standard is hard to read: pages with standards about "
    "restraint, seclusion, sexual safety or racism name them."
)
CODE_WHY = "Lines of a ward measures file are matched to the ward by its code."


def _ward_details_steps(ward) -> list[Step]:
    missing_contact = not ward.support_contact.strip()
    missing_code = not ward.code.strip()
    if ward.is_admin:
        edit = reverse("trust_admin:ward_edit", args=[ward.site.trust_id, ward.pk])
        steps = []
        if missing_contact:
            steps.append(
                Step(
                    kind="support-contact",
                    title=f"Add {ward.name}'s support contact",
                    detail=SUPPORT_CONTACT_WHY,
                    url=f"{edit}#id_support_contact",
                )
            )
        if missing_code:
            steps.append(
                Step(
                    kind="ward-code",
                    title=f"Add {ward.name}'s ward code",
                    detail=CODE_WHY,
                    url=f"{edit}#id_code",
                )
            )
        return steps
    # Only the trust's administrators change a ward's details: the manager asks them.
    wanted = [
        (what, why)
        for what, why, missing in (
            ("support contact", SUPPORT_CONTACT_WHY, missing_contact),
            ("ward code", CODE_WHY, missing_code),
        )
        if missing
    ]
    if not wanted:
        return []
    return [
        Step(
            kind="ask-admin",
            title=(
                f"Ask your trust's administrator to add {ward.name}'s "
                + " and ".join(what for what, _ in wanted)
            ),
            detail=" ".join(why for _, why in wanted),
        )
    ]
