from celery import shared_task


@shared_task
def ping() -> str:
    """A trivial task that proves the Celery wiring end to end."""
    return "pong"
