"""The perception gap trust-wide: each group's ratings pooled across wards, by commitment.

A ward's own partners are usually fewer than the small-group threshold, so outside the ward its
gap is withheld (small_groups.py) and a board would see no gap at all. Pooled across the wards
shown (each ward's latest signed round), the groups are large enough to show without anyone
being identifiable. The rule is applied to the pooled groups: a pooled group of fewer than
the trust's threshold people is not shown on its own, and the gap is withheld with the reason.

Every rating counts once: a group's mean is the sum of all its ratings over their count, read
from the stored tallies (assessments.RoundScore), so the reads do not grow with wards. The
sign is the ward dashboard's: lived experience minus staff. See docs/decisions/0028.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from assessments import scores
from assessments.models import RoundScore, Scorer, ScorerGroup
from standards.models import Trust

from .selectors import Gap
from .small_groups import GROUP_PEOPLE, small_group_threshold

OVERALL = 0
_SUMS = ("staff_rated", "staff_total", "lived_rated", "lived_total")


@dataclass(frozen=True)
class PooledGroup:
    """The people of one group who submitted ratings in the rounds pooled."""

    group: str
    people: int
    wards: int

    @property
    def people_text(self) -> str:
        one, many = GROUP_PEOPLE[self.group]
        return f"{self.people} {one if self.people == 1 else many}"


@dataclass
class TrustGap:
    """The pooled perception gap of the wards a page or report covers."""

    threshold: int
    # Wards with a latest signed round among those covered.
    wards: int
    staff: PooledGroup
    lived_experience: PooledGroup
    commitments: list[Gap] = field(default_factory=list)
    overall: Gap = field(default_factory=lambda: Gap(OVERALL, "Overall", None, None))

    @property
    def groups(self) -> list[PooledGroup]:
        return [self.staff, self.lived_experience]

    @property
    def small_groups(self) -> list[PooledGroup]:
        """Pooled groups with someone in them but fewer than the threshold: not shown."""
        return [g for g in self.groups if 0 < g.people < self.threshold]

    @property
    def shown(self) -> bool:
        """Both groups are there and large enough to be shown apart."""
        return all(g.people >= self.threshold for g in self.groups)

    @property
    def rows(self) -> list[Gap]:
        return [*self.commitments, self.overall] if self.shown else []

    @property
    def stands_on(self) -> str:
        """What the figures stand on, in one sentence."""
        if not self.wards:
            return "No ward shown has a signed assessment yet."
        wards = f"{self.wards} ward{'s' if self.wards != 1 else ''}"
        if not self.shown:
            return f"From the latest signed assessments of {wards}."
        return (
            f"From the latest signed assessments of {wards}: the ratings of "
            f"{self.staff.people_text} (on {self.staff.wards} ward"
            f"{'s' if self.staff.wards != 1 else ''}) and "
            f"{self.lived_experience.people_text} (on {self.lived_experience.wards} ward"
            f"{'s' if self.lived_experience.wards != 1 else ''}), each rating counted once."
        )

    @property
    def explanation(self) -> str:
        """Why the gap is not shown (empty when it is)."""
        if self.shown or not self.wards:
            return ""
        sentences = []
        for group in self.groups:
            _one, many = GROUP_PEOPLE[group.group]
            if group.people == 0:
                sentences.append(f"No {many} scored in these wards' latest signed assessments.")
            elif group.people < self.threshold:
                sentences.append(
                    f"Fewer than {self.threshold} {many} scored in these wards' latest signed "
                    "assessments, even taken together, so their ratings are not shown on their "
                    "own."
                )
        if self.small_groups:
            sentences.append(
                "The perception gap is not shown, because it would reveal how they rated."
            )
        else:
            sentences.append("There is no perception gap to show.")
        return " ".join(sentences)


def pooled_gap(
    *,
    trust: Trust,
    round_ids: Iterable[int | None],
    titles: dict[int, str],
    threshold: int | None = None,
) -> TrustGap:
    """The perception gap by commitment and overall, each group's ratings pooled over these
    rounds (each ward's latest signed round, as the caller's filters chose them), with the
    small-group rule applied to the pooled groups. Three queries, however many rounds."""
    round_ids = sorted({rid for rid in round_ids if rid})
    threshold = small_group_threshold(trust) if threshold is None else threshold
    people = _people(round_ids)
    sums = _pooled_sums(round_ids)

    def gap(number: int, title: str) -> Gap:
        row = sums.get(number, dict.fromkeys(_SUMS, 0))
        return Gap(
            number,
            title,
            scores.mean(row["staff_rated"], row["staff_total"]),
            scores.mean(row["lived_rated"], row["lived_total"]),
        )

    return TrustGap(
        threshold=threshold,
        wards=len(round_ids),
        staff=people.get(ScorerGroup.STAFF, PooledGroup(ScorerGroup.STAFF, 0, 0)),
        lived_experience=people.get(
            ScorerGroup.LIVED_EXPERIENCE, PooledGroup(ScorerGroup.LIVED_EXPERIENCE, 0, 0)
        ),
        commitments=[gap(number, title) for number, title in titles.items()],
        overall=gap(OVERALL, "Overall"),
    )


def _people(round_ids: list[int]) -> dict[str, PooledGroup]:
    """How many different people of each group submitted, and on how many wards (each round is
    one ward's latest): one query. A person scoring on two wards counts once."""
    rows = (
        Scorer.objects.filter(round_id__in=round_ids, submitted_at__isnull=False)
        .values("group")
        .annotate(people=Count("user_id", distinct=True), wards=Count("round_id", distinct=True))
        .order_by()
    )
    return {row["group"]: PooledGroup(row["group"], row["people"], row["wards"]) for row in rows}


def _pooled_sums(round_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each group's count and sum of ratings per commitment number (0 is overall), summed over
    the rounds' stored tallies: one query (two more, and a tally, only for a signed round whose
    tallies were never stored)."""
    sums: dict[int, dict[str, int]] = {}
    if not round_ids:
        return sums
    rows = (
        RoundScore.objects.filter(round_id__in=round_ids)
        .filter(Q(measure=scores.OVERALL) | Q(commitment_number__isnull=False))
        .values("commitment_number")
        .annotate(rounds=Count("round_id", distinct=True), **{f: Sum(f) for f in _SUMS})
        .order_by()
    )
    tallied_rounds = 0
    for row in rows:
        number = row["commitment_number"] or OVERALL
        sums[number] = {f: row[f] or 0 for f in _SUMS}
        if number == OVERALL:
            tallied_rounds = row["rounds"]
    if tallied_rounds < len(round_ids):
        stored = set(
            RoundScore.objects.filter(round_id__in=round_ids, measure=scores.OVERALL).values_list(
                "round_id", flat=True
            )
        )
        for by_measure in scores.tally(set(round_ids) - stored).values():
            for score in by_measure.values():
                if score.measure != scores.OVERALL and score.commitment_number is None:
                    continue
                number = score.commitment_number or OVERALL
                row = sums.setdefault(number, dict.fromkeys(_SUMS, 0))
                for f in _SUMS:
                    row[f] += getattr(score, f)
    return sums
