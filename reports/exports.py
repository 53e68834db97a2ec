"""Tidy exports (one row per observation) of a ward's or a trust's signed assessments, actions
and monthly ward measures.

The scores dataset gives each signed round's means as people read them everywhere else (one
decimal place, whole percentages, half up, from standards.numbers): an analyst who needs the
exact means recomputes them from the ratings dataset, which holds every agreed rating. The
measures dataset gives each month's figure as reports/measures.py works it out; in a trust's
export, as it may be shown outside the ward.

Rows are built from three queries whatever the size: the signed rounds, their agreed ratings and
their submitted ratings, each ordered the same way so they can be walked together without
holding the whole trust in memory (on PostgreSQL, server-side cursors). Written as CSV or XLSX
(XlsxWriter in constant-memory mode: rows go to disk as they are written). A ward's export is
small and made in the request (CSV streamed); a trust's is a report job made by a worker
(reports/services.py), with its progress on the job page.
"""

import csv
import datetime
import statistics
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

from django.db.models import F, Q, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from assessments import scores as round_tallies
from assessments.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    AgreedRating,
    Rating,
    Round,
    RoundScore,
    RoundStatus,
    ScorerGroup,
)
from assessments.rules import is_flagged
from standards import numbers
from standards.models import Commitment, ServiceType, Trust, Ward

from . import measures as ward_measures
from . import selectors, small_groups
from .models import EXPORT_DATASETS, EXPORT_FORMATS, Measure, MeasureMonth, MeasureUnit

# The datasets and formats, as the trust dashboard's form offers them (models.EXPORT_*).
DATASETS = tuple(EXPORT_DATASETS)
FORMATS = tuple(EXPORT_FORMATS)
CHUNK = 2000
# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

RATING_HEADER = [
    "Trust",
    "Site",
    "Ward",
    "Service type",
    "Round",
    "Signed date",
    "Edition",
    "Commitment",
    "Standard",
    "Agreed rating",
    "Staff median",
    "Lived experience median",
    "Difference (lived experience minus staff)",
    "Flagged",
    "All scorers median",
    "Groups combined to protect a small group",
]
SCORE_HEADER = [
    "Trust",
    "Site",
    "Ward",
    "Service type",
    "Round",
    "Signed date",
    "Edition",
    "Commitment",
    "Measure",
    "Standards rated",
    "Mean agreed score (0 to 4)",
    "Percentage of maximum",
    "Staff mean",
    "Lived experience mean",
    "Perception gap (lived experience minus staff)",
]
ACTION_HEADER = [
    "Trust",
    "Site",
    "Ward",
    "Round it came from",
    "What will change",
    "Owner",
    "Due date",
    "Status",
    "Co-produced",
    "Linked standards",
    "Overdue",
]
MEASURE_HEADER = [
    "Trust",
    "Site",
    "Ward",
    "Ward code",
    "Month",
    "Measure code",
    "Measure",
    "Unit",
    "Numerator",
    "Denominator",
    "Value",
    "Figure",
    "Withheld",
]
TREND_HEADER = [
    "Trust",
    "Period",
    "Commitment",
    "Measure",
    "Mean agreed score (0 to 4)",
    "Wards",
    "Complete",
    "Why incomplete",
]
ROUND_ORDER = ["ward__site__name", "ward__name", "ward_id", "signed_at", "id"]


@dataclass
class Dataset:
    """Rows ready to write, and what to call the file."""

    kind: str  # a key of BUILDERS: "ratings", "scores", "actions" or "measures"
    name: str
    header: list[str]
    rows: Iterable[list]


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is prefixed with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# A month's figure is a number for analysts, to two decimal places (the pages show one for a
# rate, none for a percentage), rounded half up by standards.numbers like every other number.
FIGURE_PLACES = 2


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _signed_rounds(wards: QuerySet[Ward]) -> QuerySet[Round]:
    return Round.objects.filter(ward__in=wards, status=RoundStatus.SIGNED)


def rating_rows(wards: QuerySet[Ward], *, trust: Trust | None = None) -> Iterator[list]:
    """One row per standard per signed round, with both groups' medians and the flag.

    For a trust's export (`trust` given), a group below the trust's small-group threshold is
    not shown apart (reports/small_groups.py): its medians, the difference and the flag are left
    empty and the all-scorers median stands for both groups, with the reason in the last column.

    Medians use submitted scorers only; "Not sure" is left out, and an agreed "Not sure" is
    an empty cell, never a zero.
    """
    rounds = _signed_rounds(wards).order_by(*ROUND_ORDER)
    round_info = list(
        rounds.values(
            "id",
            "label",
            "signed_at",
            "edition__edition",
            "ward__name",
            "ward__service_type",
            "ward__site__name",
            "ward__site__trust__name",
        )
    )
    if not round_info:
        return
    ids = [r["id"] for r in round_info]
    protected = (
        small_groups.protections(trust, [(r["id"], r["ward__name"]) for r in round_info])
        if trust is not None
        else {}
    )
    by_round = [f"round__{key}" for key in ROUND_ORDER]
    # Filtering on the same conditions (not on a list of ids) keeps each query one statement.
    agreed = (
        AgreedRating.objects.filter(round__in=rounds)
        .order_by(*by_round, "standard__commitment__number", "standard__position", "standard_id")
        .values_list(
            "round_id", "standard_id", "standard__commitment__number", "standard__code", "level"
        )
        .iterator(chunk_size=CHUNK)
    )
    ratings = (
        Rating.objects.counted()
        .filter(scorer__round__in=rounds)
        .order_by(*[f"scorer__{key}" for key in by_round])
        .values_list("scorer__round_id", "standard_id", "scorer__group", "level")
        .iterator(chunk_size=CHUNK)
    )
    services = dict(ServiceType.choices)
    agreed_groups = groupby(agreed, key=lambda row: row[0])
    rating_groups = groupby(ratings, key=lambda row: row[0])
    pending_agreed = next(agreed_groups, None)
    pending_ratings = next(rating_groups, None)
    order = {rid: i for i, rid in enumerate(ids)}
    for info in round_info:
        rid = info["id"]
        levels: dict[tuple[int, str], list[int]] = {}
        # Both queries list rounds in the same order; skip any round one of them lacks.
        while pending_ratings and order.get(pending_ratings[0], -1) < order[rid]:
            pending_ratings = next(rating_groups, None)
        if pending_ratings and pending_ratings[0] == rid:
            for _rid, standard_id, group, level in pending_ratings[1]:
                levels.setdefault((standard_id, group), []).append(level)
            pending_ratings = next(rating_groups, None)
        while pending_agreed and order.get(pending_agreed[0], -1) < order[rid]:
            pending_agreed = next(agreed_groups, None)
        if not (pending_agreed and pending_agreed[0] == rid):
            continue
        prefix = [
            info["ward__site__trust__name"],
            info["ward__site__name"],
            info["ward__name"],
            services.get(info["ward__service_type"], info["ward__service_type"]),
            info["label"],
            timezone.localdate(info["signed_at"]) if info["signed_at"] else None,
            info["edition__edition"],
        ]
        protection = protected.get(rid)
        combined_reason = protection.explanation if protection else ""
        for _rid, standard_id, commitment, code, level in pending_agreed[1]:
            staff = levels.get((standard_id, ScorerGroup.STAFF))
            lived = levels.get((standard_id, ScorerGroup.LIVED_EXPERIENCE))
            both = (staff or []) + (lived or [])
            all_median = statistics.median(both) if both else None
            if combined_reason:
                staff = lived = None
            staff_median = statistics.median(staff) if staff else None
            lived_median = statistics.median(lived) if lived else None
            difference = (
                lived_median - staff_median
                if staff_median is not None and lived_median is not None
                else None
            )
            flagged = is_flagged(difference)
            yield [
                *prefix,
                commitment,
                code,
                level,
                _number(staff_median),
                _number(lived_median),
                _number(difference),
                "" if combined_reason else ("yes" if flagged else "no"),
                _number(all_median),
                combined_reason,
            ]
        pending_agreed = next(agreed_groups, None)


def _round_prefixes(rounds: QuerySet[Round]) -> list[tuple[int, int, list]]:
    """Each round's id, edition id and the columns that name it, in the export's order."""
    services = dict(ServiceType.choices)
    return [
        (
            info["id"],
            info["edition_id"],
            [
                info["ward__site__trust__name"],
                info["ward__site__name"],
                info["ward__name"],
                services.get(info["ward__service_type"], info["ward__service_type"]),
                info["label"],
                timezone.localdate(info["signed_at"]) if info["signed_at"] else None,
                info["edition__edition"],
            ],
        )
        for info in rounds.order_by(*ROUND_ORDER).values(
            "id",
            "edition_id",
            "label",
            "signed_at",
            "edition__edition",
            "ward__name",
            "ward__service_type",
            "ward__site__name",
            "ward__site__trust__name",
        )
    ]


def score_rows(wards: QuerySet[Ward], *, trust: Trust | None = None) -> Iterator[list]:
    """One row per commitment per signed round, and one for the round overall: the agreed mean
    and percentage and each group's mean and the gap, as displayed on pages and in PDFs, from the
    rounds' stored tallies (assessments/scores.py).

    For a trust's export, a group below the small-group threshold is not shown apart: its mean
    and the gap are left empty (reports/small_groups.py), as on the trust's other pages.
    A fixed number of queries whatever the number of rounds; "Not sure" never counts.
    """
    rounds = _signed_rounds(wards)
    protected = (
        small_groups.protections(trust, rounds.values_list("id", "ward__name"))
        if trust is not None
        else {}
    )
    prefixes = _round_prefixes(rounds)
    tallies = round_tallies.stored((rid for rid, _edition, _prefix in prefixes), pillars=False)
    titles = {
        (edition_id, number): title
        for edition_id, number, title in Commitment.objects.filter(
            edition_id__in={edition for _rid, edition, _prefix in prefixes}
        ).values_list("edition_id", "number", "title")
    }
    for rid, edition_id, prefix in prefixes:
        tally = tallies.get(rid, {})
        commitments = sorted(
            (row for row in tally.values() if row.commitment_number is not None and row.rated),
            key=lambda row: row.commitment_number,
        )
        measures = [
            (
                row.commitment_number,
                f"{row.commitment_number}. {titles.get((edition_id, row.commitment_number), '')}",
                row,
            )
            for row in commitments
        ]
        overall = tally.get(round_tallies.OVERALL)
        if overall is not None and overall.rated:
            measures.append((None, "Overall", overall))
        protection = protected.get(rid)
        for number, name, row in measures:
            staff = round_tallies.mean(row.staff_rated, row.staff_total)
            lived = round_tallies.mean(row.lived_rated, row.lived_total)
            if protection is not None:
                staff = staff if protection.shows(ScorerGroup.STAFF) else None
                lived = lived if protection.shows(ScorerGroup.LIVED_EXPERIENCE) else None
            gap = None if staff is None or lived is None else lived - staff
            mean = round_tallies.mean(row.rated, row.total)
            yield [
                *prefix,
                number,
                name,
                row.rated,
                numbers.score_value(mean),
                numbers.percent_value(mean),
                numbers.score_value(staff),
                numbers.score_value(lived),
                numbers.gap_value(gap),
            ]


def action_rows(wards: QuerySet[Ward]) -> Iterator[list]:
    """One row per action, with its linked standard codes and whether it is overdue."""
    actions = Action.objects.filter(ward__in=wards)
    links: dict[int, list[str]] = {}
    for action_id, code in (
        Action.standards.through.objects.filter(action__in=actions)
        .order_by("action_id", "standard__commitment__number", "standard__position")
        .values_list("action_id", "standard__code")
    ):
        links.setdefault(action_id, []).append(code)
    statuses = dict(ActionStatus.choices)
    today = timezone.localdate()
    rows = actions.order_by("ward__site__name", "ward__name", "ward_id", "due_date", "pk").values(
        "pk",
        "ward__site__trust__name",
        "ward__site__name",
        "ward__name",
        "origin_round__label",
        "title",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
        "due_date",
        "status",
        "co_produced",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        owner = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
        overdue = row["status"] in OPEN_ACTION_STATUSES and row["due_date"] < today
        yield [
            row["ward__site__trust__name"],
            row["ward__site__name"],
            row["ward__name"],
            row["origin_round__label"],
            row["title"],
            owner or row["owner__username"],
            row["due_date"],
            statuses.get(row["status"], row["status"]),
            "yes" if row["co_produced"] else "no",
            " ".join(links.get(row["pk"], [])),
            "yes" if overdue else "no",
        ]


def _ward_measure_months(wards: QuerySet[Ward]) -> QuerySet[MeasureMonth]:
    """The wards' figures for national measures and their own trust's measures."""
    return MeasureMonth.objects.filter(ward__in=wards).filter(
        Q(measure__trust__isnull=True) | Q(measure__trust=F("ward__site__trust"))
    )


def measure_rows(wards: QuerySet[Ward], *, trust: Trust | None = None) -> Iterator[list]:
    """One row per ward, measure and month: the figures as entered and the month's figure
    (reports/measures.py). For a trust's export the figures are as shown outside the ward
    (`disclosure(trust)`): a small count is "fewer than 8", and a rate withheld for a month with
    few occupied bed days is empty with the reason in the last column."""
    rules = ward_measures.disclosure(trust) if trust is not None else ward_measures.Disclosure()
    months = _ward_measure_months(wards)
    measures = {m.pk: m for m in Measure.objects.filter(pk__in=months.values("measure_id"))}
    units = dict(MeasureUnit.choices)
    rows = months.order_by(
        "ward__site__name",
        "ward__name",
        "ward_id",
        "measure__trust_id",
        "measure__position",
        "measure__code",
        "month",
    ).values_list(
        "ward__site__trust__name",
        "ward__site__name",
        "ward__name",
        "ward__code",
        "measure_id",
        "month",
        "numerator",
        "denominator",
        "value",
    )
    for (
        trust_name,
        site,
        ward,
        code,
        measure_id,
        month,
        numerator,
        denominator,
        value,
    ) in rows.iterator(chunk_size=CHUNK):
        measure = measures[measure_id]
        row = MeasureMonth(month=month, numerator=numerator, denominator=denominator, value=value)
        shown = ward_measures.figure(measure, row, outside_ward=trust is not None, rules=rules)
        small = trust is not None and shown.count_text == rules.small_count_text
        yield [
            trust_name,
            site,
            ward,
            code,
            f"{month:%Y-%m}",
            measure.code,
            measure.name,
            units.get(measure.unit, measure.unit),
            shown.count_text if small else numerator,
            denominator,
            _number(value),
            _number(numbers.export_value(shown.value, FIGURE_PLACES)),
            shown.withheld,
        ]


def trend_rows(wards: QuerySet[Ward], *, trust: Trust | None = None) -> Iterator[list]:
    """The trust-wide trend, one row per period and measure (overall, then each commitment):
    the mean as the dashboard shows it, how many wards it stands on, and whether the period is
    complete (reports/periods.py; an incomplete one is not judged). Without a trust (a ward's
    own export) it is the ward's trend, each point from its one ward."""
    if trust is not None:
        trend, name = selectors.trust_trend(trust=trust), trust.name
    else:
        trend = selectors.wards_trend(wards=wards)
        first = wards.select_related("site__trust").first()
        name = first.site.trust.name if first else ""
    titles = selectors.commitment_titles()
    measures = [(None, "Overall", 0), *((n, f"{n}. {t}", n) for n, t in titles.items())]
    for i, label in enumerate(trend.labels):
        reason = trend.incomplete.get(i)
        for number, title, key in measures:
            values = trend.series.get(key, [])
            value = values[i] if i < len(values) else None
            if value is None:
                continue
            yield [
                name,
                label,
                number,
                title,
                numbers.score_value(value),
                trend.wards_at(i),
                "No" if reason else "Yes",
                reason or "",
            ]


BUILDERS: dict[str, tuple[list[str], Callable[[QuerySet[Ward]], Iterator[list]]]] = {
    "ratings": (RATING_HEADER, rating_rows),
    "scores": (SCORE_HEADER, score_rows),
    "actions": (ACTION_HEADER, action_rows),
    "measures": (MEASURE_HEADER, measure_rows),
    "trend": (TREND_HEADER, trend_rows),
}
# The datasets that protect small groups or counts outside the ward, given the trust.
TRUST_AWARE = ("ratings", "scores", "measures", "trend")


# The datasets with figures by group: outside the ward team, the small-group rule holds in them.
BY_GROUP = ("ratings", "scores")


def ward_dataset(*, ward: Ward, dataset: str, outside: bool = False) -> Dataset:
    """A ward fetched through a scoped read. `outside`: for someone outside the ward team, the
    figures by group as the trust's exports give them (a small group combined, with the reason:
    reports/small_groups.py); the ward's other datasets are the same for everyone."""
    header, build = BUILDERS[dataset]
    name = f"{slugify(ward.site.trust.name)}-{slugify(ward.name)}-{ward.pk}-{dataset}"
    wards = Ward.objects.filter(pk=ward.pk)
    rows = build(wards, trust=ward.site.trust) if outside and dataset in BY_GROUP else build(wards)
    return Dataset(dataset, name, header, rows)


Progress = Callable[[int, int, str], None]


def _expected_rows(wards: QuerySet[Ward], dataset: str) -> int:
    """About how many rows a dataset has, for its progress (one count query)."""
    if dataset == "ratings":
        return AgreedRating.objects.filter(round__in=_signed_rounds(wards)).count()
    if dataset == "scores":  # a row for each commitment and one overall, as stored
        return (
            RoundScore.objects.filter(round__in=_signed_rounds(wards))
            .filter(Q(measure=round_tallies.OVERALL) | Q(commitment_number__isnull=False))
            .count()
        )
    if dataset == "measures":
        return _ward_measure_months(wards).count()
    if dataset == "trend":  # about one row per period and measure: a small dataset
        return 0
    return Action.objects.filter(ward__in=wards).count()


def _with_progress(rows: Iterable[list], *, total: int, progress: Progress) -> Iterator[list]:
    done = 0
    for done, row in enumerate(rows, 1):  # noqa: B007 - done is reported after the loop
        if done % CHUNK == 0:
            progress(
                done,
                max(total, done),
                f"Row {numbers.count_text(done)} of about {numbers.count_text(max(total, done))}",
            )
        yield row
    progress(done, done, f"Row {numbers.count_text(done)} of {numbers.count_text(done)}")


def trust_dataset(*, trust: Trust, dataset: str, progress: Progress | None = None) -> Dataset:
    """Every ward of a trust fetched through a scoped read. `progress(done, total, text)` is
    told every CHUNK rows (the report job's progress and heartbeat)."""
    header, build = BUILDERS[dataset]
    name = f"{slugify(trust.name)}-{dataset}"
    wards = Ward.objects.filter(site__trust=trust)
    rows = build(wards, trust=trust) if dataset in TRUST_AWARE else build(wards)
    if progress is not None:
        rows = _with_progress(rows, total=_expected_rows(wards, dataset), progress=progress)
    return Dataset(dataset, name, header, rows)


def _filename(dataset: Dataset, fmt: str) -> str:
    return f"{dataset.name}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(safe_cell(value))


class _Echo:
    """A file-like object whose write returns the text, for streaming through csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(dataset: Dataset) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()  # a byte order mark, so Excel reads the file as UTF-8
    yield writer.writerow(dataset.header).encode()
    batch: list[str] = []
    for row in dataset.rows:
        batch.append(writer.writerow([_csv_text(v) for v in row]))
        if len(batch) >= 500:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()


def write_xlsx(dataset: Dataset, target) -> None:
    """Constant-memory workbook: each row is flushed to a temporary file as it is written, so
    memory stays flat. Text is never read as a formula, a number or a link."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
            "in_memory": False,
        },
    )
    sheet = workbook.add_worksheet(dataset.kind)
    sheet.write_row(0, 0, dataset.header, workbook.add_format({"bold": True}))
    for index, row in enumerate(dataset.rows, 1):
        sheet.write_row(index, 0, [safe_cell(value) for value in row])
    workbook.close()


def write_file(dataset: Dataset, *, fmt: str, target) -> None:
    """Write the whole dataset to a binary file object, as CSV or XLSX."""
    if fmt == "xlsx":
        write_xlsx(dataset, target)
        return
    for chunk in csv_chunks(dataset):
        target.write(chunk)


def export_response(dataset: Dataset, *, fmt: str):
    """A downloadable file: CSV streamed as it is read, XLSX written to a temporary file first."""
    filename = _filename(dataset, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_chunks(dataset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(dataset, spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
