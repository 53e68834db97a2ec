"""Asking for a PDF, following its job (PDFs and trust exports), downloading it, trying again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assessments.selectors import get_round_for_user

from .. import selectors, services
from ..models import JobStatus, ReportJob, ReportKind

DELAYED = "Reports are delayed: we will make it as soon as the background service is back."


def _wants_email(request: HttpRequest) -> bool:
    """The "Email me when it is ready" box; anything but its own value is a no."""
    return request.POST.get("notify") == "yes"


@require_POST
def request_ward_report(request: HttpRequest, round_id: int) -> HttpResponse:
    round = get_round_for_user(user=request.user, round_id=round_id)
    try:
        job = services.request_report(
            kind=ReportKind.WARD_ASSESSMENT,
            round=round,
            by=request.user,
            notify_when_ready=_wants_email(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:summary", round.pk)
    return redirect("reports:job_detail", job.pk)


@require_POST
def request_board_pack(request: HttpRequest, trust_id: int) -> HttpResponse:
    trust = selectors.get_trust_for_user(user=request.user, trust_id=trust_id)
    try:
        job = services.request_report(
            kind=ReportKind.BOARD_PACK,
            trust=trust,
            by=request.user,
            notify_when_ready=_wants_email(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:trust_dashboard", trust.pk)
    return redirect("reports:job_detail", job.pk)


@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.get_job_for_user(user=request.user, job_id=job_id)
    if services.resend_if_stuck(job=job):
        job.refresh_from_db()
    status = job_status(job)
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return JsonResponse(status, headers={"Cache-Control": "no-store"})
    return render(request, "reports/job_detail.html", {"job": job, "status": status})


@require_GET
def job_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = selectors.get_job_for_user(user=request.user, job_id=job_id)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404("This report is not ready")
    services.mark_downloaded(job=job, by=request.user)
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=job.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.get_job_for_user(user=request.user, job_id=job_id)
    try:
        job = services.retry_job(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reports:job_detail", job.pk)


def _file_size(job: ReportJob) -> int | None:
    if job.status != JobStatus.DONE or not job.file:
        return None
    try:
        return job.file.size
    except OSError:
        return None


def job_status(job: ReportJob) -> dict:
    """What the job page and its polling script show, in words."""
    delayed = services.is_delayed(job)
    size = _file_size(job)
    if job.status == JobStatus.QUEUED:
        text = DELAYED if delayed else "Waiting for the background service to start it."
    elif job.status == JobStatus.RUNNING:
        text = f"Being made: {job.progress}% done." + (
            f" {job.progress_text}." if job.progress_text else ""
        )
    elif job.status == JobStatus.DONE:
        text = f"Your {job.file_label} is ready ({filesizeformat(size)})."
    else:
        text = job.error or "The report could not be made."
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
        "progress": job.progress,
        "progress_text": job.progress_text,
        "delayed": delayed,
        "text": text,
        "error": job.error,
        "size": size,
        "filename": job.filename,
        "download_url": reverse("reports:job_download", args=[job.pk]) if size else None,
    }
