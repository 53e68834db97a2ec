"""Small groups protected: the one rule for what pages outside the ward show of each group.

Outside the ward (trust dashboard, board pack, trust exports), a group's figures and comments
are shown apart only when at least `small_group_threshold(trust)` people of that group
submitted. Below it the group's ratings are combined with the other group's, the perception gap
is not shown (it would reveal the small group), and the page says why. The ward team's pages
(agreeing, summary, ward dashboard, ward PDF and exports) still show both groups: that is the
point of co-scoring. Anyone outside a round's ward team (a board member, say) reads the ward's
own pages with the same rule as the trust's (`in_ward_team`, `hidden_for`; decision 0024).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from assessments import lone_scorers
from assessments.models import Round, Scorer, ScorerGroup
from assessments.permissions import access_for
from standards.models import Trust, Ward

from .models import DEFAULT_SMALL_GROUP_THRESHOLD, MINIMUM_SMALL_GROUP_THRESHOLD

GROUP_PEOPLE = {
    ScorerGroup.STAFF: ("member of staff", "members of staff"),
    ScorerGroup.LIVED_EXPERIENCE: ("lived experience partner", "lived experience partners"),
}
OTHER_GROUP_RATINGS = {
    ScorerGroup.STAFF: "lived experience partners' ratings",
    ScorerGroup.LIVED_EXPERIENCE: "staff ratings",
}


def small_group_threshold(trust: Trust) -> int:
    """How many people of a group must submit before trust-level pages show the group apart:
    the trust's setting, 3 by default, never below 2."""
    from .models import TrustReportSettings

    value = (
        TrustReportSettings.objects.filter(trust=trust)
        .values_list("small_group_threshold", flat=True)
        .first()
    )
    if value is None:
        return DEFAULT_SMALL_GROUP_THRESHOLD
    return max(int(value), MINIMUM_SMALL_GROUP_THRESHOLD)


def submitted_counts(round_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """How many people of each group submitted, per (round id, group): one query."""
    rows = (
        Scorer.objects.filter(round_id__in=[i for i in round_ids if i], submitted_at__isnull=False)
        .values("round_id", "group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["round_id"], row["group"]): row["n"] for row in rows}


@dataclass(frozen=True)
class GroupProtection:
    """What a trust-level page may show of one round's two groups."""

    round_id: int
    ward_name: str
    threshold: int
    staff: int
    lived_experience: int

    def count(self, group: str) -> int:
        return self.staff if group == ScorerGroup.STAFF else self.lived_experience

    @property
    def small_groups(self) -> list[str]:
        """The groups with at least one submitter but fewer than the threshold. A group nobody
        of which submitted has no figures to protect."""
        return [g for g in ScorerGroup.values if 0 < self.count(g) < self.threshold]

    @property
    def small_group(self) -> bool:
        return bool(self.small_groups)

    def shows(self, group: str) -> bool:
        """Whether this group's own figures and comments may be shown apart."""
        return group not in self.small_groups

    @property
    def shows_gap(self) -> bool:
        """The perception gap needs both groups apart."""
        return not self.small_group

    @property
    def explanation(self) -> str:
        """Why the groups are combined, in plain words (empty when they are not)."""
        sentences = []
        for group in self.small_groups:
            _one, many = GROUP_PEOPLE[group]
            sentences.append(
                f"Fewer than {self.threshold} {many} scored {self.ward_name}'s round, so their "
                f"ratings are combined with {OTHER_GROUP_RATINGS[group]} to protect their "
                "anonymity."
            )
        if sentences:
            sentences.append(
                f"The perception gap is not shown for {self.ward_name} here, because it would "
                "reveal their ratings."
            )
        return " ".join(sentences)


def protections(
    trust: Trust, rounds: Iterable[tuple[int, str]], threshold: int | None = None
) -> dict[int, GroupProtection]:
    """The rule applied to each (round id, ward name) of a trust: two queries at most."""
    rounds = [(rid, name) for rid, name in rounds if rid]
    threshold = small_group_threshold(trust) if threshold is None else threshold
    counts = submitted_counts(rid for rid, _name in rounds)
    return {
        rid: GroupProtection(
            round_id=rid,
            ward_name=name,
            threshold=threshold,
            staff=counts.get((rid, ScorerGroup.STAFF), 0),
            lived_experience=counts.get((rid, ScorerGroup.LIVED_EXPERIENCE), 0),
        )
        for rid, name in rounds
    }


def in_ward_team(*, user, ward: Ward, round: Round | None = None) -> bool:
    """Whether this person sees a ward's figures by group: the round's ward team
    (assessments.permissions.Access.is_ward_team). Without a round (a ward's exports, over all
    its rounds) the ward's people and the trust roles that take part in its rounds."""
    return access_for(user=user, ward=ward, round=round).is_ward_team


def hidden_for(*, user, round: Round | None) -> str:
    """Why this person does not see the round's figures by group, in the round summary's words:
    empty for the round's ward team, and when no group is below the trust's threshold."""
    if round is None or in_ward_team(user=user, ward=round.ward, round=round):
        return ""
    return lone_scorers.hidden_outside(round)
