"""Account pages of our own beside allauth's: why a second factor is needed, and staying
signed in when the idle warning shows."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import notifications, selectors
from ..accounts import policy
from ..forms import EmailChoiceForm


@require_GET
def security(request: HttpRequest) -> HttpResponse:
    """The person's own account: password, second factor and their recent sign-ins."""
    context = {
        "mfa_required": policy.mfa_required(request.user),
        "authenticators": selectors.second_factors(user=request.user),
        "events": selectors.recent_sign_in_events(user=request.user),
    }
    return render(request, "account/security.html", context)


@require_http_methods(["GET", "POST"])
def emails(request: HttpRequest) -> HttpResponse:
    """How often the person wants emails, and every notification they have been sent."""
    initial = {"email_choice": request.user.email_choice}
    form = EmailChoiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notifications.set_email_choice(
                user=request.user, choice=form.cleaned_data["email_choice"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your email choice is saved")
            return redirect("account_emails")
    sent = selectors.recent_notifications(user=request.user)
    context = {
        "form": form,
        "notifications": sent,
        "not_sent_reasons": notifications.explain_statuses(sent),
    }
    return render(request, "account/emails.html", context)


def not_offered(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404("Not offered here")


@require_GET
def mfa_required(request: HttpRequest) -> HttpResponse:
    if policy.has_second_factor(request.user):
        return redirect("home")
    return render(request, "account/mfa_required.html")


@require_POST
def stay_signed_in(request: HttpRequest) -> HttpResponse:
    """The idle-timeout warning's button: the request itself counts as activity."""
    if request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse({"idle_timeout_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS})
    next_page = request.POST.get("next", "")
    # Only a page of this site: never another site, and never a view name.
    if not next_page.startswith("/") or not url_has_allowed_host_and_scheme(
        next_page, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_page = reverse("home")
    return HttpResponseRedirect(next_page)
