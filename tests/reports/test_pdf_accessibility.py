"""Tagged PDFs (PDF/UA): a structure tree, the language, the title and bookmarks per section."""

import io

import pytest
from pypdf import PdfReader

from reports import pdf
from tests.assessments.builders import signed_round
from tests.reports.test_pdf import no_network, rich_signed_round  # noqa: F401


@pytest.fixture
def ward_pdf(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader, no_network):  # noqa: F811
    round = rich_signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )
    return PdfReader(io.BytesIO(pdf.render_ward_assessment(round)))


@pytest.fixture
def board_pdf(catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader, no_network):  # noqa: F811
    signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )
    return PdfReader(io.BytesIO(pdf.render_board_pack(trust)))


def outline_titles(outline, depth=0) -> list[tuple[int, str]]:
    """The bookmarks as (depth, title), in order."""
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += outline_titles(item, depth + 1)
        else:
            titles.append((depth, item.title))
    return titles


def assert_tagged(reader: PdfReader) -> None:
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    root = catalog["/StructTreeRoot"].get_object()
    assert root["/Type"] == "/StructTreeRoot"
    assert root["/K"]  # the Document element, holding the page contents
    assert catalog["/Lang"] == "en-GB"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])


def test_render_ward_assessment_is_a_tagged_pdf_with_title_and_language(ward_pdf):
    assert_tagged(ward_pdf)
    assert ward_pdf.metadata.title == "Willow Ward, 2026 Q4: assessment and action plan"
    assert ward_pdf.pdf_header == "%PDF-1.7"


def test_render_ward_assessment_has_a_bookmark_per_section(ward_pdf):
    titles = outline_titles(ward_pdf.outline)

    assert titles[0] == (0, "Culture of Care assessment and action plan")
    for section in (
        "Scores by commitment",
        "Scores by pillar",
        "Perception gap",
        "Every standard",
        "Action plan",
        "Signatures",
    ):
        assert (1, section) in titles
    commitments = [title for depth, title in titles if depth == 2 and title[0].isdigit()]
    assert len(commitments) == 12


def test_render_board_pack_is_a_tagged_pdf_with_title_and_language(board_pdf):
    assert_tagged(board_pdf)
    assert board_pdf.metadata.title.startswith("North Demo NHS Trust: Culture of Care board pack, ")


def test_render_board_pack_has_bookmarks_for_sections_measures_and_wards(board_pdf):
    titles = outline_titles(board_pdf.outline)

    assert titles[0] == (0, "Culture of Care board pack")
    for section in (
        "Summary of the trust-wide measures",
        "Heatmap: wards by commitment",
        "Trust-wide trends",
        "Willow Ward",
    ):
        assert (1, section) in titles
    assert (2, "Overall score") in titles
