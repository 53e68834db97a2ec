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

from reports.measure_services import save_month
from reports.measures import month_start
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


# --- the entry form ---------------------------------------------------------------------------


def _form_data(measure, **kwargs):
    return {
        "measure": measure.pk,
        "month": "2026-04",
        "numerator": "",
        "denominator": "",
        "value": "",
        **kwargs,
    }


def test_measure_enter_says_who_sees_it_and_saves(client, ward, ward_manager, measures):
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    page = client.get(url).content.decode()
    assert "shown on this ward's dashboard and PDF at once" in page
    assert "fewer than 8" in page
    assert "Never enter anything that could identify a patient" in page
    response = client.post(url, _form_data(measures["seclusion"], numerator="3", denominator="600"))
    assert response.status_code == 302
    assert response.url == reverse("reports:ward_measures", args=[ward.pk])
    assert MeasureMonth.objects.get().numerator == 3


def test_measure_enter_refuses_a_typed_rate_and_keeps_what_was_typed(
    client, ward, ward_manager, measures
):
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    response = client.post(
        url, _form_data(measures["seclusion"], numerator="3", denominator="600", value="5")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "the rate is worked out from the numerator and denominator" in page
    assert 'value="600"' in page and 'value="5"' in page
    assert not MeasureMonth.objects.exists()


def test_measure_enter_shows_field_errors_for_bad_numbers(client, ward, ward_manager, measures):
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    response = client.post(
        url, _form_data(measures["seclusion"], numerator="lots", denominator="99999999999")
    )
    page = response.content.decode()
    assert "The numerator must be a whole number" in page
    assert "The denominator must be 999,999 or less" in page
    assert 'value="lots"' in page


def test_measure_enter_never_silently_replaces_a_month(
    client, ward, ward_manager, qi_lead, measures
):
    """A month that already holds figures is shown first; saving again replaces them; if
    someone else changes them meanwhile, they are shown again and nothing is lost."""
    seclusion = measures["seclusion"]
    _save(qi_lead, ward, seclusion, numerator=4, denominator=610)
    client.force_login(ward_manager)
    url = reverse("reports:measure_enter", args=[ward.pk])
    typed = _form_data(seclusion, numerator="6", denominator="600")
    page = client.post(url, typed).content.decode()
    assert (
        "Seclusion episodes for April 2026 already has figures: numerator 4, denominator 610"
        in (page)
    )
    assert "Check yours, then save again to replace them." in page
    assert 'value="6"' in page and 'value="600"' in page  # what was typed is kept
    assert MeasureMonth.objects.get().numerator == 4
    token = page.split('name="replacing" value="')[1].split('"')[0]
    # Meanwhile the QI lead changes it again: the manager is shown the new figures.
    _save(qi_lead, ward, seclusion, numerator=5, denominator=610)
    page = client.post(url, {**typed, "replacing": html.unescape(token)}).content.decode()
    assert "already has figures: numerator 5, denominator 610" in page
    assert MeasureMonth.objects.get().numerator == 5
    token = page.split('name="replacing" value="')[1].split('"')[0]
    response = client.post(url, {**typed, "replacing": html.unescape(token)})
    assert response.status_code == 302
    assert MeasureMonth.objects.get().numerator == 6
    assert MeasureChange.objects.filter(ward=ward).count() == 3


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
    response = client.post(url, _form_data(measures["seclusion"], numerator="1", denominator="600"))
    assert response.status_code == (302 if status == 200 else status)


def test_measure_enter_is_404_for_another_trusts_qi_lead(client, ward, measures):
    from tests.conftest import _trust_person

    elsewhere = _trust_person(TrustFactory(name="Elsewhere"), "qi-lead", "elsewhereqi")
    client.force_login(elsewhere)
    assert client.get(reverse("reports:measure_enter", args=[ward.pk])).status_code == 404


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
    response = client.post(enter, _form_data(own, numerator="2", denominator="620"))
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
