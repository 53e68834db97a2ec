import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reports.models import ProcessChange
from reports.process_changes import (
    add_process_change,
    change_indexes,
    remove_process_change,
    trust_changes,
)
from tests.factories import TrustFactory

DAY = datetime.date(2026, 4, 1)


def _change(trust, by, **kwargs):
    arguments = {"measure": "commitment:3", "date": DAY, "note": "New model of care", **kwargs}
    return add_process_change(by=by, trust=trust, **arguments)


# --- services -------------------------------------------------------------------------------


def test_add_process_change_records_the_qi_leads_change(trust, qi_lead):
    change = _change(trust, qi_lead, note="  New model of care ")
    assert change.note == "New model of care"
    assert change.created_by == qi_lead
    assert trust_changes(trust=trust) == {"commitment:3": [change]}


@pytest.mark.parametrize("persona", ["board_member", "le_leader", "ward_manager", "outsider"])
def test_add_process_change_refuses_anyone_but_the_trusts_qi_lead(trust, persona, request):
    with pytest.raises(ValidationError, match="QI lead"):
        _change(trust, request.getfixturevalue(persona))
    assert not ProcessChange.objects.exists()


def test_add_process_change_refuses_a_qi_lead_of_another_trust(trust, qi_lead):
    with pytest.raises(ValidationError, match="QI lead"):
        _change(TrustFactory(name="Elsewhere"), qi_lead)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"measure": "commitment:13"}, "measure"),
        ({"measure": "pillar:safety"}, "measure"),
        ({"measure": "ward:999999:overall"}, "measure"),
        ({"note": "   "}, "note"),
        ({"date": datetime.date(2999, 1, 1)}, "date"),
    ],
)
def test_add_process_change_rejects_invalid_input(trust, qi_lead, arguments, field):
    with pytest.raises(ValidationError) as error:
        _change(trust, qi_lead, **arguments)
    assert field in error.value.message_dict


def test_add_process_change_accepts_the_overall_and_a_ward_of_the_trust(trust, ward, qi_lead):
    _change(trust, qi_lead, measure="overall")
    _change(trust, qi_lead, measure=f"ward:{ward.pk}:overall")
    assert set(trust_changes(trust=trust)) == {"overall", f"ward:{ward.pk}:overall"}


def test_add_process_change_refuses_a_second_change_on_the_same_day(trust, qi_lead):
    _change(trust, qi_lead)
    with pytest.raises(ValidationError) as error:
        _change(trust, qi_lead)
    assert "date" in error.value.message_dict


def test_remove_process_change_is_for_the_qi_lead_only(trust, qi_lead, board_member):
    change = _change(trust, qi_lead)
    with pytest.raises(ValidationError):
        remove_process_change(by=board_member, change=change)
    remove_process_change(by=qi_lead, change=change)
    assert not ProcessChange.objects.exists()


def test_change_indexes_start_at_the_first_period_signed_on_or_after_the_date():
    def at(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

    starts = [at(datetime.date(2026, 1, 10)), at(DAY), at(datetime.date(2026, 7, 1))]
    change = ProcessChange(date=DAY, note="New model of care")
    assert change_indexes(starts, [change]) == {1: "New model of care"}
    later = ProcessChange(date=datetime.date(2026, 8, 1), note="Later")
    assert change_indexes(starts, [later]) == {3: "Later"}


# --- views ----------------------------------------------------------------------------------


def test_process_change_add_page_says_who_sees_it_and_saves(client, catalogue, trust, qi_lead):
    client.force_login(qi_lead)
    url = reverse("reports:process_change_add", args=[trust.pk])
    page = client.get(url, {"measure": "commitment:3"}).content.decode()
    assert "Who sees this" in page
    response = client.post(
        url,
        {
            "measure": "commitment:3",
            "date-day": "1",
            "date-month": "4",
            "date-year": "2026",
            "note": "New model of care",
        },
    )
    assert response.status_code == 302
    assert response.url.endswith("#spc-3")
    assert ProcessChange.objects.get().note == "New model of care"


def test_process_change_add_shows_errors_for_invalid_input(client, catalogue, trust, qi_lead):
    client.force_login(qi_lead)
    url = reverse("reports:process_change_add", args=[trust.pk])
    response = client.post(url, {"measure": "commitment:3", "note": ""})
    assert response.status_code == 200
    assert "Enter what changed" in response.content.decode()
    assert not ProcessChange.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("board_member", 403), ("outsider", 404)])
def test_process_change_add_is_403_for_others_of_the_trust_and_404_elsewhere(
    client, trust, persona, status, request
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("reports:process_change_add", args=[trust.pk])
    assert client.get(url).status_code == status


@pytest.mark.parametrize(("persona", "status"), [("board_member", 403), ("outsider", 404)])
def test_process_change_remove_is_403_for_others_of_the_trust_and_404_elsewhere(
    client, trust, qi_lead, persona, status, request
):
    change = _change(trust, qi_lead)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("reports:process_change_remove", args=[trust.pk, change.pk])
    assert client.post(url).status_code == status
    assert ProcessChange.objects.filter(pk=change.pk).exists()


def test_process_change_remove_by_the_qi_lead(client, trust, qi_lead):
    change = _change(trust, qi_lead)
    client.force_login(qi_lead)
    url = reverse("reports:process_change_remove", args=[trust.pk, change.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert not ProcessChange.objects.exists()


def test_trust_dashboard_offers_marking_changes_to_qi_leads_only(
    client, catalogue, trust, qi_lead, board_member
):
    _change(trust, qi_lead, measure="overall")
    url = reverse("reports:trust_dashboard", args=[trust.pk])
    client.force_login(qi_lead)
    page = client.get(url).content.decode()
    assert "Mark a change in the process" in page
    assert "New model of care" in page
    client.force_login(board_member)
    page = client.get(url).content.decode()
    assert "Mark a change in the process" not in page
    assert "New model of care" in page


def test_process_change_add_offers_the_trusts_wards(client, catalogue, trust, ward, qi_lead):
    client.force_login(qi_lead)
    url = reverse("reports:process_change_add", args=[trust.pk])
    assert "Willow Ward: overall score" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "measure": f"ward:{ward.pk}:overall",
            "date-day": "1",
            "date-month": "4",
            "date-year": "2026",
            "note": "New ward manager",
        },
    )
    assert response.status_code == 302
    assert ProcessChange.objects.get().measure == f"ward:{ward.pk}:overall"
