"""Each report's content as a web page: the same templates as the PDFs, in the site's shell."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments import rules
from assessments.selectors import get_round_for_user

from .. import pdf, selectors, small_groups

# The PDF templates extend this instead of their PDF document when shown as a page.
BARE = "reports/pdf/bare.html"


@require_GET
def ward_report_page(request: HttpRequest, round_id: int) -> HttpResponse:
    round = get_round_for_user(user=request.user, round_id=round_id)
    if not round.allows(rules.MAKE_WARD_PDF):
        raise Http404("Only a signed assessment has a report")
    # Outside the round's ward team, the small-group rule holds (decision 0024).
    outside = not small_groups.in_ward_team(user=request.user, ward=round.ward, round=round)
    context = pdf.ward_assessment_context(round, outside=outside)
    return render(request, "reports/ward_report_page.html", {**context, "base_template": BARE})


@require_GET
def board_pack_page(request: HttpRequest, trust_id: int) -> HttpResponse:
    trust = selectors.get_dashboard_trust(user=request.user, trust_id=trust_id)
    pack = pdf.board_pack_data(trust)
    context = {"pack": pack, "trust": trust, "wards": pack.wards, "first_index": 1}
    return render(request, "reports/board_pack_page.html", {**context, "base_template": BARE})
