"""Each person's tasks ("Your tasks" on the home page, the count in the header), from the
apps that hold the work: assessment rounds, then reports. Computed, never stored
(docs/decisions/0015); the header's count is kept in the cache under the state of the work it
is counted from, so it is counted again as soon as anything it depends on changes."""

import datetime

from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import cached_property

from assessments.waiting import Task, round_tasks
from reports.waiting import reports_ready
from standards import kept

# An unused count lingers this long; it is never served after the work it counts changed.
TASK_COUNT_SECONDS = 5 * 60


def waiting_for(user, today: datetime.date | None = None) -> list[Task]:
    """The person's tasks, newest first."""
    if user is None or not user.is_authenticated:
        return []
    tasks = round_tasks(user, today) + reports_ready(user)
    return sorted(tasks, key=lambda task: task.at, reverse=True)


def _work_state() -> str:
    """Where the work that makes anyone's tasks stands: every trust's readings version
    (standards/kept.py), moved on in the same transaction as any change a task list reads
    (rounds, scorers, signatures, actions, reports made or downloaded, roles). One query of a
    table with a row a trust; the header's count is recounted whenever any of them moves."""
    return kept.all_versions_key()


def task_count(user, today: datetime.date | None = None) -> int:
    """How many tasks the person has, as the header shows on every page: the length of
    `waiting_for`, kept in the cache until the work changes (or the day does)."""
    if user is None or not user.is_authenticated:
        return 0
    today = today or timezone.localdate()
    key = f"task-count:v2:{user.pk}:{today.isoformat()}:{_work_state()}"
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
