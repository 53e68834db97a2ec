"""Outside the ward team, the ward's own dashboard, report page, PDF and exports hold the
small-group rule of the trust's pages (issue 19, item 4; docs/decisions/0024): a board member
never reads a lone lived experience partner's figures apart, and is told why. The ward team
sees both groups, and its PDF is never served to anyone outside it."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments import services as assessment_services
from assessments.models import Round
from reports import selectors, services
from reports.models import Audience, JobStatus, ReportJob, ReportKind, TrustReportSettings
from tests.assessments.builders import agree_all, rate_all
from tests.factories import UserFactory, WardMembershipFactory

pytestmark = pytest.mark.django_db

# lone_scorers.hidden_outside: the round summary's words, used on every ward-level page.
REASON = (
    "Fewer than 3 lived experience partners scored this round, so outside the ward team their "
    "ratings are not shown apart"
)
# small_groups.GroupProtection.explanation: the trust exports' words, used in the ward's.
EXPORT_REASON = (
    "Fewer than 3 lived experience partners scored Willow Ward's round, so their ratings are "
    "combined with staff ratings to protect their anonymity."
)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.MEDIA_ROOT = settings.PRIVATE_STORAGE_ROOT = str(tmp_path / "private")


@pytest.fixture
def lone_partner_round(people) -> Round:
    """Signed: three members of staff rate everything Established (3); the only lived
    experience partner agrees except on 2.3, which they rate Not yet (0): flagged."""
    ward = people["ward"]
    staff = [people["staff"]]
    for name in ("sam", "kim"):
        user = UserFactory(username=name)
        WardMembershipFactory(user=user, ward=ward, role="ward-staff")
        staff.append(user)
    round = assessment_services.open_round(
        ward=ward,
        label="2026 Q4",
        by=people["manager"],
        scorer_ids=[u.pk for u in [*staff, people["partner"]]],
    )
    assessment_services.start_scoring(round=round, by=people["manager"])
    for user in staff:
        rate_all(round=round, user=user, answer="3")
        assessment_services.submit_ratings(round=round, by=user)
    rate_all(round=round, user=people["partner"], answer="3", overrides={"2.3": "0"})
    assessment_services.submit_ratings(round=round, by=people["partner"])
    agree_all(round=round, manager=people["manager"])
    assessment_services.finish_agreeing(round=round, by=people["manager"])
    assessment_services.sign_as_manager(round=round, by=people["manager"])
    assessment_services.sign_as_leader(
        round=round, decision="signed", words="", by=people["leader"]
    )
    round.refresh_from_db()
    return round


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


def _html(client, user, url) -> str:
    return _get(client, user, url).content.decode()


# --- The ward dashboard ------------------------------------------------------------------------


def test_ward_dashboard_leaves_out_the_perception_gap_for_a_board_member(
    client, people, lone_partner_round
):
    html = _html(
        client, people["board"], reverse("reports:ward_dashboard", args=[people["ward"].pk])
    )

    assert REASON in html
    assert 'id="groups-hidden"' in html
    assert "Perception gap by commitment" not in html
    assert "Chart: perception gap by commitment" not in html
    assert "lived experience lower" not in html
    # What the ward publishes is still there: the agreed scores.
    assert "Agreed score by commitment" in html


@pytest.mark.parametrize("who", ["manager", "qi", "leader", "partner"])
def test_ward_dashboard_shows_the_ward_team_both_groups(client, people, lone_partner_round, who):
    html = _html(client, people[who], reverse("reports:ward_dashboard", args=[people["ward"].pk]))

    assert 'id="groups-hidden"' not in html
    assert "Perception gap by commitment" in html
    assert "lived experience lower" in html


def test_ward_dashboard_selector_hides_the_gaps_outside_the_team(people, lone_partner_round):
    board = selectors.ward_dashboard(user=people["board"], ward_id=people["ward"].pk)
    manager = selectors.ward_dashboard(user=people["manager"], ward_id=people["ward"].pk)

    assert board.scores.gaps == [] and board.scores.overall_gap.gap is None
    assert board.groups_hidden.startswith(REASON)
    assert manager.groups_hidden == ""
    assert manager.scores.overall_gap.gap < 0


def test_ward_dashboard_says_the_trusts_own_threshold(client, people, lone_partner_round):
    TrustReportSettings.objects.create(trust=people["ward"].site.trust, small_group_threshold=2)

    html = _html(
        client, people["board"], reverse("reports:ward_dashboard", args=[people["ward"].pk])
    )

    assert "Fewer than 2 lived experience partners scored this round" in html
    assert "Perception gap by commitment" not in html


# --- The ward report page ----------------------------------------------------------------------


def test_ward_report_page_for_a_board_member_combines_the_groups(
    client, people, lone_partner_round
):
    url = reverse("reports:ward_report_page", args=[lone_partner_round.pk])

    board = _html(client, people["board"], url)
    assert REASON in board
    assert "Lived experience median" not in board
    assert "Staff median" not in board
    assert "Flagged" not in board
    assert "All scorers median" in board

    manager = _html(client, people["manager"], url)
    assert REASON not in manager
    assert "Lived experience median" in manager
    assert "Flagged" in manager
    assert "(1 flagged in this round)" in manager


# --- The ward PDF ------------------------------------------------------------------------------


def _pdf_text(job: ReportJob) -> str:
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _ask(round, by) -> ReportJob:
    return services.request_report(kind=ReportKind.WARD_ASSESSMENT, round=round, by=by)


def test_ward_pdf_is_made_for_the_audience_of_the_person_who_asks(people, lone_partner_round):
    board_job = _ask(lone_partner_round, people["board"])
    team_job = _ask(lone_partner_round, people["manager"])
    services.run_job(job_id=board_job.pk)
    services.run_job(job_id=team_job.pk)

    assert board_job.pk != team_job.pk
    assert (board_job.audience, team_job.audience) == (Audience.OUTSIDE, Audience.WARD_TEAM)
    board = _pdf_text(board_job)
    assert "Fewer than 3 lived experience partners scored this round" in board
    assert "Lived experience median" not in board
    assert "Flagged" not in board
    assert "All scorers median" in board

    team = _pdf_text(team_job)
    assert "Lived experience median" in team
    assert "Flagged" in team
    assert "Fewer than 3 lived experience partners" not in team


def test_a_ward_teams_pdf_is_never_served_outside_the_team(client, people, lone_partner_round):
    job = _ask(lone_partner_round, people["manager"])
    services.run_job(job_id=job.pk)
    client.force_login(people["board"])

    for name in ("reports:job_detail", "reports:job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("reports:job_retry", args=[job.pk])).status_code == 404
    # Someone else in the team may follow and download it.
    assert _get(client, people["qi"], reverse("reports:job_download", args=[job.pk]))


def test_a_board_member_asking_joins_no_ward_team_job(client, people, lone_partner_round):
    team_job = _ask(lone_partner_round, people["manager"])  # still queued: active
    client.force_login(people["board"])

    response = client.post(reverse("reports:request_ward_report", args=[lone_partner_round.pk]))

    board_job = ReportJob.objects.exclude(pk=team_job.pk).get()
    assert response["Location"] == reverse("reports:job_detail", args=[board_job.pk])
    assert board_job.audience == Audience.OUTSIDE


def test_a_ward_pdf_made_before_audiences_is_the_ward_teams(client, people, lone_partner_round):
    job = _ask(lone_partner_round, people["manager"])
    services.run_job(job_id=job.pk)
    ReportJob.objects.filter(pk=job.pk).update(audience="")

    client.force_login(people["board"])
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
    assert _get(client, people["staff"], reverse("reports:job_download", args=[job.pk]))


# --- The ward exports --------------------------------------------------------------------------


def _csv(client, user, ward, dataset) -> list[dict]:
    response = _get(client, user, reverse("reports:ward_export", args=[ward.pk, dataset, "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _standard(rows, code):
    return next(row for row in rows if row["Standard"] == code)


def test_ward_ratings_export_combines_a_lone_partner_for_a_board_member(
    client, people, lone_partner_round
):
    board = _standard(_csv(client, people["board"], people["ward"], "ratings"), "2.3")
    assert board["Lived experience median"] == ""
    assert board["Staff median"] == ""
    assert board["Difference (lived experience minus staff)"] == ""
    assert board["Flagged"] == ""
    assert board["All scorers median"] == "3"
    assert EXPORT_REASON in board["Groups combined to protect a small group"]

    manager = _standard(_csv(client, people["manager"], people["ward"], "ratings"), "2.3")
    assert manager["Lived experience median"] == "0"
    assert manager["Flagged"] == "yes"
    assert manager["Groups combined to protect a small group"] == ""


def test_ward_scores_export_leaves_out_a_lone_partners_mean_for_a_board_member(
    client, people, lone_partner_round
):
    def overall(user):
        rows = _csv(client, user, people["ward"], "scores")
        return next(row for row in rows if row["Measure"] == "Overall")

    board, manager = overall(people["board"]), overall(people["manager"])
    assert board["Lived experience mean"] == ""
    assert board["Perception gap (lived experience minus staff)"] == ""
    assert manager["Lived experience mean"] != ""
    assert manager["Perception gap (lived experience minus staff)"] != ""


def test_ward_ratings_export_as_excel_holds_the_rule_too(client, people, lone_partner_round):
    url = reverse("reports:ward_export", args=[people["ward"].pk, "ratings", "xlsx"])
    response = _get(client, people["board"], url)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    row = next(r for r in body if r[header.index("Standard")] == "2.3")
    assert row[header.index("Lived experience median")] is None
    assert row[header.index("Flagged")] in ("", None)
    assert EXPORT_REASON in row[header.index("Groups combined to protect a small group")]
