from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .. import process_changes, selectors
from ..forms import ProcessChangeForm


def _chart_url(trust_id: int, measure: str) -> str:
    if measure.startswith("ward:"):
        return f"{reverse('reports:trust_dashboard', args=[trust_id])}#board-summary"
    number = 0 if measure == "overall" else measure.rpartition(":")[2]
    return f"{reverse('reports:trust_dashboard', args=[trust_id])}#spc-{number}"


@require_http_methods(["GET", "POST"])
def process_change_add(request: HttpRequest, trust_id: int) -> HttpResponse:
    trust = process_changes.get_trust_for_changes(user=request.user, trust_id=trust_id)
    form = ProcessChangeForm(
        request.POST if request.method == "POST" else None,
        initial={"measure": request.GET.get("measure", "overall")},
        titles=selectors.commitment_titles(),
        wards=selectors.trust_wards(trust=trust),
    )
    if form.is_bound and form.is_valid():
        try:
            change = process_changes.add_process_change(
                by=request.user, trust=trust, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Change in the process marked: {change.note}")
            return redirect(_chart_url(trust.pk, change.measure))
    return render(request, "reports/process_change_form.html", {"trust": trust, "form": form})


@require_POST
def process_change_remove(request: HttpRequest, trust_id: int, change_id: int) -> HttpResponse:
    change = process_changes.get_process_change(
        user=request.user, trust_id=trust_id, change_id=change_id
    )
    process_changes.remove_process_change(by=request.user, change=change)
    messages.success(request, f"Change in the process removed: {change.note}")
    return redirect(_chart_url(trust_id, change.measure))
