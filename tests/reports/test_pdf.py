"""PDF rendering: WeasyPrint from templates, local files only, and what each report says."""

import datetime
import shutil
import socket
import subprocess

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from assessments import services as assessment_services
from assessments.models import Round
from reports import pdf
from standards.models import Standard
from tests.assessments.builders import agree_all, agreeing_round, signed_round
from tests.conftest import forget_kept_reads, service_unavailable
from tests.factories import SiteFactory, WardFactory

RESERVATIONS = (
    "We are not yet sure about night staffing.\n  Second line, indented <b>as typed</b> & kept."
)
EVIDENCE_NOTE = "Community meeting minutes, March:\nweekly since January."


def rich_signed_round(*, ward, manager, staff, partner, leader) -> Round:
    """A signed round with a note, a link, an action and reservations, built through services."""
    round = agreeing_round(
        ward=ward, manager=manager, staff=staff, partner=partner, overrides_partner={"1.1": "0"}
    )
    standard = Standard.objects.get(edition=round.edition, code="1.1")
    assessment_services.add_evidence(
        round=round, standard=standard, kind="note", note=EVIDENCE_NOTE, by=staff
    )
    assessment_services.add_evidence(
        round=round,
        standard=standard,
        kind="link",
        url="https://intranet.example.nhs.uk/minutes",
        by=staff,
    )
    assessment_services.create_action(
        round=round,
        title="Start a weekly community meeting on every shift pattern",
        owner_id=manager.pk,
        due_date=datetime.date.today() + datetime.timedelta(days=30),
        standards=[standard],
        co_produced=True,
        by=manager,
    )
    agree_all(round=round, manager=manager)
    assessment_services.finish_agreeing(round=round, by=manager)
    assessment_services.sign_as_manager(round=round, by=manager)
    assessment_services.sign_as_leader(
        round=round, decision="reservations", words=RESERVATIONS, by=leader
    )
    round.refresh_from_db()
    return round


@pytest.fixture
def rich_round(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader):
    return rich_signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise AssertionError(f"Network connection attempted while rendering: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))
    return attempts


def pdf_text(content: bytes, tmp_path) -> str:
    """The PDF's words, with every run of whitespace (line wraps too) made a single space."""
    if shutil.which("pdftotext") is None:
        service_unavailable("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/style.css",
        "https://fonts.example.com/font.woff2",
        "ftp://example.com/file",
        "//example.com/style.css",
        "data:text/css,body{}",
        "file:///etc/passwd",
        "file://example.com/static/css/print.css",
    ],
)
def test_static_path_refuses_anything_but_a_static_file(url):
    with pytest.raises(pdf.RefusedFetch):
        pdf.static_path(url)


def test_static_path_refuses_a_path_that_climbs_out_of_static():
    url = pdf.static_base_url() + "../manage.py"
    with pytest.raises(pdf.RefusedFetch):
        pdf.static_path(url)


def test_static_only_fetcher_refuses_https_before_any_connection(no_network):
    with pytest.raises(pdf.RefusedFetch):
        pdf.StaticOnlyFetcher().fetch("https://example.com/logo.png")
    assert no_network == []


def test_static_only_fetcher_serves_the_print_stylesheet():
    response = pdf.StaticOnlyFetcher().fetch(pdf.static_base_url() + pdf.STYLESHEET)
    assert b"Liberation Sans" in response.read()
    assert response.content_type == "text/css"


def test_print_stylesheet_uses_local_fonts_only():
    css = (settings.BASE_DIR / "static" / pdf.STYLESHEET).read_text()
    assert "@font-face" not in css
    assert "url(" not in css


def test_render_ward_assessment_makes_a_pdf_without_the_network(rich_round, no_network, tmp_path):
    content = pdf.render_ward_assessment(rich_round)

    assert content.startswith(b"%PDF-")
    assert len(content) > 10_000
    assert no_network == []
    text = pdf_text(content, tmp_path)
    assert "Willow Ward" in text
    assert "2026 Q4" in text
    assert "1.1 " in text
    assert "Flagged" in text
    assert "Start a weekly community meeting" in text
    assert "https://intranet.example.nhs.uk/minutes" in text
    for line in [*RESERVATIONS.splitlines(), *EVIDENCE_NOTE.splitlines()]:
        assert " ".join(line.split()) in text


def test_ward_assessment_html_keeps_reservations_verbatim_and_escaped(rich_round):
    html = render_to_string(
        "reports/pdf/ward_assessment.html", pdf.ward_assessment_context(rich_round)
    )
    escaped = RESERVATIONS.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f'<div class="app-verbatim app-quote">{escaped}</div>' in html
    assert "<b>as typed</b>" not in html


def test_render_board_pack_reports_progress_per_ward(
    catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader, no_network, tmp_path
):
    signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )
    WardFactory(site=ward.site, name="Oak Ward")
    calls = []

    content = pdf.render_board_pack(trust, progress=lambda *args: calls.append(args))

    assert content.startswith(b"%PDF-")
    assert calls[-2:] == [(2, 2, "Ward 2 of 2"), (2, 2, "Putting the pages together")]
    assert no_network == []
    text = pdf_text(content, tmp_path)
    assert "North Demo NHS Trust" in text
    assert "Summary of the trust-wide measures" in text
    assert "Heatmap" in text
    assert "Oak Ward" in text
    assert "No signed assessment yet" in text
    assert text.count("How we read these charts") >= 2  # the section, and links to it
    assert "What needs attention" in text


def test_render_board_pack_issues_the_same_queries_for_one_ward_as_for_many(
    catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader
):
    signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )
    forget_kept_reads()
    with CaptureQueriesContext(connection) as one:
        pdf.render_board_pack(trust)
    site = SiteFactory(trust=trust, name="Second site")
    for name in ("Ash", "Birch", "Cedar"):
        WardFactory(site=site, name=f"{name} Ward")

    forget_kept_reads()
    with CaptureQueriesContext(connection) as many:
        pdf.render_board_pack(trust)

    # A fixed number of reads whatever the number of wards: the board summary (changes, ward
    # trends, gaps, signatures, overdue), the lived experience voice (latest and other rounds),
    # the small-group rule, the combined means, the pooled perception gap, and the trust's
    # readings version that keys the kept trend (standards/kept.py).
    assert len(many) == len(one) <= 25


def test_board_pack_data_scores_the_latest_signed_round(
    catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader
):
    signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )

    data = pdf.board_pack_data(trust)

    page = data.wards[0]
    assert page.round_label == "2026 Q4"
    assert page.overall.mean == pytest.approx(3.0)
    assert page.overall_gap.gap == pytest.approx(0.0)
    assert [m.number for m in data.measures] == [*range(1, 13), 0]
    # The trust-wide point stands on one ward: drawn and shown with its ward count, but
    # incomplete (fewer than 3 wards), so not judged (issue 19, docs/decisions/0025).
    overall = data.measures[-1]
    assert overall.latest is None
    (period,) = overall.periods
    assert (period.value, period.wards) == (pytest.approx(3.0), 1)
    assert period.incomplete is not None
    assert overall.sentence == "No complete period to judge yet"
