"""Each person's tasks ("Your tasks" on the home page, the count in the header), from the
apps that hold the work: assessment rounds, then reports. Computed, never stored
(docs/decisions/0015); the header's count is kept in the cache under the state of the work it
is counted from, so it is counted again as soon as anything it depends on changes."""

import datetime
import hashlib

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.functional import cached_property

from assessments.models import Action, HistoryEntry, HistoryKind, Scorer
from assessments.waiting import Task, round_tasks
from reports.models import ReportJob
from reports.waiting import reports_ready
from standards.models import TrustMembership, WardMembership

# An unused count lingers this long; it is never served after the work it counts changed.
TASK_COUNT_SECONDS = 5 * 60
# History of these kinds moves a round from one person's hands to another's (opened, scorers
# chosen, scoring closed, agreeing finished, signed, reopened; actions). A rating or an agreed
# rating saved changes how far a task has got, never who has one.
STEP_KINDS = (HistoryKind.ROUND, HistoryKind.SIGNATURE, HistoryKind.ACTION)


def waiting_for(user, today: datetime.date | None = None) -> list[Task]:
    """The person's tasks, newest first."""
    if user is None or not user.is_authenticated:
        return []
    tasks = round_tasks(user, today) + reports_ready(user)
    return sorted(tasks, key=lambda task: task.at, reverse=True)


def _work_state() -> str:
    """Where the work that makes anyone's tasks stands: the latest step in any round, the latest
    submission, action change, report made or downloaded, and role given or taken away. One
    query of index-sized lookups; the header's count is recounted whenever it changes."""
    history, scorer, action = HistoryEntry._meta, Scorer._meta, Action._meta
    job, ward_role, trust_role = ReportJob._meta, WardMembership._meta, TrustMembership._meta
    kinds = ", ".join(["%s"] * len(STEP_KINDS))
    # Table names come from the models, values are parameters.
    sql = (
        f"SELECT (SELECT id FROM {history.db_table} WHERE kind IN ({kinds}) ORDER BY id DESC"  # noqa: S608
        " LIMIT 1),"
        f" (SELECT MAX(submitted_at) FROM {scorer.db_table}),"
        f" (SELECT MAX(updated_at) FROM {action.db_table}),"
        f" (SELECT MAX(finished_at) FROM {job.db_table}),"
        f" (SELECT MAX(downloaded_at) FROM {job.db_table}),"
        f" (SELECT MAX(id) FROM {ward_role.db_table}),"
        f" (SELECT COUNT(*) FROM {ward_role.db_table}),"
        f" (SELECT MAX(id) FROM {trust_role.db_table}),"
        f" (SELECT COUNT(*) FROM {trust_role.db_table})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(kind) for kind in STEP_KINDS])
        state = "|".join(str(value) for value in cursor.fetchone())
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def task_count(user, today: datetime.date | None = None) -> int:
    """How many tasks the person has, as the header shows on every page: the length of
    `waiting_for`, kept in the cache until the work changes (or the day does)."""
    if user is None or not user.is_authenticated:
        return 0
    today = today or timezone.localdate()
    key = f"task-count:v1:{user.pk}:{today.isoformat()}:{_work_state()}"
    count = cache.get(key)
    if count is None:
        count = len(waiting_for(user, today))
        cache.set(key, count, TASK_COUNT_SECONDS)
    return count


class HeaderCount:
    """The header's "3 tasks": counted only if the page draws it (`.value`), or known already
    (the home page has just read the whole list)."""

    def __init__(self, user, known: int | None = None) -> None:
        self.user = user
        if known is not None:
            self.__dict__["value"] = known

    @cached_property
    def value(self) -> int:
        return task_count(self.user)
