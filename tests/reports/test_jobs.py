"""Report jobs: asking, permissions, making, failing, trying again, downloading, broker down."""

import datetime
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from culture_of_care.celery import app
from reports import services, tasks
from reports.models import JobStatus, ReportJob, ReportKind, report_path
from tests.assessments.builders import agreeing_round, signed_round
from tests.factories import TrustMembershipFactory, UserFactory

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
UNREACHABLE_REDIS = "redis://127.0.0.1:9/0"


@contextmanager
def celery_conf(**values):
    """Change the Celery app's configuration for one test (it is read once, not per request)."""
    old = {key: app.conf[key] for key in values}
    app.conf.update(values)
    try:
        yield
    finally:
        app.conf.update(old)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """A private storage folder of the test's own, so job ids reused across tests never meet."""
    settings.MEDIA_ROOT = settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")


@pytest.fixture
def in_process(settings):
    """The embedded default: no broker, tasks run in-process when sent."""
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with celery_conf(task_always_eager=True):
        yield


@pytest.fixture
def broker_down(settings):
    """REDIS_URL names a port where nothing listens, and tasks really go to the broker."""
    settings.REDIS_URL = UNREACHABLE_REDIS
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with celery_conf(task_always_eager=False, broker_url=UNREACHABLE_REDIS):
        yield


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader):
    return signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )


@pytest.fixture
def other_board_member(other_trust_ward):
    user = UserFactory(username="other-board")
    TrustMembershipFactory(user=user, trust=other_trust_ward.site.trust, role="board-member")
    return user


def ask(round, by) -> ReportJob:
    return services.request_report(kind=ReportKind.WARD_ASSESSMENT, round=round, by=by)


def stored_reports(job: ReportJob) -> list[Path]:
    folder = Path(job.file.storage.path(report_path(job, "x.pdf"))).parent
    return sorted(p for p in folder.iterdir() if p.name.startswith(f"{job.pk}"))


# --- Asking -------------------------------------------------------------------------------------


def test_request_report_asking_twice_returns_the_same_job(round, ward_staff, ward_manager):
    first = ask(round, ward_staff)
    second = ask(round, ward_manager)

    assert second.pk == first.pk
    assert first.key == f"ward-assessment:{round.pk}"
    assert first.status == JobStatus.QUEUED
    assert ReportJob.objects.count() == 1


def test_request_report_returns_the_other_job_when_it_loses_the_race(
    round, ward_staff, monkeypatch
):
    theirs = ask(round, ward_staff)
    real = services._active_job
    calls = []

    def not_there_yet(key):
        # The first look happens before the other request has committed its job.
        calls.append(key)
        return None if len(calls) == 1 else real(key)

    monkeypatch.setattr(services, "_active_job", not_there_yet)

    mine = ask(round, ward_staff)

    assert mine.pk == theirs.pk
    assert len(calls) == 2
    assert ReportJob.objects.count() == 1


def test_request_report_asks_again_once_the_last_job_is_done(round, ward_staff):
    first = ask(round, ward_staff)
    ReportJob.objects.filter(pk=first.pk).update(status=JobStatus.DONE)

    assert ask(round, ward_staff).pk != first.pk


def test_request_report_refuses_an_unsigned_round(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)

    with pytest.raises(ValidationError, match="signed assessment"):
        ask(round, ward_manager)
    assert not ReportJob.objects.exists()


def test_request_report_refuses_someone_who_cannot_see_the_ward(round, outsider):
    with pytest.raises(PermissionDenied):
        ask(round, outsider)


@pytest.mark.parametrize("persona", ["qi_lead", "board_member", "le_leader"])
def test_request_report_gives_trust_roles_a_board_pack(persona, request, trust):
    user = request.getfixturevalue(persona)

    job = services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=user)

    assert job.key == f"board-pack:{trust.pk}"
    assert job.trust == trust


@pytest.mark.parametrize("persona", ["ward_staff", "ward_manager", "le_partner"])
def test_request_report_refuses_a_board_pack_to_ward_roles(persona, request, trust):
    with pytest.raises(PermissionDenied):
        services.request_report(
            kind=ReportKind.BOARD_PACK, trust=trust, by=request.getfixturevalue(persona)
        )


def test_request_ward_report_view_is_404_for_another_trust(client, round, outsider):
    client.force_login(outsider)

    response = client.post(reverse("reports:request_ward_report", args=[round.pk]))

    assert response.status_code == 404
    assert not ReportJob.objects.exists()


def test_request_ward_report_view_refuses_get(client, round, ward_staff):
    client.force_login(ward_staff)

    response = client.get(reverse("reports:request_ward_report", args=[round.pk]))

    assert response.status_code == 405


def test_request_ward_report_view_explains_an_unsigned_round(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    client.force_login(ward_manager)

    response = client.post(reverse("reports:request_ward_report", args=[round.pk]), follow=True)

    assert response.redirect_chain[0][0] == reverse("assessments:summary", args=[round.pk])
    assert "only make a PDF of a signed assessment" in response.content.decode()


def test_request_board_pack_view_is_403_for_ward_staff(client, trust, ward_staff):
    client.force_login(ward_staff)

    response = client.post(reverse("reports:request_board_pack", args=[trust.pk]))

    assert response.status_code == 403
    assert not ReportJob.objects.exists()


def test_request_board_pack_view_is_404_for_another_trusts_board_member(
    client, trust, other_board_member
):
    client.force_login(other_board_member)

    response = client.post(reverse("reports:request_board_pack", args=[trust.pk]))

    assert response.status_code == 404


def test_request_board_pack_view_twice_leads_to_the_same_job(client, trust, board_member):
    client.force_login(board_member)
    url = reverse("reports:request_board_pack", args=[trust.pk])

    first = client.post(url)
    second = client.post(url)

    job = ReportJob.objects.get()
    assert first["Location"] == second["Location"] == reverse("reports:job_detail", args=[job.pk])


# --- Making -------------------------------------------------------------------------------------


def test_ward_report_is_made_in_process_and_downloaded(
    client, in_process, round, ward_staff, django_capture_on_commit_callbacks
):
    client.force_login(ward_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request_ward_report", args=[round.pk]))
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("reports:job_detail", args=[job.pk])

    page = client.get(response["Location"], HTTP_ACCEPT=HTML)
    download = client.get(reverse("reports:job_download", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts) == (JobStatus.DONE, 100, 1)
    assert job.sent_at is not None and job.finished_at is not None
    assert "Download the PDF (" in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="willow-ward-2026-q4-assessment.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_run_job_is_idempotent(round, ward_staff):
    job = ask(round, ward_staff)

    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    first_file = job.file.name
    services.run_job(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.attempts == 1
    assert job.file.name == first_file == report_path(job, "x.pdf")
    assert [p.name for p in stored_reports(job)] == [f"{job.pk}.pdf"]


def test_run_job_takes_over_a_job_whose_worker_died(round, ward_staff):
    job = ask(round, ward_staff)
    # The dead worker had started the job and written part of the file.
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    half = Path(job.file.storage.path(report_path(job, "x.pdf")))
    half.parent.mkdir(parents=True)
    half.write_bytes(b"half a PDF")

    services.run_job(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert [p.name for p in stored_reports(job)] == [f"{job.pk}.pdf"]
    with job.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"


def test_run_job_leaves_a_missing_job_alone(db):
    services.run_job(job_id=987654)


def test_run_job_failure_says_so_plainly_and_try_again_works(round, ward_staff, monkeypatch):
    job = ask(round, ward_staff)

    def broken(round):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services.pdf, "render_ward_assessment", broken)
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("The report could not be made: ")
    assert "secret internals" not in job.error

    monkeypatch.undo()
    retried = services.retry_job(job=job, by=ward_staff)
    assert (retried.pk, retried.status, retried.error) == (job.pk, JobStatus.QUEUED, "")
    services.run_job(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


def test_retry_job_refuses_a_job_that_has_not_failed(round, ward_staff):
    job = ask(round, ward_staff)

    with pytest.raises(ValidationError):
        services.retry_job(job=job, by=ward_staff)


def test_retry_job_returns_a_newer_active_job_for_the_same_report(round, ward_staff):
    failed = ask(round, ward_staff)
    ReportJob.objects.filter(pk=failed.pk).update(status=JobStatus.FAILED)
    newer = ask(round, ward_staff)
    failed.refresh_from_db()

    assert services.retry_job(job=failed, by=ward_staff).pk == newer.pk
    failed.refresh_from_db()
    assert failed.status == JobStatus.FAILED


def test_job_retry_view_requeues_a_failed_job(client, round, ward_staff):
    job = ask(round, ward_staff)
    services.fail_job(job_id=job.pk, reason="the test broke it.")
    client.force_login(ward_staff)

    response = client.post(reverse("reports:job_retry", args=[job.pk]))

    assert response["Location"] == reverse("reports:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_generate_report_retries_transient_errors_then_fails(round, ward_staff, monkeypatch):
    job = ask(round, ward_staff)

    def database_gone(*, job_id):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "run_job", database_gone)

    with pytest.raises(Retry):
        tasks.generate_report.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED

    with pytest.raises(OperationalError):
        tasks.generate_report.apply(args=[job.pk], retries=tasks.MAX_RETRIES)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == f"The report could not be made: {tasks.UNAVAILABLE}"


def test_generate_report_does_not_retry_a_report_that_cannot_be_drawn(
    round, ward_staff, monkeypatch
):
    job = ask(round, ward_staff)
    monkeypatch.setattr(services.pdf, "render_ward_assessment", lambda round: 1 / 0)

    tasks.generate_report.apply(args=[job.pk])

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)


def test_board_pack_job_records_progress(trust, board_member, round, ward_manager):
    job = services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member)
    seen = []
    real = services._ProgressRecorder.__call__

    def spy(self, done, total, text):
        real(self, done, total, text)
        seen.append(ReportJob.objects.values_list("progress", "progress_text").get(pk=job.pk))

    services._ProgressRecorder.__call__ = spy
    try:
        services.run_job(job_id=job.pk)
    finally:
        services._ProgressRecorder.__call__ = real

    job.refresh_from_db()
    assert (95, "Ward 1 of 1") in seen
    assert seen[-1] == (95, "Putting the pages together")
    assert (job.status, job.progress) == (JobStatus.DONE, 100)


def test_schedule_board_packs_asks_for_one_per_trust_with_signed_rounds(
    round, trust, other_trust_ward
):
    jobs = services.schedule_board_packs()

    assert [(j.trust, j.requested_by, j.kind) for j in jobs] == [
        (trust, None, ReportKind.BOARD_PACK)
    ]


def test_beat_schedule_runs_the_monthly_board_packs(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-board-packs"]

    assert entry["task"] == tasks.monthly_board_packs.name == "reports.tasks.monthly_board_packs"
    assert entry["schedule"].day_of_month == {settings.BOARD_PACK_SCHEDULE_DAY}
    assert entry["schedule"].hour == {6}
    assert entry["schedule"].minute == {0}


# --- The job page and its JSON --------------------------------------------------------------------


def test_job_detail_json_reports_progress(client, trust, board_member):
    job = services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member)
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=37, progress_text="Ward 37 of 100"
    )
    client.force_login(board_member)

    response = client.get(
        reverse("reports:job_detail", args=[job.pk]), HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "running"
    assert data["progress"] == 37
    assert data["progress_text"] == "Ward 37 of 100"
    assert data["text"] == "Being made: 37% done. Ward 37 of 100."
    assert data["finished"] is False
    assert data["download_url"] is None


def test_job_detail_html_shows_progress_in_words(client, trust, board_member):
    job = services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member)
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=37, progress_text="Ward 37 of 100"
    )
    client.force_login(board_member)

    page = client.get(reverse("reports:job_detail", args=[job.pk]), HTTP_ACCEPT=HTML)

    html = page.content.decode()
    assert page["Content-Type"].startswith("text/html")
    assert "Running" in html
    assert "37% done. Ward 37 of 100." in html
    assert 'value="37"' in html
    assert "Refresh this page" in html
    assert "js/job_progress.js" in html


def test_job_detail_html_offers_try_again_after_a_failure(client, round, ward_staff):
    job = ask(round, ward_staff)
    services.fail_job(job_id=job.pk, reason="the test broke it.")
    client.force_login(ward_staff)

    html = client.get(reverse("reports:job_detail", args=[job.pk])).content.decode()

    assert "The report could not be made: the test broke it." in html
    assert reverse("reports:job_retry", args=[job.pk]) in html
    assert "Try again" in html


def test_job_pages_are_404_for_people_who_cannot_see_the_trust(
    client, trust, board_member, other_board_member, ward_staff
):
    job = services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member)

    for user in (other_board_member, ward_staff):
        client.force_login(user)
        assert client.get(reverse("reports:job_detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
        assert client.post(reverse("reports:job_retry", args=[job.pk])).status_code == 404


def test_job_download_is_404_until_the_report_is_done(client, round, ward_staff):
    job = ask(round, ward_staff)
    client.force_login(ward_staff)

    response = client.get(reverse("reports:job_download", args=[job.pk]))

    assert response.status_code == 404


def test_trust_roles_can_download_a_ward_report(client, round, ward_staff, board_member):
    # The board member's own: the version for outside the ward team (decision 0024).
    job = ask(round, board_member)
    services.run_job(job_id=job.pk)
    client.force_login(board_member)

    response = client.get(reverse("reports:job_download", args=[job.pk]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


# --- The broker is down -------------------------------------------------------------------------


def test_asking_while_the_broker_is_down_says_reports_are_delayed(
    client, broker_down, round, ward_staff, django_capture_on_commit_callbacks
):
    client.force_login(ward_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request_ward_report", args=[round.pk]))
    job = ReportJob.objects.get()

    page = client.get(response["Location"], HTTP_ACCEPT=HTML)
    data = client.get(response["Location"], HTTP_ACCEPT="application/json").json()

    job.refresh_from_db()
    assert page.status_code == 200
    assert "Reports are delayed" in page.content.decode()
    assert "as soon as the background service is back" in page.content.decode()
    assert (job.status, job.sent_at) == (JobStatus.QUEUED, None)
    assert data["delayed"] is True


def test_enqueue_job_leaves_the_job_unsent_when_the_broker_refuses(round, ward_staff, monkeypatch):
    job = ask(round, ward_staff)
    monkeypatch.setattr(services, "broker_status", lambda: "ok")

    def refuse(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.generate_report, "apply_async", refuse)

    assert services.enqueue_job(job) is False
    job.refresh_from_db()
    assert job.sent_at is None
    assert services.is_delayed(job)


def test_job_detail_sends_an_unsent_job_once_the_broker_is_back(
    client, round, ward_staff, monkeypatch
):
    job = ask(round, ward_staff)
    sent = []
    monkeypatch.setattr(services, "broker_status", lambda: "ok")
    monkeypatch.setattr(
        tasks.generate_report, "apply_async", lambda args, **kwargs: sent.append(args)
    )
    client.force_login(ward_staff)
    url = reverse("reports:job_detail", args=[job.pk])

    first = client.get(url, HTTP_ACCEPT=HTML)
    client.get(url, HTTP_ACCEPT="application/json")

    job.refresh_from_db()
    assert sent == [(job.pk,)]
    assert job.sent_at is not None
    assert "Reports are delayed" not in first.content.decode()


def test_a_job_no_worker_has_started_for_a_while_is_shown_as_delayed(round, ward_staff):
    job = ask(round, ward_staff)
    ReportJob.objects.filter(pk=job.pk).update(
        sent_at=timezone.now() - datetime.timedelta(minutes=3)
    )
    job.refresh_from_db()

    assert services.is_delayed(job)
    ReportJob.objects.filter(pk=job.pk).update(sent_at=timezone.now())
    job.refresh_from_db()
    assert not services.is_delayed(job)


# --- The request form other pages include -------------------------------------------------------


def test_report_request_snippet_offers_a_pdf_of_a_signed_round(rf, round, ward_staff):
    request = rf.get("/")
    request.user = ward_staff

    html = render_to_string("includes/report_request.html", {"round": round}, request=request)

    assert reverse("reports:request_ward_report", args=[round.pk]) in html
    assert "Download PDF" in html
    assert "csrfmiddlewaretoken" in html


def test_report_request_snippet_offers_nothing_for_an_unsigned_round(
    rf, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)

    html = render_to_string("includes/report_request.html", {"round": round}, request=rf.get("/"))

    assert "<form" not in html


def test_report_request_snippet_offers_a_board_pack(rf, trust):
    html = render_to_string("includes/report_request.html", {"trust": trust}, request=rf.get("/"))

    assert reverse("reports:request_board_pack", args=[trust.pk]) in html
    assert "Make board pack" in html


def test_recover_stalled_jobs_requeues_a_lost_running_job_then_gives_up(db, trust, qi_lead):
    import datetime as _dt

    from django.utils import timezone as _tz

    from reports import services as report_services
    from reports.models import ReportJob as _Job

    long_ago = _tz.now() - report_services.STALLED_AFTER - _dt.timedelta(minutes=1)
    lost = _Job.objects.create(
        kind="board-pack",
        trust=trust,
        key="board-pack:lost",
        status="running",
        started_at=long_ago,
        attempts=1,
    )
    tired = _Job.objects.create(
        kind="board-pack",
        trust=trust,
        key="board-pack:tired",
        status="running",
        started_at=long_ago,
        attempts=3,
    )
    fresh = _Job.objects.create(
        kind="board-pack",
        trust=trust,
        key="board-pack:fresh",
        status="running",
        started_at=_tz.now(),
        attempts=1,
    )
    assert report_services.recover_stalled_jobs() == 2
    lost.refresh_from_db()
    tired.refresh_from_db()
    fresh.refresh_from_db()
    # In-process on the embedded default: requeued and made at once.
    assert lost.status in ("queued", "done")
    assert tired.status == "failed" and "stopped part way" in tired.error
    assert fresh.status == "running"


# --- A worker lost mid-report: started again once its silence is long --------------------------


def stall(job: ReportJob, *, silent_for: datetime.timedelta, attempts: int = 1) -> ReportJob:
    """The job was running, 28 wards in, when its whole worker machine went away."""
    then = timezone.now() - silent_for
    ReportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        progress=28,
        progress_text="Ward 28 of 100",
        started_at=then - datetime.timedelta(minutes=1),
        heartbeat_at=then,
        attempts=attempts,
        sent_at=then,
    )
    job.refresh_from_db()
    return job


LONG_SILENCE = services.STALLED_AFTER + datetime.timedelta(seconds=30)


def test_viewing_a_stalled_report_starts_it_again_and_it_is_made(
    client, in_process, trust, board_member
):
    job = stall(
        services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member),
        silent_for=LONG_SILENCE,
    )
    client.force_login(board_member)

    page = client.get(reverse("reports:job_detail", args=[job.pk]), HTTP_ACCEPT=HTML)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert "Download the PDF (" in page.content.decode()


def test_asking_again_for_a_stalled_report_starts_it_again(
    in_process, trust, board_member, django_capture_on_commit_callbacks
):
    job = stall(
        services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member),
        silent_for=LONG_SILENCE,
    )

    with django_capture_on_commit_callbacks(execute=True):
        again = services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member)

    job.refresh_from_db()
    assert again.pk == job.pk
    assert job.status == JobStatus.DONE


def test_try_again_is_allowed_for_a_stalled_report(in_process, trust, board_member):
    job = stall(
        services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member),
        silent_for=LONG_SILENCE,
    )

    job = services.retry_job(job=job, by=board_member)

    assert job.status == JobStatus.DONE


def test_a_long_report_whose_worker_still_reports_progress_is_left_alone(
    in_process, trust, board_member
):
    job = stall(
        services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member),
        silent_for=datetime.timedelta(seconds=20),
    )
    # Started long ago, but its worker wrote progress 20 seconds ago.
    ReportJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=2)
    )
    job.refresh_from_db()

    assert services.recover_stalled_jobs() == 0
    assert services.resend_if_stuck(job=job) is False
    with pytest.raises(ValidationError):
        services.retry_job(job=job, by=board_member)
    job.refresh_from_db()
    assert (job.status, job.progress_text) == (JobStatus.RUNNING, "Ward 28 of 100")


def test_a_stalled_report_that_keeps_stopping_fails_plainly(in_process, trust, board_member):
    job = stall(
        services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member),
        silent_for=LONG_SILENCE,
        attempts=services.MAX_ATTEMPTS,
    )

    services.resend_if_stuck(job=job)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "stopped part way through several times" in job.error


def test_progress_is_a_sign_of_life(trust, board_member):
    job = services.request_report(kind=ReportKind.BOARD_PACK, trust=trust, by=board_member)
    job = stall(job, silent_for=LONG_SILENCE)

    services._ProgressRecorder(job.pk)(29, 100, "Ward 29 of 100")

    job.refresh_from_db()
    assert not services.is_stalled(job)
    assert job.heartbeat_at > timezone.now() - datetime.timedelta(seconds=5)


def test_beat_looks_for_stalled_reports_every_two_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["recover-stalled-report-jobs"]
    assert entry["schedule"].minute == set(range(0, 60, 2))
