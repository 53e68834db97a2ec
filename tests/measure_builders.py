"""Monthly ward figures for tests of the ward measures (issue 13)."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from reports.measures import add_months, month_start
from reports.models import Measure, MeasureMonth

RESTRAINT = "restrictive-interventions"


def load_measures() -> dict[str, Measure]:
    call_command("loaddata", "ward-measures", verbosity=0)
    return {m.code: m for m in Measure.objects.all()}


def restraint_months(
    ward, *, months: int = 30, rise_last: int = 3, today: datetime.date | None = None
) -> list[MeasureMonth]:
    """``months`` of restrictive interventions up to this month: steady (6 to 8 per 600 bed
    days), then rising sharply in the last ``rise_last`` months (none when 0)."""
    measure = Measure.objects.get(code=RESTRAINT, trust__isnull=True)
    last = month_start(today or timezone.localdate())
    rows = []
    for i in range(months):
        month = add_months(last, i - months + 1)
        rising = i >= months - rise_last
        count = 40 + 5 * (i - months + rise_last) if rising else 6 + (i % 3)
        rows.append(
            MeasureMonth(ward=ward, measure=measure, month=month, numerator=count, denominator=600)
        )
    return MeasureMonth.objects.bulk_create(rows)
