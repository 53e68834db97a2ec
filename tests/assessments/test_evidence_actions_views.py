"""Evidence (notes, links, files) and actions: adding, changing, downloading, conflicts."""

import datetime
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import Action, Evidence, RoundStatus
from standards.models import Commitment, Standard
from tests.assessments.builders import agree_all, agreeing_round
from tests.factories import UserFactory, WardMembershipFactory

pytestmark = pytest.mark.django_db

NO_PATIENT_DETAILS = (
    "Do not include patient names, NHS numbers, dates of birth or clinical details."
)


def tiny_png() -> bytes:
    """A real 1x1 PNG, built byte by byte."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def tiny_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def sign(round, *, manager, leader):
    agree_all(round=round, manager=manager)
    services.finish_agreeing(round=round, by=manager)
    services.sign_as_manager(round=round, by=manager)
    services.sign_as_leader(round=round, decision="signed", words="", by=leader)
    round.refresh_from_db()
    assert round.status == RoundStatus.SIGNED
    return round


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner):
    return agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)


@pytest.fixture
def open_round(catalogue, ward, ward_manager, ward_staff, le_partner):
    return services.open_round(
        ward=ward, label="2026 Q4", by=ward_manager, scorer_ids=[ward_staff.pk, le_partner.pk]
    )


@pytest.fixture
def standard(catalogue):
    return Standard.objects.get(code="2.3")


def create_url(round):
    return reverse("assessments:evidence_create", args=[round.pk])


def post_evidence(client, round, standard, **fields):
    return client.post(create_url(round), {"standard": standard.pk, **fields})


def add_file(round, standard, by, content=None, name="minutes.pdf"):
    upload = SimpleUploadedFile(name, content or tiny_pdf(), content_type="application/pdf")
    return services.add_evidence(round=round, standard=standard, kind="file", upload=upload, by=by)


# Evidence: adding


def test_evidence_create_preselects_the_standard_and_explains_the_rules(
    client, round, standard, ward_staff
):
    client.force_login(ward_staff)
    page = client.get(create_url(round), {"standard": standard.pk}).content.decode()
    assert f'<option value="{standard.pk}" selected>' in page
    assert "What kind of evidence is it?" in page
    assert 'name="note"' not in page and 'name="url"' not in page
    # The second step shows only the chosen kind's field, and the warning once.
    page = client.get(
        create_url(round), {"standard": standard.pk, "kind": "file", "step": "kind"}
    ).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="note"' not in page and 'name="url"' not in page
    assert page.count(NO_PATIENT_DETAILS) == 1
    assert 'accept=".pdf,' in page and "image/png" in page
    assert NO_PATIENT_DETAILS in page
    assert "smaller than 10MB" in page


def test_evidence_create_offers_every_standard_without_a_preselection(client, round, ward_staff):
    client.force_login(ward_staff)
    page = client.get(create_url(round)).content.decode()
    assert page.count("<option value=") == 77  # "Choose a standard" and 76 standards
    assert "selected>" in page.split("<option")[1]  # the empty choice


def test_evidence_create_adds_a_note(client, round, standard, ward_staff):
    client.force_login(ward_staff)
    response = post_evidence(client, round, standard, kind="note", note="Safety plans reviewed")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/agree/2/#standard-{standard.pk}")
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.note, evidence.added_by) == (
        "note",
        "Safety plans reviewed",
        ward_staff,
    )


def test_evidence_create_adds_a_link(client, open_round, standard, le_partner):
    client.force_login(le_partner)
    response = post_evidence(
        client, open_round, standard, kind="link", url="https://intranet.example.nhs.uk/plans"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:round_detail", args=[open_round.pk])
    assert Evidence.objects.get().url == "https://intranet.example.nhs.uk/plans"


def test_evidence_create_rejects_a_malformed_link_and_keeps_it(client, round, standard, ward_staff):
    client.force_login(ward_staff)
    response = post_evidence(client, round, standard, kind="link", url="not a link")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_url-error"' in page
    assert "Enter a link in the correct format" in page
    assert 'value="not a link"' in page
    assert not Evidence.objects.exists()


def test_evidence_create_asks_for_the_note_and_keeps_the_choices(
    client, round, standard, ward_staff
):
    client.force_login(ward_staff)
    response = post_evidence(client, round, standard, kind="note", note="   ")
    page = response.content.decode()
    assert 'id="id_note-error"' in page
    assert "Enter the evidence" in page
    assert 'name="kind" value="note"' in page
    assert f'<option value="{standard.pk}" selected>' in page


def test_evidence_create_asks_what_kind_it_is(client, round, standard, ward_staff):
    client.force_login(ward_staff)
    response = post_evidence(client, round, standard, note="Something")
    assert "Choose whether the evidence is a note, a link or a file" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "name,content,content_type",
    [("poster.png", tiny_png(), "image/png"), ("minutes.pdf", tiny_pdf(), "application/pdf")],
)
def test_evidence_create_uploads_a_file(
    client, round, standard, ward_staff, name, content, content_type
):
    client.force_login(ward_staff)
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = post_evidence(client, round, standard, kind="file", file=upload)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        name,
        content_type,
        len(content),
    )
    assert evidence.stored_name != name
    with evidence.file.open("rb") as stored:
        assert stored.read() == content


def test_evidence_create_refuses_a_program_renamed_to_pdf(client, round, standard, ward_staff):
    client.force_login(ward_staff)
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    upload = SimpleUploadedFile("report.pdf", program, content_type="application/pdf")
    response = post_evidence(client, round, standard, kind="file", file=upload)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_file-error"' in page
    assert "The selected file must be a PDF, Word, Excel, PNG or JPEG file" in page
    assert not Evidence.objects.exists()


def test_evidence_create_refuses_a_file_over_10mb(client, round, standard, ward_staff):
    client.force_login(ward_staff)
    big = tiny_pdf() + b"0" * (10 * 1024 * 1024)
    upload = SimpleUploadedFile("big.pdf", big, content_type="application/pdf")
    response = post_evidence(client, round, standard, kind="file", file=upload)
    page = response.content.decode()
    assert "The selected file must be smaller than 10MB" in page
    assert not Evidence.objects.exists()


def test_evidence_create_asks_for_a_file(client, round, standard, ward_staff):
    client.force_login(ward_staff)
    response = post_evidence(client, round, standard, kind="file")
    assert "Choose a file to upload" in response.content.decode()


@pytest.mark.parametrize("persona", ["board_member", "le_leader", "qi_lead"])
def test_evidence_create_is_forbidden_to_people_outside_the_ward(
    client, round, standard, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(create_url(round)).status_code == 403
    response = post_evidence(client, round, standard, kind="note", note="x")
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_evidence_create_answers_404_to_another_trust(client, round, standard, outsider):
    client.force_login(outsider)
    assert client.get(create_url(round)).status_code == 404
    assert post_evidence(client, round, standard, kind="note", note="x").status_code == 404


def test_evidence_create_is_refused_on_a_locked_round(
    client, round, standard, ward_manager, ward_staff, le_leader
):
    sign(round, manager=ward_manager, leader=le_leader)
    client.force_login(ward_staff)
    response = client.get(create_url(round), follow=True)
    assert "signed and locked" in response.content.decode()
    data = {"standard": standard.pk, "kind": "note", "note": "Too late"}
    response = client.post(create_url(round), data, follow=True)
    assert "signed and locked" in response.content.decode()
    assert not Evidence.objects.exists()


# Evidence: downloading and removing


def test_evidence_download_streams_the_file_as_an_attachment(
    client, round, standard, ward_staff, board_member
):
    evidence = add_file(round, standard, ward_staff, name="Ward minutes.pdf")
    client.force_login(board_member)  # same trust: may see the ward
    response = client.get(reverse("assessments:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == tiny_pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="Ward minutes.pdf"'


def test_evidence_download_gives_a_name_that_matches_the_content(
    client, round, standard, ward_staff
):
    evidence = add_file(round, standard, ward_staff, content=tiny_png(), name="photo.exe")
    client.force_login(ward_staff)
    response = client.get(reverse("assessments:evidence_download", args=[evidence.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="photo.exe.png"'


def test_evidence_download_answers_404_to_another_trust(
    client, round, standard, ward_staff, outsider
):
    evidence = add_file(round, standard, ward_staff)
    client.force_login(outsider)
    response = client.get(reverse("assessments:evidence_download", args=[evidence.pk]))
    assert response.status_code == 404


def test_evidence_download_of_a_note_shows_where_it_lives(client, round, standard, ward_staff):
    evidence = services.add_evidence(
        round=round, standard=standard, kind="note", note="A note", by=ward_staff
    )
    client.force_login(ward_staff)
    response = client.get(reverse("assessments:evidence_download", args=[evidence.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/agree/2/#standard-{standard.pk}")


def test_evidence_delete_confirms_then_removes(client, round, standard, ward_staff):
    evidence = services.add_evidence(
        round=round, standard=standard, kind="note", note="Old minutes", by=ward_staff
    )
    url = reverse("assessments:evidence_delete", args=[evidence.pk])
    client.force_login(ward_staff)
    page = client.get(url).content.decode()
    assert "Remove evidence from 2.3?" in page
    assert "Old minutes" in page
    response = client.post(url)
    assert response.status_code == 302
    assert not Evidence.objects.exists()


def test_evidence_delete_by_the_manager(client, round, standard, ward_staff, ward_manager):
    evidence = services.add_evidence(
        round=round, standard=standard, kind="note", note="Old minutes", by=ward_staff
    )
    client.force_login(ward_manager)
    client.post(reverse("assessments:evidence_delete", args=[evidence.pk]))
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("persona", ["le_partner", "board_member"])
def test_evidence_delete_is_forbidden_to_others(
    client, round, standard, ward_staff, persona, request
):
    evidence = services.add_evidence(
        round=round, standard=standard, kind="note", note="Old minutes", by=ward_staff
    )
    client.force_login(request.getfixturevalue(persona))
    url = reverse("assessments:evidence_delete", args=[evidence.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Evidence.objects.exists()


def test_evidence_delete_answers_404_to_another_trust(
    client, round, standard, ward_staff, outsider
):
    evidence = services.add_evidence(
        round=round, standard=standard, kind="note", note="Old minutes", by=ward_staff
    )
    client.force_login(outsider)
    assert (
        client.post(reverse("assessments:evidence_delete", args=[evidence.pk])).status_code == 404
    )
    assert Evidence.objects.exists()


# Actions


def action_data(person, standards=(), **overrides):
    data = {
        "title": "Ask people about their safety plan at every review",
        "owner": person.pk,
        "due_date-day": "31",
        "due_date-month": "1",
        "due_date-year": "2027",
        "status": "not-started",
        "standards": [s.pk for s in standards],
    }
    data.update(overrides)
    return data


def make_action(round, *, owner, by, **kwargs):
    return services.create_action(
        round=round,
        title=kwargs.pop("title", "Weekly community meeting"),
        owner_id=owner.pk,
        due_date=kwargs.pop("due_date", datetime.date(2027, 1, 31)),
        by=by,
        **kwargs,
    )


def test_action_create_adds_an_action(client, round, standard, ward_staff, le_partner):
    client.force_login(le_partner)
    response = client.post(
        reverse("assessments:action_create", args=[round.pk]),
        action_data(ward_staff, standards=[standard], co_produced="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:action_list", args=[round.pk])
    action = Action.objects.get()
    assert action.owner == ward_staff
    assert action.due_date == datetime.date(2027, 1, 31)
    assert action.co_produced is True
    assert list(action.standards.all()) == [standard]
    assert list(action.rounds.all()) == [round]


def test_action_create_offers_the_wards_people_as_owners(
    client, round, ward_staff, ward_manager, le_partner, board_member
):
    client.force_login(ward_manager)
    page = client.get(reverse("assessments:action_create", args=[round.pk])).content.decode()
    owners = page.split('name="owner"')[1].split("</select>")[0]
    for person in (ward_staff, ward_manager, le_partner):
        assert f'value="{person.pk}"' in owners
    assert f'value="{board_member.pk}"' not in owners
    assert "A lived experience partner helped shape this action" in page
    assert 'name="due_date-day"' in page


def test_action_create_shows_errors_by_each_field_and_keeps_what_was_typed(
    client, round, ward_staff
):
    client.force_login(ward_staff)
    data = action_data(ward_staff, title="", owner="")
    data.update({"due_date-day": "31", "due_date-month": "2", "due_date-year": "2027"})
    response = client.post(reverse("assessments:action_create", args=[round.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_title-error"' in page and "Enter what will change" in page
    assert 'id="id_owner-error"' in page and "Choose who owns this action" in page
    assert 'id="id_due_date-error"' in page and "Enter a real date" in page
    assert 'value="31"' in page and 'value="2027"' in page
    assert not Action.objects.exists()


def test_action_create_refuses_an_owner_from_outside_the_ward(
    client, round, ward_staff, board_member
):
    client.force_login(ward_staff)
    response = client.post(
        reverse("assessments:action_create", args=[round.pk]), action_data(board_member)
    )
    assert "Choose an owner from the ward" in response.content.decode()
    assert not Action.objects.exists()


@pytest.mark.parametrize("persona", ["board_member", "le_leader"])
def test_action_create_and_edit_are_forbidden_to_board_and_leaders(
    client, round, ward_staff, ward_manager, persona, request
):
    action = make_action(round, owner=ward_staff, by=ward_manager)
    client.force_login(request.getfixturevalue(persona))
    create = reverse("assessments:action_create", args=[round.pk])
    edit = reverse("assessments:action_edit", args=[action.pk])
    assert client.get(create).status_code == 403
    assert client.post(create, action_data(ward_staff)).status_code == 403
    assert client.get(edit).status_code == 403
    data = action_data(ward_staff, title="Changed", version=action.version)
    assert client.post(edit, data).status_code == 403
    assert Action.objects.get().title == "Weekly community meeting"


def test_action_pages_answer_404_to_another_trust(
    client, round, ward_staff, ward_manager, outsider
):
    action = make_action(round, owner=ward_staff, by=ward_manager)
    client.force_login(outsider)
    assert client.get(reverse("assessments:action_list", args=[round.pk])).status_code == 404
    assert client.get(reverse("assessments:action_create", args=[round.pk])).status_code == 404
    edit = reverse("assessments:action_edit", args=[action.pk])
    assert client.get(edit).status_code == 404
    data = action_data(ward_staff, title="Changed", version=action.version)
    assert client.post(edit, data).status_code == 404


def test_action_create_is_refused_on_a_locked_round(
    client, round, ward_staff, ward_manager, le_leader
):
    sign(round, manager=ward_manager, leader=le_leader)
    client.force_login(ward_staff)
    url = reverse("assessments:action_create", args=[round.pk])
    response = client.post(url, action_data(ward_staff), follow=True)
    assert "signed and locked" in response.content.decode()
    assert not Action.objects.exists()


def test_action_list_shows_actions_with_owner_due_status_standards_and_overdue(
    client, round, standard, ward_staff, ward_manager, board_member
):
    make_action(
        round,
        owner=ward_staff,
        by=ward_manager,
        title="Late one",
        due_date=datetime.date(2020, 1, 1),
        standards=[standard],
        co_produced=True,
    )
    make_action(
        round,
        owner=ward_manager,
        by=ward_manager,
        title="Finished late",
        due_date=datetime.date(2020, 1, 1),
        status="done",
    )
    client.force_login(board_member)
    page = client.get(reverse("assessments:action_list", args=[round.pk])).content.decode()
    assert "<caption" in page and 'scope="col"' in page
    late = page.split("Late one")[1].split("</tr>")[0]
    assert ward_staff.display_name in late
    assert "1 January 2020" in late
    assert "Overdue" in late
    assert "Not started" in late
    assert "2.3" in late
    assert "Yes" in late
    done = page.split("Finished late")[1].split("</tr>")[0]
    assert "Overdue" not in done and "Done" in done
    # A board member reads but cannot change anything.
    assert "Add an action" not in page
    assert "/edit/" not in page


def test_action_list_includes_open_actions_carried_from_an_earlier_round(
    client, round, ward, ward_staff, ward_manager, le_partner, le_leader
):
    make_action(round, owner=ward_staff, by=ward_manager, title="Still going")
    make_action(round, owner=ward_staff, by=ward_manager, title="All done", status="done")
    sign(round, manager=ward_manager, leader=le_leader)
    later = services.open_round(
        ward=ward, label="2027 Q1", by=ward_manager, scorer_ids=[ward_staff.pk, le_partner.pk]
    )
    client.force_login(ward_staff)
    page = client.get(reverse("assessments:action_list", args=[later.pk])).content.decode()
    assert "Still going" in page
    assert "Carried over from an earlier round" in page
    assert "All done" not in page
    assert "Add an action" in page


def test_action_edit_changes_an_action(client, round, standard, ward_staff, ward_manager):
    action = make_action(round, owner=ward_staff, by=ward_manager)
    url = reverse("assessments:action_edit", args=[action.pk])
    client.force_login(ward_staff)
    page = client.get(url).content.decode()
    assert "Weekly community meeting</textarea>" in page
    assert 'name="version" value="1"' in page
    response = client.post(
        url,
        action_data(
            ward_manager,
            standards=[standard],
            title="Twice-weekly community meeting",
            status="in-progress",
            version="1",
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.owner, action.status, action.version) == (
        "Twice-weekly community meeting",
        ward_manager,
        "in-progress",
        2,
    )
    assert list(action.standards.all()) == [standard]


def test_action_edit_shows_errors_and_keeps_what_was_typed(client, round, ward_staff, ward_manager):
    action = make_action(round, owner=ward_staff, by=ward_manager)
    client.force_login(ward_staff)
    response = client.post(
        reverse("assessments:action_edit", args=[action.pk]),
        action_data(ward_staff, title="New words", status="", version="1"),
    )
    page = response.content.decode()
    assert "Choose the action&#x27;s status" in page
    assert "New words</textarea>" in page
    action.refresh_from_db()
    assert action.version == 1


def test_action_edit_conflict_shows_both_versions_and_allows_a_deliberate_resave(
    client, round, ward, ward_staff, ward_manager
):
    action = make_action(round, owner=ward_staff, by=ward_manager)
    url = reverse("assessments:action_edit", args=[action.pk])
    colleague = UserFactory(username="colleague")
    WardMembershipFactory(user=colleague, ward=ward, role="ward-staff")
    first, second = client, client.__class__()
    first.force_login(ward_staff)
    second.force_login(colleague)
    first.post(url, action_data(ward_staff, title="First person's words", version="1"))
    response = second.post(
        url, action_data(ward_staff, title="Second person's words", status="done", version="1")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this first" in page
    conflict = page.split('class="app-conflict"')[1].split("</table>")[0]
    assert "First person&#x27;s words" in conflict
    assert "Second person&#x27;s words" in conflict
    assert "Not started" in conflict and "Done" in conflict
    assert "Second person&#x27;s words</textarea>" in page
    assert 'name="version" value="2"' in page
    action.refresh_from_db()
    assert (action.title, action.version) == ("First person's words", 2)
    response = second.post(
        url, action_data(ward_staff, title="Second person's words", status="done", version="2")
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.status, action.version) == ("Second person's words", "done", 3)


def test_action_edit_is_refused_once_its_rounds_are_signed(
    client, round, ward_staff, ward_manager, le_leader
):
    action = make_action(round, owner=ward_staff, by=ward_manager)
    sign(round, manager=ward_manager, leader=le_leader)
    client.force_login(ward_staff)
    response = client.post(
        reverse("assessments:action_edit", args=[action.pk]),
        action_data(ward_staff, title="Changed after signing", version="1"),
        follow=True,
    )
    assert "signed and locked" in response.content.decode()
    assert Action.objects.get().title == "Weekly community meeting"


def test_action_links_show_every_standard_in_full_grouped_by_commitment(client, round, ward_staff):
    client.force_login(ward_staff)
    page = client.get(reverse("assessments:action_create", args=[round.pk])).content.decode()
    longest = max(Standard.objects.filter(edition=round.edition), key=lambda s: len(s.text))
    assert f"{longest.code} {longest.text}</label>" in page  # full text, never cut mid-word
    assert page.count("<legend") >= 12
    assert "The whole commitment: 2. " in page


def test_an_action_can_be_linked_to_a_whole_commitment(client, round, standard, ward_staff):
    commitment = Commitment.objects.get(edition=round.edition, number=2)
    client.force_login(ward_staff)
    response = client.post(
        reverse("assessments:action_create", args=[round.pk]),
        action_data(ward_staff, standards=[standard], commitments=[commitment.pk]),
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert list(action.commitments.all()) == [commitment]
    listing = client.get(response["Location"]).content.decode()
    assert f"Commitment 2 (all of it), {standard.code}" in listing


def test_action_links_are_kept_when_another_field_has_an_error(client, round, standard, ward_staff):
    commitment = Commitment.objects.get(edition=round.edition, number=3)
    client.force_login(ward_staff)
    data = action_data(ward_staff, title="", standards=[standard], commitments=[commitment.pk])
    page = client.post(reverse("assessments:action_create", args=[round.pk]), data)
    html = page.content.decode()
    assert f'name="standards" type="checkbox" value="{standard.pk}" checked' in html
    assert f'name="commitments" type="checkbox" value="{commitment.pk}" checked' in html
