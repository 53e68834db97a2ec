"""The agreeing pages say only true things: how the page saves, what the progress table counts,
and the reason given for closing scoring early, quoted without a second full stop."""

import re

import pytest
from django.urls import reverse

from assessments import services
from standards.models import Standard
from tests.assessments.builders import rate_all, scoring_round

pytestmark = pytest.mark.django_db

# Staff 4, partners 1 on every standard of commitment 6 (restrictive practice, which has a
# content note): each of them is flagged.
HARD = 6


def _flagged_round(*, ward, manager, staff, partner):
    round = scoring_round(ward=ward, manager=manager, scorers=[staff, partner])
    hard = {s.code: "1" for s in Standard.objects.filter(commitment__number=HARD)}
    rate_all(round=round, user=staff, overrides={code: "4" for code in hard})
    rate_all(round=round, user=partner, overrides=hard)
    services.submit_ratings(round=round, by=staff)
    services.submit_ratings(round=round, by=partner)
    round.refresh_from_db()
    return round


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner):
    return _flagged_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)


def _hard_standards(round):
    return list(Standard.objects.filter(edition=round.edition, commitment__number=HARD))


def _row(html: str, number: int) -> list[str]:
    """The progress table's cells for one commitment, as text."""
    start = rf'<tr class="nhsuk-table__row">\s*<th[^>]*>\s*<a [^>]*>{number}\. '
    row = re.search(start + r".*?</tr>", html, re.S)
    cells = re.findall(r'<td class="nhsuk-table__cell[^"]*">(.*?)</td>', row.group(0), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_agreeing_page_note_says_it_saves_only_when_the_button_is_pressed(
    client, round, ward_manager
):
    client.force_login(ward_manager)
    html = client.get(reverse("assessments:agree_commitment", args=[round.pk, HARD])).content
    html = html.decode()
    assert "Some standards on this page may be hard to read" in html
    assert "saved as you go" not in html
    assert "Nothing on this page is saved until you press a save button at the bottom" in html
    assert "Save and go to all commitments" in html


def test_agreeing_page_note_promises_no_saving_to_a_reader_who_cannot_agree(
    client, round, ward_staff
):
    client.force_login(ward_staff)
    html = client.get(reverse("assessments:agree_commitment", args=[round.pk, HARD])).content
    html = html.decode()
    assert "Some standards on this page may be hard to read" in html
    assert "saved" not in html.split("app-content-note", 1)[1].split("</div>", 1)[0]
    assert "You can stop and come back later." in html


def test_scoring_page_note_still_says_answers_are_saved_as_chosen(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    client.force_login(ward_staff)
    html = client.get(reverse("assessments:score_commitment", args=[round.pk, HARD])).content
    assert b"Your answers are saved as you choose them, or when you press a save button" in html


def test_progress_table_counts_reasons_still_needed_and_explains_flags(client, round, ward_manager):
    hard = _hard_standards(round)
    client.force_login(ward_manager)
    url = reverse("assessments:agree_overview", args=[round.pk])

    html = client.get(url).content.decode()
    n = len(hard)
    # Nothing agreed: every flagged standard still needs its reason.
    assert _row(html, HARD) == [f"0 of {n}", f"{n} flagged", str(n), str(n)]
    assert "Reason still needed" in html and "Reason needed</th>" not in html
    assert "so it can be 0 while some standards are flagged" in html
    assert "differ by 2 levels or more" in html
    # A commitment with nothing flagged says 0, not "None".
    assert _row(html, 1)[1:3] == ["0", "0"]

    services.record_agreed_rating(
        round=round,
        standard=hard[0],
        answer="2",
        rationale="We met in the middle",
        version=None,
        by=ward_manager,
    )
    html = client.get(url).content.decode()
    assert _row(html, HARD) == [f"1 of {n}", f"{n} flagged", str(n - 1), str(n - 1)]


def test_closing_reason_is_quoted_without_a_double_full_stop(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    rate_all(round=round, user=ward_staff)
    services.submit_ratings(round=round, by=ward_staff)
    services.close_scoring(round=round, by=ward_manager, reason="Only two scorers.")
    client.force_login(ward_manager)
    html = client.get(reverse("assessments:agree_overview", args=[round.pk])).content.decode()
    assert ".." not in html
    assert "The reason given: Only two scorers.</p>" in html
    assert "<p>Ratings from people who had not submitted are not shown.</p>" in html


def test_support_contact_is_quoted_without_a_double_full_stop(client, round, ward, ward_manager):
    ward.support_contact = "Sam, peer support worker, 01234 567890."
    ward.save()
    client.force_login(ward_manager)
    html = client.get(reverse("assessments:agree_commitment", args=[round.pk, HARD])).content
    html = html.decode()
    assert "<p>Sam, peer support worker, 01234 567890.</p>" in html
    assert ".." not in html
