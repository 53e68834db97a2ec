"""CSV and XLSX downloads of a ward's or a trust's signed assessments and actions."""

from django.http import Http404
from django.views.decorators.http import require_GET

from reports import exports
from reports.selectors import get_dashboard_trust
from standards.selectors import get_ward_for_user


def _check(dataset: str, fmt: str) -> None:
    if dataset not in exports.DATASETS or fmt not in exports.FORMATS:
        raise Http404("No such export")


@require_GET
def ward_export(request, ward_id: int, dataset: str, fmt: str):
    """Anyone who may see the ward may download its data."""
    _check(dataset, fmt)
    ward = get_ward_for_user(user=request.user, ward_id=ward_id)
    return exports.export_response(exports.ward_dataset(ward=ward, dataset=dataset), fmt=fmt)


@require_GET
def trust_export(request, trust_id: int, dataset: str, fmt: str):
    """The trust QI lead, board members and lived experience leaders, as for the dashboard."""
    _check(dataset, fmt)
    trust = get_dashboard_trust(user=request.user, trust_id=trust_id)
    return exports.export_response(exports.trust_dataset(trust=trust, dataset=dataset), fmt=fmt)
