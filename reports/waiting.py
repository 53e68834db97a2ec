"""Reports waiting for the person who asked for them, for their task list."""

from django.urls import reverse

from assessments.waiting import Task

from .models import JobStatus, ReportJob


def reports_ready(user) -> list[Task]:
    """Reports this person asked for that are made and not yet downloaded by them."""
    if not user.is_authenticated:
        return []
    jobs = ReportJob.objects.for_user(user).filter(
        requested_by=user, status=JobStatus.DONE, downloaded_at__isnull=True
    )
    return [
        Task(
            kind="report",
            title=f"Download your report: {job.title}",
            detail=job.filename,
            url=reverse("reports:job_detail", args=[job.pk]),
            at=job.finished_at or job.created_at,
        )
        for job in jobs.select_related("round__ward", "trust")
    ]
