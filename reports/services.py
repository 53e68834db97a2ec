"""Report jobs: asking for a PDF or a trust export, sending it to a worker, making it, trying
again.

A job is one report being made. Asking again while one is queued or running returns that job
(a partial unique constraint makes this hold under races too). The worker's task may run more
than once for a job (a redelivery after a worker died, a resend): `run_job` is idempotent and
leaves a finished job alone. When the broker is down the job waits, unsent, and is sent when
someone next looks at it.
"""

import datetime
import logging
import tempfile
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from assessments import rules
from assessments.models import Round, RoundStatus
from standards import kept
from standards.background import send_task
from standards.health import broker_status
from standards.models import Trust

from . import exports, notices, pdf, small_groups
from .models import (
    ACTIVE_STATUSES,
    DASHBOARD_TRUST_ROLES,
    EXPORT_DATASETS,
    EXPORT_FORMATS,
    Audience,
    JobStatus,
    ReportJob,
    ReportKind,
    report_path,
)

log = logging.getLogger(__name__)

# Worth trying the task again for: the database or the broker was briefly unreachable.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    BrokerError,
    redis.ConnectionError,
    redis.TimeoutError,
)
# Sending a task failed: the job stays queued and unsent.
SEND_ERRORS: tuple[type[Exception], ...] = (BrokerError, redis.RedisError, OSError)
# Publishing gives up quickly: the page that asked must not hang on a dead broker.
SEND_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# A queued job whose message may have been lost (Redis restarted) is sent again after this.
RESEND_AFTER = datetime.timedelta(minutes=15)
# A queued job no worker has started after this long: the page says reports are delayed.
DELAYED_AFTER = datetime.timedelta(minutes=2)
# A job "running" with no sign of life from its worker for this long has lost its worker (a
# machine gone, a process killed): it is started again at once rather than waiting for the
# broker to redeliver its message (the visibility timeout, an hour), or failed after 3 tries.
# Workers write a heartbeat at the start and with every step of progress; the longest silent
# step, drawing a 100-ward board pack's pages, takes seconds.
STALLED_AFTER = datetime.timedelta(seconds=settings.REPORT_STALLED_AFTER_SECONDS)
MAX_ATTEMPTS = 3
BOARD_PACK_ONLY = (
    "Only the trust's QI lead, board members and lived experience leaders can do this."
)
GENERIC_FAILURE = (
    "something went wrong while drawing the PDF. Try again; if it fails again, tell your QI lead."
)


class ReportError(Exception):
    """A report cannot be made, for a reason the person asking can understand."""


def report_key(
    *,
    kind: str,
    round: Round | None = None,
    trust: Trust | None = None,
    dataset: str = "",
    file_format: str = "",
    audience: str = "",
) -> str:
    """One active job per report: a ward PDF's two audiences are two reports."""
    if kind == ReportKind.WARD_ASSESSMENT and round is not None:
        key = f"{ReportKind.WARD_ASSESSMENT}:{round.pk}"
        return f"{key}:{Audience.OUTSIDE}" if audience == Audience.OUTSIDE else key
    if kind == ReportKind.BOARD_PACK and trust is not None:
        return f"{ReportKind.BOARD_PACK}:{trust.pk}"
    if (
        kind == ReportKind.TRUST_EXPORT
        and trust is not None
        and dataset in EXPORT_DATASETS
        and file_format in EXPORT_FORMATS
    ):
        return f"{ReportKind.TRUST_EXPORT}:{trust.pk}:{dataset}:{file_format}"
    raise ValueError(f"A {kind!r} report needs its round or trust (and an export its dataset)")


def _bump_task_lists(job: ReportJob) -> None:
    """A report made or first downloaded changes its asker's task list: the kept count of it
    is counted again (standards/kept.py), in the same transaction."""
    if job.trust_id:
        kept.bump([job.trust_id])
    elif job.round_id:
        kept.bump(Round.objects.filter(pk=job.round_id).values("ward__site__trust"))


def mark_downloaded(*, job: ReportJob, by) -> None:
    """The first download by the person who asked takes the report off their task list."""
    if job.requested_by_id != by.pk or job.downloaded_at is not None:
        return
    with transaction.atomic():
        if ReportJob.objects.filter(pk=job.pk, downloaded_at__isnull=True).update(
            downloaded_at=timezone.now()
        ):
            # Off the person's task list: the header's kept count is counted again.
            _bump_task_lists(job)


def is_stalled(job: ReportJob, *, now: datetime.datetime | None = None) -> bool:
    """Running, but its worker has been silent longer than STALLED_AFTER."""
    alive_at = job.heartbeat_at or job.started_at
    if job.status != JobStatus.RUNNING or alive_at is None:
        return False
    return alive_at < (now or timezone.now()) - STALLED_AFTER


def is_delayed(job: ReportJob) -> bool:
    """Queued and never sent, or sent longer ago than a worker takes to pick a job up."""
    if job.status != JobStatus.QUEUED:
        return False
    return job.sent_at is None or job.sent_at < timezone.now() - DELAYED_AFTER


# --- Permissions ----------------------------------------------------------------------------


def _check_can_ask(*, kind: str, round: Round | None, trust: Trust | None, by) -> None:
    """Ward PDF: anyone who may see the ward. Board pack: the trust's dashboard roles.
    `by=None` is the system (the monthly schedule)."""
    if by is None:
        return
    if kind == ReportKind.WARD_ASSESSMENT:
        if not Round.objects.for_user(by).filter(pk=round.pk).exists():
            raise PermissionDenied("You cannot see this ward.")
    elif not Trust.objects.with_trust_role(by, *DASHBOARD_TRUST_ROLES).filter(pk=trust.pk).exists():
        raise PermissionDenied(BOARD_PACK_ONLY)


def ward_pdf_audience(*, round: Round, by) -> str:
    """A ward PDF is made for the audience of the person who asks (decision 0024): the round's
    ward team, or everyone else, with the small-group rule. The system asks for no ward PDF;
    were it to, it would get the version anyone may read."""
    if by is not None and small_groups.in_ward_team(user=by, ward=round.ward, round=round):
        return Audience.WARD_TEAM
    return Audience.OUTSIDE


# --- Asking -----------------------------------------------------------------------------------


def request_report(
    *,
    kind: str,
    round: Round | None = None,
    trust: Trust | None = None,
    by,
    notify_when_ready: bool = False,
    dataset: str = "",
    file_format: str = "",
) -> ReportJob:
    """Ask for a report: the job already queued or running for it, or a new one sent to a
    worker once the transaction commits. Only a signed assessment can be a ward PDF; a trust
    export names its dataset and format (models.EXPORT_DATASETS, EXPORT_FORMATS).
    `notify_when_ready`: email the person asking when it is ready (their own job only)."""
    notify_when_ready = bool(notify_when_ready and by is not None)
    audience = ward_pdf_audience(round=round, by=by) if kind == ReportKind.WARD_ASSESSMENT else ""
    key = report_key(
        kind=kind,
        round=round,
        trust=trust,
        dataset=dataset,
        file_format=file_format,
        audience=audience,
    )
    _check_can_ask(kind=kind, round=round, trust=trust, by=by)
    if kind == ReportKind.WARD_ASSESSMENT and not round.allows(rules.MAKE_WARD_PDF):
        raise ValidationError(
            "You can only make a PDF of a signed assessment. Sign this assessment first."
        )
    subject = {"round": round} if kind == ReportKind.WARD_ASSESSMENT else {"trust": trust}
    with transaction.atomic():
        existing = _active_job(key)
        if existing is not None:
            if is_stalled(existing):
                _restart_on_commit(existing)
            return _also_notify(existing, by=by, notify_when_ready=notify_when_ready)
        _check_request_rate(by=by)
        try:
            with transaction.atomic():
                job = ReportJob.objects.create(
                    kind=kind,
                    key=key,
                    dataset=dataset,
                    file_format=file_format,
                    audience=audience,
                    requested_by=by,
                    notify_when_ready=notify_when_ready,
                    **subject,
                )
        except IntegrityError:
            # Someone asked for the same report at the same moment: theirs is the one.
            existing = _active_job(key)
            if existing is None:
                raise
            return existing
        _send_on_commit(job)
    return job


def _also_notify(job: ReportJob, *, by, notify_when_ready: bool) -> ReportJob:
    """Asking again for your own job, this time to be told: remember it. Someone else's job
    tells only the person who asked for it (the page shows everyone its progress)."""
    if notify_when_ready and not job.notify_when_ready and job.requested_by_id == by.pk:
        ReportJob.objects.filter(pk=job.pk).update(notify_when_ready=True)
        job.notify_when_ready = True
    return job


def _check_request_rate(*, by) -> None:
    """At most REPORT_REQUESTS_PER_HOUR new reports a person an hour: each one is minutes of a
    worker's time. Counted from the jobs themselves, so it holds across processes and Redis."""
    limit = settings.REPORT_REQUESTS_PER_HOUR
    since = timezone.now() - datetime.timedelta(hours=1)
    if ReportJob.objects.filter(requested_by=by, created_at__gte=since).count() >= limit:
        raise ValidationError(
            f"You have asked for {limit} reports in the last hour. Wait an hour, then try "
            "again, or download one you have already made."
        )


def _active_job(key: str) -> ReportJob | None:
    return ReportJob.objects.filter(key=key, status__in=ACTIVE_STATUSES).first()


def _send_on_commit(job: ReportJob) -> None:
    job_id = job.pk
    transaction.on_commit(lambda: enqueue_job(ReportJob.objects.get(pk=job_id)))


def schedule_board_packs() -> list[ReportJob]:
    """The monthly board pack: one for every trust with a signed assessment, as the system."""
    trusts = Trust.objects.filter(sites__wards__rounds__status=RoundStatus.SIGNED).distinct()
    return [request_report(kind=ReportKind.BOARD_PACK, trust=t, by=None) for t in trusts]


def retry_job(*, job: ReportJob, by) -> ReportJob:
    """Try a failed report again: the same job goes back in the queue (or, if someone has
    asked for the report again meanwhile, their job is returned)."""
    if is_stalled(job):
        _check_can_ask(kind=job.kind, round=job.round, trust=job.trust, by=by)
        restart_stalled(job=job)
        job.refresh_from_db()
        return job
    if job.status != JobStatus.FAILED:
        raise ValidationError("Only a report that could not be made can be tried again.")
    _check_can_ask(kind=job.kind, round=job.round, trust=job.trust, by=by)
    with transaction.atomic():
        try:
            with transaction.atomic():
                updated = ReportJob.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
                    status=JobStatus.QUEUED,
                    progress=0,
                    progress_text="",
                    error="",
                    sent_at=None,
                    started_at=None,
                    finished_at=None,
                )
        except IntegrityError:
            updated = 0
        if not updated:
            return _active_job(job.key) or ReportJob.objects.get(pk=job.pk)
        _send_on_commit(job)
    job.refresh_from_db()
    return job


# --- Sending ----------------------------------------------------------------------------------


def enqueue_job(job: ReportJob) -> bool:
    """Send the job to a worker and note when. If the broker is unreachable, leave the job
    queued and unsent (the page says reports are delayed) and return False."""
    if job.status != JobStatus.QUEUED:
        return False
    previous = job.sent_at
    now = timezone.now()
    # Claim the send, so that two people looking at the same job send it once.
    claimed = ReportJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED, sent_at=previous).update(
        sent_at=now
    )
    if not claimed:
        return False
    if not _send(job):
        ReportJob.objects.filter(pk=job.pk, sent_at=now).update(sent_at=previous)
        return False
    job.sent_at = now
    return True


GENERATE_REPORT_TASK = "reports.tasks.generate_report"


def _in_process() -> bool:
    """Tasks run eagerly, in this process (the embedded default, without Redis)."""
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def _send(job: ReportJob) -> bool:
    if settings.REPORTS_RUN_IN_BACKGROUND_THREAD and _in_process():
        start_background_thread(job_id=job.pk)
        return True
    if broker_status() == "unavailable":
        log.warning("Report job %s not sent: the broker is unavailable", job.pk)
        return False
    try:
        send_task(GENERATE_REPORT_TASK, (job.pk,), retry=True, retry_policy=SEND_RETRY_POLICY)
    except SEND_ERRORS:
        log.warning("Report job %s not sent: the broker refused it", job.pk, exc_info=True)
        return False
    except Exception:
        if not _in_process():
            log.exception("Report job %s not sent", job.pk)
            return False
        # In-process, the task ran here and raised (a retry cannot wait in-process).
        log.exception("Report job %s failed while running in-process", job.pk)
        fail_job(job_id=job.pk, reason=GENERIC_FAILURE)
    return True


def start_background_thread(*, job_id: int) -> threading.Thread:
    """The embedded default (no Redis, no worker): make the report in a thread of the web
    process, after the response, so the page that asked returns at once and the job page shows
    progress as it would with a worker."""
    thread = threading.Thread(
        target=_run_in_thread, kwargs={"job_id": job_id}, name=f"report-job-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _run_in_thread(*, job_id: int) -> None:
    try:
        run_job(job_id=job_id)
    except Exception:
        # run_job fails the job itself for anything but a transient error; with no worker to
        # retry it later, a transient error fails it too (the job page offers "Try again").
        log.exception("Report job %s failed in its background thread", job_id)
        try:
            fail_job(job_id=job_id, reason=GENERIC_FAILURE)
        except Exception:
            log.exception("Report job %s: could not even record the failure", job_id)
    finally:
        # The thread had its own database connection: close it, or it stays open for good.
        connection.close()


def recover_stalled_jobs() -> int:
    """Give stalled running jobs another try, or fail them after MAX_ATTEMPTS. Beat runs this
    every few minutes; viewing, asking for or retrying a stalled job does it at once."""
    now = timezone.now()
    # Running jobs are few: is_stalled decides, so the rule is written once.
    stalled = [
        j for j in ReportJob.objects.filter(status=JobStatus.RUNNING) if is_stalled(j, now=now)
    ]
    for job in stalled:
        restart_stalled(job=job)
    return len(stalled)


def restart_stalled(*, job: ReportJob) -> bool:
    """Queue a stalled job again and send it, or fail it if it has stopped too often. Only the
    caller that moves it out of "running" does anything, so two at once restart it once."""
    if job.attempts >= MAX_ATTEMPTS:
        fail_job(job_id=job.pk, reason="it stopped part way through several times.")
        return False
    requeued = ReportJob.objects.filter(
        pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
    ).update(status=JobStatus.QUEUED, sent_at=None, progress=0, progress_text="")
    if not requeued:
        return False
    log.warning("Report job %s had stalled (its worker was silent): started again", job.pk)
    return enqueue_job(ReportJob.objects.get(pk=job.pk))


def _restart_on_commit(job: ReportJob) -> None:
    job_id = job.pk
    transaction.on_commit(lambda: restart_stalled(job=ReportJob.objects.get(pk=job_id)))


def resend_if_stuck(*, job: ReportJob) -> bool:
    """Viewing a queued job sends it again if it never reached the broker, or was sent so long
    ago that its message may be lost; viewing a stalled one starts it again. Cheap: the broker
    check times out in half a second."""
    if is_stalled(job):
        return restart_stalled(job=job)
    if job.status != JobStatus.QUEUED:
        return False
    if job.sent_at is not None and job.sent_at > timezone.now() - RESEND_AFTER:
        return False
    return enqueue_job(job)


# --- Making -----------------------------------------------------------------------------------


class _ProgressRecorder:
    """Writes a board pack's progress to the job at most every `step` percent."""

    def __init__(self, job_id: int, step: int = 2) -> None:
        self.job_id, self.step, self.recorded = job_id, step, 0

    def __call__(self, done: int, total: int, text: str) -> None:
        percent = min(99, 5 + done * 90 // max(total, 1))
        if percent - self.recorded < self.step and done < total:
            return
        self.recorded = percent
        ReportJob.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
            progress=percent, progress_text=text[:200], heartbeat_at=timezone.now()
        )


def _pause_for_tests() -> None:
    """REPORT_RENDER_DELAY_SECONDS (0 except in the worker-kill test) keeps a job running long
    enough to kill its worker mid-task; slept in small steps."""
    delay = float(getattr(settings, "REPORT_RENDER_DELAY_SECONDS", 0) or 0)
    end = time.monotonic() + delay
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(0.2, left))


def _render(job: ReportJob, progress: Callable[[int, int, str], None]):
    """The report's content: bytes for a PDF, a temporary file for an export (written row by
    row, so memory stays flat however large the trust)."""
    if job.kind == ReportKind.WARD_ASSESSMENT:
        if not job.round.allows(rules.MAKE_WARD_PDF):
            raise ReportError("the assessment was reopened, so it is no longer signed.")
        return pdf.render_ward_assessment(job.round, outside=job.audience == Audience.OUTSIDE)
    if job.kind == ReportKind.TRUST_EXPORT:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by run_job
        exports.write_file(
            exports.trust_dataset(trust=job.trust, dataset=job.dataset, progress=progress),
            fmt=job.file_format,
            target=spool,
        )
        spool.seek(0)
        return spool
    return pdf.render_board_pack(job.trust, progress=progress)


def _store(job: ReportJob, content) -> str:
    """Save at the job's own name, replacing any half-written file from an earlier attempt."""
    storage = job.file.storage
    name = report_path(job, "report")
    if storage.exists(name):
        storage.delete(name)
    if isinstance(content, bytes):
        return storage.save(name, ContentFile(content))
    with content:
        return storage.save(name, File(content))


def run_job(*, job_id: int) -> None:
    """Make the report. A job already done (or failed, or gone) is left alone, so a message
    delivered twice gives exactly one finished report. Transient database and broker errors are
    raised for the task to retry; anything else marks the job failed with a plain message."""
    now = timezone.now()
    claimed = ReportJob.objects.filter(pk=job_id, status__in=ACTIVE_STATUSES).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=0,
        progress_text="",
        error="",
    )
    if not claimed:
        log.info("Report job %s is finished or gone: nothing to do", job_id)
        return
    job = ReportJob.objects.select_related("round__ward__site__trust", "trust").get(pk=job_id)
    try:
        _pause_for_tests()
        content = _render(job, _ProgressRecorder(job_id))
        name = _store(job, content)
    except TRANSIENT_ERRORS:
        raise
    except ReportError as error:
        fail_job(job_id=job_id, reason=str(error))
        return
    except Exception:
        log.exception("Report job %s could not be made", job_id)
        fail_job(job_id=job_id, reason=GENERIC_FAILURE)
        return
    with transaction.atomic():
        done = ReportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            status=JobStatus.DONE,
            file=name,
            progress=100,
            progress_text="",
            finished_at=timezone.now(),
        )
        if done:
            # On the person's task list: the header's kept count is counted again.
            _bump_task_lists(job)
            notices.report_ready(ReportJob.objects.select_related("requested_by").get(pk=job_id))
    log.info("Report job %s is ready: %s", job_id, name)


def fail_job(*, job_id: int, reason: str) -> None:
    """Mark an unfinished job failed, saying why in plain words."""
    ReportJob.objects.filter(pk=job_id, status__in=ACTIVE_STATUSES).update(
        status=JobStatus.FAILED,
        error=f"The report could not be made: {reason}",
        finished_at=timezone.now(),
    )
