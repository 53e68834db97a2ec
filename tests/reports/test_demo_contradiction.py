"""Issue 13's "done when", on the demo: Willow Ward, whose restraint rises while it agrees
"Avoiding harm" highly, is flagged on its dashboard, on the agreeing page of its next round,
on the trust dashboard and in the board pack."""

import html
import io

from django.core.management import call_command
from django.urls import reverse

from assessments import services
from assessments.models import Round, RoundStatus
from reports.pdf import board_pack_data
from standards.models import Trust, User, Ward
from tests.assessments.builders import rate_all

FLAG = '"Avoiding harm" is agreed at'
CONCERN = "while restrictive interventions shows special cause concern in the same months."


def _page(client, username: str, url: str) -> str:
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_demo_flags_willow_ward_everywhere_issue_13_names(client, catalogue):
    call_command("seed_demo", password="demo-pass-123", stdout=io.StringIO())
    trust = Trust.objects.get()
    willow = Ward.objects.get(site__trust=trust, name="Willow Ward")

    ward_page = _page(client, "demo.manager", reverse("reports:ward_dashboard", args=[willow.pk]))
    assert FLAG in ward_page and CONCERN in ward_page

    trust_page = _page(client, "demo.board", reverse("reports:trust_dashboard", args=[trust.pk]))
    assert f"Willow Ward: {FLAG}" in trust_page

    pack = board_pack_data(trust)
    assert any(
        item.name == "Willow Ward" and "Avoiding harm" in item.text
        for item in pack.summary.contradictions
    )

    # Its next round: the scorers hand in their ratings, and the team sees the flag as
    # context on the agreeing page before they agree.
    next_round = Round.objects.get(ward=willow, status=RoundStatus.SCORING)
    for scorer in next_round.scorers.select_related("user"):
        rate_all(round=next_round, user=scorer.user)
        services.submit_ratings(round=next_round, by=scorer.user)
    agreeing = _page(
        client, "demo.manager", reverse("assessments:agree_overview", args=[next_round.pk])
    )
    assert FLAG in agreeing and CONCERN in agreeing
