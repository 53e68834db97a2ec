"""The embedded default (no Redis): asking for a report returns at once, and the report is made
in a background thread of the web process, as a worker would make it."""

import threading
import time

import pytest
from django.urls import reverse

from reports import services
from reports.models import JobStatus, ReportJob
from tests.assessments.builders import signed_round
from tests.browser.conftest import _unlock_signed_rounds
from tests.reports.test_jobs import HTML, celery_conf

# The job waits this long before drawing, so the response is seen while it is still going.
DELAY_SECONDS = 1.5
TIMEOUT_SECONDS = 60


@pytest.fixture
def in_a_thread(settings, tmp_path):
    settings.MEDIA_ROOT = settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.REPORTS_RUN_IN_BACKGROUND_THREAD = True
    settings.REPORT_RENDER_DELAY_SECONDS = DELAY_SECONDS
    with celery_conf(task_always_eager=True):
        yield
    for thread in threading.enumerate():
        if thread.name.startswith("report-job-"):
            thread.join(TIMEOUT_SECONDS)


@pytest.fixture
def round(transactional_db, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader):
    yield signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )
    _unlock_signed_rounds()  # so that transactional_db can empty the tables


def wait_for_job(job_id: int, timeout: float = TIMEOUT_SECONDS) -> ReportJob:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = ReportJob.objects.get(pk=job_id)
        if not job.is_active:
            return job
        time.sleep(0.2)
    raise AssertionError(f"Report job {job_id} did not finish within {timeout} seconds")


def test_request_ward_report_returns_before_the_report_is_made(
    client, in_a_thread, round, ward_staff
):
    client.force_login(ward_staff)
    started = time.monotonic()

    response = client.post(reverse("reports:request_ward_report", args=[round.pk]))

    assert time.monotonic() - started < DELAY_SECONDS
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    page = client.get(reverse("reports:job_detail", args=[job.pk]), HTTP_ACCEPT=HTML)
    assert "This page checks for progress by itself." in page.content.decode()

    job = wait_for_job(job.pk)

    assert job.status == JobStatus.DONE, job.error
    assert job.file.read().startswith(b"%PDF-")
    page = client.get(reverse("reports:job_detail", args=[job.pk]), HTTP_ACCEPT=HTML)
    assert "Download the PDF (" in page.content.decode()


def test_background_thread_fails_the_job_plainly_when_drawing_breaks(
    in_a_thread, round, ward_staff, monkeypatch
):
    def broken(*args, **kwargs):
        raise services.OperationalError("database is locked")

    monkeypatch.setattr(services, "_render", broken)
    job = services.request_report(kind="ward-assessment", round=round, by=ward_staff)

    job = wait_for_job(job.pk)

    assert job.status == JobStatus.FAILED
    assert job.error == f"The report could not be made: {services.GENERIC_FAILURE}"
