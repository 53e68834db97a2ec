"""Who may do what on a round: computed once per request from the user's memberships."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, Value

from standards.models import TrustMembership, TrustRole, WardMembership, WardRole

from . import rules
from .models import Round, Scorer
from .selectors import get_round_for_user

# The trust roles that take part in a ward's rounds: the QI lead facilitates them (opens,
# closes scoring, reopens) and the lived experience leader co-signs. A board member and a
# trust administrator do not; they read what the ward publishes (docs/decisions/0024).
WARD_TEAM_TRUST_ROLES = frozenset({TrustRole.QI_LEAD, TrustRole.LIVED_EXPERIENCE_LEADER})

NOT_WARD_TEAM = (
    "Only the ward team can open this page: the ward's staff, lived experience partners and "
    "manager, the trust's QI lead and lived experience leader. The round's summary shows what "
    "the ward publishes."
)


@dataclass(frozen=True)
class Access:
    ward_roles: frozenset[str]
    trust_roles: frozenset[str]
    scorer: Scorer | None

    @property
    def is_manager(self) -> bool:
        return WardRole.MANAGER in self.ward_roles

    @property
    def is_qi_lead(self) -> bool:
        return TrustRole.QI_LEAD in self.trust_roles

    @property
    def is_le_leader(self) -> bool:
        return TrustRole.LIVED_EXPERIENCE_LEADER in self.trust_roles

    @property
    def signing_roles(self) -> list[str]:
        """The roles this person could sign in (rules.py says whether they may now)."""
        roles = [rules.WARD_MANAGER] if self.is_manager else []
        return roles + ([rules.LIVED_EXPERIENCE_LEADER] if self.is_le_leader else [])

    @property
    def is_ward_member(self) -> bool:
        return bool(self.ward_roles)

    @property
    def is_ward_team(self) -> bool:
        """The round's ward team: the ward's people (staff, partners, manager), the trust
        people who facilitate or co-sign its rounds, and anyone invited to score it. Only they
        open a round's scoring, agreeing, meeting and history pages, and see scorers' names."""
        return (
            self.is_ward_member
            or bool(self.trust_roles & WARD_TEAM_TRUST_ROLES)
            or self.scorer is not None
        )

    @property
    def can_run_round(self) -> bool:
        """Open rounds, invite scorers, move the round on: ward manager or trust QI lead."""
        return self.is_manager or self.is_qi_lead

    @property
    def can_agree(self) -> bool:
        """Record agreed ratings: the ward manager (never a lived experience partner)."""
        return self.is_manager

    @property
    def can_contribute(self) -> bool:
        """Add evidence and actions: the ward's people (staff, manager, partners)."""
        return self.is_ward_member

    @property
    def can_read_history(self) -> bool:
        """Who changed what, by name: within the ward team, the manager and the QI lead."""
        return self.is_ward_team and (self.is_qi_lead or self.is_manager)


_UNKNOWN = object()


def access_for(*, user, ward, round: Round | None = None, scorer=_UNKNOWN) -> Access:
    """The person's roles on the ward and in its trust (one query), and their invitation to
    score the round, if any."""
    on_ward = (
        WardMembership.objects.filter(user=user, ward=ward)
        .order_by()
        .annotate(scope=Value("ward"), held=F("role"))
        .values_list("scope", "held")
    )
    in_trust = (
        TrustMembership.objects.filter(user=user, trust_id=ward.site.trust_id)
        .order_by()
        .annotate(scope=Value("trust"), held=F("role"))
        .values_list("scope", "held")
    )
    roles = list(on_ward.union(in_trust, all=True))
    ward_roles = frozenset(role for scope, role in roles if scope == "ward")
    trust_roles = frozenset(role for scope, role in roles if scope == "trust")
    if scorer is _UNKNOWN:
        scorer = None
        if round is not None:
            scorer = Scorer.objects.filter(round=round, user=user).first()
    return Access(ward_roles=ward_roles, trust_roles=trust_roles, scorer=scorer)


def require(allowed: bool, message: str = "You do not have permission to do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_ward_team(access: Access) -> None:
    """403 for anyone outside the round's ward team (board members, trust administrators)."""
    require(access.is_ward_team, NOT_WARD_TEAM)


def load_round(request, round_id: int) -> tuple[Round, Access]:
    """For a view: the round (404 unless the user may see its ward) and what the user may do."""
    round = get_round_for_user(user=request.user, round_id=round_id, with_invitation=True)
    return round, access_for(
        user=request.user, ward=round.ward, round=round, scorer=round.viewer_scorer
    )


def load_team_round(request, round_id: int) -> tuple[Round, Access]:
    """`load_round` for a page only the ward team opens: 404 for other wards, 403 for people
    who see the ward but are not in its team."""
    round, access = load_round(request, round_id)
    require_ward_team(access)
    return round, access
