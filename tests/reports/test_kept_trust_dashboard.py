"""The trust dashboard's readings are drawn once and kept (presenters.trust_dashboard_body):
every change to what they read shows on the next view, and a kept page never carries one
person's CSRF token to another."""

import datetime
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Action
from reports.models import ProcessChange, Target
from reports.presenters import CSRF_SLOT
from reports.process_changes import add_process_change
from tests.assessments.builders import signed_round
from tests.conftest import _trust_person, _ward_person
from tests.factories import WardFactory

BEECH_ROLES = ("ward-manager", "ward-staff", "le-partner")

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _dashboard(client, trust) -> str:
    response = client.get(reverse("reports:trust_dashboard", args=[trust.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _signed(ward, ward_manager, ward_staff, le_partner, le_leader, words=""):
    return signed_round(
        ward=ward,
        manager=ward_manager,
        staff=ward_staff,
        partner=le_partner,
        leader=le_leader,
        words=words,
    )


def test_each_qi_lead_gets_their_own_token_in_a_kept_dashboard(catalogue, trust, qi_lead):
    """Two QI leads read the same kept page; each can remove a marked change from it, because
    the form carries their own token, and no page shows the slot it was kept with."""
    other = _trust_person(trust, "qi-lead", "qilead2")
    change = add_process_change(
        by=qi_lead, trust=trust, measure="overall", date=datetime.date(2026, 4, 1), note="New"
    )
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(qi_lead)
    second.force_login(other)
    pages = [_dashboard(first, trust), _dashboard(second, trust)]
    assert all(CSRF_SLOT not in page for page in pages)
    remove = reverse("reports:process_change_remove", args=[trust.pk, change.pk])
    token = TOKEN.findall(pages[1])[-1]
    # The first person's page's token is refused on the second person's session...
    stolen = TOKEN.findall(pages[0])[-1]
    assert second.post(remove, {"csrfmiddlewaretoken": stolen}).status_code in (403, 302)
    # ...and the second person's own token works (the kept form was theirs).
    response = second.post(remove, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not ProcessChange.objects.filter(pk=change.pk).exists()


def test_a_kept_dashboard_costs_a_few_queries_and_is_the_same_page(
    client, catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader, board_member
):
    _signed(ward, ward_manager, ward_staff, le_partner, le_leader, words="Night staff left out.")
    client.force_login(board_member)
    drawn = _dashboard(client, trust)
    with CaptureQueriesContext(connection) as queries:
        kept = _dashboard(client, trust)
    assert TOKEN.sub("", kept) == TOKEN.sub("", drawn)  # tokens are masked afresh each time
    assert "Night staff left out." in kept
    # Session, person, trust, QI lead?, where the readings stand, sites for the filter, the
    # header's task count: none of them grows with wards or rounds.
    assert len(queries) <= 9, "\n".join(q["sql"] for q in queries)


def test_what_the_kept_dashboard_reads_shows_on_the_next_view(
    client,
    catalogue,
    trust,
    ward,
    ward_manager,
    ward_staff,
    le_partner,
    le_leader,
    board_member,
    qi_lead,
):
    round = _signed(ward, ward_manager, ward_staff, le_partner, le_leader)
    client.force_login(board_member)
    page = _dashboard(client, trust)
    assert "1 overdue action" not in page
    assert "Improving the rota" not in page

    # An action falls overdue.
    Action.objects.create(
        origin_round=round,
        ward=ward,
        title="Review blanket restrictions",
        owner=ward_manager,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
        created_by=ward_manager,
    )
    assert "1 overdue action" in _dashboard(client, trust)

    # A QI lead marks a change in the process, then sets a target.
    add_process_change(
        by=qi_lead,
        trust=trust,
        measure="overall",
        date=round.signed_at.date(),
        note="Improving the rota",
    )
    assert "Improving the rota" in _dashboard(client, trust)
    Target.objects.create(trust=trust, commitment_number=0, value="3.50")
    assert "(target 3.5" in _dashboard(client, trust)

    # Another ward's round is signed: the heatmap and the leaders' words show it at once.
    beech = WardFactory(site=ward.site, name="Beech Ward")
    assert "Beech Ward" in _dashboard(client, trust)  # a new ward, not yet signed
    people = [_ward_person(beech, role, f"{role}-beech") for role in BEECH_ROLES]
    _signed(beech, *people, le_leader, words="Too quick.")
    page = _dashboard(client, trust)
    assert "Too quick." in page
    assert 'Beech Ward</a><br><span class="nhsuk-body-s">' in page
    assert "no signed round" not in page
