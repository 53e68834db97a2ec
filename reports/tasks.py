"""Background work for reports: thin tasks that take ids and call one service.

Acknowledged late and rejected on worker loss (settings), so a worker killed mid-report leaves
the message to be redelivered; `services.run_job` is idempotent, so that gives one report.
"""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)

MAX_RETRIES = 3
UNAVAILABLE = "the database or the background service was unavailable. Try again later."


# acks_late and reject_on_worker_lost are also the global settings: stated here so that this
# task's safety does not depend on them.
@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def generate_report(self, job_id: int) -> None:
    """Make one report. Only transient database or broker errors are retried, with back-off."""
    try:
        services.run_job(job_id=job_id)
    except services.TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            log.error("Report job %s: giving up after %s retries", job_id, self.max_retries)
            try:
                services.fail_job(job_id=job_id, reason=UNAVAILABLE)
            except services.TRANSIENT_ERRORS:
                log.exception("Report job %s: could not even record the failure", job_id)
            raise
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error


@shared_task(ignore_result=True)
def monthly_board_packs() -> None:
    """Celery beat: a board pack for every trust, made as the system (see CELERY_BEAT_SCHEDULE)."""
    jobs = services.schedule_board_packs()
    log.info("Monthly board packs requested: %s", ", ".join(str(j.pk) for j in jobs) or "none")


@shared_task(ignore_result=True)
def recover_stalled_jobs() -> None:
    """Celery beat: requeue report jobs whose worker and message were both lost."""
    count = services.recover_stalled_jobs()
    if count:
        log.warning("Recovered %s stalled report job(s)", count)
