"""What a report's PDF is called: the ward and round, or the trust and the month."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reports.models import JobStatus, ReportJob, ReportKind, report_file_name
from tests.assessments.builders import signed_round
from tests.factories import TrustFactory

HTML = "text/html"


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader):
    return signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )


def november(day=15):
    return timezone.make_aware(datetime.datetime(2026, 11, day, 10, 0))


def test_report_file_name_names_the_ward_round_and_kind(round):
    name = report_file_name(kind=ReportKind.WARD_ASSESSMENT, round=round)

    assert name == "willow-ward-2026-q4-assessment.pdf"


def test_report_file_name_uses_the_trust_code_and_month_for_a_board_pack(db):
    trust = TrustFactory(name="Demo Mental Health NHS Foundation Trust", code="DEMO")

    name = report_file_name(kind=ReportKind.BOARD_PACK, trust=trust, made_at=november())

    assert name == "demo-trust-board-pack-2026-11.pdf"


def test_report_file_name_uses_the_trust_name_without_a_code(trust):
    name = report_file_name(kind=ReportKind.BOARD_PACK, trust=trust, made_at=november(30))

    assert name == "north-demo-nhs-trust-board-pack-2026-11.pdf"


def test_report_file_name_is_safe_for_odd_ward_names(round):
    round.ward.name = 'Ward "7" / Ash & <Elm>'
    round.label = "2026/27 Q1"

    name = report_file_name(kind=ReportKind.WARD_ASSESSMENT, round=round)

    assert name == "ward-7-ash-elm-202627-q1-assessment.pdf"


def test_job_download_and_page_use_the_file_name(client, trust, board_member, tmp_path, settings):
    settings.MEDIA_ROOT = settings.PRIVATE_STORAGE_ROOT = str(tmp_path)
    trust.code = "RX4"
    trust.save()
    job = ReportJob.objects.create(
        kind=ReportKind.BOARD_PACK, trust=trust, key="board-pack:x", status=JobStatus.DONE
    )
    ReportJob.objects.filter(pk=job.pk).update(created_at=november())
    job.refresh_from_db()
    job.file.save("report.pdf", ContentFile(b"%PDF-1.7 test"))
    client.force_login(board_member)

    page = client.get(reverse("reports:job_detail", args=[job.pk]), HTTP_ACCEPT=HTML)
    download = client.get(reverse("reports:job_download", args=[job.pk]))

    assert "rx4-trust-board-pack-2026-11.pdf" in page.content.decode()
    assert download["Content-Disposition"] == (
        'attachment; filename="rx4-trust-board-pack-2026-11.pdf"'
    )
