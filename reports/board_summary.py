"""The board summary: what needs the board's attention, at the top of the trust dashboard and the
board pack. Reads (a fixed number of queries, whatever the number of wards) and the presenter
that both templates include (templates/reports/_board_summary.html).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from assessments import scores
from assessments.models import Action, RoundScore, Signature, SignatureDecision
from standards import numbers
from standards.models import Trust

from . import small_groups
from .headlines import headline
from .models import ProcessChange
from .process_changes import change_indexes
from .selectors import signed_scores
from .spc import CONCERN, SpcResult, SpcSettings, analyse
from .spc_panels import SpcPanel

TOP_GAPS = 3
# The section developer B adds for the lived experience leaders' words (same id on both pages).
RESERVATIONS_ANCHOR = "le-voice"


def ward_key(ward_id: int) -> str:
    return f"ward:{ward_id}:overall"


@dataclass
class Item:
    """One line of the summary: what it is about, where its detail is, and what it says."""

    name: str
    url: str
    text: str


@dataclass
class BoardSummary:
    concerns: list[Item] = field(default_factory=list)
    gaps: list[Item] = field(default_factory=list)
    overdue: list[Item] = field(default_factory=list)
    overdue_total: int = 0
    # Wards whose latest agreed scores and measures disagree (reports/measures.py's rule).
    contradictions: list[Item] = field(default_factory=list)
    reservations: int = 0
    declines: int = 0
    reservations_url: str = f"#{RESERVATIONS_ANCHOR}"

    @property
    def nothing_to_report(self) -> bool:
        return not (
            self.concerns
            or self.gaps
            or self.overdue
            or self.reservations
            or self.declines
            or self.contradictions
        )


# --- reads -----------------------------------------------------------------------------------


def ward_overall_trends(*, ward_ids: list[int]) -> dict[int, list[tuple[str, float, object]]]:
    """Each ward's overall agreed mean per signed round, oldest first (one query)."""
    rows = (
        signed_scores(round__ward_id__in=ward_ids, measure=scores.OVERALL, rated__gt=0)
        .values_list("round__ward_id", "round__label", "rated", "total", "round__signed_at")
        .order_by("round__ward_id", "round__signed_at", "round_id")
    )
    trends: dict[int, list[tuple[str, float, object]]] = defaultdict(list)
    for ward_id, label, rated, total, signed_at in rows:
        trends[ward_id].append((str(label), scores.mean(rated, total), signed_at))
    return trends


def ward_concerns(
    latest: dict[int, dict[str, RoundScore]],
    round_to_ward: dict[int, object],
    *,
    changes: dict[str, list[ProcessChange]],
    spc: SpcSettings,
) -> dict[int, SpcResult]:
    """The wards whose overall score shows special cause concern at their latest signed round,
    with the analysis of each, keyed by ward id.

    Each ward's variation at its latest round is kept on that round's overall row once worked
    out (assessments.RoundScore.ward_variation, forgotten when the ward's history or the process
    changes change), so only wards not yet worked out, and the few in concern (for their
    headline), are analysed: the time does not grow with every ward of the trust."""
    unknown, concern = [], []
    for rid, ward in round_to_ward.items():
        row = latest.get(rid, {}).get(scores.OVERALL)
        if row is None or row.pk is None or row.ward_variation is None:
            unknown.append(ward.pk)
        elif row.ward_variation == CONCERN:
            concern.append(ward.pk)
    results: dict[int, SpcResult] = {}
    for ward_id, points in ward_overall_trends(ward_ids=[*unknown, *concern]).items():
        results[ward_id] = analyse(
            [p[1] for p in points],
            [p[0] for p in points],
            settings=spc,
            changes=change_indexes([p[2] for p in points], changes.get(ward_key(ward_id), [])),
        )
    latest_row = {
        ward.pk: latest.get(rid, {}).get(scores.OVERALL) for rid, ward in round_to_ward.items()
    }
    worked_out = []
    for ward_id in unknown:
        row, result = latest_row.get(ward_id), results.get(ward_id)
        if row is not None and row.pk is not None:
            row.ward_variation = (result.latest.variation or "") if result and result.latest else ""
            worked_out.append(row)
    RoundScore.objects.bulk_update(worked_out, ["ward_variation"], batch_size=500)
    return {
        ward_id: result
        for ward_id, result in results.items()
        if result.latest and result.latest.variation == CONCERN
    }


def overall_gaps(latest: dict[int, dict[str, RoundScore]]) -> dict[int, float]:
    """Lived experience minus staff, overall, per round with both groups' ratings."""
    gaps = {}
    for rid, by_measure in latest.items():
        row = by_measure.get(scores.OVERALL)
        if row is not None and row.staff_rated and row.lived_rated:
            gaps[rid] = scores.mean(row.lived_rated, row.lived_total) - scores.mean(
                row.staff_rated, row.staff_total
            )
    return gaps


def signature_decisions(*, round_ids: list[int]) -> dict[str, int]:
    """How many live decisions in these rounds were signatures with reservations or declines."""
    rows = (
        Signature.objects.live()
        .filter(
            round_id__in=round_ids,
            decision__in=[SignatureDecision.RESERVATIONS, SignatureDecision.DECLINED],
        )
        .values("decision")
        .annotate(count=Count("pk"))
    )
    return {row["decision"]: row["count"] for row in rows}


def overdue_actions(*, trust: Trust, ward_ids: list[int]) -> dict[int, int]:
    """Open actions past their due date, per ward (one query)."""
    today = timezone.localdate()
    rows = (
        Action.objects.filter(ward__site__trust=trust, ward_id__in=ward_ids)
        .open()
        .values("ward_id")
        .annotate(overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    return {row["ward_id"]: row["overdue"] for row in rows if row["overdue"]}


# --- presenter -------------------------------------------------------------------------------


def _gap_words(gap: float) -> str:
    side = "higher" if gap > 0 else "lower"
    return f"{numbers.gap_text(gap)}: lived experience rated the ward {side} than staff"


def board_summary(
    *,
    trust: Trust,
    wards: list,
    panels: list[SpcPanel],
    changes: dict[str, list[ProcessChange]],
    spc: SpcSettings,
    chart_url: str = "",
    ward_url=None,
    contradictions: Iterable = (),
) -> BoardSummary:
    """Which wards and commitments show special cause concern at their latest point, the
    largest perception gaps, reservations and declines, and overdue actions.

    ``wards`` carry ``latest_round_id`` (as selectors.trust_wards annotates them); ``panels``
    are the trust-wide SPC panels; ``chart_url`` prefixes the charts' anchors and ``ward_url``
    (a ward id to a link; the ward dashboard by default) says where a ward's detail is.
    ``contradictions`` are trust_measures.WardFlag: a ward's agreed score and a measure that
    informs it disagree.
    """
    _ward_url = ward_url or _ward_dashboard_url
    summary = BoardSummary()
    for panel in panels:
        if panel.result.latest and panel.result.latest.variation == CONCERN:
            summary.concerns.append(
                Item(panel.title, f"{chart_url}#{panel.anchor}", panel.headline.text)
            )
    ward_ids = [w.pk for w in wards]
    by_id = {w.pk: w for w in wards}
    round_to_ward = {w.latest_round_id: w for w in wards if w.latest_round_id}
    latest = scores.stored(round_to_ward, overall_only=True)
    for ward_id, result in ward_concerns(latest, round_to_ward, changes=changes, spc=spc).items():
        ward = by_id[ward_id]
        words = headline(result, f"{ward.name}'s overall score")
        summary.concerns.append(Item(ward.name, _ward_url(ward_id), words.text))

    for rid, gap in largest_gaps(trust, latest, round_to_ward):
        ward = round_to_ward[rid]
        summary.gaps.append(Item(ward.name, _ward_url(ward.pk), _gap_words(gap)))

    for flag in contradictions:
        summary.contradictions.append(
            Item(flag.ward_name, _ward_url(flag.ward_id), flag.contradiction.sentence)
        )

    decisions = signature_decisions(round_ids=list(round_to_ward))
    summary.reservations = decisions.get(SignatureDecision.RESERVATIONS, 0)
    summary.declines = decisions.get(SignatureDecision.DECLINED, 0)

    for ward_id, count in sorted(
        overdue_actions(trust=trust, ward_ids=ward_ids).items(),
        key=lambda item: (-item[1], by_id[item[0]].name),
    ):
        summary.overdue_total += count
        noun = "action" if count == 1 else "actions"
        summary.overdue.append(
            Item(by_id[ward_id].name, _ward_url(ward_id), f"{count} overdue {noun}")
        )
    return summary


def largest_gaps(
    trust: Trust, latest: dict[int, dict[str, RoundScore]], round_to_ward: dict[int, object]
) -> list[tuple[int, float]]:
    """The TOP_GAPS largest perception gaps, largest first. A gap reveals a small group's view:
    outside the ward it is left out (small_groups.py)."""
    protected = small_groups.protections(trust, [(r, w.name) for r, w in round_to_ward.items()])
    gaps = [
        (rid, gap)
        for rid, gap in overall_gaps(latest).items()
        if rid not in protected or protected[rid].shows_gap
    ]
    return sorted(gaps, key=lambda item: -abs(item[1]))[:TOP_GAPS]


def _ward_dashboard_url(ward_id: int) -> str:
    return reverse("reports:ward_dashboard", args=[ward_id])
