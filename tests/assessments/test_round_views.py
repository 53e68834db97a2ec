"""Views for a ward's rounds and for moving a round through open, scoring and agreeing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import rules, services
from assessments.models import AgreedRating, Round, RoundStatus
from standards.models import Standard
from tests.assessments.builders import agree_all, agreeing_round, scoring_round
from tests.factories import UserFactory, WardMembershipFactory

pytestmark = pytest.mark.django_db


def open_round(p, scorers=("staff", "partner"), label="2026 Q4"):
    return services.open_round(
        ward=p["ward"], label=label, by=p["manager"], scorer_ids=[p[s].pk for s in scorers]
    )


def in_scoring(p):
    return scoring_round(ward=p["ward"], manager=p["manager"], scorers=[p["staff"], p["partner"]])


def in_agreeing(p):
    return agreeing_round(
        ward=p["ward"], manager=p["manager"], staff=p["staff"], partner=p["partner"]
    )


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def status_of(round):
    round.refresh_from_db()
    return round.status


# ward_detail


def test_ward_detail_lists_rounds_with_links(client, people):
    round = open_round(people)
    html = page(
        client, people["staff"], reverse("assessments:ward_detail", args=[people["ward"].pk])
    )
    assert people["ward"].name in html
    assert people["ward"].site.name in html
    assert "Acute adult" in html
    assert reverse("assessments:round_detail", args=[round.pk]) in html
    assert "2026 Q4" in html
    assert "Open" in html


def test_ward_detail_hides_the_open_button_for_staff(client, people):
    html = page(
        client, people["staff"], reverse("assessments:ward_detail", args=[people["ward"].pk])
    )
    assert "Open a new round" not in html


def test_ward_detail_offers_the_open_button_to_the_manager_and_qi_lead(client, people):
    url = reverse("assessments:ward_detail", args=[people["ward"].pk])
    assert "Open a new round" in page(client, people["manager"], url)
    assert "Open a new round" in page(client, people["qi"], url)


def test_ward_detail_hides_the_open_button_while_a_round_is_unfinished(client, people):
    open_round(people)
    html = page(
        client, people["manager"], reverse("assessments:ward_detail", args=[people["ward"].pk])
    )
    assert "Open a new round" not in html
    assert "is in progress" in html


def test_ward_detail_answers_404_for_another_trusts_ward(client, people, outsider):
    client.force_login(outsider)
    response = client.get(reverse("assessments:ward_detail", args=[people["ward"].pk]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_ward_detail_refuses_post(client, people):
    client.force_login(people["manager"])
    response = client.post(reverse("assessments:ward_detail", args=[people["ward"].pk]))
    assert response.status_code == 405


# round_create


def test_round_create_shows_scorers_with_their_group_and_the_latest_edition(
    client, people, catalogue
):
    people["staff"].first_name, people["staff"].last_name = "Ben", "Carter"
    people["staff"].save()
    people["partner"].first_name, people["partner"].last_name = "Dev", "Patel"
    people["partner"].save()
    url = reverse("assessments:round_create", args=[people["ward"].pk])
    html = page(client, people["manager"], url)
    assert "Ben Carter (staff)" in html
    assert "Dev Patel (lived experience partner)" in html
    assert f'<option value="{catalogue.pk}" selected>' in html


def test_round_create_opens_the_round_and_goes_to_it(client, people, catalogue):
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:round_create", args=[people["ward"].pk]),
        {
            "label": "2026 Q4",
            "edition": catalogue.pk,
            "scorers": [people["staff"].pk, people["partner"].pk],
        },
    )
    round = Round.objects.get(ward=people["ward"])
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:round_detail", args=[round.pk])
    assert round.label == "2026 Q4"
    assert round.status == RoundStatus.OPEN
    assert sorted(round.scorers.values_list("user_id", flat=True)) == sorted(
        [people["staff"].pk, people["partner"].pk]
    )
    html = client.get(response["Location"]).content.decode()
    assert "Round 2026 Q4 is open" in html
    closes = rules.default_scoring_closes_on(timezone.localdate())
    assert (closes - timezone.localdate()).days >= 21
    assert round.scoring_closes_on == closes
    assert f"Scoring closes on {closes.day} {closes:%B %Y}" in html


def test_round_create_refuses_a_closing_date_in_the_past_and_keeps_the_rest(
    client, people, catalogue
):
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:round_create", args=[people["ward"].pk]),
        {
            "label": "2026 Q4",
            "edition": catalogue.pk,
            "scoring_closes_on-day": "1",
            "scoring_closes_on-month": "1",
            "scoring_closes_on-year": "2020",
        },
    )
    html = response.content.decode()
    assert "The date scoring closes must be today or later" in html
    assert 'value="2026 Q4"' in html
    assert not Round.objects.filter(ward=people["ward"]).exists()


def test_the_manager_moves_the_closing_date_and_sees_overdue(client, people, catalogue):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    client.force_login(people["manager"])
    url = reverse("assessments:scoring_closes_on", args=[round.pk])
    bad = client.post(
        url,
        {
            "scoring_closes_on-day": "31",
            "scoring_closes_on-month": "2",
            "scoring_closes_on-year": "2027",
        },
    )
    assert bad.status_code == 400
    later = timezone.localdate() + datetime.timedelta(days=40)
    response = client.post(
        url,
        {
            "scoring_closes_on-day": str(later.day),
            "scoring_closes_on-month": str(later.month),
            "scoring_closes_on-year": str(later.year),
        },
        follow=True,
    )
    round.refresh_from_db()
    assert round.scoring_closes_on == later
    assert f"Scoring now closes on {later.day} {later:%B %Y}" in response.content.decode()
    Round.objects.filter(pk=round.pk).update(
        scoring_closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    detail = reverse("assessments:round_detail", args=[round.pk])
    assert "Overdue" in client.get(detail).content.decode()
    client.force_login(people["staff"])
    assert "Overdue" not in client.get(detail).content.decode()
    assert client.post(url, {}).status_code == 403


def test_round_create_without_a_label_shows_the_error_by_the_field_and_keeps_the_choices(
    client, people, catalogue
):
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:round_create", args=[people["ward"].pk]),
        {"label": "  ", "edition": catalogue.pk, "scorers": [people["partner"].pk]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter the period for this round, for example 2026 Q4" in html
    assert 'href="#id_label"' in html
    assert 'id="id_label-error"' in html
    assert f'value="{people["partner"].pk}" checked' in html
    assert html.count("<title>Error: ") == 1
    assert not Round.objects.exists()


def test_round_create_refuses_a_second_unfinished_round(client, people, catalogue):
    open_round(people)
    client.force_login(people["qi"])
    url = reverse("assessments:round_create", args=[people["ward"].pk])
    assert "A round is already in progress" in client.get(url).content.decode()
    response = client.post(
        reverse("assessments:round_create", args=[people["ward"].pk]),
        {"label": "2027 Q1", "edition": catalogue.pk},
    )
    assert response.status_code == 200
    assert "already has a round in progress" in response.content.decode()
    assert "2027 Q1" in response.content.decode()
    assert Round.objects.count() == 1


def test_round_create_refuses_a_label_already_used(client, people, catalogue):
    round = open_round(people)
    Round.objects.filter(pk=round.pk).update(status=RoundStatus.SIGNED)
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:round_create", args=[people["ward"].pk]),
        {"label": "2026 q4", "edition": catalogue.pk},
    )
    assert "This ward already has a round called 2026 q4" in response.content.decode()
    assert 'href="#id_label"' in response.content.decode()


def test_round_create_refuses_an_unknown_scorer(client, people, catalogue):
    stranger = UserFactory()
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:round_create", args=[people["ward"].pk]),
        {"label": "2026 Q4", "edition": catalogue.pk, "scorers": [stranger.pk]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Round.objects.exists()


@pytest.mark.parametrize("who", ["staff", "partner", "board", "leader"])
def test_round_create_is_forbidden_for_people_who_cannot_run_a_round(
    client, people, who, catalogue
):
    client.force_login(people[who])
    url = reverse("assessments:round_create", args=[people["ward"].pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"label": "2026 Q4", "edition": catalogue.pk})
    assert response.status_code == 403
    assert "You do not have permission to do this" in response.content.decode()
    assert not Round.objects.exists()


def test_round_create_answers_404_for_another_trusts_ward(client, people, outsider, catalogue):
    client.force_login(outsider)
    url = reverse("assessments:round_create", args=[people["ward"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"label": "2026 Q4", "edition": catalogue.pk}).status_code == 404
    assert not Round.objects.exists()


# round_detail


def test_round_detail_marks_the_current_step_and_explains_what_happens_next(client, people):
    round = open_round(people)
    html = page(client, people["staff"], reverse("assessments:round_detail", args=[round.pk]))
    assert "What happens next" in html
    assert "scoring has not started" in html
    assert html.count("Current step") == 1
    assert 'aria-current="step"' in html
    assert "Start scoring" not in html
    assert reverse("assessments:round_scorers", args=[round.pk]) not in html


def test_round_detail_offers_the_manager_scorers_and_start_scoring_while_open(client, people):
    round = open_round(people)
    html = page(client, people["manager"], reverse("assessments:round_detail", args=[round.pk]))
    assert "Start scoring" in html
    assert reverse("assessments:round_scorers", args=[round.pk]) in html
    assert reverse("assessments:history", args=[round.pk]) in html


def test_round_detail_shows_own_progress_but_never_others_ratings(client, people):
    round = in_scoring(people)
    for standard in Standard.objects.filter(edition=round.edition)[:2]:
        services.save_rating(round=round, standard=standard, answer="1", by=people["staff"])
    url = reverse("assessments:round_detail", args=[round.pk])

    staff_html = page(client, people["staff"], url)
    assert "Your progress: 2 of 76 rated" in staff_html
    assert reverse("assessments:score_start", args=[round.pk]) in staff_html
    assert "Not submitted yet" in staff_html

    partner_html = page(client, people["partner"], url)
    assert "Your progress: 0 of 76 rated" in partner_html
    assert "2 of 76" not in partner_html

    manager_html = page(client, people["manager"], url)
    assert "Your progress" not in manager_html
    assert reverse("assessments:score_start", args=[round.pk]) not in manager_html
    assert reverse("assessments:close_scoring", args=[round.pk]) in manager_html
    assert people["staff"].display_name in manager_html
    assert "Lived experience" in manager_html


def test_round_detail_hides_history_from_staff(client, people):
    round = open_round(people)
    html = page(client, people["staff"], reverse("assessments:round_detail", args=[round.pk]))
    assert reverse("assessments:history", args=[round.pk]) not in html


def test_round_detail_answers_404_for_another_trust(client, people, outsider):
    round = open_round(people)
    client.force_login(outsider)
    assert client.get(reverse("assessments:round_detail", args=[round.pk])).status_code == 404


# round_scorers


def test_round_scorers_shows_current_scorers_ticked(client, people):
    round = open_round(people, scorers=("staff",))
    html = page(client, people["manager"], reverse("assessments:round_scorers", args=[round.pk]))
    assert f'value="{people["staff"].pk}" checked' in html
    assert f'value="{people["partner"].pk}" checked' not in html


def test_round_scorers_saves_the_choice(client, people):
    round = open_round(people, scorers=("staff",))
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:round_scorers", args=[round.pk]),
        {"scorers": [people["partner"].pk, people["manager"].pk]},
    )
    assert response.status_code == 302
    assert sorted(round.scorers.values_list("user_id", flat=True)) == sorted(
        [people["partner"].pk, people["manager"].pk]
    )


def test_round_scorers_refused_once_scoring_has_started(client, people):
    round = in_scoring(people)
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:round_scorers", args=[round.pk]), {"scorers": [people["staff"].pk]}
    )
    assert response.status_code == 200
    assert "You can only change the scorers while the round is open" in response.content.decode()
    assert round.scorers.count() == 2


@pytest.mark.parametrize("who", ["staff", "partner", "board"])
def test_round_scorers_is_forbidden_for_others(client, people, who):
    round = open_round(people)
    client.force_login(people[who])
    url = reverse("assessments:round_scorers", args=[round.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"scorers": [people[who].pk]}).status_code == 403


# start_scoring


def test_start_scoring_is_refused_without_both_groups(client, people):
    round = open_round(people, scorers=("staff",))
    client.force_login(people["manager"])
    response = client.post(reverse("assessments:start_scoring", args=[round.pk]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("assessments:round_detail", args=[round.pk])
    assert "Choose at least one staff member and one lived experience partner" in html
    assert status_of(round) == RoundStatus.OPEN


def test_start_scoring_moves_the_round_to_scoring(client, people):
    round = open_round(people)
    client.force_login(people["qi"])
    response = client.post(reverse("assessments:start_scoring", args=[round.pk]), follow=True)
    assert "Scoring has started" in response.content.decode()
    assert status_of(round) == RoundStatus.SCORING


def test_start_scoring_needs_post(client, people):
    round = open_round(people)
    client.force_login(people["manager"])
    assert client.get(reverse("assessments:start_scoring", args=[round.pk])).status_code == 405


@pytest.mark.parametrize("who", ["staff", "partner", "leader"])
def test_start_scoring_is_forbidden_for_others(client, people, who):
    round = open_round(people)
    client.force_login(people[who])
    assert client.post(reverse("assessments:start_scoring", args=[round.pk])).status_code == 403
    assert status_of(round) == RoundStatus.OPEN


def test_start_scoring_answers_404_for_another_trust(client, people, outsider):
    round = open_round(people)
    client.force_login(outsider)
    assert client.post(reverse("assessments:start_scoring", args=[round.pk])).status_code == 404


# close_scoring


def _one_submitted(p):
    round = in_scoring(p)
    for standard in Standard.objects.filter(edition=round.edition):
        services.save_rating(round=round, standard=standard, answer="2", by=p["staff"])
    services.submit_ratings(round=round, by=p["staff"])
    return round


def test_close_scoring_lists_who_has_not_submitted(client, people):
    round = _one_submitted(people)
    html = page(client, people["manager"], reverse("assessments:close_scoring", args=[round.pk]))
    assert "1 scorer has not submitted yet" in html
    assert people["partner"].display_name in html


def test_close_scoring_needs_a_reason(client, people):
    round = _one_submitted(people)
    client.force_login(people["manager"])
    response = client.post(reverse("assessments:close_scoring", args=[round.pk]), {"reason": " "})
    assert response.status_code == 200
    assert "Enter why scoring is being closed before everyone has submitted" in (
        response.content.decode()
    )
    assert status_of(round) == RoundStatus.SCORING


def test_close_scoring_with_a_reason_moves_to_agreeing_and_shows_the_reason(client, people):
    round = _one_submitted(people)
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:close_scoring", args=[round.pk]),
        {"reason": "Our partner is on leave & cannot finish"},
        follow=True,
    )
    html = response.content.decode()
    assert status_of(round) == RoundStatus.AGREEING
    assert "Scoring is closed" in html
    assert "Our partner is on leave &amp; cannot finish" in html


def test_close_scoring_shows_the_service_refusal_when_nobody_submitted(client, people):
    round = in_scoring(people)
    client.force_login(people["manager"])
    response = client.post(reverse("assessments:close_scoring", args=[round.pk]), {"reason": "x"})
    assert "Nobody has submitted their ratings yet" in response.content.decode()
    assert status_of(round) == RoundStatus.SCORING


@pytest.mark.parametrize("who", ["staff", "partner", "board"])
def test_close_scoring_is_forbidden_for_others(client, people, who):
    round = _one_submitted(people)
    client.force_login(people[who])
    url = reverse("assessments:close_scoring", args=[round.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Because"}).status_code == 403
    assert status_of(round) == RoundStatus.SCORING


# finish_agreeing


def test_finish_agreeing_too_early_is_an_error_summary_linking_to_what_is_left(client, people):
    round = in_agreeing(people)
    agree_all(round=round, manager=people["manager"])
    # Two standards left: one never agreed, one agreed outside both groups without a reason.
    AgreedRating.objects.filter(round=round, standard__code="1.1").delete()
    standard = Standard.objects.get(edition=round.edition, code="3.2")
    agreed = AgreedRating.objects.get(round=round, standard=standard)
    AgreedRating.objects.filter(pk=agreed.pk).update(level=0, rationale="")
    client.force_login(people["manager"])
    response = client.post(reverse("assessments:finish_agreeing", args=[round.pk]))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html
    summary = html.split('class="nhsuk-error-summary"')[1].split("</div>\n</div>")[0]
    assert "Agreeing cannot finish yet" in summary
    one = Standard.objects.get(edition=round.edition, code="1.1")
    commitment_1 = reverse("assessments:agree_commitment", args=[round.pk, 1])
    assert f'href="{commitment_1}#standard-{one.pk}"' in summary
    assert "Record an agreed rating for 1.1" in summary
    assert "Record why the group agreed the rating for 3.2" in summary
    assert summary.count("<li>") == 2
    assert status_of(round) == RoundStatus.AGREEING


def test_finish_agreeing_is_offered_only_when_everything_is_agreed(client, people):
    round = in_agreeing(people)
    url = reverse("assessments:agree_overview", args=[round.pk])
    assert "Finish agreeing</button>" not in page(client, people["manager"], url)
    agree_all(round=round, manager=people["manager"])
    assert "Finish agreeing</button>" in page(client, people["manager"], url)


def test_finish_agreeing_moves_to_awaiting_signoff(client, people):
    round = in_agreeing(people)
    agree_all(round=round, manager=people["manager"])
    client.force_login(people["manager"])
    response = client.post(reverse("assessments:finish_agreeing", args=[round.pk]), follow=True)
    html = response.content.decode()
    assert status_of(round) == RoundStatus.AWAITING_SIGNOFF
    assert "ready to sign" in html
    assert reverse("assessments:sign", args=[round.pk]) in html
    assert reverse("assessments:return_to_agreeing", args=[round.pk]) in html


@pytest.mark.parametrize("who", ["staff", "partner", "qi"])
def test_finish_agreeing_is_forbidden_for_others(client, people, who):
    round = in_agreeing(people)
    agree_all(round=round, manager=people["manager"])
    client.force_login(people[who])
    assert client.post(reverse("assessments:finish_agreeing", args=[round.pk])).status_code == 403
    assert status_of(round) == RoundStatus.AGREEING


def test_round_detail_leads_to_agreeing_without_offering_to_finish_early(client, people):
    round = in_agreeing(people)
    url = reverse("assessments:round_detail", args=[round.pk])
    assert "Agree the ratings" in page(client, people["manager"], url)
    assert "Finish agreeing</button>" not in page(client, people["manager"], url)
    partner_html = page(client, people["partner"], url)
    assert "Finish agreeing</button>" not in partner_html
    assert reverse("assessments:agree_overview", args=[round.pk]) in partner_html


# return_to_agreeing


def _awaiting(p):
    round = in_agreeing(p)
    agree_all(round=round, manager=p["manager"])
    return services.finish_agreeing(round=round, by=p["manager"])


def test_return_to_agreeing_needs_a_reason(client, people):
    round = _awaiting(people)
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:return_to_agreeing", args=[round.pk]), {"reason": ""}
    )
    assert "Enter why the agreed ratings need to change" in response.content.decode()
    assert status_of(round) == RoundStatus.AWAITING_SIGNOFF


def test_return_to_agreeing_voids_signatures_and_moves_back(client, people):
    round = _awaiting(people)
    services.sign_as_manager(round=round, by=people["manager"])
    client.force_login(people["manager"])
    response = client.post(
        reverse("assessments:return_to_agreeing", args=[round.pk]), {"reason": "2.3 was wrong"}
    )
    assert response.status_code == 302
    assert status_of(round) == RoundStatus.AGREEING
    assert not round.signatures.filter(voided_at__isnull=True).exists()


@pytest.mark.parametrize("who", ["staff", "leader", "qi"])
def test_return_to_agreeing_is_forbidden_for_others(client, people, who):
    round = _awaiting(people)
    client.force_login(people[who])
    url = reverse("assessments:return_to_agreeing", args=[round.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Because"}).status_code == 403


def test_round_views_answer_404_for_another_trust_on_every_step(client, people, outsider):
    round = open_round(people)
    client.force_login(outsider)
    for name in ("round_scorers", "close_scoring", "finish_agreeing", "return_to_agreeing"):
        assert client.post(reverse(f"assessments:{name}", args=[round.pk])).status_code == 404


def test_a_ward_member_of_another_ward_in_the_trust_cannot_see_the_round(client, people, ward):
    from tests.factories import WardFactory

    other_ward = WardFactory(site=ward.site)
    neighbour = UserFactory()
    WardMembershipFactory(user=neighbour, ward=other_ward, role="ward-manager")
    round = open_round(people)
    client.force_login(neighbour)
    assert client.get(reverse("assessments:round_detail", args=[round.pk])).status_code == 404
    assert client.get(reverse("assessments:ward_detail", args=[ward.pk])).status_code == 404
