"""Each report's content as a web page: the PDF's own templates inside the site's page shell,
for the people who may read the report, and nobody else."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from reports import pdf
from tests.assessments.builders import agreeing_round
from tests.factories import TrustMembershipFactory, UserFactory
from tests.reports.test_pdf import RESERVATIONS, rich_signed_round


@pytest.fixture
def round(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader):
    return rich_signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )


@pytest.fixture
def other_board_member(other_trust_ward):
    user = UserFactory(username="otherboard")
    TrustMembershipFactory(user=user, trust=other_trust_ward.site.trust, role="board-member")
    return user


def ward_page_url(round):
    return reverse("reports:ward_report_page", args=[round.pk])


def board_page_url(trust):
    return reverse("reports:board_pack_page", args=[trust.pk])


# --- Who may read them -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["ward_staff", "ward_manager", "le_partner", "le_leader", "qi_lead", "board_member"]
)
def test_ward_report_page_is_for_everyone_who_may_see_the_ward(client, request, round, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(ward_page_url(round))

    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["outsider", "other_board_member"])
def test_ward_report_page_is_404_for_another_trust(client, request, round, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(ward_page_url(round)).status_code == 404


def test_ward_report_page_is_404_for_an_unsigned_round(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    client.force_login(ward_manager)

    assert client.get(ward_page_url(round)).status_code == 404


def test_ward_report_page_needs_sign_in(client, round):
    response = client.get(ward_page_url(round))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_ward_report_page_refuses_post(client, round, ward_staff):
    client.force_login(ward_staff)

    assert client.post(ward_page_url(round)).status_code == 405


@pytest.mark.parametrize("persona", ["le_leader", "qi_lead", "board_member"])
def test_board_pack_page_is_for_the_trusts_board_roles(client, request, round, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(board_page_url(round.ward.site.trust)).status_code == 200


@pytest.mark.parametrize("persona", ["ward_staff", "ward_manager", "le_partner", "trust_admin"])
def test_board_pack_page_is_403_for_other_roles_of_the_trust(client, request, round, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(board_page_url(round.ward.site.trust)).status_code == 403


@pytest.mark.parametrize("persona", ["outsider", "other_board_member"])
def test_board_pack_page_is_404_for_another_trust(client, request, round, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(board_page_url(round.ward.site.trust)).status_code == 404


# --- What they show ----------------------------------------------------------------------------


def test_ward_report_page_shows_the_pdfs_content_in_the_site_shell(client, round, ward_staff):
    client.force_login(ward_staff)

    html = client.get(ward_page_url(round)).content.decode()

    assert "<title>Willow Ward, 2026 Q4: assessment and action plan - Culture of Care" in html
    assert 'class="nhsuk-header' in html
    assert html.count("<h1") == 1
    for heading in ("Scores by commitment", "Perception gap", "Action plan", "Signatures"):
        assert f"<h2>{heading}</h2>" in html
    escaped = RESERVATIONS.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in html
    assert "<b>as typed</b>" not in html


def test_ward_report_page_and_pdf_share_one_template(round):
    context = pdf.ward_assessment_context(round)

    document = render_to_string("reports/pdf/ward_assessment.html", context)
    body = render_to_string(
        "reports/pdf/ward_assessment.html", {**context, "base_template": "reports/pdf/bare.html"}
    )

    assert document.startswith("<!DOCTYPE html>")
    assert "<!DOCTYPE" not in body and "<html" not in body
    assert body.strip() in document


def test_board_pack_page_shows_the_summary_and_every_ward(client, round, board_member, ward):
    client.force_login(board_member)

    html = client.get(board_page_url(round.ward.site.trust)).content.decode()

    assert html.count("<h1") == 1
    assert "Summary of the trust-wide measures" in html
    assert "Heatmap: wards by commitment" in html
    assert f"<h2>{ward.name}</h2>" in html
    assert "Ward page 1 of 1" in html
    assert "@page" not in html  # the PDF's page rules stay in the PDF


# --- Links to them -----------------------------------------------------------------------------


def test_report_request_snippet_links_to_the_ward_report_page(rf, round):
    html = render_to_string("includes/report_request.html", {"round": round}, request=rf.get("/"))

    assert ward_page_url(round) in html
    assert "as a web page" in html


def test_report_request_snippet_links_to_the_board_pack_page(rf, trust):
    html = render_to_string("includes/report_request.html", {"trust": trust}, request=rf.get("/"))

    assert board_page_url(trust) in html


def test_dashboards_link_to_the_report_pages(client, round, board_member):
    client.force_login(board_member)
    trust = round.ward.site.trust

    trust_page = client.get(reverse("reports:trust_dashboard", args=[trust.pk])).content.decode()
    ward_page = client.get(reverse("reports:ward_dashboard", args=[round.ward.pk])).content.decode()

    assert board_page_url(trust) in trust_page
    assert ward_page_url(round) in ward_page
