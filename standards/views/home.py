from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import selectors
from ..health import broker_status


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    overview = selectors.user_overview(user=request.user)
    return render(request, "standards/home.html", {"overview": overview})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "standards/privacy.html")


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the database must answer; the broker is reported."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database, "broker": broker_status()}, status=status)
