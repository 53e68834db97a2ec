"""Shared fixtures: the standards catalogue, organisations and one persona per role."""

import os

import pytest
from django.core.management import call_command

from tests.factories import (
    SiteFactory,
    TrustFactory,
    TrustMembershipFactory,
    UserFactory,
    WardFactory,
    WardMembershipFactory,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.REDIS_URL or "in-process (no REDIS_URL)"
    return [f"database: {engine}", f"celery broker: {broker}"]


def service_unavailable(reason: str):
    """In CI a missing service is a failure, never a skip; elsewhere, skip with the reason."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def forget_kept_reads() -> None:
    """Forget what pages keep between requests (the cache: task counts, trends; the wards' SPC
    variations on their stored scores), so that query counts compare like with like."""
    from django.core.cache import cache

    from assessments.models import RoundScore

    cache.clear()
    RoundScore.objects.update(ward_variation=None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in counters and rate limits live in the cache: no test inherits another's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def catalogue(db):
    call_command("loaddata", "culture-of-care-standards", verbosity=0)
    from standards.models import FrameworkEdition

    return FrameworkEdition.objects.get(pk=1)


@pytest.fixture
def trust(db):
    return TrustFactory(name="North Demo NHS Trust")


@pytest.fixture
def ward(trust):
    return WardFactory(site=SiteFactory(trust=trust), name="Willow Ward")


@pytest.fixture
def other_trust_ward(db):
    return WardFactory(site=SiteFactory(trust=TrustFactory(name="South Other NHS Trust")))


def _ward_person(ward, role, username):
    user = UserFactory(username=username)
    WardMembershipFactory(user=user, ward=ward, role=role)
    return user


def _trust_person(trust, role, username):
    user = UserFactory(username=username)
    TrustMembershipFactory(user=user, trust=trust, role=role)
    return user


@pytest.fixture
def ward_staff(ward):
    return _ward_person(ward, "ward-staff", "staff")


@pytest.fixture
def ward_manager(ward):
    return _ward_person(ward, "ward-manager", "manager")


@pytest.fixture
def le_partner(ward):
    return _ward_person(ward, "le-partner", "partner")


@pytest.fixture
def le_leader(trust):
    return _trust_person(trust, "le-leader", "leader")


@pytest.fixture
def qi_lead(trust):
    return _trust_person(trust, "qi-lead", "qilead")


@pytest.fixture
def board_member(trust):
    return _trust_person(trust, "board-member", "board")


@pytest.fixture
def trust_admin(trust):
    return _trust_person(trust, "trust-admin", "trustadmin")


@pytest.fixture
def other_trust_admin(other_trust_ward):
    """A trust administrator of another trust: sees nothing of `trust`."""
    return _trust_person(other_trust_ward.site.trust, "trust-admin", "otheradmin")


@pytest.fixture
def outsider(other_trust_ward):
    """A ward manager in another trust: sees nothing of `trust`."""
    return _ward_person(other_trust_ward, "ward-manager", "outsider")


@pytest.fixture
def people(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader, qi_lead, board_member):
    """One person per role around Willow Ward, with the standards loaded: the cast of most
    assessment and report tests."""
    return {
        "ward": ward,
        "manager": ward_manager,
        "staff": ward_staff,
        "partner": le_partner,
        "leader": le_leader,
        "qi": qi_lead,
        "board": board_member,
    }


@pytest.fixture
def celery_in_process():
    """Tasks run in-process, also when REDIS_URL is set (the embedded default's behaviour)."""
    from culture_of_care.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture
def smtp_server(settings, celery_in_process):
    """A real SMTP server on loopback, with Django's SMTP backend pointed at it. Tasks run
    in-process unless a test sends them to a real worker."""
    from tests.mail import SmtpServer

    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 5
        yield server
