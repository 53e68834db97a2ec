"""Actions: what will change, who owns it, by when. Open ones carry into the next round."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from standards.forms import apply_service
from standards.selectors import ward_people

from .. import selectors, services
from ..forms.actions import ActionForm
from ..permissions import access_for, load_round

LOCKED = "This assessment is signed and locked, so its actions cannot change."


@require_GET
def action_list(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    context = {
        "round": round,
        "actions": selectors.round_actions(round=round),
        "today": timezone.localdate(),
        "can_change": access.can_contribute and not round.is_locked,
    }
    return render(request, "assessments/action_list.html", context)


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, round_id: int) -> HttpResponse:
    round, access = load_round(request, round_id)
    if not access.can_contribute:
        raise PermissionDenied("Only the ward's people can add actions.")
    if round.is_locked:
        messages.info(request, LOCKED)
        return redirect("assessments:action_list", round.pk)
    posted = request.POST if request.method == "POST" else None
    form = ActionForm(
        posted,
        people=ward_people(ward=round.ward),
        standards=selectors.round_standards(round=round),
    )
    if form.is_bound and form.is_valid():
        action = apply_service(
            form, services.create_action, round=round, by=request.user, **form.service_arguments()
        )
        if action is not None:
            messages.success(request, f"Action added: {action.title}")
            return redirect("assessments:action_list", round.pk)
    context = {"round": round, "form": form, "editing": False, "back_round": round}
    return render(request, "assessments/action_form.html", context)


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    action = selectors.get_action_for_user(user=request.user, action_id=action_id)
    round = action.origin_round
    if not access_for(user=request.user, ward=action.ward).can_contribute:
        raise PermissionDenied("Only the ward's people can change actions.")
    # The latest round it belongs to: where people are working on it now.
    current_round = action.rounds.order_by("-opened_at", "-pk").first() or round
    if current_round.is_locked:
        messages.info(request, LOCKED)
        return redirect("assessments:action_list", current_round.pk)
    posted = request.POST if request.method == "POST" else None
    form = ActionForm(
        posted,
        initial=ActionForm.initial_for(action),
        people=ward_people(ward=action.ward),
        standards=selectors.round_standards(round=round),
        editing=True,
    )
    conflict = None
    if form.is_bound and form.is_valid():
        try:
            saved = apply_service(
                form,
                services.update_action,
                action=action,
                version=form.cleaned_data["version"],
                by=request.user,
                **form.service_arguments(),
            )
        except services.ConflictError as error:
            conflict = form.show_conflict(error)
        else:
            if saved is not None:
                messages.success(request, f"Action saved: {saved.title}")
                return redirect("assessments:action_list", current_round.pk)
    context = {
        "round": round,
        "action": action,
        "form": form,
        "editing": True,
        "conflict": conflict,
        "back_round": current_round,
    }
    return render(request, "assessments/action_form.html", context)
