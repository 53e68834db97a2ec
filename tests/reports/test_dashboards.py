import datetime

import pytest
from django.urls import reverse

from assessments import services
from reports.models import Target
from reports.selectors import round_scores
from standards.models import Standard
from tests.assessments.builders import agree_all, agreeing_round


def _signed(people, *, label, staff_answer="3", partner_answer="2", agreed="3"):
    round = (
        agreeing_round(
            ward=people["ward"],
            manager=people["manager"],
            staff=people["staff"],
            partner=people["partner"],
            overrides_staff={s.code: staff_answer for s in Standard.objects.all()},
            overrides_partner={s.code: partner_answer for s in Standard.objects.all()},
        )
        if label == "first"
        else _next(people, label, staff_answer, partner_answer)
    )
    agree_all(round=round, manager=people["manager"], answer=agreed)
    services.finish_agreeing(round=round, by=people["manager"])
    services.sign_as_manager(round=round, by=people["manager"])
    services.sign_as_leader(round=round, decision="signed", words="", by=people["leader"])
    round.refresh_from_db()
    return round


def _next(people, label, staff_answer, partner_answer):
    from tests.assessments.builders import rate_all

    round = services.open_round(
        ward=people["ward"],
        label=label,
        by=people["manager"],
        scorer_ids=[people["staff"].pk, people["partner"].pk],
    )
    services.start_scoring(round=round, by=people["manager"])
    rate_all(round=round, user=people["staff"], answer=staff_answer)
    rate_all(round=round, user=people["partner"], answer=partner_answer)
    services.submit_ratings(round=round, by=people["staff"])
    services.submit_ratings(round=round, by=people["partner"])
    round.refresh_from_db()
    return round


def test_round_scores_are_means_of_agreed_ratings_and_not_sure_never_counts(people):
    round = _signed(people, label="first")
    scores = round_scores(round=round)
    assert scores.overall.mean == 3.0 and scores.overall.percent == 75
    assert all(m.mean == 3.0 for m in scores.commitments)
    assert scores.overall_gap.gap == pytest.approx(-1.0)


def test_ward_dashboard_shows_scores_gap_trend_and_overdue_actions(client, people):
    round = _signed(people, label="first")
    services.create_action(
        round=_next(people, "2027 Q1", "3", "3"),
        title="Overdue thing",
        owner_id=people["staff"].pk,
        due_date=datetime.date(2020, 1, 1),
        by=people["manager"],
    )
    client.force_login(people["staff"])
    page = client.get(reverse("reports:ward_dashboard", args=[people["ward"].pk])).content.decode()
    assert f'Latest signed round: <a href="/rounds/{round.pk}/summary/">' in page
    assert "Overall agreed score 3.0 out of 4 (75%)" in page
    assert "\u22121.0 (lived experience lower)" in page
    assert "Overdue thing" in page and "Overdue</strong>" in page
    assert 'role="img"' in page


def test_ward_dashboard_answers_404_to_another_trust(client, people, outsider):
    client.force_login(outsider)
    response = client.get(reverse("reports:ward_dashboard", args=[people["ward"].pk]))
    assert response.status_code == 404


def test_trust_dashboard_shows_heatmap_summary_and_spc_for_board_member(client, people):
    _signed(people, label="first", agreed="2")
    _signed(people, label="2027 Q1", agreed="4")
    Target.objects.create(trust=people["ward"].site.trust, commitment_number=0, value=3)
    client.force_login(people["board"])
    page = client.get(
        reverse("reports:trust_dashboard", args=[people["ward"].site.trust.pk])
    ).content.decode()
    assert people["ward"].name in page
    assert "app-heat--4" in page
    # Two points, each from one ward: below the fewest wards a period needs (3), so both are
    # drawn as incomplete and nothing is claimed about variation either way.
    assert "No complete period to judge yet" in page
    assert "2.0 from 1 ward, incomplete" in page
    assert "4.0 from 1 ward, incomplete" in page
    assert "Common cause variation" not in page
    assert "no significant change" not in page.lower()
    assert page.count('id="how-we-read-charts"') == 1
    assert 'href="#how-we-read-charts"' in page
    assert "What needs attention" in page
    assert "(target 3.0)" in page


def test_trust_dashboard_filters_by_service_type(client, people):
    _signed(people, label="first")
    client.force_login(people["qi"])
    url = reverse("reports:trust_dashboard", args=[people["ward"].site.trust.pk])
    page = client.get(url, {"service_type": "picu"}).content.decode()
    assert "No wards match these filters." in page
    page = client.get(url, {"service_type": "acute-adult"}).content.decode()
    assert people["ward"].name in page


def test_trust_dashboard_is_403_for_ward_staff_and_404_for_another_trust(client, people, outsider):
    url = reverse("reports:trust_dashboard", args=[people["ward"].site.trust.pk])
    client.force_login(people["staff"])
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_trust_dashboard_shows_fifty_wards_a_page_with_the_summary_over_all(client, people):
    """A trust of 55 wards: the heatmap shows 50, then 5 on the next page (filters kept); the
    board summary and the leaders' words still cover every ward."""
    from reports.selectors import WARDS_PER_PAGE
    from tests.factories import WardFactory

    _signed(people, label="2026 Q1")
    site = people["ward"].site
    for number in range(54):
        WardFactory(site=site, name=f"Zulu Ward {number:02d}")
    client.force_login(people["board"])
    url = reverse("reports:trust_dashboard", args=[site.trust_id])

    def heatmap_rows(html: str) -> int:
        table = html.split('class="nhsuk-table app-heatmap"')[1].split("</table>")[0]
        return table.count('<th scope="row"')

    first = client.get(url).content.decode()
    assert heatmap_rows(first) == WARDS_PER_PAGE
    assert "Showing wards 1 to 50 of 55" in first
    assert "Page 2 of 2" in first
    assert "Willow Ward" in first.split('id="wards-by-commitment"')[1]

    second = client.get(url, {"page": 2, "site": site.pk}).content.decode()
    assert "Showing wards 51 to 55 of 55" in second
    assert heatmap_rows(second) == 5
    assert f"site={site.pk}" in second.split('rel="prev"')[0].rsplit("href=", 1)[1]
    # Not a number, or past the end: the last page, never an error.
    assert "Showing wards 51 to 55 of 55" in client.get(url, {"page": 99}).content.decode()
    assert client.get(url, {"page": "x"}).status_code == 200
