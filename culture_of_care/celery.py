import os

from celery import Celery
from celery.signals import worker_ready

from .observability import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "culture_of_care.settings.base")

app = Celery("culture_of_care")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
connect_celery_signals()


@worker_ready.connect
def _say_the_worker_is_up(**_: object) -> None:
    """A worker that has just started has answered: /health/ need not wait for beat's minute."""
    from django.conf import settings

    if settings.REDIS_URL:
        from standards.health import record_heartbeat

        record_heartbeat()
