"""Reads shared by the assessment pages, reports and tasks. Each is scoped or takes a round
already fetched through a scoped read."""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Count,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404

from standards.models import Commitment, Standard, Ward

from . import rules
from .models import (
    ANONYMOUS_NAMES,
    Action,
    AgreedRating,
    Evidence,
    HistoryEntry,
    HistoryKind,
    Rating,
    Round,
    RoundStatus,
    Scorer,
    ScorerGroup,
    Signature,
    SignatureRole,
)

FLAG_DIFFERENCE = rules.FLAG_DIFFERENCE


def get_round_for_user(*, user, round_id: int, with_invitation: bool = False) -> Round:
    """A round of a ward the user may see; 404 otherwise. `with_invitation`: in the same query,
    the user's own invitation to score it, as `round.viewer_scorer` (None if not invited)."""
    rounds = Round.objects.for_user(user).select_related(
        "ward__site__trust", "edition", "opened_by"
    )
    if with_invitation:
        mine = Scorer.objects.filter(round=OuterRef("pk"), user=user).order_by()
        rounds = rounds.annotate(
            viewer_scorer_id=Subquery(mine.values("pk")[:1]),
            viewer_scorer_group=Subquery(mine.values("group")[:1]),
            viewer_scorer_submitted_at=Subquery(mine.values("submitted_at")[:1]),
        )
    round = rounds.filter(pk=round_id).first()
    if round is None:
        raise Http404("No such round")
    if with_invitation:
        round.viewer_scorer = None
        if round.viewer_scorer_id is not None:
            scorer = Scorer(
                pk=round.viewer_scorer_id,
                round=round,
                user=user,
                group=round.viewer_scorer_group,
                submitted_at=round.viewer_scorer_submitted_at,
            )
            scorer._state.adding = False
            scorer._state.db = rounds.db
            round.viewer_scorer = scorer
    return round


def ward_rounds(*, ward: Ward) -> QuerySet[Round]:
    return ward.rounds.select_related("edition").annotate(scorer_count=Count("scorers"))


def round_standards(*, round: Round) -> QuerySet[Standard]:
    return (
        Standard.objects.filter(edition_id=round.edition_id)
        .select_related("commitment")
        .prefetch_related("pillars")
        .order_by("commitment__number", "position")
    )


def page_standard(*, round: Round, number: int, standard_id) -> Standard | None:
    """One standard of the round's edition on commitment `number`'s page (autosave), or None."""
    try:
        standard_id = int(standard_id)
    except (TypeError, ValueError):
        return None
    return (
        Standard.objects.filter(
            edition_id=round.edition_id, commitment__number=number, pk=standard_id
        )
        .select_related("commitment")
        .first()
    )


def round_commitments(*, round: Round) -> QuerySet[Commitment]:
    return Commitment.objects.filter(edition_id=round.edition_id).order_by("number")


def scorers(*, round: Round) -> QuerySet[Scorer]:
    return round.scorers.select_related("user").annotate(answered=Count("ratings"))


def scorer_groups(*, round: Round) -> list[str]:
    """Each invited scorer's group (staff or lived experience), one entry a scorer."""
    return list(round.scorers.order_by().values_list("group", flat=True))


def scorer_ratings(*, scorer: Scorer) -> dict[int, Rating]:
    """The scorer's own answers, by standard id."""
    return {r.standard_id: r for r in scorer.ratings.all()}


def unanswered_standards(*, scorer: Scorer) -> list[Standard]:
    answered = scorer.ratings.values("standard_id")
    return list(
        Standard.objects.filter(edition_id=scorer.round.edition_id)
        .exclude(pk__in=answered)
        .select_related("commitment")
        .order_by("commitment__number", "position")
    )


@dataclass
class GroupRatings:
    levels: list[int] = field(default_factory=list)
    not_sure: int = 0
    comments: list[str] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.levels) if self.levels else None

    @property
    def counts(self) -> list[tuple[int, int]]:
        counter = Counter(self.levels)
        return [(level, counter.get(level, 0)) for level in range(5)]

    @property
    def range(self) -> tuple[int, int] | None:
        return (min(self.levels), max(self.levels)) if self.levels else None


@dataclass
class Comparison:
    standard: Standard
    staff: GroupRatings
    lived_experience: GroupRatings
    agreed: AgreedRating | None = None

    @property
    def difference(self) -> float | None:
        """Lived experience median minus staff median."""
        if self.staff.median is None or self.lived_experience.median is None:
            return None
        return self.lived_experience.median - self.staff.median

    @property
    def flagged(self) -> bool:
        return rules.is_flagged(self.difference)

    @property
    def all_median(self) -> float | None:
        """Both groups' ratings together: what is shown outside the ward team when a group is
        too small to be shown apart (reports/small_groups.py)."""
        levels = self.staff.levels + self.lived_experience.levels
        return statistics.median(levels) if levels else None

    @property
    def ranges(self) -> list[tuple[int, int]]:
        return [g.range for g in (self.staff, self.lived_experience) if g.range]

    def outside_both_ranges(self, level: int) -> bool:
        return rules.outside_both_ranges(level, self.ranges)

    def rationale_reason(self, level: int | None) -> str:
        """Why an agreed rating at this level needs a reason ("" when it does not)."""
        return rules.rationale_reason(flagged=self.flagged, ranges=self.ranges, level=level)

    @property
    def rationale_levels(self) -> list[int]:
        """The levels that would need a reason, for the page to mark before anyone chooses."""
        return rules.levels_needing_rationale(flagged=self.flagged, ranges=self.ranges)

    @property
    def needs_rationale(self) -> bool:
        if self.agreed is None:
            return self.flagged
        return bool(self.rationale_reason(self.agreed.level))

    @property
    def settled(self) -> bool:
        """Counts as agreed (rules.is_settled): what finish_agreeing requires of every
        standard, and what the overview and the task list count."""
        if self.agreed is None:
            return False
        return rules.is_settled(
            agreed=True,
            rationale=self.agreed.rationale,
            reason=self.rationale_reason(self.agreed.level),
        )


def round_comparisons(*, round: Round, standards=None) -> list[Comparison]:
    """Side by side for each standard: both groups' submitted ratings and the agreed one.

    Only submitted scorers count: an unsubmitted scorer's answers stay private.
    """
    standards = list(standards if standards is not None else round_standards(round=round))
    ids = [s.pk for s in standards]
    groups: dict[int, dict[str, GroupRatings]] = defaultdict(
        lambda: {ScorerGroup.STAFF: GroupRatings(), ScorerGroup.LIVED_EXPERIENCE: GroupRatings()}
    )
    # Not sure is counted here (as "not sure"), so this reads more than Rating.objects.counted().
    ratings = Rating.objects.filter(
        scorer__round=round, scorer__submitted_at__isnull=False, standard_id__in=ids
    ).values_list("standard_id", "scorer__group", "level", "comment")
    for standard_id, group, level, comment in ratings:
        bucket = groups[standard_id][group]
        if level is None:
            bucket.not_sure += 1
        else:
            bucket.levels.append(level)
        if comment:
            bucket.comments.append(comment)
    agreed = {
        a.standard_id: a
        for a in AgreedRating.objects.filter(round=round, standard_id__in=ids).select_related(
            "updated_by"
        )
    }
    return [
        Comparison(
            standard=s,
            staff=groups[s.pk][ScorerGroup.STAFF],
            lived_experience=groups[s.pk][ScorerGroup.LIVED_EXPERIENCE],
            agreed=agreed.get(s.pk),
        )
        for s in standards
    ]


def compare_standard(*, round: Round, standard: Standard) -> Comparison:
    return round_comparisons(round=round, standards=[standard])[0]


def missing_agreed_ratings(*, round: Round) -> list[Standard]:
    """Standards still without an agreed rating, or without a rationale they need."""
    return [c.standard for c in round_comparisons(round=round) if not c.settled]


def unsettled_counts(*, round_ids) -> dict[int, int]:
    """Per round, the agreed ratings that do not count as agreed yet (rules.is_settled): a
    reason they need is missing. Judged as round_comparisons judges them, so the task list
    and the agreeing overview give one answer; at most two queries however many rounds, since
    only agreed ratings without a reason need the scorers' ratings."""
    blank = list(
        AgreedRating.objects.filter(round_id__in=round_ids, rationale__regex=r"^\s*$").only(
            "round_id", "standard_id", "level", "rationale"
        )
    )
    if not blank:
        return {}
    groups: dict[tuple[int, int], dict[str, GroupRatings]] = defaultdict(
        lambda: {ScorerGroup.STAFF: GroupRatings(), ScorerGroup.LIVED_EXPERIENCE: GroupRatings()}
    )
    ratings = Rating.objects.filter(
        scorer__round_id__in={a.round_id for a in blank},
        scorer__submitted_at__isnull=False,
        standard_id__in={a.standard_id for a in blank},
        level__isnull=False,
    ).values_list("scorer__round_id", "standard_id", "scorer__group", "level")
    for round_id, standard_id, group, level in ratings:
        groups[(round_id, standard_id)][group].levels.append(level)
    counts: Counter[int] = Counter()
    for agreed in blank:
        group = groups[(agreed.round_id, agreed.standard_id)]
        comparison = Comparison(
            standard=agreed.standard_id,  # only the ratings and the agreed one are judged
            staff=group[ScorerGroup.STAFF],
            lived_experience=group[ScorerGroup.LIVED_EXPERIENCE],
            agreed=agreed,
        )
        counts[agreed.round_id] += not comparison.settled
    return {round_id: count for round_id, count in counts.items() if count}


def commitment_scores(*, round: Round) -> QuerySet[Commitment]:
    """Each commitment with the mean agreed level of its rated standards (database-side).

    The round is part of the join condition, so other rounds' ratings are never scanned.
    """
    return (
        round_commitments(round=round)
        .alias(
            agreed=FilteredRelation(
                "standards__agreed_ratings", condition=Q(standards__agreed_ratings__round=round)
            )
        )
        .annotate(
            mean=Avg("agreed__level"),
            rated=Count("agreed", filter=Q(agreed__level__isnull=False)),
            total=Count("standards", distinct=True),
        )
    )


def round_evidence(*, round: Round) -> QuerySet[Evidence]:
    return round.evidence.select_related("standard", "added_by")


def get_evidence_for_user(*, user, evidence_id: int) -> Evidence:
    evidence = (
        Evidence.objects.filter(round__in=Round.objects.for_user(user), pk=evidence_id)
        .select_related("round__ward__site", "standard__commitment", "added_by")
        .first()
    )
    if evidence is None:
        raise Http404("No such evidence")
    return evidence


def round_actions(*, round: Round) -> QuerySet[Action]:
    return round.actions.select_related("owner").prefetch_related(
        Prefetch("standards", queryset=Standard.objects.order_by("code")),
        Prefetch("commitments", queryset=Commitment.objects.order_by("number")),
    )


def get_action_for_user(*, user, action_id: int) -> Action:
    action = (
        Action.objects.filter(ward__in=Ward.objects.for_user(user), pk=action_id)
        .select_related("ward__site", "owner", "origin_round")
        .first()
    )
    if action is None:
        raise Http404("No such action")
    return action


def round_signatures(*, round: Round) -> QuerySet[Signature]:
    return round.signatures.select_related("signer")


def round_history(*, round: Round) -> QuerySet[HistoryEntry]:
    """The round's history, without any scorer's ratings that are still private: none while
    scoring, and never those of a scorer who did not submit."""
    entries = round.history.select_related("actor")
    if not rules.ratings_revealed(round.status):
        return entries.exclude(kind=HistoryKind.RATING)
    unsubmitted = round.scorers.filter(submitted_at__isnull=True).values("user_id")
    return entries.exclude(kind=HistoryKind.RATING, actor__in=unsubmitted)


def leader_signatures(*, round_ids) -> QuerySet[Signature]:
    """The live lived experience leader signatures of these rounds, a decline included (it does
    not sign the round but stays until the round is reopened), oldest first."""
    return (
        Signature.objects.filter(
            round_id__in=round_ids,
            role=SignatureRole.LIVED_EXPERIENCE_LEADER,
            voided_at__isnull=True,
        )
        .select_related("round__ward", "signer")
        .order_by("signed_at", "pk")
    )


def live_signatures(*, round: Round) -> dict[str, Signature]:
    """The live signatures (they count towards sign-off; a decline does not), by role."""
    return {s.role: s for s in round.signatures.live_signatures().select_related("signer")}


def signing_roles_open_to(
    *, round: Round, roles: list[str], user, live: dict[str, Signature] | None = None
) -> list[str]:
    """Of `roles` (Access.signing_roles), those `user` may sign in now (rules.roles_to_offer)."""
    live = live_signatures(round=round) if live is None else live
    return rules.roles_to_offer(
        status=round.status,
        roles=roles,
        live={role: s.signer_id for role, s in live.items()},
        by=user.pk,
    )


def round_reopenings(*, round: Round) -> list[HistoryEntry]:
    """Each reopening of the signed assessment, oldest first, with who did it and why."""
    if not round.reopen_count:
        return []
    # Only reopening moves a round out of "signed"; its entry keeps the reason.
    return list(
        round.history.select_related("actor")
        .filter(kind=HistoryKind.ROUND, before__status=RoundStatus.SIGNED)
        .order_by("at", "pk")
    )


def latest_signed_round(*, ward: Ward) -> Round | None:
    return ward.rounds.filter(status=RoundStatus.SIGNED).order_by("-signed_at").first()


def unnamed_comments(*, round: Round) -> dict[tuple[int, str], str]:
    """Ratings whose scorer shared the comment without their name: (user id, standard code) to
    "A member of staff" or "A lived experience partner". One query."""
    rows = Rating.objects.filter(scorer__round=round, share_without_name=True).values_list(
        "scorer__user_id", "standard__code", "scorer__group"
    )
    return {(user_id, code): ANONYMOUS_NAMES[group] for user_id, code, group in rows}


def perception_gaps(*, round: Round) -> dict[int, float | None]:
    """Per commitment number: the lived experience partners' mean submitted rating minus the
    staff's ("Not sure" left out). Shown beside the agreed score, never averaged into it."""
    means: dict[tuple[int, str], float] = {
        (row["standard__commitment__number"], row["scorer__group"]): float(row["mean"])
        for row in Rating.objects.counted()
        .filter(scorer__round=round)
        .values("standard__commitment__number", "scorer__group")
        .annotate(mean=Avg("level"))
        .order_by()
    }
    numbers = {number for number, _group in means}
    gaps: dict[int, float | None] = {}
    for number in numbers:
        staff = means.get((number, ScorerGroup.STAFF))
        lived = means.get((number, ScorerGroup.LIVED_EXPERIENCE))
        gaps[number] = None if staff is None or lived is None else lived - staff
    return gaps
