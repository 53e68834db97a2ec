"""The numbers behind dashboards, PDFs and exports, aggregated in the database.

Every read takes the user (or an object already fetched through a scoped read) so that scoping
cannot be forgotten, and issues the same number of queries however many wards or rounds there
are. Trends across editions match commitments by number and standards by code.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from assessments import rules
from assessments.models import Action, AgreedRating, Rating, Round, RoundStatus, ScorerGroup
from standards.models import Commitment, Pillar, ServiceType, Site, Trust, Ward
from standards.selectors import latest_edition

from . import small_groups
from .models import DASHBOARD_TRUST_ROLES, ReportJob
from .small_groups import GroupProtection

MAX_LEVEL = rules.MAX_LEVEL


def percent(mean: float | None) -> int | None:
    """The mean as a whole percentage of the maximum level, by the one rounding rule."""
    return rules.percent_value(mean)


@dataclass
class Measure:
    """A score for one commitment, pillar or the whole framework."""

    key: str
    title: str
    mean: float | None
    rated: int = 0
    # Set where a group is too small to show on its own outside the ward: the cell is marked.
    small_group: bool = False

    @property
    def percent(self) -> int | None:
        return percent(self.mean)


@dataclass
class Gap:
    number: int
    title: str
    staff: float | None
    lived_experience: float | None

    @property
    def gap(self) -> float | None:
        if self.staff is None or self.lived_experience is None:
            return None
        return self.lived_experience - self.staff


@dataclass
class RoundScores:
    commitments: list[Measure]
    pillars: list[Measure]
    overall: Measure
    gaps: list[Gap]
    overall_gap: Gap


def commitment_titles() -> dict[int, str]:
    """Commitment titles by number, from the latest edition."""
    edition = latest_edition()
    if edition is None:
        return {}
    return dict(
        Commitment.objects.filter(edition=edition).values_list("number", "title").order_by("number")
    )


def _mean(value) -> float | None:
    return None if value is None else float(value)


def round_scores(*, round: Round, titles: dict[int, str] | None = None) -> RoundScores:
    """A round's agreed scores by commitment, pillar and overall, and the perception gap."""
    titles = titles if titles is not None else commitment_titles()
    agreed = AgreedRating.objects.scored().filter(round=round)
    by_number = {
        row["standard__commitment__number"]: row
        for row in agreed.values("standard__commitment__number").annotate(
            mean=Avg("level"), rated=Count("pk")
        )
    }
    commitments = [
        Measure(
            key=str(number),
            title=title,
            mean=_mean(by_number.get(number, {}).get("mean")),
            rated=by_number.get(number, {}).get("rated", 0),
        )
        for number, title in titles.items()
    ]
    pillar_rows = {
        row["standard__pillars__slug"]: row
        for row in agreed.filter(standard__pillars__isnull=False)
        .values("standard__pillars__slug")
        .annotate(mean=Avg("level"), rated=Count("pk"))
    }
    pillars = [
        Measure(
            key=p.slug,
            title=p.title,
            mean=_mean(pillar_rows.get(p.slug, {}).get("mean")),
            rated=pillar_rows.get(p.slug, {}).get("rated", 0),
        )
        for p in Pillar.objects.all()
    ]
    overall_row = agreed.aggregate(mean=Avg("level"), rated=Count("pk"))
    overall = Measure(
        key="overall", title="Overall", mean=_mean(overall_row["mean"]), rated=overall_row["rated"]
    )
    gaps, overall_gap = _gaps(round=round, titles=titles)
    return RoundScores(commitments, pillars, overall, gaps, overall_gap)


def _gaps(*, round: Round, titles: dict[int, str]) -> tuple[list[Gap], Gap]:
    """Mean of submitted ratings per group; "Not sure" never counts."""
    ratings = Rating.objects.counted().filter(scorer__round=round)
    means: dict[tuple[int, str], float] = {
        (row["standard__commitment__number"], row["scorer__group"]): float(row["mean"])
        for row in ratings.values("standard__commitment__number", "scorer__group").annotate(
            mean=Avg("level")
        )
    }
    overall = {
        row["scorer__group"]: float(row["mean"])
        for row in ratings.values("scorer__group").annotate(mean=Avg("level"))
    }
    gaps = [
        Gap(
            number,
            title,
            means.get((number, ScorerGroup.STAFF)),
            means.get((number, ScorerGroup.LIVED_EXPERIENCE)),
        )
        for number, title in titles.items()
    ]
    overall_gap = Gap(
        0, "Overall", overall.get(ScorerGroup.STAFF), overall.get(ScorerGroup.LIVED_EXPERIENCE)
    )
    return gaps, overall_gap


@dataclass
class TrendPoint:
    label: str
    mean: float | None


@dataclass
class Trend:
    """Series per commitment number (0 is overall), oldest first."""

    labels: list[str]
    series: dict[int, list[float | None]]
    # When each period's first round was signed, to place changes in the process.
    starts: list = field(default_factory=list)


def _trend(agreed: QuerySet, *, group: str) -> Trend:
    """Mean agreed level by period and commitment. `group` is the field naming the period."""
    by_commitment = agreed.values(group, "standard__commitment__number").annotate(
        mean=Avg("level"), first=Min("round__signed_at")
    )
    overall = agreed.values(group).annotate(mean=Avg("level"), first=Min("round__signed_at"))
    order = sorted(overall, key=lambda row: (row["first"] or timezone.now(), str(row[group])))
    labels = [str(row[group]) for row in order]
    index = {str(row[group]): i for i, row in enumerate(order)}
    series: dict[int, list[float | None]] = defaultdict(lambda: [None] * len(labels))
    for row in order:
        series[0][index[str(row[group])]] = _mean(row["mean"])
    for row in by_commitment:
        series[row["standard__commitment__number"]][index[str(row[group])]] = _mean(row["mean"])
    starts = [row["first"] for row in order]
    return Trend(labels=labels, series=dict(series), starts=starts)


def signed_agreed(**filters) -> QuerySet[AgreedRating]:
    return AgreedRating.objects.scored().filter(round__status=RoundStatus.SIGNED, **filters)


@dataclass
class OpenAction:
    action: Action
    overdue: bool


@dataclass
class WardDashboard:
    ward: Ward
    latest: Round | None
    scores: RoundScores | None
    trend: Trend
    titles: dict[int, str]
    actions: list[OpenAction] = field(default_factory=list)


def ward_dashboard(*, user, ward_id: int) -> WardDashboard:
    """Latest signed round by commitment and pillar, the gap, the trend and open actions."""
    ward = Ward.objects.for_user(user).select_related("site__trust").filter(pk=ward_id).first()
    if ward is None:
        raise Http404("No such ward")
    titles = commitment_titles()
    latest = (
        ward.rounds.filter(status=RoundStatus.SIGNED)
        .select_related("edition")
        .order_by("-signed_at", "-pk")
        .first()
    )
    scores = round_scores(round=latest, titles=titles) if latest else None
    trend = _trend(signed_agreed(round__ward=ward), group="round__label")
    today = timezone.localdate()
    actions = [
        OpenAction(action=a, overdue=a.due_date < today)
        for a in Action.objects.filter(ward=ward)
        .open()
        .select_related("owner")
        .prefetch_related("standards", "commitments")
        .order_by("due_date", "pk")
    ]
    return WardDashboard(ward, latest, scores, trend, titles, actions)


@dataclass
class HeatmapRow:
    ward: Ward
    round_label: str | None
    cells: list[Measure]
    overall: Measure
    # Small groups protected (reports/small_groups.py): set where a group is below the threshold.
    protection: GroupProtection | None = None

    @property
    def small_group(self) -> bool:
        return bool(self.protection and self.protection.small_group)


@dataclass
class TrustDashboard:
    trust: Trust
    titles: dict[int, str]
    rows: list[HeatmapRow]
    trend: Trend
    targets: dict[int, float]
    sites: list[Site]
    service_types: list[tuple[str, str]]
    site_id: int | None
    service_type: str | None

    @property
    def small_group_rows(self) -> list[HeatmapRow]:
        """Wards whose groups are combined at trust level (reports/small_groups.py)."""
        return [row for row in self.rows if row.small_group]


def trusts_for_dashboard(*, user) -> QuerySet[Trust]:
    return Trust.objects.with_trust_role(user, *DASHBOARD_TRUST_ROLES)


def get_dashboard_trust(*, user, trust_id: int) -> Trust:
    """A trust whose dashboards the user may read: 404 for other trusts, 403 for people of the
    trust (ward staff, say) whose role does not include the trust-wide view."""
    trust = trusts_for_dashboard(user=user).filter(pk=trust_id).first()
    if trust is None:
        if Trust.objects.for_user(user).filter(pk=trust_id).exists():
            raise PermissionDenied(
                "Trust dashboards are for QI leads, board members and lived experience leaders."
            )
        raise Http404("No such trust")
    return trust


def trust_wards(*, trust: Trust, site_id: int | None = None, service_type: str | None = None):
    wards = Ward.objects.filter(site__trust=trust).select_related("site")
    if site_id:
        wards = wards.filter(site_id=site_id)
    if service_type:
        wards = wards.filter(service_type=service_type)
    latest = Round.objects.filter(ward=OuterRef("pk"), status=RoundStatus.SIGNED).order_by(
        "-signed_at", "-pk"
    )
    return wards.annotate(
        latest_round_id=Subquery(latest.values("pk")[:1]),
        latest_round_label=Subquery(latest.values("label")[:1]),
    )


def trust_trend(
    *, trust: Trust, site_id: int | None = None, service_type: str | None = None
) -> Trend:
    """The trust-wide mean agreed score per period, overall and per commitment."""
    ward_filter = Q(round__ward__site__trust=trust)
    if site_id:
        ward_filter &= Q(round__ward__site_id=site_id)
    if service_type:
        ward_filter &= Q(round__ward__service_type=service_type)
    return _trend(signed_agreed().filter(ward_filter), group="round__label")


def trust_dashboard(
    *, user, trust_id: int, site_id: int | None = None, service_type: str | None = None
) -> TrustDashboard:
    """Heatmap of wards by commitment (latest signed rounds) and the trust-wide trend."""
    trust = get_dashboard_trust(user=user, trust_id=trust_id)
    titles = commitment_titles()
    wards = list(trust_wards(trust=trust, site_id=site_id, service_type=service_type))
    round_ids = [w.latest_round_id for w in wards if w.latest_round_id]
    cells: dict[tuple[int, int], dict] = {
        (row["round_id"], row["standard__commitment__number"]): row
        for row in AgreedRating.objects.scored()
        .filter(round_id__in=round_ids)
        .values("round_id", "standard__commitment__number")
        .annotate(mean=Avg("level"), rated=Count("pk"))
    }
    overall = {
        row["round_id"]: row
        for row in AgreedRating.objects.scored()
        .filter(round_id__in=round_ids)
        .values("round_id")
        .annotate(mean=Avg("level"), rated=Count("pk"))
    }
    protected = small_groups.protections(trust, [(w.latest_round_id, w.name) for w in wards])
    rows = []
    for ward in wards:
        rid = ward.latest_round_id
        rows.append(
            HeatmapRow(
                ward=ward,
                round_label=ward.latest_round_label,
                cells=[
                    Measure(
                        str(n),
                        t,
                        _mean(cells.get((rid, n), {}).get("mean")),
                        cells.get((rid, n), {}).get("rated", 0),
                    )
                    for n, t in titles.items()
                ],
                overall=Measure("overall", "Overall", _mean(overall.get(rid, {}).get("mean"))),
                protection=protected.get(rid),
            )
        )
    trend = trust_trend(trust=trust, site_id=site_id, service_type=service_type)
    targets = {t.commitment_number: float(t.value) for t in trust.targets.all()}
    return TrustDashboard(
        trust=trust,
        titles=titles,
        rows=rows,
        trend=trend,
        targets=targets,
        sites=list(trust.sites.all()),
        service_types=list(ServiceType.choices),
        site_id=site_id,
        service_type=service_type,
    )


def get_job_for_user(*, user, job_id: int) -> ReportJob:
    job = (
        ReportJob.objects.for_user(user)
        .select_related("round__ward__site__trust", "trust")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise Http404("No such report")
    return job


def get_trust_for_user(*, user, trust_id: int) -> Trust:
    """A trust where the user holds any role; 404 otherwise."""
    trust = Trust.objects.for_user(user).filter(pk=trust_id).first()
    if trust is None:
        raise Http404("No such trust")
    return trust
