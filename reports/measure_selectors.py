"""Reads for the ward measures pages (issue 13): scoped to what the user may see, in one place.

A ward's measures page is read by anyone who may read its dashboard (the same scoping as
selectors.ward_dashboard); entering figures is for the ward's manager and the trust's QI lead;
importing them for the trust's QI lead.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from standards.models import Trust, Ward

from .measure_services import can_enter_figures, can_manage_measures
from .measures import (
    Disclosure,
    Figure,
    add_months,
    figure,
    month_start,
    trust_measures,
    ward_months,
)
from .models import Measure, MeasureChange, MeasureMonth

# Months a ward's measures page shows, and how far back the form offers.
RECENT_MONTHS = 12
ENTRY_MONTHS = 36


@dataclass
class MeasureRows:
    measure: Measure
    months: list[tuple[MeasureMonth, Figure]]  # newest first


@dataclass
class WardMeasures:
    ward: Ward
    rows: list[MeasureRows]
    since: datetime.date
    can_enter: bool
    changes: list[MeasureChange]


def _ward_in_users_trust(*, user, ward_id: int) -> Ward:
    """A ward of a trust where the user holds any role; 404 otherwise."""
    ward = (
        Ward.objects.select_related("site__trust")
        .filter(pk=ward_id, site__trust__in=Trust.objects.for_user(user))
        .first()
    )
    if ward is None:
        raise Http404("No such ward")
    return ward


def get_ward_for_measures(*, user, ward_id: int) -> Ward:
    """A ward whose dashboard the user may read (selectors.ward_dashboard's scoping): 404
    otherwise."""
    ward = Ward.objects.for_user(user).select_related("site__trust").filter(pk=ward_id).first()
    if ward is None:
        raise Http404("No such ward")
    return ward


def get_ward_for_entry(*, user, ward_id: int) -> Ward:
    """A ward whose figures the user may enter: 404 for other trusts' wards, 403 for people of
    the trust who are neither its manager nor the trust's QI lead."""
    ward = _ward_in_users_trust(user=user, ward_id=ward_id)
    if not can_enter_figures(user=user, ward=ward):
        raise PermissionDenied("Only the ward's manager or the trust's QI lead enters figures.")
    return ward


def get_trust_for_measures(*, user, trust_id: int) -> Trust:
    """A trust whose ward measures the user may manage (import figures, add its own measures):
    404 for other trusts, 403 for people of the trust who are not its QI lead."""
    trust = Trust.objects.for_user(user).filter(pk=trust_id).first()
    if trust is None:
        raise Http404("No such trust")
    if not can_manage_measures(user=user, trust=trust):
        raise PermissionDenied("Only the trust's QI lead imports or adds ward measures.")
    return trust


def entry_months(today: datetime.date | None = None) -> list[datetime.date]:
    """The months the form offers, newest first: this month and the ENTRY_MONTHS - 1 before."""
    this_month = month_start(today or timezone.localdate())
    return [add_months(this_month, -i) for i in range(ENTRY_MONTHS)]


def ward_measures(*, user, ward_id: int) -> WardMeasures:
    """Each of the trust's measures with the ward's figures of the last RECENT_MONTHS months,
    as the ward sees them (nothing withheld), and the latest changes."""
    ward = get_ward_for_measures(user=user, ward_id=ward_id)
    measures = list(trust_measures(ward.site.trust))
    since = add_months(month_start(timezone.localdate()), -(RECENT_MONTHS - 1))
    found = ward_months([ward], measures, since=since)
    rules = Disclosure()  # unused inside the ward: nothing is withheld there
    rows = [
        MeasureRows(
            measure,
            [
                (row, figure(measure, row, outside_ward=False, rules=rules))
                for row in reversed(found.get((ward.pk, measure.pk), []))
            ],
        )
        for measure in measures
    ]
    changes = list(
        MeasureChange.objects.filter(ward=ward)
        .select_related("measure", "actor")
        .order_by("-at", "-pk")[:10]
    )
    return WardMeasures(
        ward=ward,
        rows=rows,
        since=since,
        can_enter=can_enter_figures(user=user, ward=ward),
        changes=changes,
    )


def ward_month(*, ward: Ward, month: datetime.date, measures: list[Measure]) -> dict:
    """What a ward's month holds for each of the measures, by measure id, with who entered it
    (the ward month form shows it beside each measure)."""
    rows = MeasureMonth.objects.filter(
        ward=ward, month=month_start(month), measure__in=measures
    ).select_related("entered_by", "measure")
    return {row.measure_id: row for row in rows}
