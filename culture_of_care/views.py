"""The site shell: the home page (your tasks, your wards), privacy, and /health/."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assessments.first_steps import first_steps
from assessments.waiting import current_rounds
from standards import selectors
from standards.health import broker_status, worker_status

from .waiting import HeaderCount, waiting_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    overview = selectors.user_overview(user=request.user)
    tasks = waiting_for(request.user)
    rounds = current_rounds(wards=[item.ward for item in overview.wards])
    for item in overview.wards:
        item.current_round = rounds.get(item.ward.pk)
    # The header's count reads the same list.
    context = {
        "overview": overview,
        "tasks": tasks,
        "first_steps": first_steps(request.user),
        "waiting_task_count": HeaderCount(request.user, known=len(tasks)),
    }
    return render(request, "standards/home.html", context)


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "standards/privacy.html")


@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: up or down per part, nothing more. 503 only when
    the database is down; "degraded" when Redis or the worker is."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        database = "unavailable"
    broker = broker_status()
    worker = worker_status()
    healthy = {"ok", "in-process"}
    if database != "ok":
        status = "down"
    elif broker in healthy and worker in healthy:
        status = "ok"
    else:
        status = "degraded"
    body = {"status": status, "database": database, "broker": broker, "worker": worker}
    return JsonResponse(body, status=503 if status == "down" else 200)
