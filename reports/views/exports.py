"""CSV and XLSX downloads of a ward's or a trust's signed assessments and actions: a ward's
in the request, a trust's as a report job made by a worker."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from reports import exports, services, small_groups
from reports.models import ReportKind
from reports.selectors import get_dashboard_trust
from standards.selectors import get_ward_for_user

CHOOSE = "Choose which data to download and its format"
_DATA_SECTION = "{url}#download-the-data"


def _check(dataset: str, fmt: str) -> None:
    if dataset not in exports.DATASETS or fmt not in exports.FORMATS:
        raise Http404("No such export")


@require_GET
def ward_export(request, ward_id: int, dataset: str, fmt: str):
    """Anyone who may see the ward may download its data; outside the ward team, with the
    small-group rule of the trust's exports (decision 0024)."""
    _check(dataset, fmt)
    ward = get_ward_for_user(user=request.user, ward_id=ward_id)
    outside = not small_groups.in_ward_team(user=request.user, ward=ward)
    return exports.export_response(
        exports.ward_dataset(ward=ward, dataset=dataset, outside=outside), fmt=fmt
    )


@require_POST
def request_trust_export(request: HttpRequest, trust_id: int) -> HttpResponse:
    """The trust QI lead, board members and lived experience leaders, as for the dashboard: the
    export is made by a worker, and the next page shows its progress and the download."""
    trust = get_dashboard_trust(user=request.user, trust_id=trust_id)
    dataset, fmt = request.POST.get("dataset", ""), request.POST.get("format", "")
    if dataset not in exports.DATASETS or fmt not in exports.FORMATS:
        messages.error(request, CHOOSE)
        return redirect(
            _DATA_SECTION.format(url=reverse("reports:trust_dashboard", args=[trust.pk]))
        )
    try:
        job = services.request_report(
            kind=ReportKind.TRUST_EXPORT,
            trust=trust,
            dataset=dataset,
            file_format=fmt,
            by=request.user,
            notify_when_ready=request.POST.get("notify") == "yes",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(
            _DATA_SECTION.format(url=reverse("reports:trust_dashboard", args=[trust.pk]))
        )
    return redirect("reports:job_detail", job.pk)
