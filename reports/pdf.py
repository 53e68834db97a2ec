"""PDF reports drawn by WeasyPrint from Django templates, with no network access.

Charts are the same server-side SVG as the pages (reports.charts). Every resource a template or
stylesheet names goes through `StaticOnlyFetcher`, which serves files from the project's static
folder and refuses everything else, so rendering never opens a connection. Fonts are local
(Arial, else Liberation Sans).

The board pack is drawn in parts (front matter, then a few wards at a time) whose pages are
joined at the end, so that progress can be reported per ward page. Its numbers come from a
handful of aggregate queries over all the trust's wards at once, never one query per ward.
"""

from __future__ import annotations

import datetime
import logging
import math
import mimetypes
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

# WeasyPrint logs every step at INFO from its import on (noise in every command's output), so
# this comes before the imports below; hence the file-wide E402 exemption.
# ruff: noqa: E402
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from assessments import lone_scorers, presenters
from assessments import scores as round_tallies
from assessments import selectors as assessment_selectors
from assessments.models import Action, Round, RoundStatus
from standards.models import Trust
from standards.notifications import link

from . import charts, measure_panels, periods, selectors, small_groups, trust_gap, voice
from .board_summary import BoardSummary, board_summary
from .headlines import RULES_SECTION_ID, rules_paragraphs
from .process_changes import trust_changes
from .selectors import Gap, Measure
from .small_groups import GroupProtection
from .spc import SpcSettings
from .spc_panels import SpcPanel, spc_settings, trust_panels
from .trust_measures import TrustMeasures, WardRow, trust_measures
from .voice import LeaderVoice

Progress = Callable[[int, int, str], None]

STYLESHEET = "css/print.css"
# The heatmap palette, the same file the pages use (reports.heat).
HEAT_STYLESHEET = "css/heat.css"
# Tagged PDF/UA: a structure tree a screen reader can follow, the document's language and title
# (from <html lang> and <title>) and bookmarks from the headings.
PDF_VARIANT = "pdf/ua-1"
# At most this many progress reports for the ward pages (one every 2%).
PROGRESS_STEPS = 50
OVERALL = 0


class RefusedFetch(ValueError):
    """A PDF asked for something that is not one of the project's static files."""


def static_roots() -> list[Path]:
    """The folders a PDF may read from: the project's static folders (vendor included)."""
    return [Path(folder).resolve() for folder in settings.STATICFILES_DIRS]


def static_base_url() -> str:
    return static_roots()[0].as_uri() + "/"


def static_path(url: str) -> Path:
    """The local file a URL names, if it is a file inside a static folder; refuse otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedFetch(f"PDFs may only use the project's static files, not {url!r}")
    path = Path(url2pathname(unquote(parts.path))).resolve()
    if not any(path.is_relative_to(root) for root in static_roots()) or not path.is_file():
        raise RefusedFetch(f"Not a static file: {url!r}")
    return path


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's static files and refuses every other URL (no network, ever)."""

    def fetch(self, url, headers=None):
        path = static_path(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), headers={"Content-Type": mime_type}
        )


@dataclass
class Renderer:
    """One font configuration and one parsed stylesheet, shared by every part of a report."""

    fetcher: StaticOnlyFetcher = field(default_factory=StaticOnlyFetcher)
    fonts: FontConfiguration = field(default_factory=FontConfiguration)

    def __post_init__(self) -> None:
        self.stylesheets = [
            CSS(url=static_base_url() + name, url_fetcher=self.fetcher, font_config=self.fonts)
            for name in (STYLESHEET, HEAT_STYLESHEET)
        ]

    def document(self, template: str, context: dict):
        html = render_to_string(template, context)
        return HTML(string=html, base_url=static_base_url(), url_fetcher=self.fetcher).render(
            stylesheets=self.stylesheets, font_config=self.fonts
        )

    def pdf(self, documents: list) -> bytes:
        pages = [page for document in documents for page in document.pages]
        return documents[0].copy(pages).write_pdf(pdf_variant=PDF_VARIANT)


def _safe(svg: str) -> SafeString:
    # reports.charts escapes every piece of text it puts in an SVG.
    return mark_safe(svg)  # noqa: S308


# --- Ward assessment and action plan -----------------------------------------------------------


@dataclass
class CommitmentSection:
    number: int
    title: str
    score: Measure | None
    rows: list[presenters.StandardRow]


def ward_assessment_context(round: Round, *, outside: bool = False) -> dict:
    """Everything the ward PDF shows, read through the assessments' selectors. `outside`: for
    someone outside the round's ward team, with the small-group rule applied (decision 0024):
    a small group's medians, the flags and the perception gap are left out, with the reason."""
    round = Round.objects.select_related("ward__site__trust", "edition").get(pk=round.pk)
    commitments = list(assessment_selectors.round_commitments(round=round))
    titles = {c.number: c.title for c in commitments}
    scores = selectors.round_scores(round=round, titles=titles)
    groups_hidden = lone_scorers.hidden_outside(round) if outside else ""
    if groups_hidden:
        scores.gaps, scores.overall_gap = [], Gap(0, "Overall", None, None)
    # The same rows as the summary page: each standard's comparison and its evidence.
    by_commitment: dict[int, list[presenters.StandardRow]] = defaultdict(list)
    for row in presenters.standard_rows(round):
        by_commitment[row.comparison.standard.commitment.number].append(row)
    score_by_number = {int(m.key): m for m in scores.commitments}
    sections = [
        CommitmentSection(c.number, c.title, score_by_number.get(c.number), by_commitment[c.number])
        for c in commitments
    ]
    return {
        "round": round,
        "ward": round.ward,
        "scores": scores,
        "sections": sections,
        "groups_hidden": groups_hidden,
        "flagged": 0
        if groups_hidden
        else sum(1 for s in sections for r in s.rows if r.comparison.flagged),
        "actions": list(assessment_selectors.round_actions(round=round)),
        "signatures": list(assessment_selectors.round_signatures(round=round)),
        "voices": voice.round_voice(round),
        "commitment_chart": _safe(
            charts.bar_chart(
                [(f"{m.key}. {m.title}", m.mean) for m in scores.commitments],
                title="Scores by commitment",
                id_prefix="commitment-scores",
            )
        ),
        "pillar_chart": _safe(
            charts.bar_chart(
                [(m.title, m.mean) for m in scores.pillars],
                title="Scores by pillar",
                id_prefix="pillar-scores",
            )
        ),
        "gap_chart": ""
        if groups_hidden
        else _safe(
            charts.gap_chart(
                [(f"{g.number}. {g.title}", g.gap) for g in scores.gaps],
                title="Perception gap by commitment",
                id_prefix="perception-gap",
            )
        ),
        "made_at": timezone.localtime(),
        **measure_panels.round_measures(
            round, agreed={int(m.key): m.mean for m in scores.commitments}, titles=titles
        ),
    }


def render_ward_assessment(round: Round, *, outside: bool = False) -> bytes:
    """The ward's signed assessment and action plan as a PDF; `outside`: the version for
    people outside the round's ward team (`ward_assessment_context`)."""
    renderer = Renderer()
    context = ward_assessment_context(round, outside=outside)
    return renderer.pdf([renderer.document("reports/pdf/ward_assessment.html", context)])


# --- Trust board pack: batch reads --------------------------------------------------------------


@dataclass
class WardScore:
    number: int
    title: str
    measure: Measure
    gap: Gap
    combined: float | None = None


@dataclass
class WardPage:
    ward: object
    round_label: str | None
    signed_at: datetime.datetime | None
    scores: list[WardScore]
    overall: Measure
    overall_gap: Gap
    open_actions: int = 0
    overdue_actions: int = 0
    voices: list[LeaderVoice] = field(default_factory=list)
    protection: GroupProtection | None = None
    overall_combined: float | None = None
    # Ward measures (board pack): the latest month of each, and where they contradict scores.
    measures: WardRow | None = None
    measure_flags: list[str] = field(default_factory=list)

    @property
    def small_group(self) -> bool:
        return bool(self.protection and self.protection.small_group)

    @property
    def scores_and_overall(self) -> list[WardScore]:
        return [
            *self.scores,
            WardScore(OVERALL, "Overall", self.overall, self.overall_gap, self.overall_combined),
        ]


@dataclass
class BoardPack:
    trust: Trust
    titles: dict[int, str]
    wards: list[WardPage]
    measures: list[SpcPanel]
    labels: list[str]
    made_at: datetime.datetime
    summary: BoardSummary | None = None
    spc_rules: list[str] = field(default_factory=list)
    rules_id: str = RULES_SECTION_ID
    # Reservations and declines of each ward's latest signed round (what the summary counts),
    # and the rest apart: (ward, [(voice, link to the round's summary)]).
    voices: list[LeaderVoice] = field(default_factory=list)
    other_voices: list[tuple[voice.WardVoices, list[tuple[LeaderVoice, str]]]] = field(
        default_factory=list
    )
    ward_measures: TrustMeasures | None = None
    # The perception gap with each group pooled over the wards (reports/trust_gap.py).
    gap: trust_gap.TrustGap | None = None
    gap_chart: str = ""
    # What trust-wide points stand on and which periods are incomplete (reports/periods.py).
    incomplete_note: str = ""
    incomplete_months_note: str = ""

    @property
    def signed_wards(self) -> int:
        return sum(1 for w in self.wards if w.round_label)


def latest_rounds(trust: Trust):
    """The trust's wards, each with its latest signed round's id, label and date (one query)."""
    latest = Round.objects.filter(ward=OuterRef("pk"), status=RoundStatus.SIGNED).order_by(
        "-signed_at", "-pk"
    )
    return selectors.trust_wards(trust=trust).annotate(
        latest_signed_at=Subquery(latest.values("signed_at")[:1])
    )


def action_counts(trust: Trust) -> dict[int, dict]:
    """Open and overdue actions per ward of the trust (one query)."""
    today = timezone.localdate()
    rows = (
        Action.objects.filter(ward__site__trust=trust)
        .open()
        .values("ward_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    return {row["ward_id"]: row for row in rows}


def ward_pages(
    trust: Trust, titles: dict[int, str], threshold: int | None = None
) -> list[WardPage]:
    wards = list(latest_rounds(trust))
    round_ids = [w.latest_round_id for w in wards if w.latest_round_id]
    tallies = round_tallies.stored(round_ids, pillars=False)
    actions = action_counts(trust)
    voices = voice.round_voices(round_ids)
    protected = small_groups.protections(
        trust, [(w.latest_round_id, w.name) for w in wards], threshold
    )
    pages = []
    for ward in wards:
        rid = ward.latest_round_id
        tally = tallies.get(rid, {})
        scores = [
            WardScore(
                number,
                title,
                selectors.tally_measure(
                    tally.get(round_tallies.commitment_measure(number)), str(number), title
                ),
                selectors.tally_gap(
                    tally.get(round_tallies.commitment_measure(number)), number, title
                ),
                selectors.combined_mean(tally.get(round_tallies.commitment_measure(number))),
            )
            for number, title in titles.items()
        ]
        overall = tally.get(round_tallies.OVERALL)
        counts = actions.get(ward.pk, {})
        pages.append(
            WardPage(
                ward=ward,
                round_label=ward.latest_round_label,
                signed_at=ward.latest_signed_at,
                scores=scores,
                overall=selectors.tally_measure(overall, "overall", "Overall"),
                overall_gap=selectors.tally_gap(overall, OVERALL, "Overall"),
                open_actions=counts.get("open", 0),
                overdue_actions=counts.get("overdue", 0),
                voices=voices.get(rid, []) if rid else [],
                protection=protected.get(rid),
                overall_combined=selectors.combined_mean(overall),
            )
        )
    return pages


def board_pack_data(trust: Trust, spc: SpcSettings | None = None) -> BoardPack:
    """The board pack's numbers: a fixed number of queries, however many wards and rounds."""
    spc = spc or spc_settings()
    titles = selectors.commitment_titles()
    trend = selectors.trust_trend(trust=trust)
    targets = {t.commitment_number: float(t.value) for t in trust.targets.all()}
    changes = trust_changes(trust=trust)
    overall, *commitments = trust_panels(
        trend=trend,
        titles=titles,
        targets=targets,
        changes=changes,
        id_prefix="m",
        spc=spc,
        numbered=True,
    )
    # Read once for the ward pages and the pooled gap.
    threshold = small_groups.small_group_threshold(trust)
    wards = ward_pages(trust, titles, threshold)
    measured = trust_measures(
        trust=trust,
        wards=[page.ward for page in wards],
        titles=titles,
        spc=spc,
        page_wards=[page.ward for page in wards],
        minimum_setting=trend.minimum_setting,
    )
    rows = {row.ward_id: row for row in measured.rows}
    for page in wards:
        page.measures = rows.get(page.ward.pk)
        page.measure_flags = [
            f.contradiction.sentence for f in measured.flags if f.ward_id == page.ward.pk
        ]
    gap = trust_gap.pooled_gap(
        trust=trust,
        round_ids=[page.ward.latest_round_id for page in wards],
        titles=titles,
        threshold=threshold,
    )
    summary = board_summary(
        trust=trust,
        wards=[page.ward for page in wards],
        panels=[overall, *commitments],
        changes=changes,
        spc=spc,
        ward_url=lambda ward_id: f"#ward-{ward_id}",
        contradictions=measured.flags,
    )
    return BoardPack(
        trust=trust,
        titles=titles,
        wards=wards,
        measures=[*commitments, overall],
        labels=trend.labels,
        made_at=timezone.localtime(),
        summary=summary,
        spc_rules=rules_paragraphs(spc),
        voices=voice.reservations_and_declines([v for page in wards for v in page.voices]),
        other_voices=[
            (
                ward,
                [(v, link(reverse("assessments:summary", args=[v.round_id]))) for v in ward.voices],
            )
            for ward in voice.other_rounds_voices(
                ward_ids=[page.ward.pk for page in wards],
                latest_round_ids=[page.ward.latest_round_id for page in wards],
            )
        ],
        ward_measures=measured,
        gap=gap,
        gap_chart=(
            _safe(
                charts.gap_chart(
                    [(f"{g.number}. {g.title}", g.gap) for g in gap.commitments],
                    title="Perception gap across the trust by commitment",
                    id_prefix="trust-gap",
                )
            )
            if gap.shown
            else ""
        ),
        incomplete_note=periods.incomplete_note(
            trend.labels, trend.wards, trend.incomplete, trend.minimum_setting
        ),
        incomplete_months_note=periods.incomplete_months_note(trend.minimum_setting),
    )


# --- Trust board pack: drawing --------------------------------------------------------------------


def _chunks(items: list, size: int) -> Iterable[tuple[int, list]]:
    for start in range(0, len(items), size):
        yield start, items[start : start + size]


def render_board_pack(
    trust: Trust, progress: Progress | None = None, spc: SpcSettings | None = None
) -> bytes:
    """The trust board pack as a PDF. `progress(done, total, text)` is called as ward pages are
    drawn, at most PROGRESS_STEPS times."""
    renderer = Renderer()
    pack = board_pack_data(trust, spc)
    front = renderer.document("reports/pdf/board_pack.html", {"pack": pack})
    documents = [front]
    page = len(front.pages)
    total = len(pack.wards)
    size = max(1, math.ceil(total / PROGRESS_STEPS))
    for start, wards in _chunks(pack.wards, size):
        part = renderer.document(
            "reports/pdf/board_pack_wards.html",
            {"pack": pack, "wards": wards, "first_page": page + 1, "first_index": start + 1},
        )
        documents.append(part)
        page += len(part.pages)
        if progress:
            done = start + len(wards)
            progress(done, total, f"Ward {done} of {total}")
    if progress:
        progress(total, total, "Putting the pages together")
    return renderer.pdf(documents)
