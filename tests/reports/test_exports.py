import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import services
from assessments.models import Action
from reports import exports
from reports.models import ReportJob, ReportKind
from standards.models import Standard
from tests.assessments.builders import rate_all, scoring_round
from tests.factories import UserFactory, WardMembershipFactory

# staff, staff2, partner answers; the unsubmitted scorer's "0"s must never count.
STAFF = {"1.1": "2", "1.2": "1", "1.4": "3"}
STAFF2 = {"1.1": "3", "1.2": "not-sure", "1.4": "3"}
PARTNER = {"1.1": "4", "1.2": "4", "1.4": "1"}
AGREED = {"1.3": "not-sure"}


@pytest.fixture
def staff2(ward):
    user = UserFactory(username="staff2")
    WardMembershipFactory(user=user, ward=ward, role="ward-staff")
    return user


@pytest.fixture
def signed(catalogue, ward, ward_manager, ward_staff, staff2, le_partner, le_leader):
    """A signed round with known answers, and a round still being scored after it."""
    late = UserFactory(username="late")
    WardMembershipFactory(user=late, ward=ward, role="ward-staff")
    round = scoring_round(
        ward=ward,
        manager=ward_manager,
        scorers=[ward_staff, staff2, le_partner, late],
        label="2026 Q2",
    )
    for user, answers in ((ward_staff, STAFF), (staff2, STAFF2), (le_partner, PARTNER)):
        rate_all(round=round, user=user, overrides=answers)
        services.submit_ratings(round=round, by=user)
    rate_all(round=round, user=late, answer="0")
    services.close_scoring(round=round, by=ward_manager, reason="Late could not finish")
    for standard in Standard.objects.filter(edition=round.edition):
        services.record_agreed_rating(
            round=round,
            standard=standard,
            answer=AGREED.get(standard.code, "3"),
            rationale="Agreed together",
            version=None,
            by=ward_manager,
        )
    services.finish_agreeing(round=round, by=ward_manager)
    services.sign_as_manager(round=round, by=ward_manager)
    services.sign_as_leader(round=round, decision="signed", words="", by=le_leader)
    later = scoring_round(
        ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner], label="2026 Q4"
    )
    rate_all(round=later, user=ward_staff, answer="1")
    round.refresh_from_db()
    return round


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def _by_code(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header, *data = rows
    return {row[header.index("Standard")]: dict(zip(header, row, strict=True)) for row in data}


def test_ward_ratings_export_has_one_row_per_standard_per_signed_round(client, signed, ward_staff):
    client.force_login(ward_staff)
    response = client.get(reverse("reports:ward_export", args=[signed.ward_id, "ratings", "csv"]))
    assert response.status_code == 200
    rows = _csv(response)
    assert rows[0] == exports.RATING_HEADER
    assert len(rows) - 1 == Standard.objects.filter(edition=signed.edition).count()
    assert {row[4] for row in rows[1:]} == {"2026 Q2"}  # the round in scoring is left out


def test_ward_ratings_export_medians_difference_and_flag(client, signed, ward_staff):
    client.force_login(ward_staff)
    response = client.get(reverse("reports:ward_export", args=[signed.ward_id, "ratings", "csv"]))
    rows = _by_code(_csv(response))
    first = rows["1.1"]
    assert first["Ward"] == "Willow Ward"
    assert first["Trust"] == "North Demo NHS Trust"
    assert first["Signed date"] == timezone.localdate(signed.signed_at).isoformat()
    assert first["Commitment"] == "1"
    assert first["Agreed rating"] == "3"
    assert first["Staff median"] == "2.5"
    assert first["Lived experience median"] == "4"
    assert first["Difference (lived experience minus staff)"] == "1.5"
    assert first["Flagged"] == "no"
    # "Not sure" is left out of the median; the unsubmitted scorer's 0 never counts.
    assert rows["1.2"]["Staff median"] == "1"
    assert rows["1.2"]["Difference (lived experience minus staff)"] == "3"
    assert rows["1.2"]["Flagged"] == "yes"
    # A negative difference stays a number: no quote in front of it.
    assert rows["1.4"]["Difference (lived experience minus staff)"] == "-2"
    assert rows["1.4"]["Flagged"] == "yes"


def test_ward_ratings_export_leaves_an_agreed_not_sure_empty(client, signed, ward_staff):
    client.force_login(ward_staff)
    response = client.get(reverse("reports:ward_export", args=[signed.ward_id, "ratings", "csv"]))
    assert _by_code(_csv(response))["1.3"]["Agreed rating"] == ""


def test_ward_actions_export_lists_actions_with_standards_and_overdue(
    client, signed, ward_manager, ward_staff
):
    standard = Standard.objects.get(edition=signed.edition, code="2.1")
    action = Action.objects.create(
        ward=signed.ward,
        origin_round=signed,
        title='=HYPERLINK("http://example.com","click")',
        owner=ward_staff,
        due_date=datetime.date(2020, 1, 31),
        co_produced=True,
        created_by=ward_manager,
    )
    action.standards.add(standard)
    client.force_login(ward_staff)
    response = client.get(reverse("reports:ward_export", args=[signed.ward_id, "actions", "csv"]))
    header, row = _csv(response)
    assert header == exports.ACTION_HEADER
    found = dict(zip(header, row, strict=True))
    assert found["What will change"] == '\'=HYPERLINK("http://example.com","click")'
    assert found["Round it came from"] == "2026 Q2"
    assert found["Linked standards"] == "2.1"
    assert found["Co-produced"] == "yes"
    assert found["Overdue"] == "yes"
    assert found["Due date"] == "2020-01-31"


@pytest.mark.parametrize("value", ["=1+1", "+44", "-cmd", "@SUM(A1)", "\tx"])
def test_safe_cell_quotes_text_a_spreadsheet_would_run(value):
    assert exports.safe_cell(value) == "'" + value


def test_safe_cell_leaves_plain_text_and_numbers():
    assert exports.safe_cell("Willow Ward") == "Willow Ward"
    assert exports.safe_cell(-1.5) == -1.5


def test_trust_ratings_export_as_xlsx_opens_with_a_header(
    client, signed, board_member, download_trust_export
):
    client.force_login(board_member)
    response = download_trust_export(signed.ward.site.trust_id, "ratings", "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith('attachment; filename="north-demo-nhs-trust')
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == exports.RATING_HEADER
    assert len(rows) - 1 == Standard.objects.filter(edition=signed.edition).count()
    by_code = {row[8]: row for row in rows[1:]}
    # Two staff and one partner submitted: below the trust's threshold (3), so at trust level
    # the groups are combined (reports/small_groups.py): 2, 3 and 4 make 3.
    assert by_code["1.1"][10] is None
    assert by_code["1.1"][14] == 3
    assert by_code["1.1"][15].startswith("Fewer than 3 members of staff scored")
    assert by_code["1.3"][9] is None


def test_csv_export_is_an_attachment_with_a_sensible_name(client, catalogue, ward, ward_staff):
    client.force_login(ward_staff)
    response = client.get(reverse("reports:ward_export", args=[ward.pk, "ratings", "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith(
        f'attachment; filename="north-demo-nhs-trust-willow-ward-{ward.pk}-ratings-'
    )
    assert disposition.endswith('.csv"')


def test_exports_answer_404_to_an_outsider(
    client, catalogue, ward, outsider, download_trust_export
):
    client.force_login(outsider)
    trust_id = ward.site.trust_id
    assert (
        client.get(reverse("reports:ward_export", args=[ward.pk, "ratings", "csv"])).status_code
        == 404
    )
    assert download_trust_export(trust_id, "actions", "xlsx").status_code == 404
    assert not ReportJob.objects.exists()


def test_ward_staff_may_export_their_ward_but_not_the_trust(
    client, catalogue, ward, ward_staff, download_trust_export
):
    client.force_login(ward_staff)
    assert (
        client.get(reverse("reports:ward_export", args=[ward.pk, "actions", "xlsx"])).status_code
        == 200
    )
    # Refused exactly as the trust dashboard refuses them (get_dashboard_trust: 403 for people
    # of the trust without a trust role, 404 for everyone else).
    assert download_trust_export(ward.site.trust_id, "ratings", "csv").status_code in {403, 404}
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize("person", ["board_member", "qi_lead", "le_leader"])
def test_trust_roles_may_export_the_trust(
    client, catalogue, ward, person, request, download_trust_export
):
    client.force_login(request.getfixturevalue(person))
    response = download_trust_export(ward.site.trust_id, "actions", "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_a_trust_export_is_not_downloadable_by_a_trust_administrator(
    client, catalogue, ward, board_member, trust_admin, download_trust_export
):
    """The file holds what the dashboard shows: only the dashboard's people may fetch it."""
    client.force_login(board_member)
    download_trust_export(ward.site.trust_id, "actions", "csv")
    job = ReportJob.objects.get()
    client.force_login(trust_admin)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(("dataset", "fmt"), [("people", "csv"), ("ratings", "pdf")])
def test_exports_refuse_an_unknown_dataset_or_format(
    client, catalogue, ward, board_member, dataset, fmt, download_trust_export
):
    client.force_login(board_member)
    assert (
        client.get(reverse("reports:ward_export", args=[ward.pk, dataset, fmt])).status_code == 404
    )
    response = download_trust_export(ward.site.trust_id, dataset, fmt)
    assert response.status_code == 302
    assert response["Location"].endswith("#download-the-data")
    assert not ReportJob.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Choose which data to download and its format" in page


def test_the_trust_export_page_shows_progress_and_is_on_the_task_list_when_ready(
    client, catalogue, ward, board_member, download_trust_export
):
    client.force_login(board_member)
    download = download_trust_export(ward.site.trust_id, "ratings", "xlsx")
    job = ReportJob.objects.get()
    assert job.kind == ReportKind.TRUST_EXPORT
    assert job.progress == 100
    # Downloaded by the person who asked, so it is off their task list; before that it was on.
    assert download.status_code == 200
    ReportJob.objects.update(downloaded_at=None)
    home = client.get(reverse("home")).content.decode()
    assert "Download your report: Ratings for every ward and signed round (Excel)" in home
    page = client.get(reverse("reports:job_detail", args=[job.pk])).content.decode()
    assert "<h1>Ratings for every ward and signed round (Excel)</h1>" in page
    assert "Download the Excel file (" in page


def test_asking_twice_for_the_same_trust_export_gives_the_same_job(
    client, catalogue, ward, board_member
):
    client.force_login(board_member)
    url = reverse("reports:request_trust_export", args=[ward.site.trust_id])
    first = client.post(url, {"dataset": "scores", "format": "csv"})
    second = client.post(url, {"dataset": "scores", "format": "csv"})
    other = client.post(url, {"dataset": "scores", "format": "xlsx"})
    assert first["Location"] == second["Location"] != other["Location"]
    assert ReportJob.objects.count() == 2


def test_trust_export_progress_is_told_as_rows_are_written(signed):
    told = []
    dataset = exports.trust_dataset(
        trust=signed.ward.site.trust,
        dataset="ratings",
        progress=lambda done, total, text: told.append((done, total, text)),
    )
    exports.write_file(dataset, fmt="csv", target=io.BytesIO())
    assert told[-1] == (76, 76, "Row 76 of 76")


def test_trust_ratings_rows_take_five_queries(django_assert_num_queries, signed):
    rows = exports.trust_dataset(trust=signed.ward.site.trust, dataset="ratings").rows
    # Rounds, agreed, ratings, and the small-group rule: threshold and submitted counts.
    with django_assert_num_queries(5):
        assert sum(1 for _ in rows) == 76


@pytest.mark.parametrize("person", ["ward_staff", "ward_manager", "le_partner", "trust_admin"])
def test_people_without_the_dashboard_may_not_ask_for_a_trust_export(
    client, catalogue, ward, person, request
):
    """The export's URL in the permission matrix: the trust's people without a dashboard role
    are refused (403) and nothing is queued; another trust's people get 404 (above)."""
    client.force_login(request.getfixturevalue(person))
    url = reverse("reports:request_trust_export", args=[ward.site.trust_id])
    assert client.post(url, {"dataset": "ratings", "format": "csv"}).status_code == 403
    assert client.get(url).status_code == 405  # asking is a POST only
    assert not ReportJob.objects.exists()
