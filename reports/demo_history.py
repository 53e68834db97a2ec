"""Realistic demo history for the demo trust: many wards, each with years of signed rounds.

Built with bulk inserts rather than the services, so that 100 wards with 20 rounds each (about
150,000 agreed ratings and 450,000 ratings) take a minute or two, not hours. The database refuses
inserts into a signed round (see assessments/migrations/0002_lock_signed_rounds.py) and allows one
unfinished round per ward, so each quarter's rounds are inserted while "agreeing", filled, and
then signed in one update. Safe to run again: wards that already have rounds are left alone.
"""

import datetime
import math
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments import scores
from assessments.models import (
    Action,
    ActionStatus,
    AgreedRating,
    HistoryEntry,
    HistoryKind,
    Rating,
    Round,
    RoundStatus,
    Scorer,
    ScorerGroup,
    Signature,
    SignatureDecision,
    SignatureRole,
)
from assessments.rules import is_flagged, outside_both_ranges
from standards.demo import DEMO_TRUST, seed_demo_organisation
from standards.models import (
    ServiceType,
    Site,
    Standard,
    Trust,
    User,
    Ward,
    WardMembership,
    WardRole,
)
from standards.selectors import latest_edition

EXTRA_SITES = ["Riverside Hospital", "Hillview Centre", "Northgate Unit", "Eastfield Hospital"]
EXTRA_SERVICE_TYPES = [s for s in ServiceType.values if s != ServiceType.OTHER]
WARDS_PER_TRANSACTION = 10
LEADER_USERNAME = "demo.leader"

FIRST_NAMES = [
    "Aisha", "Ben", "Carys", "Daniel", "Efua", "Finn", "Gita", "Harry", "Imran", "Jess",
    "Kwame", "Lara", "Mo", "Niamh", "Owen", "Priya", "Rhys", "Sana", "Tom", "Yusuf",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Mensah", "Novak", "O'Brien", "Price", "Reid", "Singh", "Taylor",
]  # fmt: skip
RATIONALES = [
    "Partners described a different experience from staff; we agreed the lower rating.",
    "Staff and lived experience partners talked this through and met in the middle.",
    "Evidence from the community meeting supported the lived experience view.",
]
RESERVATIONS = [
    "I am signing, but night staff were not part of the scoring this quarter.",
    "Signed with a reservation: the restrictive practice scores feel generous to me.",
    "Partners were involved late; next time I want them there from the start.",
]
ACTION_TITLES = [
    "Co-produce a weekly community meeting with patients",
    "Review blanket restrictions with patients and carers",
    "Offer every patient a copy of their care plan in plain English",
    "Train the team in trauma-informed de-escalation",
    "Set up a carers' drop-in once a month",
    "Ask patients each week what would make the ward feel safer",
    "Involve peer support workers in admission conversations",
]


@dataclass(frozen=True)
class Story:
    """How a ward's culture moves over time: a starting level and a drift per round."""

    name: str  # "improving", "improving strongly" or "deteriorating"
    start: float
    slope: float


@dataclass
class HistoryResult:
    wards: int = 0
    wards_built: int = 0
    rounds: int = 0
    ratings: int = 0
    agreed: int = 0
    seconds: float = 0.0
    stories: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Quarter:
    label: str
    end: datetime.date
    # A quarter still in progress: its rounds are signed on this day, not after its end.
    signed_on: datetime.date | None = None


def current_quarter(today: datetime.date | None = None) -> Quarter | None:
    """Today's quarter, still in progress, for the few wards that have already signed its round:
    None in a quarter's first month, while the previous quarter's rounds are still being signed
    (its rounds would otherwise come first)."""
    today = today or timezone.localdate()
    start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    if (today - start).days < 31:
        return None
    label = f"{today.year} Q{(today.month - 1) // 3 + 1}"
    return Quarter(label, today - datetime.timedelta(days=20), signed_on=today)


def quarters(count: int, *, today: datetime.date | None = None) -> list[Quarter]:
    """The `count` most recent completed quarters, oldest first, like "2024 Q3"."""
    today = today or timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3  # the one before the current quarter
    if quarter == 0:
        year, quarter = year - 1, 4
    found = []
    for _ in range(count):
        end_month = quarter * 3
        next_month = datetime.date(year + end_month // 12, end_month % 12 + 1, 1)
        found.append(Quarter(f"{year} Q{quarter}", next_month - datetime.timedelta(days=1)))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found[::-1]


def story_for(index: int, rng: random.Random) -> Story:
    """Most wards improve slowly, about one in seven strongly, and the second one deteriorates."""
    if index == 1:
        return Story("deteriorating", start=rng.uniform(2.6, 2.9), slope=-0.08)
    if index % 7 == 2:
        return Story(
            "improving strongly", start=rng.uniform(1.2, 1.6), slope=rng.uniform(0.1, 0.13)
        )
    return Story("improving", start=rng.uniform(1.4, 2.3), slope=rng.uniform(0.025, 0.05))


def _clamp_level(value: float) -> int:
    return max(0, min(4, math.floor(value + 0.5)))


def _median(levels: list[int]) -> float | None:
    return statistics.median(levels) if levels else None


def build_history(
    *, wards: int, rounds: int, seed: int = 2026, in_progress: int = 0
) -> HistoryResult:
    """Give the demo trust `wards` wards in total, each with `rounds` signed quarterly rounds;
    the first `in_progress` of them have also signed a round of the current quarter, so the
    trust-wide trend ends with a period still in progress (drawn as incomplete).

    Wards that already have any round (for example Willow Ward's demo rounds) are skipped.
    """
    started = time.perf_counter()
    trust = Trust.objects.filter(name=DEMO_TRUST).first()
    leader = User.objects.filter(username=LEADER_USERNAME).first()
    if trust is None or leader is None:
        trust = seed_demo_organisation(password=settings.DEMO_PASSWORD)
        leader = User.objects.get(username=LEADER_USERNAME)
    edition = latest_edition()
    if edition is None:
        raise RuntimeError("Load the standards first: manage.py loaddata culture-of-care-standards")
    standards = list(
        Standard.objects.filter(edition=edition)
        .select_related("commitment")
        .order_by("commitment__number", "position")
    )
    scope = _ensure_wards(trust=trust, count=wards)
    built = set(Round.objects.filter(ward__in=scope).values_list("ward_id", flat=True).distinct())
    result = HistoryResult(wards=len(scope))
    # Generators seeded by ward name: the same history on any database, whatever the ids.
    stories = {
        ward.pk: story_for(i, random.Random(f"{seed}:story:{ward.name}"))
        for i, ward in enumerate(scope)
    }
    result.stories = {ward.name: stories[ward.pk].name for ward in scope}
    todo = [ward for ward in scope if ward.pk not in built]
    periods = quarters(rounds)
    gap_rng = random.Random(seed + 1)
    # Lived experience partners rate lower than staff on average, more so on some commitments.
    le_gaps = {n: -0.3 + gap_rng.gauss(0, 0.2) for n in range(1, 13)}
    for start in range(0, len(todo), WARDS_PER_TRANSACTION):
        chunk = todo[start : start + WARDS_PER_TRANSACTION]
        with transaction.atomic():
            people = _ensure_people(chunk, seed=seed)
            builder = _ChunkBuilder(
                wards=chunk,
                people=people,
                leader=leader,
                edition=edition,
                standards=standards,
                stories=stories,
                le_gaps=le_gaps,
                seed=seed,
            )
            for index, quarter in enumerate(periods):
                builder.build_quarter(index, quarter, result)
        result.wards_built += len(chunk)
    now = current_quarter() if in_progress else None
    if now is not None and todo:
        early = todo[:in_progress]
        with transaction.atomic():
            builder = _ChunkBuilder(
                wards=early,
                people=_ensure_people(early, seed=seed),
                leader=leader,
                edition=edition,
                standards=standards,
                stories=stories,
                le_gaps=le_gaps,
                seed=seed,
            )
            builder.build_quarter(len(periods), now, result)
    if todo:
        analyse_tables()
    result.seconds = time.perf_counter() - started
    return result


def analyse_tables() -> None:
    """Give PostgreSQL's planner statistics for what bulk inserts just added: without them,
    queries scan every rating until autovacuum gets round to it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _ensure_wards(*, trust: Trust, count: int) -> list[Ward]:
    """The trust's first `count` wards by id, adding "Ward 001" onwards when it has fewer."""
    existing = list(Ward.objects.filter(site__trust=trust).order_by("pk"))
    missing = count - len(existing)
    if missing > 0:
        sites = {
            name: Site.objects.get_or_create(trust=trust, name=name)[0] for name in EXTRA_SITES
        }
        taken = {ward.name for ward in existing}
        names = (f"Ward {i:03d}" for i in range(1, 10_000) if f"Ward {i:03d}" not in taken)
        new = []
        for i, name in zip(range(missing), names, strict=False):
            new.append(
                Ward(
                    site=sites[EXTRA_SITES[i % len(EXTRA_SITES)]],
                    name=name,
                    service_type=EXTRA_SERVICE_TYPES[i % len(EXTRA_SERVICE_TYPES)],
                )
            )
        Ward.objects.bulk_create(new)
        existing = list(Ward.objects.filter(site__trust=trust).order_by("pk"))
    return existing[:count]


@dataclass
class WardPeople:
    manager: User  # signs as ward manager and scores as staff
    staff: User
    partner: User


def _ensure_people(wards: list[Ward], *, seed: int) -> dict[int, WardPeople]:
    """Three people per ward (a manager, a member of staff, a lived experience partner)."""
    wanted = {}
    for ward in wards:
        prefix = slugify(ward.name).replace("-", "")
        for role in ("manager", "staff", "partner"):
            wanted[f"{prefix}.{role}"] = (ward, role)
    have = {u.username: u for u in User.objects.filter(username__in=wanted)}
    unusable = make_password(None)  # these people never sign in
    User.objects.bulk_create(
        [
            User(
                username=name,
                first_name=random.Random(f"{seed}:first:{name}").choice(FIRST_NAMES),
                last_name=random.Random(f"{seed}:last:{name}").choice(LAST_NAMES),
                password=unusable,
            )
            for name in wanted
            if name not in have
        ]
    )
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    roles = {
        "manager": [WardRole.MANAGER, WardRole.STAFF],
        "staff": [WardRole.STAFF],
        "partner": [WardRole.LIVED_EXPERIENCE_PARTNER],
    }
    WardMembership.objects.bulk_create(
        [
            WardMembership(user=users[name], ward=ward, role=ward_role)
            for name, (ward, role) in wanted.items()
            for ward_role in roles[role]
        ],
        ignore_conflicts=True,
    )
    people = {}
    for ward in wards:
        prefix = slugify(ward.name).replace("-", "")
        people[ward.pk] = WardPeople(
            manager=users[f"{prefix}.manager"],
            staff=users[f"{prefix}.staff"],
            partner=users[f"{prefix}.partner"],
        )
    return people


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now() - datetime.timedelta(hours=1))


class _ChunkBuilder:
    """Inserts one quarter's rounds for a handful of wards at a time."""

    def __init__(self, *, wards, people, leader, edition, standards, stories, le_gaps, seed):
        self.wards = wards
        self.people = people
        self.leader = leader
        self.edition = edition
        self.standards = standards
        self.stories = stories
        self.le_gaps = le_gaps
        self.today = timezone.localdate()
        self.rngs = {ward.pk: random.Random(f"{seed}:{ward.name}") for ward in wards}
        # Each ward is stronger on some commitments and standards than others, and stays so.
        self.offsets = {ward.pk: self._ward_offsets(self.rngs[ward.pk]) for ward in wards}

    def _ward_offsets(self, rng: random.Random) -> dict[int, float]:
        """Offset from the ward's level, by standard id."""
        by_commitment = {n: rng.gauss(0, 0.35) for n in range(1, 13)}
        return {
            s.pk: by_commitment.get(s.commitment.number, 0) + rng.gauss(0, 0.25)
            for s in self.standards
        }

    def build_quarter(self, index: int, quarter: Quarter, result: HistoryResult) -> None:
        rounds = Round.objects.bulk_create(
            [
                Round(
                    ward=ward,
                    edition=self.edition,
                    label=quarter.label,
                    status=RoundStatus.AGREEING,
                    opened_by=self.people[ward.pk].manager,
                )
                for ward in self.wards
            ]
        )
        submitted = _at(quarter.end - datetime.timedelta(days=10), 15)
        scorers = []
        for round in rounds:
            who = self.people[round.ward_id]
            scorers += [
                Scorer(
                    round=round, user=who.manager, group=ScorerGroup.STAFF, submitted_at=submitted
                ),
                Scorer(
                    round=round, user=who.staff, group=ScorerGroup.STAFF, submitted_at=submitted
                ),
                Scorer(
                    round=round,
                    user=who.partner,
                    group=ScorerGroup.LIVED_EXPERIENCE,
                    submitted_at=submitted,
                ),
            ]
        scorers = Scorer.objects.bulk_create(scorers)
        ratings, agreed, lowest = [], [], {}
        for round, trio in zip(rounds, _threes(scorers), strict=True):
            rng = self.rngs[round.ward_id]
            story = self.stories[round.ward_id]
            # A shared wobble each quarter, so the trend is not a straight line.
            level = min(3.7, max(0.3, story.start + story.slope * index + rng.gauss(0, 0.08)))
            biases = [rng.gauss(0, 0.12) for _ in trio]
            scored = []
            for standard in self.standards:
                latent = level + self.offsets[round.ward_id][standard.pk]
                groups = {ScorerGroup.STAFF: [], ScorerGroup.LIVED_EXPERIENCE: []}
                for scorer, bias in zip(trio, biases, strict=True):
                    is_le = scorer.group == ScorerGroup.LIVED_EXPERIENCE
                    if rng.random() < (0.06 if is_le else 0.03):
                        answer = None  # "Not sure"
                    else:
                        gap = self.le_gaps[standard.commitment.number] if is_le else 0
                        noise = rng.gauss(0, 0.6 if is_le else 0.5)
                        answer = _clamp_level(latent + gap + bias + noise)
                        groups[scorer.group].append(answer)
                    ratings.append(Rating(scorer=scorer, standard=standard, level=answer))
                level_agreed, rationale = _agree(groups, rng)
                agreed.append(
                    AgreedRating(
                        round=round,
                        standard=standard,
                        level=level_agreed,
                        rationale=rationale,
                        updated_by=self.people[round.ward_id].manager,
                    )
                )
                scored.append((level_agreed if level_agreed is not None else 9, standard))
            scored.sort(key=lambda pair: (pair[0], pair[1].pk))
            lowest[round.pk] = [standard for _level, standard in scored[:2]]
        Rating.objects.bulk_create(ratings, batch_size=2000)
        AgreedRating.objects.bulk_create(agreed, batch_size=2000)
        self._sign(rounds, quarter)
        self._actions(rounds, quarter, lowest)
        result.rounds += len(rounds)
        result.ratings += len(ratings)
        result.agreed += len(agreed)

    def _sign(self, rounds: list[Round], quarter: Quarter) -> None:
        """Both signatures, then the rounds signed and locked in one update."""
        signatures, entries = [], []
        for round in rounds:
            rng = self.rngs[round.ward_id]
            manager = self.people[round.ward_id].manager
            day = quarter.end + datetime.timedelta(days=rng.randint(7, 25))
            reservations = rng.random() < 0.08
            round.opened_at = _at(quarter.end - datetime.timedelta(days=40), 9)
            round.signed_at = _at(day + datetime.timedelta(days=rng.randint(1, 4)), 16)
            if quarter.signed_on is not None:  # in progress: signed already, early this morning
                round.signed_at = _at(quarter.signed_on, 0)
            round.status = RoundStatus.SIGNED
            signatures += [
                Signature(
                    round=round,
                    signer=manager,
                    role=SignatureRole.WARD_MANAGER,
                    decision=SignatureDecision.SIGNED,
                ),
                Signature(
                    round=round,
                    signer=self.leader,
                    role=SignatureRole.LIVED_EXPERIENCE_LEADER,
                    decision=(
                        SignatureDecision.RESERVATIONS if reservations else SignatureDecision.SIGNED
                    ),
                    words=rng.choice(RESERVATIONS) if reservations else "",
                ),
            ]
            entries.append(
                HistoryEntry(
                    round=round,
                    actor=self.leader,
                    kind=HistoryKind.ROUND,
                    summary="Signed and locked (demo history)",
                    before={"status": RoundStatus.AWAITING_SIGNOFF},
                    after={"status": RoundStatus.SIGNED},
                )
            )
        signatures = Signature.objects.bulk_create(signatures)
        # Dates set on creation are "now"; move them to when the round was signed.
        for signature in signatures:
            signature.signed_at = signature.round.signed_at
        Signature.objects.bulk_update(signatures, ["signed_at"])
        entries = HistoryEntry.objects.bulk_create(entries)
        for entry in entries:
            entry.at = entry.round.signed_at
        HistoryEntry.objects.bulk_update(entries, ["at"])
        Round.objects.bulk_update(rounds, ["status", "signed_at", "opened_at"])
        scores.write(round.pk for round in rounds)

    def _actions(self, rounds: list[Round], quarter: Quarter, lowest: dict) -> None:
        """About one round in three starts an action on its weakest standards."""
        actions, links = [], []
        for round in rounds:
            rng = self.rngs[round.ward_id]
            if rng.random() > 0.35:
                continue
            who = self.people[round.ward_id]
            due = quarter.end + datetime.timedelta(days=rng.choice([60, 90, 120, 180]))
            age = (self.today - due).days
            if age > 90:
                status = rng.choices(
                    [ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.IN_PROGRESS],
                    weights=[8, 1, 1],
                )[0]
            elif age > 0:
                status = rng.choice([ActionStatus.DONE, ActionStatus.IN_PROGRESS])
            else:
                status = rng.choice([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS])
            actions.append(
                Action(
                    ward_id=round.ward_id,
                    origin_round=round,
                    title=rng.choice(ACTION_TITLES),
                    owner=rng.choice([who.manager, who.staff]),
                    due_date=due,
                    status=status,
                    co_produced=rng.random() < 0.6,
                    created_by=who.manager,
                )
            )
            links.append((round, lowest[round.pk]))
        if not actions:
            return
        actions = Action.objects.bulk_create(actions)
        for action, (round, _s) in zip(actions, links, strict=True):
            action.created_at = round.opened_at
        Action.objects.bulk_update(actions, ["created_at"])
        Action.rounds.through.objects.bulk_create(
            [
                Action.rounds.through(action=a, round=r)
                for a, (r, _s) in zip(actions, links, strict=True)
            ]
        )
        Action.standards.through.objects.bulk_create(
            [
                Action.standards.through(action=a, standard=s)
                for a, (_r, chosen) in zip(actions, links, strict=True)
                for s in chosen
            ]
        )


def _agree(groups: dict[str, list[int]], rng: random.Random) -> tuple[int | None, str]:
    """The agreed level and, where the rules need one, a rationale."""
    staff = _median(groups[ScorerGroup.STAFF])
    lived = _median(groups[ScorerGroup.LIVED_EXPERIENCE])
    known = [m for m in (staff, lived) if m is not None]
    if not known:
        return None, "Nobody felt able to rate this yet."
    # The group meets between the two views, leaning a little towards lived experience.
    level = _clamp_level(sum(known) / len(known) - 0.1 + rng.gauss(0, 0.3))
    flagged = is_flagged(None if staff is None or lived is None else lived - staff)
    ranges = [(min(g), max(g)) for g in groups.values() if g]
    outside = outside_both_ranges(level, ranges)
    if flagged or outside:
        return level, rng.choice(RATIONALES)
    return level, ""


def _threes(items: list) -> Iterator[list]:
    for i in range(0, len(items), 3):
        yield items[i : i + 3]
