"""Independent scoring: a scorer rates every standard on their own, a commitment a page, then
submits. These pages only ever show the scorer's own answers."""

from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from standards.forms import apply_service
from standards.glossary import content_note_topics
from standards.models import Commitment

from .. import lone_scorers, presenters, rules, selectors, services
from ..forms.scoring import CommitmentRatingsForm, SubmitRatingsForm, answer_name
from ..models import Round, Scorer
from ..permissions import load_round
from ..services import ConflictError


def _closed_reason(round: Round, scorer: Scorer) -> str:
    """Why the scorer cannot change their answers now; empty while they can."""
    return rules.rating_refusal(status=round.status, submitted=scorer.has_submitted)


def _load_scorer(request: HttpRequest, round_id: int) -> tuple[Round, Scorer, str]:
    """The round (404 for other wards), the user's own invitation (403 if none), and why they
    cannot score now, if they cannot. One query: scoring needs the invitation, not the roles
    (an invited scorer is in the ward team: permissions.Access.is_ward_team)."""
    round = selectors.get_round_for_user(user=request.user, round_id=round_id, with_invitation=True)
    scorer = round.viewer_scorer
    if scorer is None:
        raise PermissionDenied("Only the people invited to score this round can do this.")
    return round, scorer, _closed_reason(round, scorer)


def _refuse(request: HttpRequest, round: Round, reason: str) -> HttpResponse:
    messages.info(request, reason)
    return redirect("assessments:round_detail", round.pk)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or "application/json" in (
        request.headers.get("Accept", "")
    )


def _save_answers(request: HttpRequest, form: CommitmentRatingsForm, round: Round) -> set[int]:
    """Save every answered standard that is valid; errors stay on the form with the typing.
    Returns the standards not saved because they were changed meanwhile elsewhere."""
    conflicts: set[int] = set()
    form.saved = {}  # standard id to the rating as saved
    form.is_valid()
    for standard, answer, comment, share_without_name, version in form.answers():
        try:
            saved = apply_service(
                form,
                services.save_rating,
                round=round,
                standard=standard,
                answer=answer,
                comment=comment,
                share_without_name=share_without_name,
                version=version,
                by=request.user,
            )
        except ConflictError as conflict:
            # Changed in another tab: say so on this standard, keep what was typed here.
            form.add_error(answer_name(standard), conflict.messages[0])
            conflicts.add(standard.pk)
            continue
        if saved is None:
            break  # The refusal (round closed, already submitted) holds for the rest too.
        form.saved[standard.pk] = saved
    return conflicts


@require_GET
def score_start(request: HttpRequest, round_id: int) -> HttpResponse:
    """Resume at the first commitment with a standard still to rate."""
    round, scorer, reason = _load_scorer(request, round_id)
    if reason:
        return _refuse(request, round, reason)
    progress = presenters.scoring_progress(round, scorer)
    unfinished = next((c for c in progress.commitments if not c.is_complete), None)
    if unfinished is None:
        return redirect("assessments:score_submit", round.pk)
    return redirect("assessments:score_commitment", round.pk, unfinished.commitment.number)


@require_http_methods(["GET", "POST"])
def score_commitment(request: HttpRequest, round_id: int, number: int) -> HttpResponse:
    """One commitment's standards. A plain POST saves the page; the script saves one at a time."""
    round, scorer, reason = _load_scorer(request, round_id)
    if reason:
        if _wants_json(request):
            return JsonResponse({"error": reason}, status=400)
        return _refuse(request, round, reason)
    if request.method == "POST" and _wants_json(request):
        return _autosave(request, round, scorer, number)
    progress = presenters.scoring_progress(round, scorer)
    page = progress.get(number)
    data = request.POST if request.method == "POST" else None
    form = CommitmentRatingsForm(data, standards=page.standards, ratings=progress.ratings)
    if form.is_bound:
        _save_answers(request, form, round)
        progress = presenters.scoring_progress(round, scorer)  # Count what is saved now.
        if not form.errors:
            _say_what_is_saved(request, progress.get(number))
            return redirect(_next_url(request, round, number, progress))
    return render(
        request,
        "assessments/score_commitment.html",
        {
            "round": round,
            "edition": round.edition,
            "form": form,
            "progress": progress,
            "commitment": page.commitment,
            "content_topics": content_note_topics(s.text for s in page.standards),
            "previous_commitment": _neighbour(progress, number, -1),
            "next_commitment": _neighbour(progress, number, +1),
            "lone_notice": lone_scorers.for_scorer(
                group=scorer.group,
                groups=selectors.scorer_groups(round=round),
                trust=round.ward.site.trust,
            ),
        },
        status=400 if form.errors else 200,
    )


def _neighbour(progress: presenters.ScoringProgress, number: int, step: int) -> Commitment | None:
    numbers = [c.commitment for c in progress.commitments]
    index = next(i for i, c in enumerate(numbers) if c.number == number) + step
    return numbers[index] if 0 <= index < len(numbers) else None


def _say_what_is_saved(request: HttpRequest, page: presenters.CommitmentProgress) -> None:
    """What is saved on the page, answers saved as they were chosen included; never a claim
    of saving when nothing on the page is answered."""
    number = page.commitment.number
    if not page.rated:
        messages.info(request, f"You have not rated any standard in commitment {number} yet.")
        return
    messages.success(
        request,
        f"Commitment {number}: {page.rated} of {page.total} standards rated. "
        "Your answers are saved.",
    )


def _next_url(
    request: HttpRequest, round: Round, number: int, progress: presenters.ScoringProgress
) -> str:
    numbers = [c.commitment.number for c in progress.commitments]
    if request.POST.get("go") == "previous" and number > numbers[0]:
        return reverse("assessments:score_commitment", args=[round.pk, number - 1])
    if number >= numbers[-1]:
        return reverse("assessments:score_submit", args=[round.pk])
    return reverse("assessments:score_commitment", args=[round.pk, number + 1])


def _autosave(request: HttpRequest, round: Round, scorer: Scorer, number: int) -> JsonResponse:
    """Save the one standard the script sent; answer with the new counts for the page."""
    standard = selectors.page_standard(
        round=round, number=number, standard_id=request.POST.get("standard")
    )
    if standard is None:
        if not selectors.round_commitments(round=round).filter(number=number).exists():
            raise Http404("No such commitment")
        return JsonResponse({"error": "That standard is not on this page."}, status=400)
    form = CommitmentRatingsForm(
        request.POST, standards=[standard], ratings={}, require_answers=True, hints=False
    )
    conflicts = _save_answers(request, form, round)
    if form.errors:
        first = next(iter(form.errors.values()))[0]
        if conflicts:
            return JsonResponse({"error": first, "conflict": True}, status=409)
        return JsonResponse({"error": first}, status=400)
    saved = form.saved[standard.pk]
    return JsonResponse({"saved": True, "version": saved.version, **asdict(saved.tally)})


@require_http_methods(["GET", "POST"])
def score_submit(request: HttpRequest, round_id: int) -> HttpResponse:
    """Check every standard has an answer, then hand the ratings in for good."""
    round, scorer, reason = _load_scorer(request, round_id)
    if reason:
        return _refuse(request, round, reason)
    form = SubmitRatingsForm(request.POST if request.method == "POST" else None)
    submitted = (
        form.is_bound
        and form.is_valid()
        and apply_service(form, services.submit_ratings, round=round, by=request.user)
    )
    if submitted:
        return redirect("assessments:score_submitted", round.pk)
    progress = presenters.scoring_progress(round, scorer)
    return render(
        request,
        "assessments/score_submit.html",
        {
            "round": round,
            "form": form,
            "progress": progress,
            "answers": presenters.answers(progress),
            "missing": selectors.unanswered_standards(scorer=scorer),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def score_submitted(request: HttpRequest, round_id: int) -> HttpResponse:
    """After submitting: what happens next, and when."""
    round, access = load_round(request, round_id)
    scorer = access.scorer
    if scorer is None:
        raise PermissionDenied("Only the people invited to score this round can do this.")
    if not scorer.has_submitted:
        return redirect("assessments:score_start", round.pk)
    waiting = selectors.scorers(round=round).filter(submitted_at__isnull=True).count()
    context = {"round": round, "scorer": scorer, "waiting": waiting}
    return render(request, "assessments/score_submitted.html", context)
