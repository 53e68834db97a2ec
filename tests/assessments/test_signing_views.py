"""Signing, reopening, the read-only summary, the history, and the error pages."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from assessments import services
from assessments.models import RoundStatus, Signature, SignatureDecision
from standards.models import Standard
from tests.assessments.builders import agree_all, agreeing_round, scoring_round, signed_round
from tests.factories import TrustMembershipFactory

pytestmark = pytest.mark.django_db

# Characters that must survive escaping, and line breaks that must survive too.
RESERVATIONS = (
    'Night staff said "we\'re fine" <but> patients & carers disagreed.\r\n'
    "\r\n"
    "Restraint  figures were not shared with us."
)


def awaiting(p):
    round = agreeing_round(
        ward=p["ward"], manager=p["manager"], staff=p["staff"], partner=p["partner"]
    )
    agree_all(round=round, manager=p["manager"])
    return services.finish_agreeing(round=round, by=p["manager"])


def signed(p, words=RESERVATIONS):
    return signed_round(
        ward=p["ward"],
        manager=p["manager"],
        staff=p["staff"],
        partner=p["partner"],
        leader=p["leader"],
        words=words,
    )


def sign_url(round):
    return reverse("assessments:sign", args=[round.pk])


def status_of(round):
    round.refresh_from_db()
    return round.status


def verbatim_html(words):
    """How the words must appear: escaped, each line break as <br>, nothing trimmed."""
    return "<br>".join(escape(line) for line in words.replace("\r\n", "\n").split("\n"))


# sign


def test_sign_shows_the_manager_a_declaration(client, people):
    round = awaiting(people)
    client.force_login(people["manager"])
    html = client.get(sign_url(round)).content.decode()
    assert "Sign as the ward manager" in html
    assert 'name="declaration"' in html
    assert "Sign the assessment" in html
    assert 'name="decision"' not in html
    assert "Nobody has signed yet" in html


def test_sign_shows_the_leader_three_choices_and_a_box_for_their_words(client, people):
    round = awaiting(people)
    client.force_login(people["leader"])
    html = client.get(sign_url(round)).content.decode()
    assert html.count('name="decision"') == 3
    assert "Sign with reservations" in html
    assert "Decline to sign" in html
    assert "Your reservations or reason, in your own words" in html
    assert 'name="declaration"' not in html


@pytest.mark.parametrize("who", ["staff", "partner", "board", "qi"])
def test_sign_is_forbidden_for_others(client, people, who):
    round = awaiting(people)
    client.force_login(people[who])
    assert client.get(sign_url(round)).status_code == 403
    response = client.post(sign_url(round), {"signing_as": "ward-manager", "declaration": "on"})
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_sign_answers_404_for_another_trust(client, people, outsider):
    round = awaiting(people)
    client.force_login(outsider)
    assert client.get(sign_url(round)).status_code == 404
    assert client.post(sign_url(round), {"declaration": "on"}).status_code == 404


def test_sign_in_a_role_not_held_is_forbidden(client, people):
    round = awaiting(people)
    client.force_login(people["manager"])
    response = client.post(sign_url(round), {"signing_as": "le-leader", "decision": "signed"})
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_sign_needs_the_declaration_ticked(client, people):
    round = awaiting(people)
    client.force_login(people["manager"])
    response = client.post(sign_url(round), {"signing_as": "ward-manager"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Confirm the declaration to sign the assessment" in html
    assert 'href="#id_declaration"' in html
    assert not Signature.objects.exists()


def test_sign_with_reservations_needs_words_and_keeps_the_choice(client, people):
    round = awaiting(people)
    client.force_login(people["leader"])
    response = client.post(
        sign_url(round), {"signing_as": "le-leader", "decision": "reservations", "words": "  "}
    )
    html = response.content.decode()
    assert "Enter your reservations in your own words" in html
    assert 'href="#id_words"' in html
    assert 'value="reservations" checked' in html
    assert not Signature.objects.exists()


def test_sign_needs_a_decision(client, people):
    round = awaiting(people)
    client.force_login(people["leader"])
    response = client.post(sign_url(round), {"signing_as": "le-leader", "words": ""})
    assert "Choose whether you sign, sign with reservations or decline" in (
        response.content.decode()
    )


def test_sign_manager_then_leader_with_reservations_locks_and_keeps_the_words(client, people):
    round = awaiting(people)
    client.force_login(people["manager"])
    response = client.post(sign_url(round), {"signing_as": "ward-manager", "declaration": "on"})
    assert response["Location"] == reverse("assessments:round_detail", args=[round.pk])
    assert status_of(round) == RoundStatus.AWAITING_SIGNOFF

    client.force_login(people["leader"])
    html = client.get(sign_url(round)).content.decode()
    assert people["manager"].display_name in html
    response = client.post(
        sign_url(round),
        {"signing_as": "le-leader", "decision": "reservations", "words": RESERVATIONS},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("assessments:summary", args=[round.pk])
    assert "The assessment is signed and locked" in html
    assert status_of(round) == RoundStatus.SIGNED
    leader_signature = Signature.objects.get(role="le-leader")
    assert leader_signature.words == RESERVATIONS
    assert verbatim_html(RESERVATIONS) in html
    assert "Signed with reservations".lower() in html


def test_sign_page_offers_nothing_more_once_the_manager_has_signed(client, people):
    round = awaiting(people)
    services.sign_as_manager(round=round, by=people["manager"])
    client.force_login(people["manager"])
    html = client.get(sign_url(round)).content.decode()
    assert 'name="declaration"' not in html
    assert "There is nothing more for you to sign" in html


def test_sign_the_same_person_cannot_be_manager_and_leader(client, people, trust):
    TrustMembershipFactory(user=people["manager"], trust=trust, role="le-leader")
    round = awaiting(people)
    client.force_login(people["manager"])
    html = client.get(sign_url(round)).content.decode()
    assert 'name="declaration"' in html
    assert 'name="decision"' in html

    client.post(sign_url(round), {"signing_as": "ward-manager", "declaration": "on"})
    html = client.get(sign_url(round)).content.decode()
    assert 'name="decision"' not in html

    response = client.post(
        sign_url(round), {"signing_as": "le-leader", "decision": "signed", "words": ""}
    )
    assert response.status_code == 200
    assert "must be two different people" in response.content.decode()
    assert status_of(round) == RoundStatus.AWAITING_SIGNOFF
    assert Signature.objects.count() == 1


def test_sign_decline_keeps_the_round_awaiting_and_shows_the_reason(client, people):
    round = awaiting(people)
    services.sign_as_manager(round=round, by=people["manager"])
    client.force_login(people["leader"])
    reason = "Partners were not given time to read the evidence & the <actions>."
    response = client.post(
        sign_url(round), {"signing_as": "le-leader", "decision": "declined", "words": reason}
    )
    assert response["Location"] == reverse("assessments:round_detail", args=[round.pk])
    assert status_of(round) == RoundStatus.AWAITING_SIGNOFF
    summary = client.get(reverse("assessments:summary", args=[round.pk])).content.decode()
    assert "declined to sign" in summary
    assert escape(reason) in summary
    # A declined leader may still sign later.
    html = client.get(sign_url(round)).content.decode()
    assert 'name="decision"' in html


def test_sign_refused_before_agreeing_is_finished(client, people):
    round = agreeing_round(
        ward=people["ward"],
        manager=people["manager"],
        staff=people["staff"],
        partner=people["partner"],
    )
    client.force_login(people["manager"])
    html = client.get(sign_url(round)).content.decode()
    assert "once the ward manager has finished agreeing" in html
    assert 'name="declaration"' not in html
    response = client.post(sign_url(round), {"signing_as": "ward-manager", "declaration": "on"})
    assert "You can only sign while the round is awaiting sign-off" in response.content.decode()
    assert not Signature.objects.exists()


# reopen


def test_reopen_by_the_qi_lead_voids_signatures_and_is_shown(client, people):
    round = signed(people)
    client.force_login(people["qi"])
    reason = "The 2.3 evidence was from another ward"
    response = client.post(reverse("assessments:reopen", args=[round.pk]), {"reason": reason})
    assert response["Location"] == reverse("assessments:round_detail", args=[round.pk])
    assert status_of(round) == RoundStatus.AGREEING
    assert not Signature.objects.filter(voided_at__isnull=True).exists()

    detail = client.get(response["Location"]).content.decode()
    assert "This assessment was reopened" in detail
    assert f"by {people['qi'].display_name}: {reason}" in detail
    summary = client.get(reverse("assessments:summary", args=[round.pk])).content.decode()
    assert "This assessment was reopened" in summary
    assert summary.count("Voided</strong>") == 2


def test_reopen_shown_on_the_round_after_it_is_signed_again(client, people):
    round = signed(people)
    services.reopen_round(round=round, reason="Wrong ward's evidence", by=people["qi"])
    services.finish_agreeing(round=round, by=people["manager"])
    services.sign_as_manager(round=round, by=people["manager"])
    services.sign_as_leader(round=round, decision="signed", words="", by=people["leader"])
    client.force_login(people["staff"])
    html = client.get(reverse("assessments:round_detail", args=[round.pk])).content.decode()
    assert "This assessment is signed and locked" in html
    assert "This assessment was reopened" in html
    assert "Wrong ward&#x27;s evidence" in html


def test_reopen_needs_a_reason(client, people):
    round = signed(people)
    client.force_login(people["qi"])
    response = client.post(reverse("assessments:reopen", args=[round.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "Enter why the assessment is being reopened" in response.content.decode()
    assert status_of(round) == RoundStatus.SIGNED


@pytest.mark.parametrize("who", ["manager", "leader", "staff", "board"])
def test_reopen_is_forbidden_for_anyone_but_the_qi_lead(client, people, who):
    round = signed(people)
    client.force_login(people[who])
    url = reverse("assessments:reopen", args=[round.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Because"}).status_code == 403
    assert status_of(round) == RoundStatus.SIGNED


def test_round_detail_offers_reopen_only_to_the_qi_lead(client, people):
    round = signed(people)
    url = reverse("assessments:round_detail", args=[round.pk])
    reopen = reverse("assessments:reopen", args=[round.pk])
    client.force_login(people["qi"])
    assert reopen in client.get(url).content.decode()
    client.force_login(people["manager"])
    html = client.get(url).content.decode()
    assert reopen not in html
    assert "This assessment is signed and locked" in html


# summary


def test_summary_shows_scores_standards_signatures_and_the_edition(client, people, catalogue):
    round = signed(people)
    client.force_login(people["board"])
    response = client.get(reverse("assessments:summary", args=[round.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "3.0" in html
    assert "75%" in html
    assert "Not rated" not in html
    for standard in Standard.objects.filter(edition=catalogue):
        assert f"{standard.code} {escape(standard.text)}" in html
    assert "3 Established" in html
    assert catalogue.edition in html
    assert "Read the official Culture of care standards" in html
    assert verbatim_html(RESERVATIONS) in html
    assert people["leader"].display_name in html
    assert "Ward manager" in html


def test_summary_says_not_rated_before_anything_is_agreed(client, people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    client.force_login(people["staff"])
    html = client.get(reverse("assessments:summary", args=[round.pk])).content.decode()
    assert html.count("Not rated") == 24
    assert "not signed yet" in html


def test_summary_shows_medians_flags_evidence_and_actions(client, people):
    import datetime

    round = agreeing_round(
        ward=people["ward"],
        manager=people["manager"],
        staff=people["staff"],
        partner=people["partner"],
        overrides_staff={"2.3": "4"},
        overrides_partner={"2.3": "1"},
    )
    standard = Standard.objects.get(edition=round.edition, code="2.3")
    services.add_evidence(
        round=round, standard=standard, kind="note", note="Minutes & notes", by=people["staff"]
    )
    services.create_action(
        round=round,
        title="Weekly community meeting",
        owner_id=people["staff"].pk,
        due_date=datetime.date(2027, 1, 31),
        standards=[standard],
        by=people["manager"],
    )
    client.force_login(people["partner"])
    html = client.get(reverse("assessments:summary", args=[round.pk])).content.decode()
    assert "Flagged" in html
    assert "Minutes &amp; notes" in html
    assert html.count("Weekly community meeting") == 2
    assert "No agreed rating yet" in html


def test_summary_answers_404_for_another_trust(client, people, outsider):
    round = signed(people)
    client.force_login(outsider)
    assert client.get(reverse("assessments:summary", args=[round.pk])).status_code == 404


# history


def test_history_lists_changes_with_before_and_after(client, people):
    round = signed(people)
    client.force_login(people["manager"])
    html = client.get(reverse("assessments:history", args=[round.pk])).content.decode()
    assert "Signed by both: the assessment is locked" in html
    assert "Status: Awaiting sign-off" in html
    assert "Status: Signed" in html
    assert "Agreed rating for 2.3" in html
    assert "Level: 3 Established" in html
    assert people["manager"].display_name in html


def test_history_hides_rating_values_while_scoring(client, people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    standard = Standard.objects.get(edition=round.edition, code="1.1")
    services.save_rating(
        round=round, standard=standard, answer="4", comment="Secret note", by=people["staff"]
    )
    client.force_login(people["qi"])
    html = client.get(reverse("assessments:history", args=[round.pk])).content.decode()
    assert "Started scoring" in html
    assert "Rated 1.1" not in html
    assert "Secret note" not in html


@pytest.mark.parametrize("who", ["staff", "partner", "leader", "board"])
def test_history_is_forbidden_for_others(client, people, who):
    round = signed(people)
    client.force_login(people[who])
    response = client.get(reverse("assessments:history", args=[round.pk]))
    assert response.status_code == 403
    assert "You do not have permission to do this" in response.content.decode()


def test_history_answers_404_for_another_trust(client, people, outsider):
    round = signed(people)
    client.force_login(outsider)
    assert client.get(reverse("assessments:history", args=[round.pk])).status_code == 404


# error pages


def test_404_page_is_styled_and_says_page_not_found(client, people):
    client.force_login(people["staff"])
    response = client.get("/rounds/999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert "nhsuk-header" in html


def test_403_page_explains_the_refusal(client, people):
    round = signed(people)
    client.force_login(people["staff"])
    html = client.get(reverse("assessments:reopen", args=[round.pk])).content.decode()
    assert "<h1>You do not have permission to do this</h1>" in html
    assert "Only a trust QI lead can reopen a signed assessment." in html


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html
    assert "nhsuk-frontend.min.css" in html


def test_signature_decisions_match_the_form_choices():
    from assessments.forms.signing import LeaderSignForm

    values = [value for value, _ in LeaderSignForm.base_fields["decision"].choices]
    assert values == SignatureDecision.values


def test_history_names_the_scorers_instead_of_numbers(client, people):
    round = services.open_round(
        ward=people["ward"], label="2026 Q4", by=people["manager"], scorer_ids=[people["staff"].pk]
    )
    client.force_login(people["qi"])
    html = client.get(reverse("assessments:history", args=[round.pk])).content.decode()
    assert "Changed the scorers" in html
    assert f"Scorers: {escape(people['staff'].display_name)}" in html


def test_history_is_paged_newest_first(client, people):
    round = signed(people)
    client.force_login(people["qi"])
    url = reverse("assessments:history", args=[round.pk])
    first = client.get(url).content.decode()
    assert "Signed by both: the assessment is locked" in first
    assert "Opened round 2026 Q4" not in first
    assert 'rel="next"' in first
    last = client.get(url, {"page": 3}).content.decode()
    assert "Opened round 2026 Q4" in last


def test_round_detail_shows_who_has_signed_and_offers_signing_only_to_who_still_can(client, people):
    round = awaiting(people)
    services.sign_as_manager(round=round, by=people["manager"])
    url = reverse("assessments:round_detail", args=[round.pk])
    client.force_login(people["manager"])
    html = client.get(url).content.decode()
    assert "Signed so far" in html
    assert f"Ward manager: {escape(people['manager'].display_name)}" in html
    assert "Sign the assessment</a>" not in html
    client.force_login(people["leader"])
    assert "Sign the assessment</a>" in client.get(url).content.decode()


def test_summary_query_count_does_not_grow_with_evidence_and_actions(
    client, people, django_assert_max_num_queries
):
    import datetime

    round = signed(people, words="")
    services.reopen_round(round=round, reason="More evidence", by=people["qi"])
    client.force_login(people["board"])
    url = reverse("assessments:summary", args=[round.pk])
    client.get(url)  # the session's first request also checks the second factor, once
    # 16, the perception gaps, whole-commitment links, and the header's task count (the state
    # of the work, and the count itself when that changed: 6)
    with django_assert_max_num_queries(24):
        client.get(url)
    for standard in Standard.objects.filter(edition=round.edition)[:10]:
        services.add_evidence(
            round=round, standard=standard, kind="note", note="Minutes", by=people["staff"]
        )
        services.create_action(
            round=round,
            title=f"Action for {standard.code}",
            owner_id=people["staff"].pk,
            due_date=datetime.date(2027, 1, 31),
            standards=[standard],
            by=people["manager"],
        )
    with django_assert_max_num_queries(24):
        response = client.get(url)
    assert response.content.decode().count("Action for ") == 20
