"""Demo ward measures: three years of monthly figures for every ward of the demo trust (issue 13).

Deterministic: each ward's character comes from a generator seeded by its name, and each month's
figures from one seeded by the ward and the month, so the same month has the same figures on any
database and whenever it is seeded again. Bulk inserts: 100 wards take a few seconds. Safe to run
again: months a ward already has are left alone.

One ward tells a story on purpose: Willow Ward's restraint rises clearly over its last eight
months while its signed round agrees "Avoiding harm" at Established or Embedded
(assessments/demo.py), so the ward dashboard has a contradiction to show.
"""

import calendar
import datetime
import math
import random
import re
import time
from dataclasses import dataclass

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from standards.models import Trust, Ward

from .measures import add_months, month_start
from .models import Measure, MeasureCatalogue, MeasureMonth

CATALOGUE_FIXTURE = "ward-measures"
CATALOGUE_SLUG = "culture-of-care-ward-measures"
MONTHS = 36
RISING_WARD = "Willow Ward"
RISE_MONTHS = 8
BATCH = 2000


@dataclass
class MeasuresResult:
    wards: int = 0
    rows: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class WardCharacter:
    """How a ward's months tend to look: rates per 1,000 occupied bed days and percentages."""

    occupancy: float
    restraint: float
    prone_share: float
    seclusion: float
    rapid_tranquillisation: float
    patient_experience: float
    staff_experience: float
    patient_answers: int
    staff_answers: int


def ensure_catalogue() -> None:
    """Load the national catalogue of measures when it is missing."""
    if not MeasureCatalogue.objects.filter(slug=CATALOGUE_SLUG).exists():
        call_command("loaddata", CATALOGUE_FIXTURE, verbosity=0)


def demo_months(*, today: datetime.date | None = None, count: int = MONTHS) -> list[datetime.date]:
    """The `count` months ending with last month, oldest first."""
    last = add_months(month_start(today or timezone.localdate()), -1)
    return [add_months(last, -i) for i in range(count - 1, -1, -1)]


def ward_code_prefix(name: str) -> str:
    """ "Willow Ward" -> "WIL", "Ward 007" -> "W007"."""
    words = [w for w in re.split(r"\W+", name) if w and w.lower() != "ward"]
    if not words:
        return "WRD"
    if words[0].isdigit():
        return f"W{words[0]}"
    return re.sub(r"[^A-Za-z]", "", words[0])[:3].upper() or "WRD"


def _free_code(prefix: str, taken: set[str]) -> str:
    """ "W007" as it is when free; a name's letters numbered from 01 ("WIL01", "WIL02")."""
    if prefix[1:].isdigit() and prefix not in taken:
        return prefix
    number = 1
    while f"{prefix}{number:02d}" in taken:
        number += 1
    return f"{prefix}{number:02d}"


def assign_codes_and_beds(wards: list[Ward], *, seed: int) -> None:
    """Every ward a code unique in its trust ("WIL01") and a number of beds."""
    taken = {ward.code for ward in wards if ward.code}
    changed = []
    for ward in wards:
        dirty = False
        if not ward.code:
            ward.code = _free_code(ward_code_prefix(ward.name), taken)
            taken.add(ward.code)
            dirty = True
        if ward.beds is None:
            ward.beds = random.Random(f"{seed}:beds:{ward.name}").randint(12, 24)
            dirty = True
        if dirty:
            changed.append(ward)
    Ward.objects.bulk_update(changed, ["code", "beds"])


def character(ward: Ward, *, seed: int) -> WardCharacter:
    rng = random.Random(f"{seed}:measures:{ward.name}")
    restraint = rng.uniform(5, 25)
    if ward.name == RISING_WARD:
        # Enough events a month that its rise stands clear of chance, whatever the seed.
        restraint = max(restraint, 12.0)
    return WardCharacter(
        occupancy=rng.uniform(0.85, 0.95),
        restraint=restraint,
        prone_share=rng.uniform(0.1, 0.3),
        seclusion=rng.uniform(1, 6),
        rapid_tranquillisation=rng.uniform(2, 10),
        patient_experience=rng.uniform(0.6, 0.9),
        staff_experience=rng.uniform(0.55, 0.85),
        patient_answers=rng.randint(15, 40),
        staff_answers=rng.randint(20, 45),
    )


def _events(rng: random.Random, expected: float) -> int:
    """A count with about Poisson spread around `expected`."""
    return max(0, round(rng.gauss(expected, math.sqrt(max(expected, 0.5)))))


def _answers(rng: random.Random, size: int, share: float) -> tuple[int, int]:
    answers = max(5, size + rng.randint(-5, 5))
    share = min(0.98, max(0.3, share + rng.gauss(0, 0.04)))
    return round(answers * share), answers


def month_figures(
    ward: Ward,
    ward_character: WardCharacter,
    month: datetime.date,
    *,
    rise: float,
    seed: int,
) -> dict[str, tuple[int | None, int | None, float | None]]:
    """(numerator, denominator, value) by measure code for one ward's month. `rise` multiplies
    the restraint rate (1 for an ordinary month)."""
    rng = random.Random(f"{seed}:{ward.name}:{month:%Y-%m}")
    c = ward_character
    days = calendar.monthrange(month.year, month.month)[1]
    bed_days = round(ward.beds * days * min(1.0, c.occupancy + rng.gauss(0, 0.03)))
    per_bed_day = bed_days / 1000
    restraint = _events(rng, c.restraint * rise * per_bed_day)
    # A rise in restraint is a rise in prone restraint most of all.
    prone_share = min(0.9, c.prone_share * (1 + (rise - 1) * 0.5))
    prone = sum(rng.random() < prone_share for _ in range(restraint))
    return {
        "occupied-bed-days": (None, None, float(bed_days)),
        "restrictive-interventions": (restraint, bed_days, None),
        "prone-restraint": (prone, bed_days, None),
        "seclusion": (_events(rng, c.seclusion * per_bed_day), bed_days, None),
        "rapid-tranquillisation": (
            _events(rng, c.rapid_tranquillisation * per_bed_day),
            bed_days,
            None,
        ),
        "patient-experience": (*_answers(rng, c.patient_answers, c.patient_experience), None),
        "staff-experience": (*_answers(rng, c.staff_answers, c.staff_experience), None),
    }


def rise_for(ward: Ward, index: int, count: int) -> float:
    """The rising ward's restraint over its last RISE_MONTHS months: up to 3.5 times its usual."""
    if ward.name != RISING_WARD:
        return 1.0
    into = index - (count - RISE_MONTHS)
    return 1.0 if into < 0 else 1.4 + 0.3 * into


def seed_measures(
    *, trust: Trust, seed: int = 2026, today: datetime.date | None = None
) -> MeasuresResult:
    """Give every ward of the trust a code, beds, and MONTHS months of every national measure,
    ending last month."""
    started = time.perf_counter()
    ensure_catalogue()
    catalogue = MeasureCatalogue.objects.filter(slug=CATALOGUE_SLUG).order_by("-pk").first()
    measures = {m.code: m for m in Measure.objects.filter(catalogue=catalogue)}
    months = demo_months(today=today)
    with transaction.atomic():
        wards = list(Ward.objects.filter(site__trust=trust).order_by("pk"))
        assign_codes_and_beds(wards, seed=seed)
        have = set(
            MeasureMonth.objects.filter(
                ward__in=wards, measure__in=measures.values(), month__gte=months[0]
            ).values_list("ward_id", "measure_id", "month")
        )
        new = []
        for ward in wards:
            ward_character = character(ward, seed=seed)
            for index, month in enumerate(months):
                figures = month_figures(
                    ward,
                    ward_character,
                    month,
                    rise=rise_for(ward, index, len(months)),
                    seed=seed,
                )
                for code, (numerator, denominator, value) in figures.items():
                    measure = measures.get(code)
                    if measure is None or (ward.pk, measure.pk, month) in have:
                        continue
                    new.append(
                        MeasureMonth(
                            ward=ward,
                            measure=measure,
                            month=month,
                            numerator=numerator,
                            denominator=denominator,
                            value=value,
                        )
                    )
        MeasureMonth.objects.bulk_create(new, batch_size=BATCH)
    return MeasuresResult(wards=len(wards), rows=len(new), seconds=time.perf_counter() - started)
