"""Independent scoring pages: a commitment a page, autosave, resume, and submit."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import selectors, services
from assessments.models import HistoryEntry, Rating, RoundStatus, Scorer
from standards.models import Standard

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}


def scoring_round(*, ward, manager, scorers):
    round = services.open_round(
        ward=ward, label="2026 Q4", by=manager, scorer_ids=[u.pk for u in scorers]
    )
    return services.start_scoring(round=round, by=manager)


def standards_of(round, number=None):
    standards = list(selectors.round_standards(round=round))
    if number is None:
        return standards
    return [s for s in standards if s.commitment.number == number]


def rate(round, user, standards, answer="3"):
    for standard in standards:
        services.save_rating(round=round, standard=standard, answer=answer, by=user)


def page_url(round, number=1):
    return reverse("assessments:score_commitment", args=[round.pk, number])


def start_url(round):
    return reverse("assessments:score_start", args=[round.pk])


def submit_url(round):
    return reverse("assessments:score_submit", args=[round.pk])


def detail_url(round):
    return reverse("assessments:round_detail", args=[round.pk])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner):
    return scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])


@pytest.fixture
def staff_client(client, ward_staff):
    client.force_login(ward_staff)
    return client


# Showing a page


def test_score_commitment_shows_standards_levels_and_progress(staff_client, round, ward_staff):
    rate(round, ward_staff, standards_of(round)[:31])

    response = staff_client.get(page_url(round, 1))

    assert response.status_code == 200
    content = response.content.decode()
    assert "31 of 76 rated" in content
    first = standards_of(round, 1)[0]
    assert f'name="answer-{first.pk}"' in content
    assert f'name="comment-{first.pk}"' in content
    assert f'id="standard-{first.pk}"' in content
    assert "nhsuk-radios__input" in content and "nhsuk-fieldset__legend" in content
    assert first.code in content and "Embedded" in content and "Not sure" in content
    assert "This is how the ward always works" in content  # level description as the item hint
    # The note about the standards' wording is on the standards pages, not every scoring page.
    assert "Read the official Culture of care standards" not in content
    assert "js/autosave.js" in content


def test_score_commitment_shows_pillars_of_a_standard(staff_client, round):
    with_pillars = next(s for s in standards_of(round) if s.pillars.all())

    response = staff_client.get(page_url(round, with_pillars.commitment.number))

    assert "Pillars:" in response.content.decode()
    assert with_pillars.pillars.all()[0].title in response.content.decode()


def test_score_commitment_lists_every_commitment_with_its_completion(
    staff_client, round, ward_staff
):
    rate(round, ward_staff, standards_of(round, 2))
    total_2 = len(standards_of(round, 2))

    response = staff_client.get(page_url(round, 1))

    content = response.content.decode()
    assert len(response.context["progress"].commitments) == 12
    assert f"{total_2} of {total_2} rated" in content
    assert 'aria-current="page"' in content
    assert page_url(round, 12) in content


def test_score_commitment_shows_the_scorers_own_answers_only(client, round, ward_staff, le_partner):
    first = standards_of(round, 1)[0]
    services.save_rating(
        round=round, standard=first, answer="1", comment="Staff view only", by=ward_staff
    )
    client.force_login(le_partner)

    response = client.get(page_url(round, 1))

    assert response.status_code == 200
    assert "Staff view only" not in response.content.decode()
    assert "0 of 76 rated" in response.content.decode()


def test_score_commitment_shows_saved_answer_and_comment(staff_client, round, ward_staff):
    first = standards_of(round, 1)[0]
    services.save_rating(
        round=round, standard=first, answer="not-sure", comment="Ask the team", by=ward_staff
    )

    response = staff_client.get(page_url(round, 1))

    form = response.context["form"]
    assert form[f"answer-{first.pk}"].value() == "not-sure"
    assert "Ask the team" in response.content.decode()


def test_score_commitment_unknown_commitment_is_404(staff_client, round):
    assert staff_client.get(page_url(round, 13)).status_code == 404


def test_score_commitment_page_query_count_is_bounded(
    staff_client, round, ward_staff, django_assert_max_num_queries
):
    rate(round, ward_staff, standards_of(round))
    with django_assert_max_num_queries(20):
        staff_client.get(page_url(round, 3))


# Resuming


def test_score_start_goes_to_first_commitment_when_nothing_is_rated(staff_client, round):
    response = staff_client.get(start_url(round))

    assert response.status_code == 302
    assert response.url == page_url(round, 1)


def test_score_start_resumes_at_first_commitment_with_an_unanswered_standard(
    staff_client, round, ward_staff
):
    rate(round, ward_staff, standards_of(round, 1) + standards_of(round, 2))
    rate(round, ward_staff, standards_of(round, 3)[:1])

    response = staff_client.get(start_url(round))

    assert response.url == page_url(round, 3)


def test_score_start_goes_to_submit_when_everything_is_rated(staff_client, round, ward_staff):
    rate(round, ward_staff, standards_of(round))

    response = staff_client.get(start_url(round))

    assert response.url == submit_url(round)


def test_score_start_refuses_post(staff_client, round):
    assert staff_client.post(start_url(round)).status_code == 405


# Saving a page without JavaScript


def test_score_commitment_post_saves_answers_and_comment_then_continues(
    staff_client, round, ward_staff
):
    first, second, *_ = standards_of(round, 1)

    response = staff_client.post(
        page_url(round, 1),
        {
            f"answer-{first.pk}": "2",
            f"comment-{first.pk}": "Peer workers join handovers",
            f"answer-{second.pk}": "not-sure",
        },
    )

    assert response.status_code == 302
    assert response.url == page_url(round, 2)
    saved = {r.standard_id: r for r in Rating.objects.filter(scorer__user=ward_staff)}
    assert saved[first.pk].level == 2
    assert saved[first.pk].comment == "Peer workers join handovers"
    assert saved[second.pk].level is None
    assert len(saved) == 2  # Unanswered standards are left for later, not errors.
    total = len([s for s in standards_of(round) if s.commitment.number == 1])
    assert f"Commitment 1: 2 of {total} standards rated. Your answers are saved." in messages_of(
        response
    )


def test_score_commitment_post_with_nothing_answered_moves_on(staff_client, round):
    response = staff_client.post(page_url(round, 4), {"csrfmiddlewaretoken": "x"})

    assert response.status_code == 302
    assert response.url == page_url(round, 5)
    # Nothing answered: nothing claims a save.
    assert messages_of(response) == ["You have not rated any standard in commitment 4 yet."]


def test_score_commitment_buttons_say_where_they_go(staff_client, round):
    page = staff_client.get(page_url(round, 4)).content.decode()
    three, five = (Standard.objects.get(edition=round.edition, code=f"{n}.1") for n in (3, 5))
    assert f"Save and go to 5. {five.commitment.title}</button>" in page
    assert f"Save and go back to 3. {three.commitment.title}</button>" in page
    last = staff_client.get(page_url(round, 12)).content.decode()
    assert "Save and check your answers</button>" in last


def test_score_commitment_save_and_go_back_goes_to_previous(staff_client, round):
    response = staff_client.post(page_url(round, 4), {"go": "previous"})

    assert response.url == page_url(round, 3)


def test_score_commitment_last_page_continues_to_submit(staff_client, round):
    response = staff_client.post(page_url(round, 12), {})

    assert response.url == submit_url(round)


def test_score_commitment_invalid_answer_shows_error_and_keeps_typing(
    staff_client, round, ward_staff
):
    first, second, *_ = standards_of(round, 1)

    response = staff_client.post(
        page_url(round, 1),
        {
            f"answer-{first.pk}": "7",
            f"comment-{first.pk}": "Words I typed",
            f"answer-{second.pk}": "4",
            f"comment-{second.pk}": "Kept too",
        },
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "nhsuk-error-summary" in content
    assert f"Select a rating for {first.code}" in content
    assert f'href="#answer-{first.pk}"' in content
    assert "Words I typed" in content
    assert response.context["form"][f"answer-{second.pk}"].value() == "4"
    # The valid answer on the page is saved; the bad one is not.
    levels = dict(
        Rating.objects.filter(scorer__user=ward_staff).values_list("standard_id", "level")
    )
    assert levels == {second.pk: 4}
    assert "1 of 76 rated" in content


def test_score_commitment_comment_without_rating_is_kept_with_an_error(
    staff_client, round, ward_staff
):
    first = standards_of(round, 1)[0]

    response = staff_client.post(page_url(round, 1), {f"comment-{first.pk}": "Not lost"})

    assert response.status_code == 400
    content = response.content.decode()
    assert f"Select a rating for {first.code}, or Not sure, to save your comment" in content
    assert "Not lost" in content
    assert not Rating.objects.filter(scorer__user=ward_staff).exists()


# Autosave with JavaScript


def test_score_commitment_autosave_saves_one_rating_and_returns_counts(
    staff_client, round, ward_staff
):
    rate(round, ward_staff, standards_of(round, 5))
    first, second, *_ = standards_of(round, 1)

    response = staff_client.post(
        page_url(round, 1),
        {
            "standard": first.pk,
            f"answer-{first.pk}": "3",
            f"comment-{first.pk}": "Saved as I type",
            # Another standard's fields are ignored: autosave saves just the one sent.
            f"answer-{second.pk}": "1",
        },
        **FETCH,
    )

    assert response.status_code == 200
    rated = len(standards_of(round, 5)) + 1
    assert response.json() == {
        "saved": True,
        "version": 1,
        "rated": rated,
        "total": 76,
        "commitment_rated": 1,
        "commitment_total": len(standards_of(round, 1)),
    }
    rating = Rating.objects.get(scorer__user=ward_staff, standard=first)
    assert (rating.level, rating.comment) == (3, "Saved as I type")
    assert not Rating.objects.filter(scorer__user=ward_staff, standard=second).exists()


def test_score_commitment_autosave_with_accept_json_header(staff_client, round):
    first = standards_of(round, 1)[0]

    response = staff_client.post(
        page_url(round, 1),
        {"standard": first.pk, f"answer-{first.pk}": "not-sure"},
        HTTP_ACCEPT="application/json",
    )

    assert response.json()["saved"] is True


def test_score_commitment_autosave_invalid_answer_is_an_error(staff_client, round, ward_staff):
    first = standards_of(round, 1)[0]

    response = staff_client.post(
        page_url(round, 1),
        {"standard": first.pk, f"answer-{first.pk}": "5", f"comment-{first.pk}": "x"},
        **FETCH,
    )

    assert response.status_code == 400
    assert response.json() == {"error": f"Select a rating for {first.code}"}
    assert not Rating.objects.filter(scorer__user=ward_staff).exists()


def test_score_commitment_autosave_without_answer_is_an_error(staff_client, round):
    first = standards_of(round, 1)[0]

    response = staff_client.post(
        page_url(round, 1), {"standard": first.pk, f"comment-{first.pk}": "x"}, **FETCH
    )

    assert response.status_code == 400
    assert response.json() == {"error": f"Select a rating for {first.code}"}


def test_score_commitment_autosave_of_a_standard_on_another_page_is_refused(
    staff_client, round, ward_staff
):
    elsewhere = standards_of(round, 2)[0]

    response = staff_client.post(
        page_url(round, 1),
        {"standard": elsewhere.pk, f"answer-{elsewhere.pk}": "2"},
        **FETCH,
    )

    assert response.status_code == 400
    assert "error" in response.json()
    assert not Rating.objects.filter(scorer__user=ward_staff).exists()


def test_score_commitment_autosave_when_signed_out_redirects_to_sign_in(client, round):
    first = standards_of(round, 1)[0]

    response = client.post(
        page_url(round, 1), {"standard": first.pk, f"answer-{first.pk}": "2"}, **FETCH
    )

    # The script spots the redirect and asks the person to sign in again in a new tab.
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# Submitting


def test_score_submit_lists_every_unanswered_standard(staff_client, round, ward_staff):
    standards = standards_of(round)
    rate(round, ward_staff, standards[:-2])

    response = staff_client.get(submit_url(round))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Rate every standard before you submit" in content
    for standard in standards[-2:]:
        link = f"{page_url(round, standard.commitment.number)}#standard-{standard.pk}"
        assert link in content
    assert "Submit your ratings" not in content


def test_score_submit_is_refused_while_standards_are_missing(staff_client, round, ward_staff):
    rate(round, ward_staff, standards_of(round)[:10])

    response = staff_client.post(submit_url(round), {})

    assert response.status_code == 400
    content = response.content.decode()
    assert "nhsuk-error-summary" in content
    assert "Rate every standard before you submit: 66 still to rate" in content
    assert Scorer.objects.get(round=round, user=ward_staff).submitted_at is None


def test_score_submit_works_when_every_standard_is_rated(staff_client, round, ward_staff):
    for standard in standards_of(round):
        services.save_rating(round=round, standard=standard, answer="2", by=ward_staff)

    page = staff_client.get(submit_url(round))
    response = staff_client.post(submit_url(round), {})

    assert "Submit your ratings" in page.content.decode()
    assert "cannot change your ratings" in page.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("assessments:score_submitted", args=[round.pk])
    assert Scorer.objects.get(round=round, user=ward_staff).submitted_at is not None
    confirmation = staff_client.get(response.url).content.decode()
    assert "Your ratings are submitted" in confirmation
    assert "What happens next" in confirmation
    assert "1 other person has still to submit." in confirmation


def test_check_your_answers_lists_every_answer_with_a_change_link(staff_client, round, ward_staff):
    standards = standards_of(round)
    for standard in standards[:3]:
        services.save_rating(
            round=round,
            standard=standard,
            answer="2",
            comment=f"About {standard.code}",
            by=ward_staff,
        )
    page = staff_client.get(submit_url(round)).content.decode()
    first = standards[0]
    change = page_url(round, first.commitment.number) + f"#standard-{first.pk}"
    assert f'href="{change}"' in page
    assert f"About {first.code}" in page
    assert page.count("2 Developing") == 3
    assert page.count("Not rated yet</strong>") == len(standards) - 3
    assert "Submit your ratings</button>" not in page


# Who may use the pages


def all_urls(round):
    return [start_url(round), page_url(round, 1), submit_url(round)]


@pytest.mark.parametrize("persona", ["ward_manager", "board_member", "qi_lead", "le_leader"])
def test_scoring_views_refuse_people_who_are_not_scorers(client, round, persona, request):
    client.force_login(request.getfixturevalue(persona))
    first = standards_of(round, 1)[0]

    for url in all_urls(round):
        assert client.get(url).status_code == 403
    assert client.post(page_url(round, 1), {f"answer-{first.pk}": "2"}).status_code == 403
    assert client.post(submit_url(round), {}).status_code == 403
    assert not Rating.objects.exists()


def test_scoring_views_are_404_for_another_trusts_round(client, round, outsider):
    client.force_login(outsider)
    first = standards_of(round, 1)[0]

    for url in all_urls(round):
        assert client.get(url).status_code == 404
    assert client.post(page_url(round, 1), {f"answer-{first.pk}": "2"}).status_code == 404
    assert client.post(page_url(round, 1), {"standard": first.pk}, **FETCH).status_code == 404
    assert client.post(submit_url(round), {}).status_code == 404


# When scoring is not possible


def test_scoring_views_refuse_a_scorer_who_has_submitted(staff_client, round, ward_staff):
    rate(round, ward_staff, standards_of(round), answer="1")
    services.submit_ratings(round=round, by=ward_staff)
    first = standards_of(round, 1)[0]

    for url in all_urls(round):
        response = staff_client.get(url)
        assert response.status_code == 302 and response.url == detail_url(round)
    posted = staff_client.post(page_url(round, 1), {f"answer-{first.pk}": "4"})
    fetched = staff_client.post(
        page_url(round, 1), {"standard": first.pk, f"answer-{first.pk}": "4"}, **FETCH
    )

    assert posted.url == detail_url(round)
    assert "You have submitted your ratings, so you cannot change them." in messages_of(posted)
    assert fetched.status_code == 400
    assert "submitted" in fetched.json()["error"]
    assert Rating.objects.get(scorer__user=ward_staff, standard=first).level == 1


def test_scoring_views_refuse_before_scoring_starts(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = services.open_round(
        ward=ward, label="2027 Q1", by=ward_manager, scorer_ids=[ward_staff.pk, le_partner.pk]
    )
    client.force_login(ward_staff)

    response = client.get(page_url(round, 1))

    assert response.url == detail_url(round)
    assert "Scoring has not started yet" in messages_of(response)[0]


def test_scoring_views_refuse_after_scoring_is_closed(
    client, round, ward_manager, ward_staff, le_partner
):
    rate(round, ward_staff, standards_of(round))
    services.submit_ratings(round=round, by=ward_staff)
    services.close_scoring(round=round, by=ward_manager, reason="Partner away")
    round.refresh_from_db()
    assert round.status == RoundStatus.AGREEING
    client.force_login(le_partner)
    first = standards_of(round, 1)[0]

    page = client.get(page_url(round, 1))
    fetched = client.post(
        page_url(round, 1), {"standard": first.pk, f"answer-{first.pk}": "2"}, **FETCH
    )
    submitted = client.post(submit_url(round), {})

    assert page.url == detail_url(round)
    assert "Scoring has finished" in messages_of(page)[0]
    assert fetched.status_code == 400 and "Scoring has finished" in fetched.json()["error"]
    assert submitted.url == detail_url(round)
    assert not Rating.objects.filter(scorer__user=le_partner).exists()


# The same scorer in two tabs (or on two devices): nothing is silently overwritten


def autosave(client, round, standard, answer, version, comment=""):
    return client.post(
        page_url(round, standard.commitment.number),
        {
            "standard": standard.pk,
            f"answer-{standard.pk}": answer,
            f"comment-{standard.pk}": comment,
            f"version-{standard.pk}": version,
        },
        **FETCH,
    )


def test_the_page_carries_the_version_of_each_answer_it_shows(staff_client, round, ward_staff):
    first, second, *_ = standards_of(round, 1)
    rate(round, ward_staff, [first])

    page = staff_client.get(page_url(round, 1)).content.decode()

    assert f'name="version-{first.pk}" value="1"' in page
    assert f'name="version-{second.pk}" value="0"' in page


def test_a_second_tab_cannot_overwrite_an_answer_saved_in_the_first(
    staff_client, round, ward_staff
):
    first = standards_of(round, 1)[0]
    # Both tabs opened the page before anything was saved (version 0).
    tab_one = autosave(staff_client, round, first, "3", version=0)
    assert tab_one.json()["saved"] is True and tab_one.json()["version"] == 1

    tab_two = autosave(staff_client, round, first, "1", version=0)

    assert tab_two.status_code == 409
    assert tab_two.json()["conflict"] is True
    assert "changed in another tab or window" in tab_two.json()["error"]
    assert "it now says 3 Established" in tab_two.json()["error"]
    rating = Rating.objects.get(scorer__user=ward_staff, standard=first)
    assert (rating.level, rating.version) == (3, 1)

    # Choosing again in the second tab, having seen the first tab's answer, replaces it.
    again = autosave(staff_client, round, first, "1", version=1)
    assert again.json()["saved"] is True and again.json()["version"] == 2
    rating.refresh_from_db()
    assert (rating.level, rating.version) == (1, 2)


def test_one_tab_saving_again_and_again_is_never_a_conflict(staff_client, round):
    first = standards_of(round, 1)[0]
    version = 0
    for answer in ["1", "2", "3", "not-sure", "4"]:
        response = autosave(staff_client, round, first, answer, version=version)
        assert response.json()["saved"] is True, response.json()
        version = response.json()["version"]
    assert version == 5


def test_saving_what_the_other_tab_already_saved_is_not_a_conflict(staff_client, round):
    first = standards_of(round, 1)[0]
    autosave(staff_client, round, first, "3", version=0, comment="Same words")

    same = autosave(staff_client, round, first, "3", version=0, comment="Same words")

    assert same.status_code == 200 and same.json()["saved"] is True


def test_a_page_saved_without_javascript_keeps_both_answers_and_says_which_changed(
    staff_client, round, ward_staff
):
    first, second, *_ = standards_of(round, 1)
    autosave(staff_client, round, first, "3", version=0)  # the other tab

    response = staff_client.post(
        page_url(round, 1),
        {
            f"answer-{first.pk}": "1",
            f"version-{first.pk}": "0",
            f"answer-{second.pk}": "2",
            f"version-{second.pk}": "0",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "changed in another tab or window" in page
    assert f'href="#answer-{first.pk}"' in page  # the error summary links to it
    ratings = dict(
        Rating.objects.filter(scorer__user=ward_staff).values_list("standard_id", "level")
    )
    assert ratings == {first.pk: 3, second.pk: 2}  # the other standard was saved


def statements(queries) -> list[str]:
    """The SQL that reads or writes: a transaction's BEGIN, COMMIT and savepoints aside."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [q["sql"] for q in queries if not q["sql"].upper().startswith(control)]


@pytest.mark.django_db(transaction=True)
def test_an_autosave_takes_at_most_eight_queries(staff_client, round, ward_staff):
    """As in production (no test transaction around it): the session; the person, with
    whether they hold a trust role (the second-factor rule); the round with the scorer's
    invitation; the standard; under the round's lock, the round, then the scorer with their
    answer, their counts and the round's latest history entry in one; the answer; its history
    entry. Issue 12's bar is 8, for a first answer, a change folded into its history entry, and
    a change made after the folding window."""
    first = standards_of(round, 1)[0]
    url = page_url(round, 1)
    staff_client.get(url)

    def save(answer: str, version: int) -> dict:
        data = {"standard": first.pk, f"answer-{first.pk}": answer, f"version-{first.pk}": version}
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.post(url, data, **FETCH)
        assert response.status_code == 200, response.content
        assert len(statements(queries)) <= 8, "\n".join(statements(queries))
        return response.json()

    assert save("2", 0)["version"] == 1
    assert save("3", 1)["version"] == 2  # folded into the entry just written
    HistoryEntry.objects.filter(round=round).update(at=timezone.now() - timedelta(minutes=11))
    answer = save("4", 2)  # a new history entry
    assert answer["version"] == 3
    assert (answer["rated"], answer["commitment_rated"]) == (1, 1)
    assert Rating.objects.get(scorer__user=ward_staff, standard=first).level == 4
    entries = HistoryEntry.objects.filter(round=round, summary=f"Rated {first.code}")
    assert [e.after["level"] for e in entries.order_by("at")] == [3, 4]


@pytest.mark.parametrize("number", [1, 3, 12])
def test_a_scoring_page_takes_at_most_twelve_queries(
    staff_client, round, ward_staff, number, django_assert_max_num_queries
):
    rate(round, ward_staff, standards_of(round))
    staff_client.get(page_url(round, number))
    with django_assert_max_num_queries(12):
        assert staff_client.get(page_url(round, number)).status_code == 200
