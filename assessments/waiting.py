"""What is waiting for a person: the task list on their home page and the count in the header.

One read, scoped to the wards and trusts the person may see, with a fixed number of queries
however many wards and rounds there are. Who may do what comes from the same roles the
services check (ward manager, trust QI lead, lived experience leader, scorer, action owner),
and the same rules: a standard counts as agreed by rules.is_settled (as on the agreeing
overview), and who may sign next by rules.signing_refusal (Round.objects.open_to_sign).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from standards.models import Standard, TrustMembership, TrustRole, Ward, WardMembership, WardRole

from . import rules, selectors
from .models import (
    Action,
    AgreedRating,
    HistoryEntry,
    Round,
    RoundStatus,
    Scorer,
    SignatureRole,
)

ACTIONS_DUE_WITHIN = datetime.timedelta(days=14)


@dataclass(frozen=True)
class Task:
    kind: str
    title: str
    detail: str
    url: str
    at: datetime.datetime
    due: datetime.date | None = None
    overdue: bool = False


def _where(round: Round) -> str:
    return f"{round.ward.name}, {round.label}"


def _count(queryset):
    """A count of rows about the outer round, as a subquery (no join multiplies the rows)."""
    return Coalesce(
        Subquery(queryset.order_by().values("round").annotate(n=Count("pk")).values("n")),
        0,
        output_field=IntegerField(),
    )


def _changed_at():
    """When the round last changed: newest first means the latest step first."""
    return Subquery(
        HistoryEntry.objects.filter(round=OuterRef("pk")).order_by("-at").values("at")[:1]
    )


def _last_change(round: Round) -> datetime.datetime:
    return getattr(round, "changed_at", None) or round.opened_at


def round_tasks(user, today: datetime.date | None = None) -> list[Task]:
    """The person's tasks in assessment rounds (culture_of_care.waiting adds reports)."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    tasks: list[Task] = []
    tasks += _to_rate(user, today)
    tasks += _to_run(user, today)
    tasks += _to_cosign(user)
    tasks += _actions_due(user, today)
    return tasks


def _standard_counts(edition_ids) -> dict[int, int]:
    edition_ids = set(edition_ids)
    if not edition_ids:
        return {}
    rows = (
        Standard.objects.filter(edition_id__in=edition_ids)
        .values("edition_id")
        .annotate(n=Count("pk"))
    )
    return {row["edition_id"]: row["n"] for row in rows}


def _to_rate(user, today) -> list[Task]:
    scorers = list(
        Scorer.objects.filter(
            user=user,
            submitted_at__isnull=True,
            round__status=RoundStatus.SCORING,
            round__ward__in=Ward.objects.for_user(user),
        )
        .select_related("round__ward")
        .annotate(rated=Count("ratings"))
    )
    totals = _standard_counts(s.round.edition_id for s in scorers)
    tasks = []
    for scorer in scorers:
        round = scorer.round
        closes = round.scoring_closes_on
        tasks.append(
            Task(
                kind="rate",
                title=f"Rate the standards for {_where(round)}",
                detail=f"{scorer.rated} of {totals.get(round.edition_id, 0)} rated",
                url=reverse("assessments:score_start", args=[round.pk]),
                at=round.opened_at,
                due=closes,
                overdue=rules.is_scoring_overdue(
                    status=round.status, closes_on=closes, today=today
                ),
            )
        )
    return tasks


def _to_run(user, today) -> list[Task]:
    """Rounds the person runs: as the ward's manager, or as a QI lead of its trust."""
    managed = WardMembership.objects.filter(user=user, role=WardRole.MANAGER).values("ward_id")
    qi_trusts = TrustMembership.objects.filter(user=user, role=TrustRole.QI_LEAD).values("trust_id")
    rounds = (
        Round.objects.unfinished()
        .filter(Q(ward_id__in=managed) | Q(ward__site__trust_id__in=qi_trusts))
        .select_related("ward")
        .annotate(
            is_manager=Exists(managed.filter(ward_id=OuterRef("ward_id"))),
            scorers_total=_count(Scorer.objects.filter(round=OuterRef("pk"))),
            submitted=_count(
                Scorer.objects.filter(round=OuterRef("pk"), submitted_at__isnull=False)
            ),
            agreed=_count(AgreedRating.objects.filter(round=OuterRef("pk"))),
            may_sign=Exists(
                Round.objects.open_to_sign(role=SignatureRole.WARD_MANAGER, by=user).filter(
                    pk=OuterRef("pk")
                )
            ),
            changed_at=_changed_at(),
        )
    )
    rounds = list(rounds)
    totals = _standard_counts(r.edition_id for r in rounds)
    # Agreed rows less those still missing a reason they need: the overview's count.
    unsettled = selectors.unsettled_counts(
        round_ids=[r.pk for r in rounds if r.status == RoundStatus.AGREEING and r.is_manager]
    )
    tasks = []
    for round in rounds:
        where = _where(round)
        at = _last_change(round)
        if round.status == RoundStatus.OPEN:
            tasks.append(
                Task(
                    kind="start-scoring",
                    title=f"Choose who scores and start scoring for {where}",
                    detail="Scoring needs at least one member of staff and one partner",
                    url=reverse("assessments:round_detail", args=[round.pk]),
                    at=at,
                    due=round.scoring_closes_on,
                )
            )
        elif round.status == RoundStatus.SCORING:
            overdue = rules.is_scoring_overdue(
                status=round.status, closes_on=round.scoring_closes_on, today=today
            )
            tasks.append(
                Task(
                    kind="close-scoring",
                    title=f"Follow scoring for {where}, or close it",
                    detail=f"{round.submitted} of {round.scorers_total} scorers submitted",
                    # The close-scoring page lists who has not submitted yet.
                    url=reverse("assessments:close_scoring", args=[round.pk]),
                    at=at,
                    due=round.scoring_closes_on,
                    overdue=overdue,
                )
            )
        elif round.status == RoundStatus.AGREEING and round.is_manager:
            tasks.append(
                Task(
                    kind="agree",
                    title=f"Agree the ratings for {where}, then finish agreeing",
                    detail=(
                        f"{round.agreed - unsettled.get(round.pk, 0)} of "
                        f"{totals.get(round.edition_id, 0)} agreed"
                    ),
                    url=reverse("assessments:agree_overview", args=[round.pk]),
                    at=at,
                )
            )
        elif round.is_manager and round.may_sign:
            tasks.append(
                Task(
                    kind="sign",
                    title=f"Sign the assessment for {where}",
                    detail="As the ward manager",
                    url=reverse("assessments:sign", args=[round.pk]),
                    at=at,
                )
            )
    return tasks


def _to_cosign(user) -> list[Task]:
    """Every lived experience leader of the trust, until one has co-signed; never the person
    who signed as the ward manager (two different people)."""
    trusts = TrustMembership.objects.filter(
        user=user, role=TrustRole.LIVED_EXPERIENCE_LEADER
    ).values("trust_id")
    rounds = (
        Round.objects.open_to_sign(role=SignatureRole.LIVED_EXPERIENCE_LEADER, by=user)
        .filter(ward__site__trust_id__in=trusts)
        .annotate(changed_at=_changed_at())
        .select_related("ward")
    )
    return [
        Task(
            kind="cosign",
            title=f"Co-sign the assessment for {_where(round)}",
            detail="As a lived experience leader: sign, sign with reservations, or decline",
            url=reverse("assessments:sign", args=[round.pk]),
            at=_last_change(round),
        )
        for round in rounds
    ]


def _actions_due(user, today) -> list[Task]:
    actions = (
        Action.objects.open()
        .filter(
            owner=user,
            due_date__lte=today + ACTIONS_DUE_WITHIN,
            ward__in=Ward.objects.for_user(user),
        )
        .select_related("ward")
    )
    return [
        Task(
            kind="action",
            title=f"Action for {action.ward.name}: {action.title}",
            detail="Overdue" if action.due_date < today else "Due soon",
            url=reverse("assessments:action_edit", args=[action.pk]),
            at=action.updated_at,
            due=action.due_date,
            overdue=action.due_date < today,
        )
        for action in actions
    ]


def current_rounds(*, wards) -> dict[int, Round]:
    """Each ward's round in progress, or else its latest: for the home page's ward table. Two
    queries, one row a ward, however long the wards' histories."""
    newest_first = Round.objects.filter(ward=OuterRef("pk")).order_by("-opened_at", "-pk")
    in_progress = newest_first.exclude(status=RoundStatus.SIGNED)
    current = dict(
        Ward.objects.filter(pk__in=[ward.pk for ward in wards])
        .annotate(
            current=Coalesce(
                Subquery(in_progress.values("pk")[:1]), Subquery(newest_first.values("pk")[:1])
            )
        )
        .values_list("pk", "current")
    )
    rounds = Round.objects.only(
        "pk", "ward_id", "label", "status", "scoring_closes_on", "opened_at"
    ).in_bulk([pk for pk in current.values() if pk])
    return {ward_id: rounds[pk] for ward_id, pk in current.items() if pk in rounds}
