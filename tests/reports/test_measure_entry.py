"""Entering a ward's monthly measure figures (issue 13): the service's rules, its permissions,
and the entry form and ward measures pages."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports.measure_services import (
    MeasureFigures,
    MonthNotSaved,
    replacing_token,
    save_month,
    save_ward_month,
)
from reports.measures import add_months, month_start
from reports.models import Measure, MeasureChange, MeasureMonth
from standards import people
from tests.factories import SiteFactory, TrustFactory, WardFactory

APRIL = datetime.date(2026, 4, 1)


@pytest.fixture
def measures(db):
    call_command("loaddata", "ward-measures", verbosity=0)
    return {m.code: m for m in Measure.objects.all()}


def _save(by, ward, measure, **kwargs):
    arguments = {
        "month": APRIL,
        "numerator": None,
        "denominator": None,
        "value": None,
        "source": "form",
        **kwargs,
    }
    return save_month(ward=ward, measure=measure, by=by, **arguments)


# --- the service ----------------------------------------------------------------------------


def test_save_month_keeps_the_numbers_and_records_history(ward, ward_manager, measures):
    row = _save(
        ward_manager,
        ward,
        measures["seclusion"],
        month=APRIL.replace(day=17),
        numerator=3,
        denominator=600,
    )
    assert (row.month, row.numerator, row.denominator, row.value) == (APRIL, 3, 600, None)
    assert row.entered_by == ward_manager
    change = MeasureChange.objects.get()
    assert change.before is None
    assert change.after == {"numerator": 3, "denominator": 600, "value": None}
    assert (change.source, change.actor) == ("form", ward_manager)


def test_save_month_replaces_the_month_and_keeps_before_and_after(
    ward, ward_manager, qi_lead, measures
):
    _save(ward_manager, ward, measures["seclusion"], numerator=3, denominator=600)
    _save(qi_lead, ward, measures["seclusion"], numerator=5, denominator=620)
    row = MeasureMonth.objects.get()
    assert (row.numerator, row.denominator, row.entered_by) == (5, 620, qi_lead)
    latest = MeasureChange.objects.order_by("-pk").first()
    assert latest.before == {"numerator": 3, "denominator": 600, "value": None}
    assert latest.after == {"numerator": 5, "denominator": 620, "value": None}
    assert MeasureChange.objects.count() == 2


@pytest.mark.parametrize(
    ("code", "kwargs", "field"),
    [
        # A rate is worked out, never typed; it needs both numbers and bed days above 0.
        ("seclusion", {"value": Decimal("5.0"), "numerator": 3, "denominator": 600}, "value"),
        ("seclusion", {"numerator": 3}, "denominator"),
        ("seclusion", {"denominator": 600}, "numerator"),
        ("seclusion", {"numerator": 3, "denominator": 0}, "denominator"),
        ("seclusion", {"numerator": -1, "denominator": 600}, "numerator"),
        # A percentage: both numbers (numerator no more than denominator), or a value 0 to 100.
        ("patient-experience", {}, "value"),
        ("patient-experience", {"numerator": 9, "denominator": 8}, "numerator"),
        ("patient-experience", {"numerator": 9}, "denominator"),
        ("patient-experience", {"value": Decimal("101")}, "value"),
        ("patient-experience", {"value": Decimal("-1")}, "value"),
        # A count needs its count; no negatives.
        ("occupied-bed-days", {}, "value"),
        ("occupied-bed-days", {"value": Decimal("-3")}, "value"),
        ("occupied-bed-days", {"value": Decimal("4.5")}, "value"),
    ],
)
def test_save_month_checks_the_figures_by_unit(ward, ward_manager, measures, code, kwargs, field):
    with pytest.raises(ValidationError) as error:
        _save(ward_manager, ward, measures[code], **kwargs)
    assert field in error.value.message_dict
    assert not MeasureMonth.objects.exists() and not MeasureChange.objects.exists()


def test_save_month_accepts_a_percentage_or_a_count_as_given(ward, ward_manager, measures):
    _save(ward_manager, ward, measures["patient-experience"], value=Decimal("85.5"))
    _save(ward_manager, ward, measures["staff-experience"], numerator=30, denominator=40)
    _save(ward_manager, ward, measures["occupied-bed-days"], value=Decimal("600"))
    assert MeasureMonth.objects.count() == 3


def test_save_month_refuses_a_future_month(ward, ward_manager, measures):
    next_month = (month_start(timezone.localdate()) + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationError) as error:
        _save(
            ward_manager,
            ward,
            measures["seclusion"],
            month=next_month,
            numerator=1,
            denominator=600,
        )
    assert "month" in error.value.message_dict


def test_save_month_refuses_another_trusts_own_measure(ward, ward_manager, measures):
    theirs = Measure.objects.create(
        trust=TrustFactory(name="Elsewhere"),
        code="falls",
        name="Falls",
        unit="count",
        definition="Falls",
    )
    with pytest.raises(ValidationError) as error:
        _save(ward_manager, ward, theirs, value=Decimal("2"))
    assert "measure" in error.value.message_dict


@pytest.mark.parametrize("persona", ["ward_staff", "le_partner", "board_member", "outsider"])
def test_save_month_is_for_the_wards_manager_or_the_qi_lead_only(ward, measures, persona, request):
    with pytest.raises(PermissionDenied):
        _save(
            request.getfixturevalue(persona),
            ward,
            measures["seclusion"],
            numerator=1,
            denominator=600,
        )
    assert not MeasureMonth.objects.exists()


def test_save_month_refuses_the_manager_of_another_ward(trust, ward, measures):
    from tests.conftest import _ward_person

    other = WardFactory(site=ward.site, name="Ash Ward")
    manager_elsewhere = _ward_person(other, "ward-manager", "ashmanager")
    with pytest.raises(PermissionDenied):
        _save(manager_elsewhere, ward, measures["seclusion"], numerator=1, denominator=600)


# --- the ward month form -----------------------------------------------------------------------


def _month_data(month="2026-04", **measures):
    """The ward month form's post: each measure by code, as {"numerator": "3", ...}."""
    data = {"month": month}
    for code, fields in measures.items():
        for name, value in fields.items():
            data[f"{code}-{name}"] = value
    return data


def _replacing(page, code):
    """The figures the page says the measure holds, as its hidden field carries them."""
    field = page.split(f'name="{code}-replacing"')[1].split(">")[0]
    return html.unescape(field.split('value="')[1].split('"')[0]) if 'value="' in field else ""


def test_measure_enter_shows_every_measure_of_the_month_and_who_sees_it(
    client, ward, ward_manager, measures
):
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    page = client.get(url + "?month=2026-04").content.decode()
    assert "Enter the ward's figures for April 2026" in page
    assert "shown on this ward's dashboard and PDF at once" in page
    assert "fewer than 8" in page
    assert "Never enter anything that could identify a patient" in page
    for measure in measures.values():
        assert f'id="measure-{measure.code}"' in page  # a fieldset a measure
        assert f"{measure.name} (" in page
    # A rate is worked out, never typed: it has no box for the rate itself.
    assert 'name="seclusion-numerator"' in page and 'name="seclusion-value"' not in page
    assert 'name="patient-experience-value"' in page
    assert 'name="occupied-bed-days-value"' in page
    assert 'name="occupied-bed-days-denominator"' not in page


def test_measure_enter_saves_the_whole_month_in_one_go_and_leaves_blanks_alone(
    client, ward, ward_manager, qi_lead, measures
):
    _save(qi_lead, ward, measures["prone-restraint"], numerator=1, denominator=590)
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    response = client.post(
        url,
        _month_data(
            seclusion={"numerator": "3", "denominator": "600"},
            **{
                "patient-experience": {"value": "85.5"},
                "staff-experience": {"numerator": "30", "denominator": "40"},
                "occupied-bed-days": {"value": "600"},
            },
        ),
    )
    assert response.status_code == 302
    assert response.url == reverse("reports:ward_measures", args=[ward.pk])
    held = {
        row.measure.code: (row.numerator, row.denominator, row.value, row.entered_by)
        for row in MeasureMonth.objects.select_related("measure")
    }
    assert held == {
        "seclusion": (3, 600, None, ward_manager),
        "patient-experience": (None, None, Decimal("85.5"), ward_manager),
        "staff-experience": (30, 40, None, ward_manager),
        "occupied-bed-days": (None, None, Decimal("600"), ward_manager),
        "prone-restraint": (1, 590, None, qi_lead),  # left blank: kept, not erased
    }
    assert MeasureChange.objects.filter(actor=ward_manager).count() == 4  # one entry each
    page = client.get(response.url).content.decode()
    assert "Willow Ward, April 2026: 4 measures saved" in page


def test_measure_enter_shows_what_a_month_holds_and_who_entered_it(
    client, ward, ward_manager, qi_lead, measures
):
    _save(qi_lead, ward, measures["seclusion"], numerator=4, denominator=610)
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    page = client.get(url + "?month=2026-04").content.decode()
    held = page.split('id="measure-seclusion"')[1].split("</fieldset>")[0]
    assert "Now held: numerator 4, denominator 610, entered by" in held
    assert "Leave blank to keep it" in held
    other = page.split('id="measure-prone-restraint"')[1].split("</fieldset>")[0]
    assert "Nothing entered yet." in other
    # Shown, then replaced by the figures typed: the change is kept in history.
    token = _replacing(page, "seclusion")
    response = client.post(
        url,
        _month_data(seclusion={"numerator": "6", "denominator": "600", "replacing": token}),
    )
    assert response.status_code == 302
    assert MeasureMonth.objects.get().numerator == 6
    latest = MeasureChange.objects.order_by("-pk").first()
    assert latest.before == {"numerator": 4, "denominator": 610, "value": None}
    assert latest.actor == ward_manager


def test_measure_enter_names_the_measure_in_each_error_and_saves_nothing_of_the_month(
    client, ward, ward_manager, measures
):
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    response = client.post(
        url,
        _month_data(
            seclusion={"numerator": "3", "denominator": "600", "value": "5"},
            **{"prone-restraint": {"numerator": "2"}, "occupied-bed-days": {"value": "600"}},
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    summary = page.split('class="nhsuk-error-summary"')[1].split("</ul>")[0]
    # There is no box for the rate, so a rate sent anyway is ignored; the problem names its measure.
    assert "Prone restraint: enter the occupied bed days in the month" in summary
    assert 'href="#id_prone-restraint-denominator"' in summary
    fieldset = page.split('id="measure-prone-restraint"')[1].split("</fieldset>")[0]
    assert "nhsuk-error-message" in fieldset  # beside the field
    assert 'value="600"' in page and 'value="2"' in page  # what was typed is kept
    assert not MeasureMonth.objects.exists()  # the valid measures were not saved either


def test_measure_enter_shows_field_errors_for_bad_numbers(client, ward, ward_manager, measures):
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    response = client.post(
        url, _month_data(seclusion={"numerator": "lots", "denominator": "99999999999"})
    )
    page = html.unescape(response.content.decode())
    assert "Seclusion episodes: the numerator must be a whole number" in page
    assert "The denominator must be 999,999 or less" in page
    assert 'value="lots"' in page
    assert not MeasureMonth.objects.exists()


def test_measure_enter_with_nothing_typed_says_so(client, ward, ward_manager, measures):
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    page = client.post(url, _month_data()).content.decode()
    assert "Enter the figures of at least one measure" in page
    assert not MeasureChange.objects.exists()


def test_measure_enter_never_silently_replaces_a_month(
    client, ward, ward_manager, qi_lead, measures
):
    """Figures changed since the page was shown are shown, with who entered them; what was
    typed is kept; nothing of the month is saved; saving again replaces them."""
    seclusion = measures["seclusion"]
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    shown = client.get(url + "?month=2026-04").content.decode()
    typed = _month_data(
        seclusion={
            "numerator": "6",
            "denominator": "600",
            "replacing": _replacing(shown, "seclusion"),
        },
        **{"occupied-bed-days": {"value": "600"}},
    )
    # Meanwhile the QI lead enters the month's seclusion figures.
    _save(qi_lead, ward, seclusion, numerator=4, denominator=610)
    raw = client.post(url, typed).content.decode()
    page = html.unescape(raw)
    said = "Seclusion episodes for April 2026 already has figures: numerator 4, denominator 610"
    assert said in page
    assert "Check yours, then save again to replace them." in page
    assert qi_lead.username in page or qi_lead.get_full_name() in page  # who entered them
    assert 'value="6"' in page and 'value="600"' in page  # what was typed is kept
    assert MeasureMonth.objects.get().numerator == 4  # nothing of the month saved
    # And again, before the manager saves: they are shown the newer figures.
    _save(qi_lead, ward, seclusion, numerator=5, denominator=610)
    typed["seclusion-replacing"] = _replacing(raw, "seclusion")
    raw = client.post(url, typed).content.decode()
    assert "already has figures: numerator 5, denominator 610" in html.unescape(raw)
    typed["seclusion-replacing"] = _replacing(raw, "seclusion")
    response = client.post(url, typed)
    assert response.status_code == 302
    assert MeasureMonth.objects.get(measure=seclusion).numerator == 6
    assert MeasureMonth.objects.count() == 2
    assert MeasureChange.objects.filter(ward=ward).count() == 4


def test_measure_enter_shows_the_month_asked_for_and_last_month_by_default(
    client, ward, ward_manager, measures
):
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    last_month = add_months(month_start(timezone.localdate()), -1)
    page = client.get(url).content.decode()
    assert f"Enter the ward's figures for {last_month:%B %Y}" in page
    page = client.get(url + "?month=1999-01").content.decode()  # not offered: the default
    assert f"Enter the ward's figures for {last_month:%B %Y}" in page
    assert f'<option value="{last_month:%Y-%m}" selected>' in page


def test_measure_enter_never_saves_into_a_month_not_offered(client, ward, ward_manager, measures):
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    typed = {"seclusion": {"numerator": "3", "denominator": "600"}}
    for month in ("1999-01", "", "2026-13"):
        page = client.post(url, _month_data(month=month, **typed)).content.decode()
        assert "Choose a month from the list: nothing was saved" in page
        assert 'value="600"' in page
    assert not MeasureMonth.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("ward_manager", 200),
        ("qi_lead", 200),
        ("ward_staff", 403),
        ("board_member", 403),
        ("le_leader", 403),
        ("outsider", 404),
    ],
)
def test_measure_enter_is_for_the_manager_and_qi_lead_403_in_the_trust_404_elsewhere(
    client, ward, measures, persona, status, request
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("reports:measure_enter", args=[ward.pk])
    assert client.get(url).status_code == status
    response = client.post(url, _month_data(seclusion={"numerator": "1", "denominator": "600"}))
    assert response.status_code == (302 if status == 200 else status)
    assert MeasureMonth.objects.exists() == (status == 200)


def test_measure_enter_is_404_for_another_trusts_qi_lead(client, ward, measures):
    from tests.conftest import _trust_person

    elsewhere = _trust_person(TrustFactory(name="Elsewhere"), "qi-lead", "elsewhereqi")
    client.force_login(elsewhere)
    assert client.get(reverse("reports:measure_enter", args=[ward.pk])).status_code == 404


def test_save_ward_month_is_all_or_nothing_and_skips_figures_already_held(
    ward, ward_manager, measures
):
    seclusion, beds = measures["seclusion"], measures["occupied-bed-days"]
    save_ward_month(
        ward=ward,
        month=APRIL,
        figures=[MeasureFigures(seclusion, numerator=3, denominator=600)],
        by=ward_manager,
    )
    with pytest.raises(MonthNotSaved) as error:
        save_ward_month(
            ward=ward,
            month=APRIL,
            figures=[
                MeasureFigures(beds, value=Decimal("600")),
                MeasureFigures(seclusion, numerator=3, denominator=0),
            ],
            by=ward_manager,
        )
    assert "denominator" in error.value.problems["seclusion"]
    assert not MeasureMonth.objects.filter(measure=beds).exists()
    token = replacing_token(MeasureMonth.objects.get())
    saved = save_ward_month(
        ward=ward,
        month=APRIL,
        figures=[
            MeasureFigures(beds, value=Decimal("600")),
            MeasureFigures(seclusion, numerator=3, denominator=600, replacing=token),
        ],
        by=ward_manager,
    )
    assert [row.measure.code for row in saved] == ["occupied-bed-days"]  # seclusion unchanged
    assert MeasureChange.objects.count() == 2


@pytest.mark.parametrize("persona", ["ward_staff", "le_partner", "board_member", "outsider"])
def test_save_ward_month_is_for_the_wards_manager_or_the_qi_lead_only(
    ward, measures, persona, request
):
    with pytest.raises(PermissionDenied):
        save_ward_month(
            ward=ward,
            month=APRIL,
            figures=[MeasureFigures(measures["seclusion"], numerator=1, denominator=600)],
            by=request.getfixturevalue(persona),
        )
    assert not MeasureMonth.objects.exists()


# --- the ward measures page -------------------------------------------------------------------


def test_ward_measures_shows_the_computed_figures_in_full(
    client, ward, ward_manager, ward_staff, measures
):
    this_month = month_start(timezone.localdate())
    _save(ward_manager, ward, measures["seclusion"], month=this_month, numerator=3, denominator=600)
    _save(
        ward_manager,
        ward,
        measures["staff-experience"],
        month=this_month,
        numerator=30,
        denominator=40,
    )
    client.force_login(ward_staff)
    response = client.get(reverse("reports:ward_measures", args=[ward.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    # 3 per 600 bed days is 5.0 per 1,000; 30 of 40 is 75%: worked out, never typed. A small
    # count is shown in full inside the ward.
    assert "5.0 per 1,000 bed days" in page
    assert "75%" in page
    assert "fewer than 8" not in page.split("<h2", 2)[-1].split("Latest changes")[0]
    assert "Enter a month" not in page  # ward staff read, they do not enter


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("ward_staff", 200),
        ("qi_lead", 200),
        ("board_member", 200),
        ("outsider", 404),
        ("other_trust_admin", 404),
    ],
)
def test_ward_measures_is_read_as_the_ward_dashboard_is(
    client, ward, measures, persona, status, request
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:ward_measures", args=[ward.pk])).status_code == status


def test_ward_dashboard_links_to_the_ward_measures(client, catalogue, ward, ward_manager):
    client.force_login(ward_manager)
    page = client.get(reverse("reports:ward_dashboard", args=[ward.pk])).content.decode()
    assert reverse("reports:ward_measures", args=[ward.pk]) in page


# --- the ward's code ----------------------------------------------------------------------


def test_ward_code_is_set_by_the_trust_admin_and_unique_in_the_trust(trust, ward, trust_admin):
    people.update_ward(
        by=trust_admin,
        ward=ward,
        site=ward.site,
        name=ward.name,
        service_type=ward.service_type,
        beds=ward.beds,
        is_active=True,
        code=" WIL01 ",
    )
    ward.refresh_from_db()
    assert ward.code == "WIL01"
    with pytest.raises(ValidationError) as error:
        people.create_ward(
            by=trust_admin,
            site=SiteFactory(trust=trust),
            name="Ash Ward",
            service_type=ward.service_type,
            code="wil01",
        )
    assert "code" in error.value.message_dict


def test_ward_form_edits_the_code(client, trust, ward, trust_admin):
    client.force_login(trust_admin)
    url = reverse("trust_admin:ward_edit", args=[trust.pk, ward.pk])
    assert "Ward code (optional)" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": ward.name,
            "site": ward.site_id,
            "service_type": ward.service_type,
            "beds": "",
            "code": "WIL01",
            "support_contact": "",
            "is_active": "yes",
        },
    )
    assert response.status_code == 302
    ward.refresh_from_db()
    assert ward.code == "WIL01"


# --- a trust's own measures -------------------------------------------------------------------


def _own(**kwargs):
    return {
        "name": "Incidents of self-harm",
        "code": "self-harm",
        "unit": "per-1000-bed-days",
        "direction": "lower",
        "commitments": ["2", "6"],
        "definition": "Incidents of self-harm recorded on the ward, per 1,000 occupied bed days.",
        **kwargs,
    }


def test_a_qi_lead_adds_a_measure_of_the_trusts_own_and_wards_can_enter_it(
    client, catalogue, ward, qi_lead, ward_manager, measures
):
    client.force_login(qi_lead)
    url = reverse("reports:trust_measure_add", args=[ward.site.trust.pk])
    page = client.get(url).content.decode()
    assert "do not describe any patient" in page
    response = client.post(url, _own())
    assert response.status_code == 302
    own = Measure.objects.get(code="self-harm")
    assert (own.trust, own.catalogue, own.higher_is_better) == (ward.site.trust, None, False)
    assert own.commitments == [2, 6]
    client.force_login(ward_manager)
    enter = reverse("reports:measure_enter", args=[ward.pk])
    assert "Incidents of self-harm" in client.get(enter).content.decode()
    response = client.post(
        enter, _month_data(**{"self-harm": {"numerator": "2", "denominator": "620"}})
    )
    assert response.status_code == 302


def test_a_trusts_own_measure_needs_a_free_code_and_words(
    client, catalogue, ward, qi_lead, measures
):
    client.force_login(qi_lead)
    url = reverse("reports:trust_measure_add", args=[ward.site.trust.pk])
    page = client.post(url, _own(code="seclusion")).content.decode()
    assert "There is already a measure with the code seclusion" in page
    assert 'value="Incidents of self-harm"' in page  # what was typed is kept
    page = client.post(url, _own(definition="")).content.decode()
    assert "Say how the measure is counted" in page
    assert not Measure.objects.filter(trust__isnull=False).exists()


def test_another_trusts_own_measure_is_never_offered(client, ward, ward_manager, measures):
    elsewhere = TrustFactory(name="Elsewhere")
    Measure.objects.create(
        trust=elsewhere,
        code="theirs",
        name="Their measure",
        unit="count",
        higher_is_better=None,
        definition="Theirs.",
    )
    client.force_login(ward_manager)
    page = client.get(reverse("reports:measure_enter", args=[ward.pk])).content.decode()
    assert "Their measure" not in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("qi_lead", 200), ("board_member", 403), ("ward_manager", 403), ("outsider", 404)],
)
def test_only_the_trusts_qi_lead_adds_its_own_measures(
    client, catalogue, ward, measures, persona, status, request
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("reports:trust_measure_add", args=[ward.site.trust.pk])
    assert client.get(url).status_code == status
    response = client.post(url, _own())
    assert response.status_code == (302 if status == 200 else status)
