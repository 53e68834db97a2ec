from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict:
    return {"official_standards_url": settings.OFFICIAL_STANDARDS_URL}
