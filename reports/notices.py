"""What a person who asked for a report is told when it is ready (see assessments.notices)."""

from django.urls import reverse

from standards.models import NotificationKind
from standards.notifications import notify

from .models import ReportJob, ReportKind


def report_ready(job: ReportJob) -> None:
    """Only to the person who asked, and only if they asked to be told."""
    user = job.requested_by
    if not job.notify_when_ready or user is None or not user.is_active:
        return
    if job.kind == ReportKind.WARD_ASSESSMENT:
        what = f"The PDF of the assessment for {job.round.ward.name}, {job.round.label}"
    elif job.kind == ReportKind.TRUST_EXPORT:
        what = f"The data export for {job.trust.name}, {job.title}"
    else:
        what = f"The board pack for {job.trust.name}"
    notify(
        recipient=user,
        kind=NotificationKind.REPORT_READY,
        key=f"report-ready:{job.pk}:{user.pk}",
        subject=f"{what} is ready",
        body=f"{what}, which you asked for, is ready to download.",
        path=reverse("reports:job_detail", args=[job.pk]),
    )
