"""A scorer who is the only one in their group, and what they and the person choosing the
scorers are told before anyone rates (docs/decisions/0024).

Outside the ward team, trust pages show a group apart only when enough of its people scored
(reports/small_groups.py): a lone scorer's ratings are combined with the other group's there.
Inside the ward team nothing hides them: everyone agreeing sees the ratings and comments by
group, and a group of one is a person. The round's summary, read outside the ward team, holds
the same small-group rule as the trust's pages. The threshold and the rule are the reports
app's, and this app sits below reports, so reports registers them when it starts
(reports/apps.py), as it does for round_context.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from standards.models import Trust

from .models import ScorerGroup

ThresholdReader = Callable[[Trust], int]
# reports.small_groups.protections: (trust, [(round id, ward name)]) -> {round id: protection},
# each protection with `threshold` and `small_groups` (the groups shown apart nowhere outside).
ProtectionsReader = Callable[[Trust, list[tuple[int, str]]], dict]

_threshold_readers: list[ThresholdReader] = []
_protections_readers: list[ProtectionsReader] = []

# A group's people, one and many, and its ratings.
ONE = {
    ScorerGroup.STAFF: "member of staff",
    ScorerGroup.LIVED_EXPERIENCE: "lived experience partner",
}
MANY = {
    ScorerGroup.STAFF: "members of staff",
    ScorerGroup.LIVED_EXPERIENCE: "lived experience partners",
}
GROUP_RATINGS = {
    ScorerGroup.STAFF: "staff ratings and comments",
    ScorerGroup.LIVED_EXPERIENCE: "lived experience ratings and comments",
}


def register_threshold(reader: ThresholdReader) -> None:
    """Tell this app how to read a trust's small-group threshold (reports does, at start-up)."""
    if reader not in _threshold_readers:
        _threshold_readers.append(reader)


def small_group_threshold(trust: Trust) -> int:
    """Outside the ward team, a group of fewer than this many people is never shown apart."""
    if not _threshold_readers:
        raise RuntimeError("No small-group threshold registered: is the reports app installed?")
    return _threshold_readers[-1](trust)


def register_protections(reader: ProtectionsReader) -> None:
    """Tell this app how reports applies the small-group rule to rounds (reports does)."""
    if reader not in _protections_readers:
        _protections_readers.append(reader)


def hidden_outside(round) -> str:
    """For people outside the ward team: why the round's figures by group are left out, when
    the small-group rule hides a group; empty when it hides none."""
    if not _protections_readers:
        raise RuntimeError("No small-group rule registered: is the reports app installed?")
    trust = round.ward.site.trust
    protection = _protections_readers[-1](trust, [(round.pk, round.ward.name)])[round.pk]
    if not protection.small_groups:
        return ""
    groups = f" and fewer than {protection.threshold} ".join(
        MANY[group] for group in protection.small_groups
    )
    return (
        f"Fewer than {protection.threshold} {groups} scored this round, so outside the ward team "
        "their ratings are not shown apart: the medians by group, the flags and the perception "
        "gaps are left out here, as on the trust's dashboards and board pack."
    )


def lone_groups(groups: Iterable[str]) -> list[str]:
    """The scorer groups with exactly one person in them, given each scorer's group."""
    counts = Counter(groups)
    return [group for group in ScorerGroup.values if counts[group] == 1]


@dataclass(frozen=True)
class LoneNotice:
    """A warning callout: a heading and its paragraphs."""

    heading: str
    paragraphs: tuple[str, ...]


WARD_TEAM = (
    "the ward team (the ward's staff, lived experience partners and manager, the QI lead and "
    "the lived experience leader)"
)


def _outside(threshold: int, whose: str) -> str:
    return (
        f"Outside the ward team, on trust dashboards, board packs and trust exports, a group of "
        f"fewer than {threshold} people is never shown on its own, so {whose} ratings are "
        f"combined with the other group's there, and scorers are never named."
    )


def for_scorer(*, group: str, groups: Iterable[str], trust: Trust) -> LoneNotice | None:
    """What a scorer is told before they rate when they are the only one in their group."""
    if group not in lone_groups(groups):
        return None
    return LoneNotice(
        heading=f"You are the only {ONE[group]} scoring this round",
        paragraphs=(
            _outside(small_group_threshold(trust), "your"),
            f"Inside the ward team it is different. When agreeing starts, {WARD_TEAM} can see "
            f"the {GROUP_RATINGS[group]}, and everyone at the agreeing meeting will know they "
            f"are yours. Sharing a comment without your name does not change that.",
            "Write only what you are happy for them to know is yours. If you want to talk "
            "about this first, speak to your ward manager or your trust's lived experience "
            "leader.",
        ),
    )


def for_chooser(*, groups: Iterable[str], trust: Trust) -> LoneNotice | None:
    """What the person choosing the scorers is told when a group has only one person in it."""
    lone = lone_groups(groups)
    if not lone:
        return None
    whose = f"the {ONE[lone[0]]}'s" if len(lone) == 1 else "each one's"
    known = " and ".join(f"the {GROUP_RATINGS[group]} are the {ONE[group]}'s" for group in lone)
    return LoneNotice(
        heading="You have chosen only one " + " and only one ".join(ONE[g] for g in lone),
        paragraphs=(
            _outside(small_group_threshold(trust), whose),
            f"Inside the ward team it is different: everyone at the agreeing meeting will know "
            f"that {known}.",
            "They will be told this before they rate. If you can, choose at least one more "
            "person for their group, so that nobody's ratings and comments can be told apart.",
        ),
    )
