"""Ward measure figures from a CSV file, for a trust's QI lead (issue 13).

The same contract as the people import (standards/people_import.py): every line is checked
first, with one message per problem naming its line; nothing is written unless the whole file
is valid. `plan_import` only reads (it is the preview: what will be added, what will replace
which month, before and after); `apply_import` plans again from the same text and writes it all
in one transaction, recording each change in history (source "import"). Wards are matched by
their code within the trust; existing months are read once per file, never once per line.
"""

import csv
import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from standards import kept as kept_reads
from standards import numbers
from standards.csv_rows import data_rows
from standards.models import Trust, User, Ward

from .measure_services import (
    CENTS,
    SOURCE_IMPORT,
    can_manage_measures,
    figure_problems,
    snapshot,
)
from .measures import figure_value, format_value, month_label, trust_measures
from .models import Measure, MeasureChange, MeasureMonth

COLUMNS = ["ward_code", "month", "measure_code", "numerator", "denominator", "value"]
MAX_ROWS = 5000
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WHOLE = re.compile(r"^\d{1,7}$")
_DECIMAL = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


class MeasureImportError(Exception):
    """The file is not valid; nothing was written. `errors` name the line and the problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class MonthRow:
    line: int
    ward: Ward
    measure: Measure
    month: datetime.date
    numerator: int | None
    denominator: int | None
    value: Decimal | None
    existing: MeasureMonth | None = None

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def after_text(self) -> str:
        return _describe(self.measure, self.numerator, self.denominator, self.value)

    @property
    def before_text(self) -> str:
        row = self.existing
        if row is None:
            return ""
        return _describe(self.measure, row.numerator, row.denominator, row.value)


@dataclass
class MeasureImportPlan:
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    additions: list[MonthRow] = field(default_factory=list)
    replacements: list[MonthRow] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.additions or self.replacements)


def _describe(measure: Measure, numerator, denominator, value) -> str:
    """A month's figures in words: the figure (computed, as every page shows it) and the
    numbers it comes from."""
    text = format_value(measure.unit, figure_value(measure.unit, numerator, denominator, value))
    if denominator is not None:
        return f"{text} ({numbers.count_text(numerator)} of {numbers.count_text(denominator)})"
    return text


def _rows(content: str, plan: MeasureImportPlan) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in COLUMNS if c not in header]
    if not header:
        plan.errors.append(f"Line 1: the first line must name the columns: {','.join(COLUMNS)}")
        return []
    if missing:
        plan.errors.append(
            f"Line 1: missing columns: {', '.join(missing)}. The first line must be "
            f"{','.join(COLUMNS)}"
        )
        return []
    rows = data_rows(reader, COLUMNS, plan.errors, MAX_ROWS)
    plan.rows = len(rows)
    return rows


def _wards_by_code(trust: Trust) -> dict[str, list[Ward]]:
    found: dict[str, list[Ward]] = defaultdict(list)
    for ward in Ward.objects.filter(site__trust=trust).exclude(code="").select_related("site"):
        found[ward.code.strip().lower()].append(ward)
    return found


def _number(text: str, pattern: re.Pattern, where: str, name: str, problems: list[str]):
    if not text:
        return None
    if not pattern.match(text):
        kind = "a whole number" if pattern is _WHOLE else "a number"
        problems.append(f"{where}: {name} '{text[:20]}' must be {kind} of 0 or more, or blank")
        return None
    try:
        return int(text) if pattern is _WHOLE else Decimal(text).quantize(CENTS)
    except InvalidOperation:  # pragma: no cover - the pattern allows only digits
        problems.append(f"{where}: {name} '{text[:20]}' is not a number")
        return None


def plan_import(*, trust: Trust, content: str) -> MeasureImportPlan:
    """Read and check the whole file against the trust's wards, measures and existing months."""
    plan = MeasureImportPlan()
    rows = _rows(content, plan)
    if not rows:
        return plan
    wards = _wards_by_code(trust)
    measures: dict[str, list[Measure]] = defaultdict(list)
    for measure in trust_measures(trust):
        measures[measure.code.lower()].append(measure)
    today = timezone.localdate()
    seen: dict[tuple[int, int, datetime.date], int] = {}
    planned: list[MonthRow] = []
    for line, row in rows:
        where = f"Line {line}"
        problems: list[str] = []
        ward = measure = month = None
        code = row["ward_code"]
        matches = wards.get(code.lower(), []) if code else []
        if not code:
            problems.append(f"{where}: enter the ward's code")
        elif not matches:
            problems.append(
                f"{where}: no ward of your trust has the code {code[:20]}: set each ward's code "
                "in the trust's administration pages"
            )
        elif len(matches) > 1:
            names = ", ".join(sorted(w.name for w in matches))
            problems.append(
                f"{where}: the code {code} is used by {len(matches)} wards of your trust "
                f"({names}): give each ward its own code"
            )
        else:
            ward = matches[0]
        found = _MONTH.match(row["month"])
        if not row["month"]:
            problems.append(f"{where}: enter the month, like 2026-04")
        elif found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
            problems.append(
                f"{where}: month '{row['month'][:20]}' must be a year and month, like 2026-04"
            )
        else:
            month = datetime.date(int(found.group(1)), int(found.group(2)), 1)
        by_code = measures.get(row["measure_code"].lower(), []) if row["measure_code"] else []
        if not row["measure_code"]:
            problems.append(f"{where}: enter the measure's code")
        elif len(by_code) != 1:
            problems.append(
                f"{where}: measure code '{row['measure_code'][:50]}' is not one of: "
                + ", ".join(dict.fromkeys(m.code for ms in measures.values() for m in ms))
            )
        else:
            measure = by_code[0]
        numerator = _number(row["numerator"], _WHOLE, where, "numerator", problems)
        denominator = _number(row["denominator"], _WHOLE, where, "denominator", problems)
        value = _number(row["value"], _DECIMAL, where, "value", problems)
        if not problems and measure is not None and month is not None:
            for problem in figure_problems(
                measure=measure,
                month=month,
                numerator=numerator,
                denominator=denominator,
                value=value,
                today=today,
            ).values():
                problems.append(f"{where}: {measure.name}: {problem[0].lower()}{problem[1:]}")
        if not problems:
            key = (ward.pk, measure.pk, month)
            if key in seen:
                problems.append(
                    f"{where}: {ward.name}'s {measure.name.lower()} for {month_label(month)} "
                    f"repeats line {seen[key]}"
                )
            else:
                seen[key] = line
        if problems:
            plan.errors += problems
            continue
        planned.append(MonthRow(line, ward, measure, month, numerator, denominator, value))
    if plan.errors:
        return plan
    existing = {
        (m.ward_id, m.measure_id, m.month): m
        for m in MeasureMonth.objects.filter(
            ward__in={r.ward.pk for r in planned},
            measure__in={r.measure.pk for r in planned},
            month__in={r.month for r in planned},
        )
    }
    for row in planned:
        row.existing = existing.get((row.ward.pk, row.measure.pk, row.month))
        if row.existing is None:
            plan.additions.append(row)
        elif _same(row.existing, row):
            plan.unchanged += 1
        else:
            plan.replacements.append(row)
    return plan


def _same(kept: MeasureMonth, row: MonthRow) -> bool:
    return (kept.numerator, kept.denominator, kept.value) == (
        row.numerator,
        row.denominator,
        row.value,
    )


@transaction.atomic
def apply_import(*, by: User, trust: Trust, content: str) -> MeasureImportPlan:
    """Check the file again, then write all of it in one transaction (or nothing): the trust's
    QI lead only."""
    if not can_manage_measures(user=by, trust=trust):
        raise PermissionDenied("Only the trust's QI lead imports ward measures.")
    plan = plan_import(trust=trust, content=content)
    if plan.errors:
        raise MeasureImportError(plan.errors)
    now = timezone.now()
    history = []
    added = [
        MeasureMonth(
            ward=r.ward,
            measure=r.measure,
            month=r.month,
            numerator=r.numerator,
            denominator=r.denominator,
            value=r.value,
            entered_by=by,
        )
        for r in plan.additions
    ]
    MeasureMonth.objects.bulk_create(added, batch_size=500)
    for row, month in zip(plan.additions, added, strict=True):
        history.append((row, None, snapshot(month)))
    replaced = []
    for row in plan.replacements:
        kept = row.existing
        before = snapshot(kept)
        kept.numerator, kept.denominator, kept.value = row.numerator, row.denominator, row.value
        kept.entered_by, kept.updated_at = by, now
        replaced.append(kept)
        history.append((row, before, snapshot(kept)))
    MeasureMonth.objects.bulk_update(
        replaced, ["numerator", "denominator", "value", "entered_by", "updated_at"], batch_size=500
    )
    MeasureChange.objects.bulk_create(
        [
            MeasureChange(
                ward=row.ward,
                measure=row.measure,
                month=row.month,
                actor=by,
                source=SOURCE_IMPORT,
                before=before,
                after=after,
            )
            for row, before, after in history
        ],
        batch_size=500,
    )
    # Written in bulk (no signals): the trust's kept pages are drawn afresh (standards/kept.py).
    kept_reads.bump([trust.pk])
    return plan
