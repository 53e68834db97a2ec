"""Evidence for a standard: notes, links and files, served only to people who may see it."""

import posixpath
import unicodedata

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from standards.forms import apply_service

from .. import rules, selectors, services
from ..forms.evidence import EvidenceDeleteForm, EvidenceForm
from ..models import Evidence, EvidenceKind, Round
from ..permissions import access_for, load_round

# Extensions a person would expect for each stored type (the stored name has the first).
EXTENSIONS = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpg": {"jpg", "jpeg"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "doc": {"doc"},
    "xls": {"xls"},
    "ole": {"doc", "xls", "ppt", "msg"},
}


def _closed_message(round: Round) -> str:
    if round.is_locked:
        return "This assessment is signed and locked, so its evidence cannot change."
    return "Evidence cannot change after agreeing has finished."


def _standard_page(round: Round, standard) -> str:
    """Where evidence for a standard is shown: beside its ratings, once they are revealed."""
    if rules.ratings_revealed(round.status):
        page = reverse("assessments:agree_commitment", args=[round.pk, standard.commitment.number])
        return f"{page}#standard-{standard.pk}"
    return reverse("assessments:round_detail", args=[round.pk])


def download_name(evidence: Evidence) -> str:
    """The uploaded name without any path or control characters, ending in an extension
    that matches the checked content, so the file opens as what it is."""
    name = posixpath.basename(evidence.original_name.replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stored_ext = evidence.stored_name.rpartition(".")[2].lower()
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in EXTENSIONS.get(stored_ext, {stored_ext}):
        name = f"{name or 'evidence'}.{stored_ext}"
    return name


@require_http_methods(["GET", "POST"])
def evidence_create(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    if not access.can_contribute:
        raise PermissionDenied("Only the ward's people can add evidence.")
    if not round.allows(rules.ADD_EVIDENCE):
        messages.info(request, _closed_message(round))
        return redirect("assessments:round_detail", round.pk)
    standards = selectors.round_standards(round=round)
    kind = request.POST.get("kind") or request.GET.get("kind")
    step_data = request.POST if request.method == "POST" else request.GET
    if (
        request.method == "POST"
        and kind not in EvidenceKind.values
        or (request.GET.get("step") == "kind")
    ):
        # The first step's answers (or a post without a kind): check them first.
        first = EvidenceForm(step_data, standards=standards)
        if not first.is_valid():
            return _evidence_page(request, round, first, kind=None, status=400)
    if kind not in EvidenceKind.values:
        chosen = request.GET.get("standard", "")
        initial = {"standard": chosen} if chosen.isdigit() else {}
        form = EvidenceForm(initial=initial, standards=standards)
        return _evidence_page(request, round, form, kind=None)
    posted = request.POST if request.method == "POST" else None
    form = EvidenceForm(
        posted,
        request.FILES if posted is not None else None,
        initial={"standard": request.GET.get("standard", ""), "kind": kind},
        standards=standards,
        kind=kind,
    )
    if form.is_bound and form.is_valid():
        evidence = apply_service(
            form, services.add_evidence, round=round, by=request.user, **form.service_arguments()
        )
        if evidence is not None:
            messages.success(request, f"Evidence added to {evidence.standard.code}")
            return redirect(_standard_page(round, evidence.standard))
    return _evidence_page(request, round, form, kind=kind, status=400 if form.errors else 200)


def _evidence_page(request, round, form, *, kind, status=200) -> HttpResponse:
    standard = form["standard"].value() or ""
    change = reverse("assessments:evidence_create", args=[round.pk]) + f"?standard={standard}"
    context = {
        "round": round,
        "form": form,
        "kind": kind,
        "kind_label": dict(EvidenceKind.choices).get(kind, ""),
        "change_kind_url": change,
    }
    return render(request, "assessments/evidence_form.html", context, status=status)


@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = selectors.get_evidence_for_user(user=request.user, evidence_id=evidence_id)
    if not evidence.file:
        # A note or a link has nothing to download: show it where it lives instead.
        return redirect(_standard_page(evidence.round, evidence.standard))
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=download_name(evidence),
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def evidence_delete(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = selectors.get_evidence_for_user(user=request.user, evidence_id=evidence_id)
    round = evidence.round
    access = access_for(user=request.user, ward=round.ward, round=round)
    if evidence.added_by_id != request.user.pk and not access.is_manager:
        raise PermissionDenied("Only the person who added it or the ward manager can remove it.")
    back = _standard_page(round, evidence.standard)
    if not round.allows(rules.REMOVE_EVIDENCE):
        messages.info(request, _closed_message(round))
        return redirect(back)
    posted = request.POST if request.method == "POST" else None
    form = EvidenceDeleteForm(posted)
    if form.is_bound and form.is_valid():
        apply_service(form, services.delete_evidence, evidence=evidence, by=request.user)
        if not form.errors:  # the service returns nothing; a refusal lands on the form
            messages.success(request, f"Evidence removed from {evidence.standard.code}")
            return redirect(back)
    context = {"round": round, "evidence": evidence, "form": form, "back": back}
    return render(request, "assessments/evidence_confirm_delete.html", context)
