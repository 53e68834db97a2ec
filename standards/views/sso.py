"""The start of single sign-on, around allauth's view: an identity provider that does not
answer gets a page saying so, never a server error."""

import logging

import requests
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..accounts.oidc import views as openid_connect

logger = logging.getLogger(__name__)


@login_not_required
def start(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return openid_connect.login(request, provider_id=provider_id)
    except requests.RequestException as error:
        # Reading the provider's configuration failed: it is down or unreachable from here.
        logger.warning("Single sign-on provider %s did not answer: %s", provider_id, error)
        provider = get_adapter().get_provider(request, provider_id)
        context = {"auth_error": {"provider": provider}, "provider_unavailable": True}
        return render(request, "socialaccount/authentication_error.html", context, status=503)
