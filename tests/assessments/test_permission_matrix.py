"""The role-by-URL matrix: every assessments URL, GET and POST, for every persona.

Another trust's user gets 404 everywhere; a role that may not act gets 403 and changes nothing;
a role that may act is let through (whatever the round's state then says). Only the ward team
(the ward's people, the trust's QI lead and lived experience leader) opens a round's scoring,
agreeing, meeting and history pages; a board member, alone or also a trust administrator,
reads its page and summary (docs/decisions/0024). A trust administrator alone sees no ward's
rounds at all: 404, as for another trust.
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from assessments import services
from assessments.models import HistoryEntry
from standards.models import Standard
from tests.assessments.builders import agreeing_round
from tests.factories import (
    SiteFactory,
    TrustFactory,
    TrustMembershipFactory,
    UserFactory,
    WardFactory,
    WardMembershipFactory,
)

WARD_TEAM = {"staff", "manager", "partner", "leader", "qi"}
# Trust roles that neither facilitate nor co-sign: a board member, and a board member who is
# also the trust's administrator.
EVERYONE = WARD_TEAM | {"board", "board-admin"}
# Who never sees the ward's rounds: another trust's manager, and a trust administrator only.
UNSEEN = {"outsider", "admin"}
WARD_PEOPLE = {"staff", "manager", "partner"}
RUNNERS = {"manager", "qi"}
SCORERS = {"staff", "partner"}

# url name -> (kwargs key, who may GET, who may POST)
MATRIX = {
    "ward_detail": ("ward", EVERYONE, set()),
    "round_create": ("ward", RUNNERS, RUNNERS),
    "round_detail": ("round", EVERYONE, set()),
    "round_scorers": ("round", RUNNERS, RUNNERS),
    "start_scoring": ("round", None, RUNNERS),
    "close_scoring": ("round", RUNNERS, RUNNERS),
    "finish_agreeing": ("round", None, {"manager"}),
    "return_to_agreeing": ("round", {"manager"}, {"manager"}),
    "score_start": ("round", SCORERS, set()),
    "score_submit": ("round", SCORERS, SCORERS),
    "score_submitted": ("round", SCORERS, None),
    "score_commitment": ("round-commitment", SCORERS, SCORERS),
    "agree_overview": ("round", WARD_TEAM, set()),
    "agree_commitment": ("round-commitment", WARD_TEAM, {"manager"}),
    "meeting": ("round-position", WARD_TEAM, None),
    "agree_standard": ("round-standard", {"manager"}, {"manager"}),
    "evidence_create": ("round", WARD_PEOPLE, WARD_PEOPLE),
    "evidence_download": ("evidence", EVERYONE, set()),
    # The person who added it (here ward staff) or the ward manager.
    "evidence_delete": ("evidence", {"manager", "staff"}, {"manager", "staff"}),
    "action_list": ("round", EVERYONE, set()),
    "action_create": ("round", WARD_PEOPLE, WARD_PEOPLE),
    "action_edit": ("action", WARD_PEOPLE, WARD_PEOPLE),
    "sign": ("round", {"manager", "leader"}, {"manager", "leader"}),
    "reopen": ("round", {"qi"}, {"qi"}),
    "summary": ("round", EVERYONE, set()),
    "history": ("round", {"manager", "qi"}, set()),
}


def _person(username):
    return UserFactory(username=f"matrix-{username}")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end; each
    test runs in a savepoint inside it, so what one test changes never reaches the next."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("loaddata", "culture-of-care-standards", verbosity=0)
            ward = WardFactory(site=SiteFactory(trust=TrustFactory(name="Matrix NHS Trust")))
            other = WardFactory(site=SiteFactory(trust=TrustFactory(name="Other NHS Trust")))
            people = {name: _person(name) for name in sorted(EVERYONE | UNSEEN)}
            for name, role in (
                ("staff", "ward-staff"),
                ("manager", "ward-manager"),
                ("partner", "le-partner"),
            ):
                WardMembershipFactory(user=people[name], ward=ward, role=role)
            for name, role in (
                ("leader", "le-leader"),
                ("qi", "qi-lead"),
                ("board", "board-member"),
                ("board-admin", "board-member"),
                ("board-admin", "trust-admin"),
                ("admin", "trust-admin"),
            ):
                TrustMembershipFactory(user=people[name], trust=ward.site.trust, role=role)
            WardMembershipFactory(user=people["outsider"], ward=other, role="ward-manager")
            round = agreeing_round(
                ward=ward,
                manager=people["manager"],
                staff=people["staff"],
                partner=people["partner"],
            )
            standard = Standard.objects.get(code="2.3")
            evidence = services.add_evidence(
                round=round,
                standard=standard,
                kind="note",
                note="Community meeting minutes",
                by=people["staff"],
            )
            action = services.create_action(
                round=round,
                title="Weekly community meeting",
                owner_id=people["staff"].pk,
                due_date=datetime.date(2027, 1, 31),
                by=people["manager"],
            )
            kwargs = {
                "ward": {"ward_id": ward.pk},
                "round": {"round_id": round.pk},
                "round-commitment": {"round_id": round.pk, "number": 2},
                "round-position": {"round_id": round.pk, "position": 1},
                "round-standard": {"round_id": round.pk, "standard_id": standard.pk},
                "evidence": {"evidence_id": evidence.pk},
                "action": {"action_id": action.pk},
            }
            yield kwargs, people, round
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


CASES = [
    (name, persona, method)
    for name in MATRIX
    for persona in sorted(EVERYONE | UNSEEN)
    for method in ("get", "post")
]


@pytest.mark.parametrize("name,persona,method", CASES)
def test_permission_matrix(db, client, world, name, persona, method):
    kwargs, people, round = world
    key, may_get, may_post = MATRIX[name]
    url = reverse(f"assessments:{name}", kwargs=kwargs[key])
    client.force_login(people[persona])
    history_before = HistoryEntry.objects.count()
    response = getattr(client, method)(url)
    allowed = may_get if method == "get" else may_post
    method_exists = allowed is not None and (method == "get" or bool(allowed))
    if persona in UNSEEN:
        # A round they may not see is never revealed: 404, or 405 where the method never applies.
        assert response.status_code == (404 if method_exists else 405)
    elif allowed is None:
        assert response.status_code == 405
    elif persona in allowed:
        assert response.status_code not in (403, 404), response.status_code
    else:
        assert response.status_code in (403, 405), response.status_code
    if persona not in (allowed or set()):
        assert HistoryEntry.objects.count() == history_before
