import datetime

from django.urls import reverse
from django.utils import timezone

from assessments.models import Action
from reports import presenters, selectors
from reports.board_summary import board_summary
from reports.demo_history import build_history
from reports.spc_panels import spc_settings
from standards.demo import DEMO_TRUST
from standards.models import Trust, TrustMembership
from tests.assessments.builders import signed_round


def _summary(trust, user):
    dashboard = selectors.trust_dashboard(user=user, trust_id=trust.pk)
    return presenters.trust_page(dashboard, user=user)


def test_board_summary_counts_reservations_and_overdue_actions_with_links(
    catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader, board_member
):
    round = signed_round(
        ward=ward,
        manager=ward_manager,
        staff=ward_staff,
        partner=le_partner,
        leader=le_leader,
        words="Night staff were not part of the scoring.",
    )
    Action.objects.create(
        origin_round=round,
        ward=ward,
        title="Review blanket restrictions",
        owner=ward_manager,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
        created_by=ward_manager,
    )
    summary = _summary(trust, board_member)["summary"]
    assert summary.reservations == 1
    assert summary.declines == 0
    assert summary.overdue_total == 1
    ward_url = reverse("reports:ward_dashboard", args=[ward.pk])
    assert [(i.name, i.url, i.text) for i in summary.overdue] == [
        ("Willow Ward", ward_url, "1 overdue action")
    ]
    # One staff member and one partner scored: outside the ward their gap would reveal them.
    assert summary.gaps == []
    # One signed round: nothing can be called special cause.
    assert summary.concerns == []


def test_board_summary_with_no_wards_has_nothing_to_report(catalogue, trust, board_member):
    summary = board_summary(trust=trust, wards=[], panels=[], changes={}, spc=spc_settings())
    assert summary.nothing_to_report


def test_trust_dashboard_on_a_long_rising_history_tells_the_truth(catalogue, client):
    build_history(wards=6, rounds=16)
    trust = Trust.objects.get(name=DEMO_TRUST)
    board = TrustMembership.objects.filter(trust=trust, role="board-member").first().user
    context = _summary(trust, board)
    panels = context["panels"]
    assert len(panels) == 13
    labels = [p.variation_label for p in panels]
    # Not every chart says "special cause improvement, high" any more.
    assert labels.count("Special cause improvement, high") < len(panels)
    for panel in panels:
        result = panel.result
        latest = result.latest
        # Each headline matches its data: the claim follows the latest point's variation.
        if latest.variation is None:
            assert "no sign of real change" in panel.headline.text
        elif latest.variation == "improvement":
            assert panel.headline.tone == "improvement"
            assert any(
                word in panel.headline.text for word in ("higher", "improved", "rose", "high")
            )
        else:
            assert panel.headline.tone == "concern"
        if result.recalculate_prompt:
            assert "consider recalculating limits" in panel.headline.detail
            # A sustained shift does not call the old level special cause concern, but a point
            # beyond a process limit is always special cause (issue 19: this test used to
            # expect no concern at all, which hid old points beyond the lower limit).
            assert all(
                p.variation != "concern" or {"trend", "beyond-limit"} & set(p.rules)
                for p in result.points
            )
    # Limits come from a baseline of all 16 points (between 12 and 20).
    assert {p.result.segments[0].baseline_size for p in panels} == {16}
    client.force_login(board)
    page = client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()
    assert "What needs attention" in page
    assert panels[0].headline.text in page
    assert page.count('id="how-we-read-charts"') == 1


def test_trust_dashboard_site_without_signed_rounds_makes_no_claims(catalogue, client):
    # Three wards: a period needs at least 3 to be judged (reports/periods.py).
    build_history(wards=3, rounds=3)
    trust = Trust.objects.get(name=DEMO_TRUST)
    board = TrustMembership.objects.filter(trust=trust, role="board-member").first().user
    empty = trust.sites.exclude(wards__rounds__status="signed").first()
    if empty is None:
        empty = trust.sites.create(name="New Unit")
    client.force_login(board)
    url = reverse("reports:trust_dashboard", args=[trust.pk])
    page = client.get(url, {"site": empty.pk}).content.decode()
    assert "Common cause variation" not in page
    assert "No signed assessments yet" in page
    page = client.get(url).content.decode()
    assert "Too few assessments yet to show a trend (3 of 5 needed)" in page
    assert "no significant change" not in page.lower()
