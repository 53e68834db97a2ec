import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "culture_of_care.settings.base")

app = Celery("culture_of_care")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
