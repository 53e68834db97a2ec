"""Ward measures beside the self-assessment (issue 13): a ward's figures, entering a month, and
a trust's CSV import (upload, preview, apply)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from standards.forms import apply_service

from .. import measure_import, measure_selectors, measure_services
from ..measure_forms import (
    MeasureImportForm,
    MonthChoiceForm,
    TrustMeasureForm,
    WardMonthForm,
    month_key,
)
from ..measures import disclosure, trust_measures
from ..selectors import commitment_titles

IMPORT_SESSION_KEY = "measure_import"


@require_GET
def ward_measures(request: HttpRequest, ward_id: int) -> HttpResponse:
    page = measure_selectors.ward_measures(user=request.user, ward_id=ward_id)
    return render(request, "reports/measures/ward_measures.html", {"page": page, "ward": page.ward})


@require_http_methods(["GET", "POST"])
def measure_enter(request: HttpRequest, ward_id: int) -> HttpResponse:
    """A ward's month of measures on one form, saved at once (?month=YYYY-MM; by default last
    month, when a month's figures are usually entered)."""
    ward = measure_selectors.get_ward_for_entry(user=request.user, ward_id=ward_id)
    months = measure_selectors.entry_months()
    query = request.POST if request.method == "POST" else request.GET
    asked = MonthChoiceForm(query, months=months)
    month = asked.chosen(default=months[1])
    measures = list(trust_measures(ward.site.trust))
    form = WardMonthForm(
        request.POST if request.method == "POST" else None,
        month=month,
        measures=measures,
        held=measure_selectors.ward_month(ward=ward, month=month, measures=measures),
    )
    if form.is_bound and not asked.is_offered():
        # Never save a month's figures into another month than the one shown.
        form.add_error("Choose a month from the list: nothing was saved")
    elif form.is_bound and form.is_valid():
        try:
            saved = measure_services.save_ward_month(
                ward=ward, month=month, figures=form.figures(), by=request.user
            )
        except measure_services.MonthNotSaved as error:
            form.not_saved(error)
        except ValidationError as error:
            form.add_error(error.messages[0])
        else:
            count = len(saved)
            said = f"{count} measure{'s' * (count != 1)} saved" if count else "nothing changed"
            messages.success(request, f"{ward.name}, {month:%B %Y}: {said}")
            return redirect("reports:ward_measures", ward.pk)
    context = {
        "ward": ward,
        "month": month,
        "month_key": month_key(month),
        "chooser": MonthChoiceForm({"month": month_key(month)}, months=months),
        "form": form,
        "rules": disclosure(ward.site.trust),
    }
    return render(request, "reports/measures/enter.html", context)


@require_http_methods(["GET", "POST"])
def measure_import_upload(request: HttpRequest, trust_id: int) -> HttpResponse:
    """Upload a CSV file; if every line is valid, show what would change before applying."""
    trust = measure_selectors.get_trust_for_measures(user=request.user, trust_id=trust_id)
    form = MeasureImportForm(request.POST or None, request.FILES or None)
    plan = None
    if form.is_bound and form.is_valid():
        content = form.cleaned_data["file"]
        plan = measure_import.plan_import(trust=trust, content=content)
        if plan.is_valid:
            request.session[IMPORT_SESSION_KEY] = {"trust": trust.pk, "content": content}
        else:
            count = len(plan.errors)
            form.add_error(
                "file", f"The file has {count} problem{'s' * (count != 1)}: nothing was saved"
            )
    context = {
        "trust": trust,
        "form": form,
        "plan": plan,
        "measures": trust_measures(trust),
        "rules": disclosure(trust),
    }
    return render(request, "reports/measures/import.html", context)


@require_POST
def measure_import_apply(request: HttpRequest, trust_id: int) -> HttpResponse:
    trust = measure_selectors.get_trust_for_measures(user=request.user, trust_id=trust_id)
    pending = request.session.get(IMPORT_SESSION_KEY) or {}
    if pending.get("trust") != trust.pk:
        messages.error(request, "Upload the file again: the preview was lost or has expired")
        return redirect("reports:measure_import", trust.pk)
    try:
        plan = measure_import.apply_import(by=request.user, trust=trust, content=pending["content"])
    except measure_import.MeasureImportError as error:
        # Something changed since the preview (a ward's code, say).
        messages.error(request, "Nothing was saved: " + " ".join(error.errors[:5]))
        return redirect("reports:measure_import", trust.pk)
    del request.session[IMPORT_SESSION_KEY]
    messages.success(
        request,
        f"Ward measures imported: {len(plan.additions)} month{'s' * (len(plan.additions) != 1)} "
        f"added, {len(plan.replacements)} replaced",
    )
    return redirect("reports:trust_dashboard", trust.pk)


@require_http_methods(["GET", "POST"])
def trust_measure_add(request: HttpRequest, trust_id: int) -> HttpResponse:
    """A measure of the trust's own, beside the national ones (the QI lead)."""
    trust = measure_selectors.get_trust_for_measures(user=request.user, trust_id=trust_id)
    form = TrustMeasureForm(request.POST or None, titles=commitment_titles())
    if form.is_bound and form.is_valid():
        measure = apply_service(
            form,
            measure_services.add_trust_measure,
            trust=trust,
            by=request.user,
            **form.service_arguments(),
        )
        if measure is not None:
            said = f"{measure.name} added: wards can enter it, and imports name it {measure.code}"
            messages.success(request, said)
            return redirect("reports:measure_import", trust.pk)
    context = {"trust": trust, "form": form, "own": trust_measures(trust).filter(trust=trust)}
    return render(request, "reports/measures/trust_measure_add.html", context)
