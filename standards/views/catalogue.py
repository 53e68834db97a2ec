from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from ..forms import PillarFilterForm
from ..glossary import GLOSSARY


@require_GET
def commitment_list(request: HttpRequest, edition_id: int | None = None) -> HttpResponse:
    edition = selectors.get_edition(edition_id=edition_id)
    pillars = selectors.pillar_list()
    form = PillarFilterForm(request.GET or None, pillars=pillars)
    pillar = selectors.get_pillar(slug=form.cleaned_data["pillar"]) if form.is_valid() else None
    commitments = selectors.commitments_with_standards(edition=edition, pillar=pillar)
    return render(
        request,
        "standards/commitment_list.html",
        {
            "edition": edition,
            "editions": selectors.edition_list(),
            "commitments": commitments,
            "form": form,
            "pillar": pillar,
            "shown_count": sum(len(c.shown_standards) for c in commitments),
        },
    )


@require_GET
def commitment_detail(request: HttpRequest, edition_id: int, number: int) -> HttpResponse:
    edition = selectors.get_edition(edition_id=edition_id)
    commitment = selectors.get_commitment(edition=edition, number=number)
    return render(
        request,
        "standards/commitment_detail.html",
        {"edition": edition, "commitment": commitment},
    )


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    """What the words in the standards mean, in plain English."""
    return render(request, "standards/glossary.html", {"terms": GLOSSARY})
