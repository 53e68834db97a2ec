"""The home page: each person's tasks, their wards with each one's current round, and the
header's count of the same list on every page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Round
from culture_of_care.waiting import waiting_for
from tests.assessments.builders import agree_all, agreeing_round, rate_all, scoring_round
from tests.factories import WardFactory, WardMembershipFactory

pytestmark = pytest.mark.django_db

COUNT = re.compile(r'data-task-count="(\d+)">([^<]*)</a>')


def header_count(html: str) -> tuple[int, str]:
    [(number, words)] = COUNT.findall(html)
    return int(number), words


def test_home_lists_each_task_as_one_link_with_its_detail_and_due_date(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    closes = round.scoring_closes_on
    client.force_login(ward_staff)
    html = client.get(reverse("home")).content.decode()
    assert '<h1 id="your-tasks">Your tasks</h1>' in html
    item = re.search(r'<li class="app-task-list__item".*?</li>', html, re.S).group(0)
    assert item.count("<a ") == 1
    assert f'href="{reverse("assessments:score_start", args=[round.pk])}"' in item
    assert "0 of 76 rated" in item
    assert f"Scoring closes on {closes.day} {closes:%B %Y}" in item
    assert "Overdue" not in item


def test_home_marks_overdue_scoring_with_a_tag(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    Round.objects.filter(pk=round.pk).update(
        scoring_closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(ward_manager)
    html = client.get(reverse("home")).content.decode()
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' in html
    assert f'href="{reverse("assessments:close_scoring", args=[round.pk])}"' in html
    assert "1 of 2 scorers submitted" not in html and "0 of 2 scorers submitted" in html


def test_home_says_when_nothing_is_waiting(client, ward, board_member):
    client.force_login(board_member)
    html = client.get(reverse("home")).content.decode()
    assert "Nothing is waiting for you" in html
    assert header_count(html) == (0, "No tasks")


def test_home_ward_table_shows_each_wards_current_round(
    client, catalogue, trust, ward, ward_manager, ward_staff, le_partner, qi_lead
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    quiet = WardFactory(site__trust=trust, name="Quiet Ward")
    client.force_login(qi_lead)
    html = client.get(reverse("home")).content.decode()
    closes = round.scoring_closes_on
    row = re.search(rf"<tr[^>]*>\s*<td[^>]*><a [^>]*>{ward.name}</a>.*?</tr>", html, re.S).group(0)
    assert f'href="{reverse("assessments:round_detail", args=[round.pk])}">2026 Q4</a>' in row
    assert "Scoring" in row and f"scoring closes {closes:%-d %b %Y}" in row
    quiet_row = re.search(rf"<tr[^>]*>\s*<td[^>]*><a [^>]*>{quiet.name}</a>.*?</tr>", html, re.S)
    assert "None yet" in quiet_row.group(0)
    # Trust roles keep their links.
    assert reverse("reports:trust_dashboard", args=[trust.pk]) in html


def test_home_keeps_the_trust_admin_link(client, trust, trust_admin):
    client.force_login(trust_admin)
    html = client.get(reverse("home")).content.decode()
    assert reverse("trust_admin:home", args=[trust.pk]) in html


def test_header_count_equals_the_list_on_every_page(
    client, catalogue, trust, ward, ward_manager, ward_staff, le_partner
):
    scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    second = WardFactory(site__trust=trust)
    WardMembershipFactory(ward=second, user=ward_manager, role="ward-manager")
    staff = WardMembershipFactory(ward=second, role="ward-staff").user
    partner = WardMembershipFactory(ward=second, role="le-partner").user
    other = agreeing_round(ward=second, manager=ward_manager, staff=staff, partner=partner)
    agree_all(round=other, manager=ward_manager)
    services.finish_agreeing(round=other, by=ward_manager)

    tasks = waiting_for(ward_manager)
    assert len(tasks) == 2
    client.force_login(ward_manager)
    home = client.get(reverse("home")).content.decode()
    assert header_count(home) == (2, "2 tasks")
    assert home.count('class="app-task-list__item"') == 2
    elsewhere = client.get(reverse("standards:index")).content.decode()
    assert header_count(elsewhere) == (2, "2 tasks")
    assert f'href="{reverse("home")}#your-tasks"' in elsewhere


def test_header_says_one_task_in_the_singular(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    client.force_login(le_partner)
    assert header_count(client.get(reverse("home")).content.decode()) == (1, "1 task")


def test_sign_in_page_has_no_task_count(client, db):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert "data-task-count" not in response.content.decode()


@pytest.mark.parametrize("wards", [1, 5])
def test_home_reads_in_a_fixed_number_of_queries(
    client, catalogue, trust, ward_manager, django_assert_max_num_queries, wards
):
    for _ in range(wards):
        extra = WardFactory(site__trust=trust)
        WardMembershipFactory(ward=extra, user=ward_manager, role="ward-manager")
        staff = WardMembershipFactory(ward=extra, role="ward-staff").user
        partner = WardMembershipFactory(ward=extra, role="le-partner").user
        scoring_round(ward=extra, manager=ward_manager, scorers=[staff, partner])
    client.force_login(ward_manager)
    with django_assert_max_num_queries(30):
        html = client.get(reverse("home")).content.decode()
    assert header_count(html)[0] == wards


def closes_on_post(client, round, day, month, year):
    return client.post(
        reverse("assessments:scoring_closes_on", args=[round.pk]),
        {
            "scoring_closes_on-day": day,
            "scoring_closes_on-month": month,
            "scoring_closes_on-year": year,
        },
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("1", "1", "2020"), "The date scoring closes must be today or later"),
        (("xx", "yy", "2027"), "Enter a real date"),
        (("12", "", "2027"), "Date must include a month"),
        (("", "", ""), "Enter the date scoring closes"),
        (("1", "1", "27"), "Year must include 4 numbers"),
    ],
)
def test_closes_on_form_explains_bad_dates_and_keeps_what_was_typed(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, typed, message
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    before = round.scoring_closes_on
    client.force_login(ward_manager)
    response = closes_on_post(client, round, *typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    # One error summary, above the heading.
    assert html.count("nhsuk-error-summary__heading") == 1
    assert html.index("nhsuk-error-summary") < html.index("<h1>When scoring closes</h1>")
    for value in typed:
        if value:
            assert f'value="{value}"' in html
    round.refresh_from_db()
    assert round.scoring_closes_on == before


def test_closes_on_cannot_change_once_agreeing_starts(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    before = round.scoring_closes_on
    later = timezone.localdate() + datetime.timedelta(days=5)
    client.force_login(ward_manager)
    response = closes_on_post(client, round, str(later.day), str(later.month), str(later.year))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Scoring has finished, so its closing date cannot change." in html
    assert html.count("nhsuk-error-summary__heading") == 1
    round.refresh_from_db()
    assert round.scoring_closes_on == before


def test_the_header_count_follows_someone_elses_step_at_once(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    """The count is kept between pages, but never past a step that changes who has work: when
    the manager closes scoring early, the partner's next page no longer counts the rating."""
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    rate_all(round=round, user=ward_staff)
    services.submit_ratings(round=round, by=ward_staff)
    client.force_login(le_partner)
    privacy = reverse("privacy")
    assert header_count(client.get(privacy).content.decode()) == (1, "1 task")
    assert header_count(client.get(privacy).content.decode()) == (1, "1 task")
    services.close_scoring(round=round, by=ward_manager, reason="The ward is closing")
    assert header_count(client.get(privacy).content.decode()) == (0, "No tasks")


def test_a_kept_header_count_costs_one_query(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, django_assert_num_queries
):
    scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    client.force_login(ward_staff)
    client.get(reverse("privacy"))
    # The session, the person with whether they hold a trust role (the second-factor rule),
    # and the state of the work the count was made from.
    with django_assert_num_queries(3):
        html = client.get(reverse("privacy")).content.decode()
    assert header_count(html) == (1, "1 task")


def test_the_header_count_drops_when_a_role_is_taken_away(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    from standards.models import WardMembership

    scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    client.force_login(ward_staff)
    assert header_count(client.get(reverse("privacy")).content.decode()) == (1, "1 task")
    WardMembership.objects.filter(user=ward_staff, ward=ward).delete()
    assert header_count(client.get(reverse("privacy")).content.decode()) == (0, "No tasks")
