import pytest
from django.test import TestCase
from django.urls import reverse

from reports.models import JobStatus, ReportJob


@pytest.fixture
def download_trust_export(client, settings, tmp_path, celery_in_process):
    """Ask for a trust export as the dashboard's form does, let it be made (in-process, as the
    embedded default does), and download it from its job page: returns the download response,
    or the refusal when the request is refused."""
    settings.MEDIA_ROOT = settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")

    def download(trust_id: int, dataset: str, fmt: str):
        url = reverse("reports:request_trust_export", args=[trust_id])
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(url, {"dataset": dataset, "format": fmt})
        if response.status_code != 302 or "/reports/" not in response["Location"]:
            return response
        job = ReportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
        assert job.status == JobStatus.DONE, job.error
        return client.get(reverse("reports:job_download", args=[job.pk]))

    return download
