"""Demo rounds for the demo trust: one signed and locked, one being scored. Safe to run again."""

import datetime
import random

from django.db import transaction

from standards.models import Standard, User, Ward, WardMembership, WardRole

from . import services
from .models import Round

SIGNED_LABEL = "2026 Q2"
IN_PROGRESS_LABEL = "2026 Q4"
# Beech Ward's round has its own label, so that each demo label names one round.
AWAITING_SIGNOFF_LABEL = "2026 Q3"
AVOIDING_HARM = 6
RESERVATIONS = (
    "I am signing because the ward has listened. My reservation: night staff and bank staff "
    "were not part of the scoring, and the lived experience view on restrictive practice was "
    "stronger than these scores show."
)


def _answer(rng: random.Random, base: int) -> str:
    if rng.random() < 0.05:
        return "not-sure"
    return str(max(0, min(4, base + rng.choice([-1, 0, 0, 1]))))


@transaction.atomic
def seed_demo_rounds(*, ward: Ward) -> None:
    """A signed round with evidence, an action and reservations, then a round in scoring."""
    if ward.rounds.exists():
        return
    people = {u.username: u for u in User.objects.filter(username__startswith="demo.")}
    manager, leader = people["demo.manager"], people["demo.leader"]
    staff = [people["demo.staff"], people["demo.staff2"]]
    partner = people["demo.partner"]
    standards = list(Standard.objects.filter(edition_id=_latest_edition_id()))
    rng = random.Random(2026)

    round = services.open_round(
        ward=ward, label=SIGNED_LABEL, by=manager, scorer_ids=[u.pk for u in [*staff, partner]]
    )
    services.start_scoring(round=round, by=manager)
    for scorer, base in ((staff[0], 3), (staff[1], 3), (partner, 2)):
        for standard in standards:
            level = base - 2 if (scorer == partner and standard.code == "5.2") else base
            services.save_rating(
                round=round, standard=standard, answer=_answer(rng, level), by=scorer
            )
        services.submit_ratings(round=round, by=scorer)
    round.refresh_from_db()
    # The team agrees "Avoiding harm" (commitment 6) at Established or better while the ward's
    # restraint figures rise (reports/demo_measures.py): the contradiction the demo shows.
    _agree_as_discussed(round, manager, at_least={AVOIDING_HARM: 3})
    first = standards[0]
    services.add_evidence(
        round=round,
        standard=first,
        kind="note",
        by=manager,
        note="Two peer support workers joined the ward team in March.",
    )
    services.create_action(
        round=round,
        title="Co-produce a weekly community meeting with patients",
        owner_id=staff[0].pk,
        # Due soon, so that its owner sees it among their tasks.
        due_date=datetime.date.today() + datetime.timedelta(days=10),
        co_produced=True,
        standards=[first],
        by=manager,
    )
    services.finish_agreeing(round=round, by=manager)
    services.sign_as_manager(round=round, by=manager)
    services.sign_as_leader(round=round, decision="reservations", words=RESERVATIONS, by=leader)

    current = services.open_round(
        ward=ward,
        label=IN_PROGRESS_LABEL,
        by=manager,
        scorer_ids=[u.pk for u in [*staff, partner]],
    )
    services.start_scoring(round=current, by=manager)
    for standard in standards[:20]:
        services.save_rating(round=current, standard=standard, answer=_answer(rng, 3), by=staff[1])


def _agree_as_discussed(round: Round, manager, at_least: dict[int, int] | None = None) -> None:
    """The demo team agrees each standard at the groups' median, with a reason always given;
    `at_least` raises the agreed level by commitment number."""
    at_least = at_least or {}
    for comparison in _comparisons(round):
        level = comparison.staff.median or comparison.lived_experience.median or 2
        floor = at_least.get(comparison.standard.commitment.number)
        if floor is not None:
            level = max(level, floor)
        services.record_agreed_rating(
            round=round,
            standard=comparison.standard,
            answer=str(int(level)),
            rationale="Staff and lived experience partners discussed this together.",
            version=None,
            by=manager,
        )


def _latest_edition_id() -> int:
    from standards.selectors import latest_edition

    return latest_edition().pk


def _comparisons(round: Round):
    from .selectors import round_comparisons

    return round_comparisons(round=round)


@transaction.atomic
def seed_awaiting_signoff(*, ward: Ward) -> None:
    """A second ward whose round is agreed and waits for signatures: the ward manager's "sign"
    task and every lived experience leader's "co-sign" task in the demo."""
    if ward.rounds.exists():
        return
    people = {u.username: u for u in User.objects.filter(username__startswith="demo.")}
    manager, staff, partner = people["demo.manager"], people["demo.staff2"], people["demo.partner"]
    for user, role in (
        (manager, WardRole.MANAGER),
        (staff, WardRole.STAFF),
        (partner, WardRole.LIVED_EXPERIENCE_PARTNER),
    ):
        WardMembership.objects.get_or_create(user=user, ward=ward, role=role)
    rng = random.Random(2027)
    standards = list(Standard.objects.filter(edition_id=_latest_edition_id()))
    round = services.open_round(
        ward=ward, label=AWAITING_SIGNOFF_LABEL, by=manager, scorer_ids=[staff.pk, partner.pk]
    )
    services.start_scoring(round=round, by=manager)
    for scorer in (staff, partner):
        for standard in standards:
            services.save_rating(round=round, standard=standard, answer=_answer(rng, 3), by=scorer)
        services.submit_ratings(round=round, by=scorer)
    round.refresh_from_db()
    _agree_as_discussed(round, manager)
    services.finish_agreeing(round=round, by=manager)
