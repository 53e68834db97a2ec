"""Reveal and agree: both groups' ratings side by side, and one agreed rating per standard."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from culture_of_care.templatetags.nhsuk_forms import SummaryError
from standards.forms import apply_service
from standards.glossary import content_note_topics

from .. import presenters, round_context, rules, selectors, services
from ..forms.agreeing import AgreedRatingForm
from ..models import Round
from ..permissions import load_team_round
from ..selectors import Comparison


def _not_revealed(request: HttpRequest, round: Round) -> HttpResponse | None:
    """Nobody sees anyone's ratings until scoring has finished: that stops anchoring."""
    if rules.ratings_revealed(round.status):
        return None
    messages.info(request, "Everyone's ratings are shown side by side once scoring has finished.")
    return redirect("assessments:round_detail", round.pk)


def _overview(request: HttpRequest, round: Round, access, *, status: int = 200) -> HttpResponse:
    """Progress by commitment and what is left; when `status` is 400 (finishing was refused),
    what is left is an error summary whose links go straight to each standard."""
    progress = {c.pk: presenters.AgreeProgress(c) for c in selectors.round_commitments(round=round)}
    left = []
    for comparison in selectors.round_comparisons(round=round):
        row = progress[comparison.standard.commitment_id]
        row.total += 1
        row.agreed += comparison.settled
        row.flagged += comparison.flagged
        code = comparison.standard.code
        href = (
            reverse("assessments:agree_commitment", args=[round.pk, row.commitment.number])
            + f"#standard-{comparison.standard.pk}"
        )
        # A reason still to write: a flagged standard not agreed yet (agreeing it needs one),
        # or an agreed rating saved without the reason it needs.
        if comparison.needs_rationale and not comparison.settled:
            row.reason_needed += 1
        if comparison.agreed is not None and not comparison.settled:
            left.append(
                presenters.Left(
                    comparison, f"Record why the group agreed the rating for {code}", href
                )
            )
        elif comparison.agreed is None:
            left.append(presenters.Left(comparison, f"Record an agreed rating for {code}", href))
    rows = list(progress.values())
    can_agree = access.can_agree and round.allows(rules.AGREE)
    errors = [SummaryError(item.text, item.href) for item in left] if status == 400 else []
    context = {
        "round": round,
        "rows": rows,
        "left": left,
        "to_agree": len(left),
        "errors": errors,
        "can_agree": can_agree,
        **round_context.agreeing(round),
    }
    return render(request, "assessments/agree_overview.html", context, status=status)


@require_GET
def agree_overview(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_team_round(request, round_id)
    if response := _not_revealed(request, round):
        return response
    return _overview(request, round, access)


@require_POST
def finish_agreeing(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_team_round(request, round_id)
    if not access.can_agree:
        raise PermissionDenied("Only the ward manager can do this.")
    if response := _not_revealed(request, round):
        return response
    try:
        services.finish_agreeing(round=round, by=request.user)
    except ValidationError as error:
        if round.allows(rules.FINISH_AGREEING) and selectors.missing_agreed_ratings(round=round):
            return _overview(request, round, access, status=400)
        for message in error.messages:
            messages.error(request, message)
        return redirect("assessments:round_detail", round.pk)
    messages.success(request, "Agreeing is finished. The assessment is ready to sign.")
    return redirect("assessments:round_detail", round.pk)


def _agree_form(comparison: Comparison, data=None) -> AgreedRatingForm:
    return AgreedRatingForm(
        data,
        prefix=f"s{comparison.standard.pk}",
        initial=AgreedRatingForm.initial_for(comparison.agreed),
        standard=comparison.standard,
        flagged=comparison.flagged,
        rationale_levels=comparison.rationale_levels,
        embedded=True,
    )


def _save_commitment(request, round, comparisons) -> tuple[dict, dict, services.AgreeOutcome]:
    """Bind one form per standard, save the valid ones through the service, and return the
    forms to show again (typed answers kept) and the conflicts, by standard."""
    forms = {c.standard.pk: _agree_form(c, request.POST) for c in comparisons}
    entries = [
        services.AgreedEntry(
            standard=form.standard,
            answer=form.cleaned_data["level"],
            rationale=form.cleaned_data["rationale"],
            version=form.cleaned_data["version"],
        )
        for form in forms.values()
        if form.is_valid()
    ]
    outcome = services.record_agreed_ratings(round=round, entries=entries, by=request.user)
    for pk, error in outcome.errors.items():
        form = forms[pk]
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error)
    conflicts = {pk: forms[pk].show_conflict(error) for pk, error in outcome.conflicts.items()}
    return forms, conflicts, outcome


def _saved_message(outcome: services.AgreeOutcome, number: int) -> str:
    saved = len(outcome.saved)
    if not saved:
        return f"Nothing changed in commitment {number}, so nothing was saved"
    plural = "" if saved == 1 else "s"
    return f"Agreed ratings saved for {saved} standard{plural} in commitment {number}"


@require_http_methods(["GET", "POST"])
def agree_commitment(request: HttpRequest, round_id: int, number: int) -> HttpResponse:
    round, access = load_team_round(request, round_id)
    if response := _not_revealed(request, round):
        return response
    commitment = selectors.round_commitments(round=round).filter(number=number).first()
    if commitment is None:
        raise Http404("No such commitment")
    can_agree = access.can_agree and round.allows(rules.AGREE)
    if request.method == "POST" and not can_agree:
        if not access.can_agree:
            raise PermissionDenied("Only the ward manager can record agreed ratings.")
        messages.info(request, "Agreeing has finished, so the agreed ratings cannot change.")
        return redirect("assessments:agree_commitment", round.pk, number)
    standards = selectors.round_standards(round=round).filter(commitment=commitment)
    comparisons = selectors.round_comparisons(round=round, standards=standards)
    forms: dict = {}
    conflicts: dict = {}
    if request.method == "POST":
        forms, conflicts, outcome = _save_commitment(request, round, comparisons)
        failed = {pk for pk, form in forms.items() if form.errors}
        if not failed:
            report = messages.success if outcome.saved else messages.info
            report(request, _saved_message(outcome, number))
            go_next = request.POST.get("then") == "next" and number < 12
            if go_next:
                return redirect("assessments:agree_commitment", round.pk, number + 1)
            return redirect("assessments:agree_overview", round.pk)
        if outcome.saved:
            messages.success(request, _saved_message(outcome, number))
        # Saved standards show what is now saved; the others keep what was typed.
        comparisons = selectors.round_comparisons(round=round, standards=standards)
        forms = {pk: form for pk, form in forms.items() if pk in failed}
    evidence = defaultdict(list)
    for item in selectors.round_evidence(round=round).filter(standard__commitment=commitment):
        evidence[item.standard_id].append(item)
    editable = round.allows(rules.ADD_EVIDENCE)
    sections = [
        presenters.AgreeSection(
            reveal=presenters.reveal(c, evidence[c.standard.pk]),
            form=(forms.get(c.standard.pk) or _agree_form(c)) if can_agree else None,
            conflict=conflicts.get(c.standard.pk),
        )
        for c in comparisons
    ]
    errors = [error for section in sections if section.form for error in section.errors]
    return render(
        request,
        "assessments/agree_commitment.html",
        {
            "round": round,
            "commitment": commitment,
            "sections": sections,
            "content_topics": content_note_topics(c.standard.text for c in comparisons),
            "errors": errors,
            "can_agree": can_agree,
            "can_add_evidence": access.can_contribute and editable,
            "can_remove_any_evidence": access.is_manager and editable,
            "editable": editable,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def agree_standard(request: HttpRequest, round_id: int, standard_id: int) -> HttpResponse:
    round, access = load_team_round(request, round_id)
    standard = selectors.round_standards(round=round).filter(pk=standard_id).first()
    if standard is None:
        raise Http404("No such standard in this round")
    if not access.can_agree:
        raise PermissionDenied("Only the ward manager can record agreed ratings.")
    if response := _not_revealed(request, round):
        return response
    back = reverse("assessments:agree_commitment", args=[round.pk, standard.commitment.number])
    if not round.allows(rules.AGREE):
        messages.info(request, "Agreeing has finished, so the agreed ratings cannot change.")
        return redirect(back)
    comparison = selectors.compare_standard(round=round, standard=standard)
    posted = request.POST if request.method == "POST" else None
    form = AgreedRatingForm(
        posted,
        initial=AgreedRatingForm.initial_for(comparison.agreed),
        standard=standard,
        flagged=comparison.flagged,
        rationale_levels=comparison.rationale_levels,
    )
    conflict = None
    if form.is_bound and form.is_valid():
        try:
            agreed = apply_service(
                form,
                services.record_agreed_rating,
                round=round,
                standard=standard,
                by=request.user,
                **form.service_arguments(),
            )
        except services.ConflictError as error:
            conflict = form.show_conflict(error)
        else:
            if agreed is not None:
                messages.success(request, f"Agreed rating for {standard.code} saved")
                return redirect(f"{back}#standard-{standard.pk}")
    context = {
        "round": round,
        "standard": standard,
        "form": form,
        "conflict": conflict,
        "back": back,
        "reveal": presenters.reveal(comparison),
    }
    return render(request, "assessments/agree_standard.html", context)


@require_GET
def meeting(request: HttpRequest, round_id: int, position: int) -> HttpResponse:
    """Agreeing together on a shared screen: one standard at a time, in large type, with both
    groups' ratings and comments; the arrow keys move between standards."""
    round, access = load_team_round(request, round_id)
    if response := _not_revealed(request, round):
        return response
    standards = list(selectors.round_standards(round=round))
    if not 1 <= position <= len(standards):
        raise Http404("No such standard in this round")
    standard = standards[position - 1]
    comparison = selectors.compare_standard(round=round, standard=standard)
    url = "assessments:meeting"
    context = {
        "round": round,
        "item": presenters.reveal(comparison),
        "c": comparison,
        "position": position,
        "total": len(standards),
        "previous_url": reverse(url, args=[round.pk, position - 1]) if position > 1 else "",
        "next_url": reverse(url, args=[round.pk, position + 1])
        if position < len(standards)
        else "",
        "agree_url": reverse(
            "assessments:agree_commitment", args=[round.pk, standard.commitment.number]
        )
        + f"#standard-{standard.pk}",
        "can_agree": access.can_agree and round.allows(rules.AGREE),
    }
    return render(request, "assessments/meeting.html", context)
