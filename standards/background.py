"""Sending Celery tasks by name.

A module that sends a task and the task module that calls back into it would import each other;
naming the task breaks that cycle (tests/test_import_direction.py). The task's module is
imported here (a web process has not imported it: Celery discovers task modules only in a
worker), then the task is looked up in the app's registry and sent with its own apply_async, so
routing, eager mode (the embedded default) and the task's options are exactly as if it had been
imported by the caller.
"""

import importlib
from typing import Any


def send_task(name: str, args: tuple, **options: Any):
    from celery import current_app

    importlib.import_module(name.rpartition(".")[0])
    return current_app.tasks[name].apply_async(args, **options)
