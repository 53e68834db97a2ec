"""The numbers behind dashboards, PDFs and exports, aggregated in the database.

Every read takes the user (or an object already fetched through a scoped read) so that scoping
cannot be forgotten, and issues the same number of queries however many wards or rounds there
are. Trends across editions match commitments by number and standards by code.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from assessments import scores
from assessments.models import Action, Round, RoundScore, RoundStatus
from standards import kept, numbers
from standards.models import Commitment, Pillar, ReadingsVersion, ServiceType, Site, Trust, Ward
from standards.selectors import latest_edition

from . import periods, small_groups
from .models import (
    DASHBOARD_TRUST_ROLES,
    Audience,
    ReportJob,
    ReportKind,
    TrustReportSettings,
)
from .small_groups import GroupProtection

MAX_LEVEL = numbers.MAX_LEVEL


def percent(mean: float | None) -> int | None:
    """The mean as a whole percentage of the maximum level, by the one rounding rule."""
    return numbers.percent_value(mean)


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


def tally_measure(score: RoundScore | None, key: str, title: str) -> Measure:
    if score is None:
        return Measure(key=key, title=title, mean=None, rated=0)
    return Measure(
        key=key, title=title, mean=scores.mean(score.rated, score.total), rated=score.rated
    )


def combined_mean(score: RoundScore | None) -> float | None:
    """Both groups' submitted ratings together: shown outside the ward instead of the groups
    apart when a group is small (reports/small_groups.py)."""
    if score is None:
        return None
    return scores.mean(score.staff_rated + score.lived_rated, score.staff_total + score.lived_total)


def tally_gap(score: RoundScore | None, number: int, title: str) -> Gap:
    if score is None:
        return Gap(number, title, None, None)
    return Gap(
        number,
        title,
        scores.mean(score.staff_rated, score.staff_total),
        scores.mean(score.lived_rated, score.lived_total),
    )


def round_scores(*, round: Round, titles: dict[int, str] | None = None) -> RoundScores:
    """A round's agreed scores by commitment, pillar and overall, and the perception gap (the
    mean of submitted ratings per group; "Not sure" never counts), from its tally
    (assessments/scores.py: stored when signed)."""
    titles = titles if titles is not None else commitment_titles()
    rows = scores.stored([round.pk]).get(round.pk, {})
    commitments = [
        tally_measure(rows.get(scores.commitment_measure(number)), str(number), title)
        for number, title in titles.items()
    ]
    pillars = [
        tally_measure(rows.get(scores.pillar_measure(p.slug)), p.slug, p.title)
        for p in Pillar.objects.all()
    ]
    overall = tally_measure(rows.get(scores.OVERALL), "overall", "Overall")
    gaps = [
        tally_gap(rows.get(scores.commitment_measure(number)), number, title)
        for number, title in titles.items()
    ]
    return RoundScores(
        commitments, pillars, overall, gaps, tally_gap(rows.get(scores.OVERALL), 0, "Overall")
    )


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
    # How many wards each period's point stands on (wards with a signed round of that period).
    wards: list[int] = field(default_factory=list)
    # Trust-wide trends only: the periods drawn as incomplete and not judged, by index, with
    # why (reports/periods.py), and the trust's minimum setting (None: the usual rule).
    incomplete: dict[int, str] = field(default_factory=dict)
    minimum_setting: int | None = None

    def wards_at(self, index: int) -> int | None:
        return self.wards[index] if index < len(self.wards) else None


def _trend(signed_scores: QuerySet) -> Trend:
    """Mean agreed level by round label and commitment (0 is overall), from signed rounds'
    tallies: the sums over every round of a period divided by their counts, which is the mean of
    every agreed rating of that period (one query)."""
    rows = (
        signed_scores.filter(Q(measure=scores.OVERALL) | Q(commitment_number__isnull=False))
        .values("round__label", "commitment_number")
        .annotate(
            rated=Sum("rated"),
            total=Sum("total"),
            first=Min("round__signed_at"),
            wards=Count("round__ward", distinct=True),
        )
    )
    overall = []
    by_commitment = []
    for row in rows:
        (by_commitment if row["commitment_number"] else overall).append(row)
    order = sorted(
        overall, key=lambda row: (row["first"] or timezone.now(), str(row["round__label"]))
    )
    labels = [str(row["round__label"]) for row in order]
    index = {label: i for i, label in enumerate(labels)}
    series: dict[int, list[float | None]] = defaultdict(lambda: [None] * len(labels))
    for row in [*order, *by_commitment]:
        position = index.get(str(row["round__label"]))
        if position is not None:
            series[row["commitment_number"] or 0][position] = scores.mean(
                row["rated"], row["total"]
            )
    starts = [row["first"] for row in order]
    wards = [row["wards"] for row in order]
    return Trend(labels=labels, series=dict(series), starts=starts, wards=wards)


def signed_scores(**filters) -> QuerySet[RoundScore]:
    """Stored tallies of signed rounds (assessments/scores.py)."""
    return RoundScore.objects.filter(round__status=RoundStatus.SIGNED, **filters)


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
    # Outside the latest round's ward team with a small group: why the perception gap is left
    # out (small_groups.hidden_for); empty when the reader sees both groups.
    groups_hidden: str = ""


def ward_dashboard(*, user, ward_id: int) -> WardDashboard:
    """Latest signed round by commitment and pillar, the gap, the trend and open actions.
    Outside the latest round's ward team, the small-group rule holds (decision 0024)."""
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
    groups_hidden = small_groups.hidden_for(user=user, round=latest)
    if scores and groups_hidden:
        # Nothing of the groups apart reaches the page, its charts or its tables.
        scores.gaps, scores.overall_gap = [], Gap(0, "Overall", None, None)
    trend = _trend(signed_scores(round__ward=ward))
    today = timezone.localdate()
    actions = [
        OpenAction(action=a, overdue=a.due_date < today)
        for a in Action.objects.filter(ward=ward)
        .open()
        .select_related("owner")
        .prefetch_related("standards", "commitments")
        .order_by("due_date", "pk")
    ]
    return WardDashboard(ward, latest, scores, trend, titles, actions, groups_hidden)


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


# A trust's trend is kept this long in the cache at most (to free the memory: it is keyed by the
# trust's readings version, so it is never out of date).
TREND_CACHE_SECONDS = 10 * 60
# The heatmap shows this many wards a page; the summary above it covers every ward.
WARDS_PER_PAGE = 50


@dataclass
class TrustDashboard:
    trust: Trust
    titles: dict[int, str]
    # The heatmap's rows: this page's wards only.
    rows: list[HeatmapRow]
    trend: Trend
    targets: dict[int, float]
    sites: list[Site]
    service_types: list[tuple[str, str]]
    site_id: int | None
    service_type: str | None
    # Every ward the filters allow (for the board summary and the leaders' words), and the page.
    wards: list[Ward] = field(default_factory=list)
    page: Page | None = None

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


@dataclass(frozen=True)
class ReadingsState:
    key: str  # changes whenever anything the dashboard reads changes
    wards: int  # the trust's wards, every site and type


def trust_readings_state(trust: Trust) -> ReadingsState:
    """Where everything the trust dashboard reads stands, in one query of three index lookups:
    the trust's readings version and every trust's (standards/kept.py: moved on in the same
    transaction as any change to what a kept page reads, by the history helpers and by model
    signals), and how many wards the trust has (for the page number). A kept dashboard is drawn
    afresh whenever either version moves (presenters.trust_dashboard_body)."""
    versions, ward, site = ReadingsVersion._meta.db_table, Ward._meta.db_table, Site._meta.db_table
    # Table names come from the models, values are parameters.
    sql = (
        f"SELECT (SELECT version FROM {versions} WHERE scope = %s),"  # noqa: S608
        f" (SELECT version FROM {versions} WHERE scope = %s),"
        f" (SELECT COUNT(*) FROM {ward} w JOIN {site} s ON s.id = w.site_id WHERE s.trust_id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kept.EVERY_TRUST, trust.pk, trust.pk])
        every_trust, own, wards = cursor.fetchone()
    if every_trust is None or own is None:
        return ReadingsState(key=kept.unversioned(trust.pk), wards=wards)
    return ReadingsState(key=f"{every_trust}.{own}", wards=wards)


def trust_ward_id(trust: Trust, ward_id) -> int | None:
    """A ward id a request names, if it is one of the trust's wards (one query); else None."""
    try:
        ward_id = int(ward_id)
    except (TypeError, ValueError):
        return None
    return ward_id if Ward.objects.filter(pk=ward_id, site__trust=trust).exists() else None


def shown_page(page, wards: int) -> int:
    """The heatmap page a request asks for, as the paginator will show it (a number from 1 to
    the last page; anything else the first)."""
    try:
        number = int(page)
    except (TypeError, ValueError):
        return 1
    last = max(1, -(-wards // WARDS_PER_PAGE))
    return min(max(number, 1), last)


def trust_trend(
    *, trust: Trust, site_id: int | None = None, service_type: str | None = None
) -> Trend:
    """The trust-wide mean agreed score per period, overall and per commitment.

    Kept in the cache under the trust's readings version and every trust's (standards/kept.py,
    one small query): any signing, reopening, ward moved to another site or type, or catalogue
    change moves one of them on, so a kept trend is never out of date."""
    ward_filter = Q(round__ward__site__trust=trust)
    if site_id:
        ward_filter &= Q(round__ward__site_id=site_id)
    if service_type:
        ward_filter &= Q(round__ward__service_type=service_type)
    # v3: each period's ward count (reports/periods.py), under the trust's readings version.
    key = f"trust-trend:v3:{trust.pk}:{site_id}:{service_type}:{kept.versions_key(trust.pk)}"
    trend = cache.get(key)
    if trend is None:
        trend = _trend(signed_scores().filter(ward_filter))
        cache.set(key, trend, TREND_CACHE_SECONDS)
    # Which periods are incomplete depends on today and the trust's setting: worked out on
    # every read, never kept with the trend.
    setting = trend_minimum_setting(trust)
    trend.minimum_setting = setting
    trend.incomplete = periods.incomplete_periods(
        trend.labels, trend.wards, today=timezone.localdate(), setting=setting
    )
    return trend


def wards_trend(*, wards: QuerySet[Ward]) -> Trend:
    """The trend of some wards' signed rounds (a ward's own export), every period judged."""
    return _trend(signed_scores(round__ward__in=wards))


def trend_minimum_setting(trust: Trust) -> int | None:
    """The trust's fewest wards for a trust-wide period to be judged, or None for the usual
    rule (reports/periods.py)."""
    return (
        TrustReportSettings.objects.filter(trust=trust)
        .values_list("minimum_wards", flat=True)
        .first()
    )


def trust_dashboard(
    *,
    user,
    trust_id: int,
    site_id: int | None = None,
    service_type: str | None = None,
    page: int | str | None = 1,
) -> TrustDashboard:
    """Heatmap of wards by commitment (latest signed rounds), WARDS_PER_PAGE wards a page, and
    the trust-wide trend. Reads the same number of queries, and about the same time, however
    many wards the trust has: trends come from stored tallies, cells only for the page shown."""
    trust = get_dashboard_trust(user=user, trust_id=trust_id)
    titles = commitment_titles()
    wards = list(
        trust_wards(trust=trust, site_id=site_id, service_type=service_type).order_by(
            "site__name", "name", "pk"
        )
    )
    shown = Paginator(wards, WARDS_PER_PAGE).get_page(page)
    page_wards = list(shown.object_list)
    round_ids = [w.latest_round_id for w in page_wards if w.latest_round_id]
    tallies = scores.stored(round_ids, pillars=False)
    protected = small_groups.protections(trust, [(w.latest_round_id, w.name) for w in page_wards])
    rows = []
    for ward in page_wards:
        rid = ward.latest_round_id
        tally = tallies.get(rid, {})
        rows.append(
            HeatmapRow(
                ward=ward,
                round_label=ward.latest_round_label,
                cells=[
                    tally_measure(tally.get(scores.commitment_measure(n)), str(n), t)
                    for n, t in titles.items()
                ],
                overall=tally_measure(tally.get(scores.OVERALL), "overall", "Overall"),
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
        wards=wards,
        page=shown,
    )


def get_job_for_user(*, user, job_id: int) -> ReportJob:
    job = (
        ReportJob.objects.for_user(user)
        .select_related("round__ward__site__trust", "trust")
        .filter(pk=job_id)
        .first()
    )
    if job is None or not _may_read(user=user, job=job):
        raise Http404("No such report")
    return job


def _may_read(*, user, job: ReportJob) -> bool:
    """A ward PDF made for the ward team (or before audiences) is the ward team's alone: nobody
    outside it follows, downloads or retries it (decision 0024)."""
    if job.kind != ReportKind.WARD_ASSESSMENT or job.audience == Audience.OUTSIDE:
        return True
    return small_groups.in_ward_team(user=user, ward=job.round.ward, round=job.round)


def get_trust_for_user(*, user, trust_id: int) -> Trust:
    """A trust where the user holds any role; 404 otherwise."""
    trust = Trust.objects.for_user(user).filter(pk=trust_id).first()
    if trust is None:
        raise Http404("No such trust")
    return trust
