from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import measure_panels, presenters, selectors, voice
from ..forms import TrustFilterForm
from ..models import EXPORT_DATASETS, EXPORT_FORMATS


@require_GET
def ward_dashboard(request: HttpRequest, ward_id: int) -> HttpResponse:
    dashboard = selectors.ward_dashboard(user=request.user, ward_id=ward_id)
    return render(
        request,
        "reports/ward_dashboard.html",
        {
            "dashboard": dashboard,
            "ward": dashboard.ward,
            "voices": voice.round_voice(dashboard.latest),
            **presenters.ward_charts(dashboard),
            **measure_panels.ward_dashboard_measures(dashboard),
        },
    )


@require_GET
def trust_dashboard(request: HttpRequest, trust_id: int) -> HttpResponse:
    trust = selectors.get_dashboard_trust(user=request.user, trust_id=trust_id)
    form = TrustFilterForm(request.GET or None, sites=trust.sites.all())
    filters = form.cleaned_data if form.is_valid() else {}
    body = presenters.trust_dashboard_body(
        request,
        trust=trust,
        site_id=filters.get("site"),
        service_type=filters.get("service_type") or None,
        page=request.GET.get("page"),
        measures_ward=request.GET.get("measures_ward"),
    )
    return render(
        request,
        "reports/trust_dashboard.html",
        {
            "trust": trust,
            "form": form,
            "body": body,
            "export_datasets": list(EXPORT_DATASETS.items()),
            "export_formats": list(EXPORT_FORMATS.items()),
        },
    )
