"""A signed round's scores, tallied once when it is signed (models.RoundScore): the numbers the
dashboards, PDFs and exports read, so that they come from one place and a trust-wide read costs
one row per round and measure, not one per rating.

A tally is a count and a sum; a mean is `total / rated`, None when nothing counted. Three
aggregate queries tally any number of rounds. The rules of what counts are the models' own:
`AgreedRating.objects.scored()` and `Rating.objects.counted()`.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, Sum

from standards import kept

from .models import AgreedRating, Rating, Round, RoundScore, RoundStatus, ScorerGroup

OVERALL = "overall"


def commitment_measure(number: int) -> str:
    return f"commitment:{number}"


def pillar_measure(slug: str) -> str:
    return f"pillar:{slug}"


def mean(rated: int, total: int) -> float | None:
    return total / rated if rated else None


def tally(round_ids: Iterable[int]) -> dict[int, dict[str, RoundScore]]:
    """Unsaved RoundScore rows for each round, by measure (three queries, any number of rounds).
    Commitments and the overall row always exist for a round with agreed ratings."""
    round_ids = [rid for rid in set(round_ids) if rid]
    rows: dict[int, dict[str, RoundScore]] = {}
    if not round_ids:
        return rows

    def row(round_id: int, measure: str, number: int | None = None) -> RoundScore:
        by_measure = rows.setdefault(round_id, {})
        if measure not in by_measure:
            by_measure[measure] = RoundScore(
                round_id=round_id, measure=measure, commitment_number=number
            )
        return by_measure[measure]

    agreed = AgreedRating.objects.scored().filter(round_id__in=round_ids)
    for item in agreed.values("round_id", "standard__commitment__number").annotate(
        rated=Count("pk"), total=Sum("level")
    ):
        number = item["standard__commitment__number"]
        for target in (
            row(item["round_id"], commitment_measure(number), number),
            row(item["round_id"], OVERALL),
        ):
            target.rated += item["rated"]
            target.total += item["total"]
    for item in (
        agreed.filter(standard__pillars__isnull=False)
        .values("round_id", "standard__pillars__slug")
        .annotate(rated=Count("pk"), total=Sum("level"))
    ):
        target = row(item["round_id"], pillar_measure(item["standard__pillars__slug"]))
        target.rated += item["rated"]
        target.total += item["total"]
    ratings = Rating.objects.counted().filter(scorer__round_id__in=round_ids)
    for item in ratings.values(
        "scorer__round_id", "standard__commitment__number", "scorer__group"
    ).annotate(rated=Count("pk"), total=Sum("level")):
        number = item["standard__commitment__number"]
        prefix = "staff" if item["scorer__group"] == ScorerGroup.STAFF else "lived"
        for target in (
            row(item["scorer__round_id"], commitment_measure(number), number),
            row(item["scorer__round_id"], OVERALL),
        ):
            setattr(target, f"{prefix}_rated", getattr(target, f"{prefix}_rated") + item["rated"])
            setattr(target, f"{prefix}_total", getattr(target, f"{prefix}_total") + item["total"])
    return rows


@transaction.atomic
def write(round_ids: Iterable[int]) -> int:
    """Tally these rounds and store their rows, replacing any there were. Called when a round
    is signed (assessments/services/signing.py) and by the demo history and the rebuild."""
    round_ids = list(round_ids)
    RoundScore.objects.filter(round_id__in=round_ids).delete()
    forget_ward_variations(ward_ids=Round.objects.filter(pk__in=round_ids).values("ward_id"))
    tallied = tally(round_ids)
    created = RoundScore.objects.bulk_create(
        [score for by_measure in tallied.values() for score in by_measure.values()],
        batch_size=2000,
    )
    # Written in bulk (no signals): the rounds' trusts' kept pages are drawn afresh.
    kept.bump(Round.objects.filter(pk__in=round_ids).values("ward__site__trust"))
    return len(created)


def forget(round: Round) -> None:
    """A reopened round is no longer signed: its stored scores go (they come back on signing)."""
    RoundScore.objects.filter(round=round).delete()
    forget_ward_variations(ward_ids=[round.ward_id])
    kept.bump_for(round)


def forget_ward_variations(*, ward_ids=None, trust_id: int | None = None) -> None:
    """The wards' history changed (a round signed or reopened, a process change marked): the
    SPC variation kept on their overall rows is worked out again when next read."""
    rows = RoundScore.objects.filter(measure=OVERALL, ward_variation__isnull=False)
    if ward_ids is not None:
        rows = rows.filter(round__ward_id__in=ward_ids)
    if trust_id is not None:
        rows = rows.filter(round__ward__site__trust_id=trust_id)
    rows.update(ward_variation=None)


def rebuild(*, batch: int = 200) -> int:
    """Every signed round's scores again, and none for a round that is not signed."""
    RoundScore.objects.exclude(round__status=RoundStatus.SIGNED).delete()
    ids = list(
        Round.objects.filter(status=RoundStatus.SIGNED).order_by("pk").values_list("pk", flat=True)
    )
    written = 0
    for start in range(0, len(ids), batch):
        written += write(ids[start : start + batch])
    return written


def stored(
    round_ids: Iterable[int], *, pillars: bool = True, overall_only: bool = False
) -> dict[int, dict[str, RoundScore]]:
    """The stored rows of these rounds (one query); a signed round without rows (signed before
    they existed, or made directly in a test) is tallied on the spot, so readers never see a
    gap. `pillars=False` leaves out the pillar rows (commitments and overall only);
    `overall_only` reads the overall rows alone."""
    round_ids = {rid for rid in round_ids if rid}
    rows: dict[int, dict[str, RoundScore]] = {}
    wanted = RoundScore.objects.filter(round_id__in=round_ids)
    if overall_only:
        wanted = wanted.filter(measure=OVERALL)
    elif not pillars:
        wanted = wanted.filter(Q(measure=OVERALL) | Q(commitment_number__isnull=False))
    for score in wanted:
        rows.setdefault(score.round_id, {})[score.measure] = score
    missing = round_ids - rows.keys()
    if missing:
        rows.update(tally(missing))
    return rows
