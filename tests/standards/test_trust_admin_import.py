"""Bulk set-up from CSV: validated first, one message per problem naming its line, all or
nothing, a preview before applying, and 2,000 rows in bulk queries."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from standards.models import (
    Invitation,
    PeopleChange,
    PeopleHistoryEntry,
    ServiceType,
    Site,
    TrustMembership,
    Ward,
    WardMembership,
)
from standards.people_import import PeopleImportError, apply_import, plan_import
from tests.factories import WardFactory

PEOPLE_HEADER = "email,first_name,last_name,ward,site,ward_role,trust_role\n"
WARDS_HEADER = "site,ward,service_type,beds\n"
BASE_URL = "http://testserver/"


def _people_file(ward, *lines):
    return PEOPLE_HEADER + "".join(line + "\n" for line in lines)


def test_plan_import_wards_lists_new_and_changed(trust, trust_admin, ward):
    content = WARDS_HEADER + (
        f"{ward.site.name},{ward.name},picu,14\n"
        "Hillview Centre,Maple Ward,Learning disability and autism,\n"
        f"{ward.site.name},Ash Ward,acute-adult,20\n"
    )
    plan = plan_import(trust=trust, content=content)
    assert plan.errors == []
    assert plan.new_sites == ["Hillview Centre"]
    assert [w.name for w in plan.new_wards] == ["Maple Ward", "Ash Ward"]
    assert plan.changed_wards[0].ward == ward
    assert "beds not given to 14" in plan.changed_wards[0].changes


def test_apply_import_wards_writes_everything_with_history(trust, trust_admin, ward):
    content = WARDS_HEADER + f"{ward.site.name},{ward.name},picu,14\nHillview,Maple Ward,lda,\n"
    apply_import(by=trust_admin, trust=trust, content=content, base_url=BASE_URL)
    ward.refresh_from_db()
    assert (ward.service_type, ward.beds) == ("picu", 14)
    assert Ward.objects.get(name="Maple Ward").site.name == "Hillview"
    changes = set(PeopleHistoryEntry.objects.values_list("change", flat=True))
    assert changes == {"site-added", "ward-added", "ward-changed"}


def test_apply_import_a_bad_line_changes_nothing_and_names_the_line(trust, trust_admin, ward):
    content = WARDS_HEADER + (
        "Hillview,Maple Ward,lda,12\n"
        "Hillview,Cedar Ward,not-a-service,12\n"
        "Hillview,Rowan Ward,lda,201\n"
        "Hillview,Maple Ward,lda,12\n"
    )
    with pytest.raises(PeopleImportError) as error:
        apply_import(by=trust_admin, trust=trust, content=content, base_url=BASE_URL)
    assert error.value.errors == [
        "Line 3: service type 'not-a-service' is not one of: " + ", ".join(ServiceType.values),
        "Line 4: beds must be a whole number from 1 to 200, or left blank",
        "Line 5: Maple Ward at Hillview repeats line 2",
    ]
    assert not Site.objects.filter(name="Hillview").exists()
    assert not PeopleHistoryEntry.objects.exists()


# --- ward codes (the ward measures import names wards by them) ---------------------------
CODED_HEADER = "site,ward,service_type,beds,code\n"


def test_apply_import_wards_sets_codes_and_keeps_a_code_left_blank(trust, trust_admin, ward):
    Ward.objects.filter(pk=ward.pk).update(code="OLD01")
    ash = WardFactory(site=ward.site, name="Ash Ward", code="ASH01")
    content = CODED_HEADER + (
        f"{ward.site.name},{ward.name},{ward.service_type},,WIL01\n"
        f"{ward.site.name},Ash Ward,{ash.service_type},,\n"
        "Hillview,Maple Ward,lda,, MAP01 \n"
    )
    plan = plan_import(trust=trust, content=content)
    assert plan.errors == []
    assert plan.changed_wards[0].changes == ["code OLD01 to WIL01"]
    assert [(w.name, w.code) for w in plan.new_wards] == [("Maple Ward", "MAP01")]
    apply_import(by=trust_admin, trust=trust, content=content, base_url=BASE_URL)
    codes = dict(Ward.objects.values_list("name", "code"))
    assert codes == {ward.name: "WIL01", "Ash Ward": "ASH01", "Maple Ward": "MAP01"}
    changed = PeopleHistoryEntry.objects.get(change=PeopleChange.WARD_CHANGED)
    assert (changed.before["code"], changed.after["code"]) == ("OLD01", "WIL01")


def test_plan_import_wards_checks_every_code_by_the_ward_forms_rule(trust, trust_admin, ward):
    """Unique in the trust whatever the case, at most 20 characters, one message a line; a
    code may move between wards in one file; another trust's codes do not count."""
    Ward.objects.filter(pk=ward.pk).update(code="WIL01")
    WardFactory(site=ward.site, name="Ash Ward", code="ASH01")
    WardFactory(name="Elsewhere Ward", code="ELM01")  # another trust
    content = (
        CODED_HEADER
        + (
            "Hillview,Maple Ward,lda,,wil01\n"  # Willow keeps it: refused
            "Hillview,Rowan Ward,lda,,ROW01\n"
            "Hillview,Cedar Ward,lda,,row01\n"  # given twice in the file
            "Hillview,Birch Ward,lda,," + "X" * 21 + "\n"
            "Hillview,Elm Ward,lda,,ELM01\n"  # another trust's code: fine
        )
    )
    with pytest.raises(PeopleImportError) as error:
        apply_import(by=trust_admin, trust=trust, content=content, base_url=BASE_URL)
    assert error.value.errors == [
        f"Line 2: {ward.name} already has the ward code wil01",
        "Line 4: the ward code row01 is also given to Rowan Ward on line 3: each ward needs "
        "its own code",
        "Line 5: ward code must be 20 characters or fewer",
    ]
    assert not Ward.objects.filter(site__name="Hillview").exists()
    # The code moves from Ash Ward to a new ward, and Ash Ward takes another: allowed.
    content = CODED_HEADER + (
        f"Hillview,Maple Ward,lda,,ASH01\n{ward.site.name},Ash Ward,{ward.service_type},,ASH02\n"
    )
    apply_import(by=trust_admin, trust=trust, content=content, base_url=BASE_URL)
    assert dict(Ward.objects.filter(site__trust=trust).values_list("name", "code")) == {
        ward.name: "WIL01",
        "Ash Ward": "ASH02",
        "Maple Ward": "ASH01",
    }


def test_import_view_says_the_code_column_is_optional(client, trust, trust_admin):
    client.force_login(trust_admin)
    page = client.get(reverse("trust_admin:import", args=[trust.pk])).content.decode()
    assert "site,ward,service_type,beds,code" in page.replace("<wbr>", "")
    assert "column is optional" in page
    assert "Leave it blank to keep the code a ward already has" in page


def test_plan_import_people_checks_every_line(trust, trust_admin, ward, ward_staff):
    WardFactory(site=ward.site, name="Closed Ward", is_active=False)
    site = ward.site.name
    content = _people_file(
        ward,
        f"a@example.nhs.uk,Ann,Able,{ward.name},{site},ward-staff,",
        f"not-an-email,Bo,Bee,{ward.name},{site},ward-staff,",
        f"c@example.nhs.uk,Cy,Sea,Nowhere Ward,{site},ward-staff,",
        f"d@example.nhs.uk,Di,Dee,{ward.name},{site},cleaner,",
        "e@example.nhs.uk,Ed,Eee,,,,chief",
        f"a@example.nhs.uk,Ann,Able,{ward.name},{site},ward-staff,",
        f"f@example.nhs.uk,Fi,Eff,{ward.name},{site},ward-staff,qi-lead",
        f"g@example.nhs.uk,Gi,Gee,Closed Ward,{site},ward-staff,",
        f"h@example.nhs.uk,,,{ward.name},{site},ward-staff,",
        f"a@example.nhs.uk,Anne,Other,{ward.name},{site},le-partner,",
    )
    plan = plan_import(trust=trust, content=content)
    assert [e.split(":")[0] for e in plan.errors] == [
        "Line 3",
        "Line 4",
        "Line 5",
        "Line 6",
        "Line 7",
        "Line 8",
        "Line 9",
        "Line 10",
        "Line 10",
        "Line 11",
    ]
    assert "Line 7: repeats line 2" in plan.errors
    assert "different name from line 2" in plan.errors[-1]


def test_apply_import_people_invites_new_people_and_gives_existing_ones_roles(
    trust, trust_admin, ward, ward_staff, django_capture_on_commit_callbacks
):
    site = ward.site.name
    content = _people_file(
        ward,
        f"new@example.nhs.uk,Nia,New,{ward.name},{site},ward-manager,",
        "new@example.nhs.uk,Nia,New,,,,Trust QI lead",
        f"{ward_staff.email.upper()},,,{ward.name},{site},le-partner,",
        f"{ward_staff.email},,,{ward.name},{site},ward-staff,",
    )
    plan = plan_import(trust=trust, content=content)
    assert plan.errors == [] and plan.unchanged == 1
    with django_capture_on_commit_callbacks(execute=True):
        apply_import(by=trust_admin, trust=trust, content=content, base_url=BASE_URL)
    invitation = Invitation.objects.get(email="new@example.nhs.uk")
    assert invitation.ward_roles == [{"ward": ward.pk, "role": "ward-manager"}]
    assert invitation.trust_roles == ["qi-lead"]
    assert not TrustMembership.objects.filter(user__email="new@example.nhs.uk").exists()
    assert WardMembership.objects.filter(user=ward_staff, role="le-partner").exists()
    assert PeopleHistoryEntry.objects.filter(
        person=ward_staff, change=PeopleChange.ROLE_ADDED
    ).exists()
    assert [m.to for m in mail.outbox] == [["new@example.nhs.uk"]]


def test_apply_import_two_thousand_rows(trust, trust_admin, ward, django_assert_max_num_queries):
    wards = WARDS_HEADER + "".join(
        f"Site {n % 10},Ward {n},acute-adult,{n % 200 + 1}\n" for n in range(2000)
    )
    with django_assert_max_num_queries(60):
        plan = apply_import(by=trust_admin, trust=trust, content=wards, base_url=BASE_URL)
    assert len(plan.new_wards) == 2000 and Ward.objects.count() == 2001
    site = ward.site.name
    people = _people_file(
        ward,
        *(f"person{n}@example.nhs.uk,P,{n},{ward.name},{site},ward-staff," for n in range(2000)),
    )
    with django_assert_max_num_queries(80):
        plan = apply_import(by=trust_admin, trust=trust, content=people, base_url=BASE_URL)
    assert Invitation.objects.count() == 2000
    assert PeopleHistoryEntry.objects.filter(change="invited").count() == 2000


def test_plan_import_refuses_more_than_two_thousand_rows(trust):
    content = WARDS_HEADER + "".join(f"S,W{n},lda,\n" for n in range(2001))
    assert "more than 2,000 rows" in plan_import(trust=trust, content=content).errors[0]


def test_plan_import_names_missing_columns(trust):
    plan = plan_import(trust=trust, content="email,first_name\nx@example.nhs.uk,X\n")
    assert plan.errors == ["Line 1: missing columns: last_name, ward, site, ward_role, trust_role"]


def test_import_view_previews_then_applies(client, trust, trust_admin, ward):
    client.force_login(trust_admin)
    url = reverse("trust_admin:import", args=[trust.pk])
    upload = SimpleUploadedFile(
        "wards.csv", (WARDS_HEADER + "Hillview,Maple Ward,lda,12\n").encode()
    )
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert b"Check the changes" in response.content and b"Maple Ward" in response.content
    assert not Ward.objects.filter(name="Maple Ward").exists()
    response = client.post(reverse("trust_admin:import_apply", args=[trust.pk]))
    assert response.status_code == 302
    assert Ward.objects.filter(name="Maple Ward", beds=12).exists()


def test_import_view_shows_each_problem_and_saves_nothing(client, trust, trust_admin, ward):
    client.force_login(trust_admin)
    upload = SimpleUploadedFile(
        "wards.csv", (WARDS_HEADER + "Hillview,Maple Ward,lda,lots\n").encode()
    )
    response = client.post(reverse("trust_admin:import", args=[trust.pk]), {"file": upload})
    assert response.status_code == 200
    assert b"Line 2: beds must be a whole number" in response.content
    assert b"nothing was saved" in response.content
    response = client.post(reverse("trust_admin:import_apply", args=[trust.pk]))
    assert not Ward.objects.filter(name="Maple Ward").exists()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"\x00\x01binary", b"saved as text"),
        (b"\xff\xfe\xfa", b"UTF-8"),
        (b"x" * (1024 * 1024 + 1), b"1 MB"),
    ],
)
def test_import_view_refuses_files_that_are_not_csv_text(
    client, trust, trust_admin, content, message
):
    client.force_login(trust_admin)
    upload = SimpleUploadedFile("bad.csv", content)
    response = client.post(reverse("trust_admin:import", args=[trust.pk]), {"file": upload})
    assert response.status_code == 200 and message in response.content


def test_import_people_command_previews_and_applies(tmp_path, trust, trust_admin, ward, capsys):
    path = tmp_path / "people.csv"
    path.write_text(
        _people_file(ward, f"cmd@example.nhs.uk,Cy,Md,{ward.name},{ward.site.name},ward-staff,")
    )
    call_command("import_people", str(trust.pk), str(path), "--by", trust_admin.username)
    assert "cmd@example.nhs.uk" in capsys.readouterr().out
    assert not Invitation.objects.exists()
    call_command("import_people", str(trust.pk), str(path), "--by", trust_admin.username, "--apply")
    assert Invitation.objects.filter(email="cmd@example.nhs.uk").exists()
