"""Each person's tasks ("Your tasks" on the home page, the count in the header), from the
apps that hold the work: assessment rounds, then reports. Computed, never stored
(docs/decisions/0015)."""

import datetime

from assessments.waiting import Task, round_tasks
from reports.waiting import reports_ready


def waiting_for(user, today: datetime.date | None = None) -> list[Task]:
    """The person's tasks, newest first."""
    if user is None or not user.is_authenticated:
        return []
    tasks = round_tasks(user, today) + reports_ready(user)
    return sorted(tasks, key=lambda task: task.at, reverse=True)
