"""Terms of art explained where first used, a glossary page, and a content note with the
ward's named contact before standards on hard subjects."""

import pytest
from django.urls import reverse

from standards import people
from standards.glossary import GLOSSARY, FirstUse, content_note_topics, terms_in
from standards.models import Standard
from tests.assessments.builders import scoring_round

pytestmark = pytest.mark.django_db


def test_every_term_of_art_in_the_standards_is_explained(catalogue):
    texts = " ".join(Standard.objects.values_list("text", flat=True)).lower()
    for phrase in (
        "safewards",
        "shared formulation",
        "rapid tranquillisation",
        "duty of candour",
        "co-production",
    ):
        assert phrase in texts
        assert any(phrase in term.matches for term in GLOSSARY), phrase


def test_a_term_is_explained_once_per_page_where_first_used():
    first_use = FirstUse()
    assert [t.name for t in first_use.new_terms("Restraint and seclusion are a last resort")] == [
        "Restraint",
        "Seclusion",
    ]
    assert first_use.new_terms("Seclusion has independent oversight") == []
    assert terms_in("Nothing technical here") == []


def test_content_note_topics():
    assert content_note_topics(["Sexual safety is protected", "Racism is challenged"]) == [
        "sexual safety and harm",
        "racism and discrimination",
    ]
    assert content_note_topics(["Meals are good"]) == []


def test_glossary_page_lists_every_term(client, ward_staff):
    client.force_login(ward_staff)
    page = client.get(reverse("standards:glossary")).content.decode()
    for term in GLOSSARY:
        assert f'id="{term.slug}"' in page


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner):
    return scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])


def test_the_restrictive_practice_page_warns_names_the_contact_and_explains_words(
    client, round, ward, trust_admin, ward_staff
):
    people.update_ward(
        by=trust_admin,
        ward=ward,
        site=ward.site,
        name=ward.name,
        service_type=ward.service_type,
        beds=ward.beds,
        is_active=True,
        support_contact="the nurse in charge, or Sam, our peer support worker",
    )
    number = Standard.objects.get(edition=round.edition, code="6.1").commitment.number
    client.force_login(ward_staff)
    page = client.get(reverse("assessments:score_commitment", args=[round.pk, number]))
    html = page.content.decode()
    assert "Some standards on this page may be hard to read" in html
    assert "restraint" in html and "seclusion and segregation" in html
    assert "the nurse in charge, or Sam, our peer support worker" in html
    assert html.count('<span class="nhsuk-details__summary-text">What ') >= 1
    assert "Medicine given, sometimes by injection" in html  # rapid tranquillisation
    assert html.count("Medicine given, sometimes by injection") == 1


def test_a_page_without_hard_subjects_has_no_content_note(client, round, ward_staff):
    client.force_login(ward_staff)
    html = client.get(reverse("assessments:score_commitment", args=[round.pk, 3])).content.decode()
    assert "may be hard to read" not in html
