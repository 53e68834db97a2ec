"""Importing ward measure figures from a CSV file (issue 13): the people import's contract (every
line checked, one message a problem naming its line, nothing written unless all is valid, a
preview, then apply from the same text in one transaction)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from reports.measure_import import MeasureImportError, apply_import, plan_import
from reports.measures import figure_value
from reports.models import Measure, MeasureChange, MeasureMonth
from tests.factories import WardFactory

HEADER = "ward_code,month,measure_code,numerator,denominator,value\n"
GOOD = (
    HEADER
    + "WIL01,2026-03,seclusion,3,600,\n"
    + "WIL01,2026-03,patient-experience,,,85\n"
    + "WIL01,2026-04,staff-experience,30,40,\n"
    + "ASH01,2026-04,occupied-bed-days,,,580\n"
)


@pytest.fixture
def measures(db):
    call_command("loaddata", "ward-measures", verbosity=0)
    return {m.code: m for m in Measure.objects.all()}


@pytest.fixture
def wards(ward, measures):
    ward.code = "WIL01"
    ward.save()
    ash = WardFactory(site=ward.site, name="Ash Ward", code="ASH01")
    return {"willow": ward, "ash": ash}


def _upload(client, trust, content: str):
    url = reverse("reports:measure_import", args=[trust.pk])
    upload = SimpleUploadedFile("measures.csv", content.encode(), content_type="text/csv")
    return client.post(url, {"file": upload})


# --- planning and applying --------------------------------------------------------------------


def test_plan_import_previews_additions_without_writing(trust, wards):
    plan = plan_import(trust=trust, content=GOOD)
    assert plan.is_valid, plan.errors
    assert len(plan.additions) == 4 and not plan.replacements
    texts = [row.after_text for row in plan.additions]
    assert texts[0] == "5.0 per 1,000 bed days (3 of 600)"  # worked out, never typed
    assert "85%" in texts[1] and "75% (30 of 40)" in texts[2]
    assert not MeasureMonth.objects.exists()


def test_apply_import_writes_every_month_and_its_history(trust, wards, qi_lead):
    plan = apply_import(by=qi_lead, trust=trust, content=GOOD)
    assert len(plan.additions) == 4
    seclusion = MeasureMonth.objects.get(measure__code="seclusion")
    assert (seclusion.ward, seclusion.numerator, seclusion.denominator) == (wards["willow"], 3, 600)
    assert seclusion.value is None
    assert figure_value("per-1000-bed-days", 3, 600, None) == 5.0
    changes = MeasureChange.objects.all()
    assert len(changes) == 4
    assert {c.source for c in changes} == {"import"} and {c.actor for c in changes} == {qi_lead}
    assert all(c.before is None for c in changes)


def test_reimporting_a_month_replaces_it_and_records_before_and_after(trust, wards, qi_lead):
    apply_import(by=qi_lead, trust=trust, content=GOOD)
    again = HEADER + "WIL01,2026-03,seclusion,4,620,\nWIL01,2026-03,patient-experience,,,85\n"
    plan = plan_import(trust=trust, content=again)
    assert [r.line for r in plan.replacements] == [2] and plan.unchanged == 1
    row = plan.replacements[0]
    assert row.before_text == "5.0 per 1,000 bed days (3 of 600)"
    assert row.after_text == "6.5 per 1,000 bed days (4 of 620)"
    apply_import(by=qi_lead, trust=trust, content=again)
    kept = MeasureMonth.objects.get(measure__code="seclusion")
    assert (kept.numerator, kept.denominator) == (4, 620)
    assert MeasureMonth.objects.count() == 4
    change = MeasureChange.objects.filter(measure__code="seclusion").order_by("-pk").first()
    assert change.source == "import"
    assert change.before == {"numerator": 3, "denominator": 600, "value": None}
    assert change.after == {"numerator": 4, "denominator": 620, "value": None}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("NOPE,2026-03,seclusion,3,600,", "Line 3: no ward of your trust has the code NOPE"),
        ("WIL01,March 2026,seclusion,3,600,", "Line 3: month 'March 2026' must be"),
        ("WIL01,2026-13,seclusion,3,600,", "Line 3: month '2026-13' must be"),
        ("WIL01,2999-01,seclusion,3,600,", "Line 3: Seclusion episodes: the month must be"),
        ("WIL01,2026-03,falls,3,600,", "Line 3: measure code 'falls' is not one of"),
        ("WIL01,2026-03,seclusion,3,600,5", "Line 3: Seclusion episodes: leave the figure blank"),
        ("WIL01,2026-03,seclusion,-3,600,", "Line 3: numerator '-3' must be a whole number"),
        ("WIL01,2026-03,seclusion,3,0,", "Line 3: Seclusion episodes: occupied bed days must"),
        ("WIL01,2026-03,staff-experience,50,40,", "Line 3: Staff experience: the numerator"),
        ("WIL01,2026-03,patient-experience,,,120", "Line 3: Patient experience: the percentage"),
        ("WIL01,2026-01,seclusion,3,600,", ""),  # fine on its own: the bad line is elsewhere
    ],
)
def test_plan_import_names_the_line_of_each_problem(trust, wards, line, expected):
    content = HEADER + "ASH01,2026-01,seclusion,1,500,\n" + line + "\n"
    plan = plan_import(trust=trust, content=content)
    if not expected:
        assert plan.is_valid, plan.errors
        return
    assert not plan.is_valid
    assert any(error.startswith(expected) for error in plan.errors), plan.errors
    assert not plan.additions


def test_plan_import_refuses_a_code_two_wards_share_and_a_repeated_line(trust, wards):
    WardFactory(site=wards["ash"].site, name="Birch Ward", code="ash01")
    content = HEADER + "ASH01,2026-01,seclusion,1,500,\nWIL01,2026-01,seclusion,1,500,\n"
    content += "WIL01,2026-01,seclusion,2,500,\n"
    errors = plan_import(trust=trust, content=content).errors
    assert errors[0].startswith("Line 2: the code ASH01 is used by 2 wards of your trust")
    assert "Ash Ward, Birch Ward" in errors[0]
    assert errors[1].startswith("Line 4: Willow Ward's seclusion episodes for Jan 2026 repeats")


def test_plan_import_matches_wards_of_the_importing_trust_only(trust, wards, other_trust_ward):
    other_trust_ward.code = "OTH01"
    other_trust_ward.save()
    plan = plan_import(trust=trust, content=HEADER + "OTH01,2026-01,seclusion,1,500,\n")
    assert plan.errors == [
        "Line 2: no ward of your trust has the code OTH01: set each ward's code in the trust's "
        "administration pages"
    ]


def test_plan_import_needs_the_header(trust, wards):
    plan = plan_import(trust=trust, content="ward,month\nWIL01,2026-01\n")
    assert plan.errors[0].startswith("Line 1: missing columns: ward_code, measure_code")


def test_apply_import_writes_nothing_when_a_line_is_bad(trust, wards, qi_lead):
    with pytest.raises(MeasureImportError):
        apply_import(by=qi_lead, trust=trust, content=GOOD + "WIL01,2026-05,seclusion,1,0,\n")
    assert not MeasureMonth.objects.exists() and not MeasureChange.objects.exists()


@pytest.mark.parametrize("persona", ["ward_manager", "board_member", "trust_admin", "outsider"])
def test_apply_import_is_for_the_trusts_qi_lead_only(trust, wards, persona, request):
    with pytest.raises(PermissionDenied):
        apply_import(by=request.getfixturevalue(persona), trust=trust, content=GOOD)
    assert not MeasureMonth.objects.exists()


# --- the pages --------------------------------------------------------------------------------


def test_a_good_import_previews_then_applies(client, trust, wards, qi_lead):
    client.force_login(qi_lead)
    page = client.get(reverse("reports:measure_import", args=[trust.pk])).content.decode()
    # The column list, with its line-break opportunities (<wbr>) after the commas.
    assert "ward_code,month,measure_code,numerator,denominator,value" in page.replace("<wbr>", "")
    assert "Never enter anything that could identify a patient" in page
    response = _upload(client, trust, GOOD)
    page = response.content.decode()
    assert "Check the ward measures" in page
    assert "Willow Ward, Seclusion episodes, Mar 2026: 5.0 per 1,000 bed days (3 of 600)" in page
    assert not MeasureMonth.objects.exists()
    response = client.post(reverse("reports:measure_import_apply", args=[trust.pk]))
    assert response.status_code == 302
    assert MeasureMonth.objects.count() == 4
    assert MeasureChange.objects.filter(source="import").count() == 4


def test_the_preview_shows_which_month_is_replaced_before_and_after(client, trust, wards, qi_lead):
    apply_import(by=qi_lead, trust=trust, content=GOOD)
    client.force_login(qi_lead)
    page = _upload(client, trust, HEADER + "WIL01,2026-03,seclusion,4,620,\n").content.decode()
    assert "Months to replace (1)" in page
    assert (
        "5.0 per 1,000 bed days (3 of 600)" in page and "6.5 per 1,000 bed days (4 of 620)" in page
    )


def test_a_bad_line_changes_nothing_and_the_page_names_it(client, trust, wards, qi_lead):
    client.force_login(qi_lead)
    response = _upload(client, trust, GOOD + "WIL01,2026-05,seclusion,1,0,\n")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file has 1 problem: nothing was saved" in page
    assert "Line 6: Seclusion episodes: occupied bed days must be 1 or more" in page
    # Nothing to apply: the apply step finds no stored preview.
    response = client.post(reverse("reports:measure_import_apply", args=[trust.pk]))
    assert response.status_code == 302
    assert not MeasureMonth.objects.exists()


def test_apply_plans_again_from_the_stored_text(client, trust, wards, qi_lead):
    client.force_login(qi_lead)
    _upload(client, trust, GOOD)
    # A ward's code changes between the preview and applying: nothing is saved.
    wards["ash"].code = "ASH99"
    wards["ash"].save()
    response = client.post(reverse("reports:measure_import_apply", args=[trust.pk]), follow=True)
    assert "Nothing was saved: Line 5: no ward of your trust has the code ASH01" in (
        response.content.decode()
    )
    assert not MeasureMonth.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("ward_manager", 403),
        ("board_member", 403),
        ("trust_admin", 403),
        ("outsider", 404),
        ("other_trust_admin", 404),
    ],
)
def test_measure_import_is_403_in_the_trust_and_404_elsewhere(
    client, trust, wards, persona, status, request
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:measure_import", args=[trust.pk])).status_code == status
    assert _upload(client, trust, GOOD).status_code == status
    apply = client.post(reverse("reports:measure_import_apply", args=[trust.pk]))
    assert apply.status_code == status
    assert not MeasureMonth.objects.exists()


def test_trust_dashboard_offers_the_import_to_qi_leads_only(
    client, catalogue, trust, qi_lead, board_member
):
    url = reverse("reports:trust_dashboard", args=[trust.pk])
    link = reverse("reports:measure_import", args=[trust.pk])
    client.force_login(qi_lead)
    assert link in client.get(url).content.decode()
    client.force_login(board_member)
    assert link not in client.get(url).content.decode()
