"""Accepting an invitation: open without signing in, since the person has no account yet."""

from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import invitations, selectors
from ..forms import apply_service
from ..trust_admin_forms import AcceptInvitationForm

# Single sign-on reads this after the identity provider answers, to apply the invitation.
SESSION_INVITATION_ID = "invitation_id"


@login_not_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.get_invitation(token=token)
    try:
        invitations.ensure_usable(invitation)
    except ValidationError as error:
        context = {"message": error.messages[0]}
        status = 404 if invitation is None else 410
        return render(request, "standards/invitation_unusable.html", context, status=status)
    account = invitations.account_for(invitation)
    signed_in_as_invitee = account is not None and request.user.pk == account.pk
    providers = get_social_adapter().list_providers(request)
    if providers and not account:
        request.session[SESSION_INVITATION_ID] = invitation.pk
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and signed_in_as_invitee:
        if apply_service(
            form, invitations.accept_invitation_for_user, invitation=invitation, user=account
        ):
            messages.success(request, f"Your roles at {invitation.trust} have been added")
            return redirect("home")
    elif (
        request.method == "POST"
        and account is None
        and not request.user.is_authenticated
        and form.is_valid()
    ):
        user = apply_service(
            form,
            invitations.accept_invitation,
            token=token,
            password=form.cleaned_data["password1"],
        )
        if user is not None:
            messages.success(
                request,
                f"Your account is ready: sign in with your username {user.username} and the "
                "password you have just set.",
            )
            return redirect("account_login")
    context = {
        "invitation": invitation,
        "roles": selectors.describe_roles([invitation])[invitation.pk],
        "form": form,
        "account": account,
        "signed_in_as_invitee": signed_in_as_invitee,
        "providers": providers,
        "roles_need_mfa": bool(invitation.trust_roles),
    }
    return render(request, "standards/invitation_accept.html", context)
