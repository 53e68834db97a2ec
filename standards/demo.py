"""The demo trust: two sites, six wards, one person per role. Safe to run again."""

import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from .models import (
    ServiceType,
    Site,
    Trust,
    TrustMembership,
    TrustRole,
    User,
    Ward,
    WardMembership,
    WardRole,
)

DEMO_TRUST = "Demo Mental Health NHS Foundation Trust"
DEMO_WARDS = [
    ("Riverside Hospital", "Willow Ward", ServiceType.ACUTE_ADULT),
    ("Riverside Hospital", "Oak Ward", ServiceType.PICU),
    ("Riverside Hospital", "Beech Ward", ServiceType.OLDER_ADULT),
    ("Hillview Centre", "Maple Ward", ServiceType.LDA),
    ("Hillview Centre", "Cedar Ward", ServiceType.CAMHS),
    ("Hillview Centre", "Rowan Ward", ServiceType.SECURE_MEDIUM),
]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    description: str


DEMO_PEOPLE = [
    DemoPerson("demo.manager", "Amara", "Okafor", "Ward manager, Willow Ward"),
    DemoPerson("demo.staff", "Ben", "Carter", "Ward staff, Willow Ward"),
    DemoPerson("demo.staff2", "Chloe", "Nguyen", "Ward staff, Willow Ward"),
    DemoPerson("demo.partner", "Dev", "Patel", "Lived experience partner, Willow Ward"),
    DemoPerson("demo.leader", "Erin", "Walsh", "Lived experience leader, demo trust"),
    DemoPerson("demo.qi", "Femi", "Adeyemi", "Trust QI lead, demo trust"),
    DemoPerson("demo.board", "Grace", "Li", "Board member, demo trust"),
    DemoPerson("demo.admin", "Hana", "Kowalski", "Trust administrator, demo trust"),
]

WARD_ROLES = {
    "demo.manager": WardRole.MANAGER,
    "demo.staff": WardRole.STAFF,
    "demo.staff2": WardRole.STAFF,
    "demo.partner": WardRole.LIVED_EXPERIENCE_PARTNER,
}
TRUST_ROLES = {
    "demo.leader": TrustRole.LIVED_EXPERIENCE_LEADER,
    "demo.qi": TrustRole.QI_LEAD,
    "demo.board": TrustRole.BOARD_MEMBER,
    "demo.admin": TrustRole.TRUST_ADMIN,
}


def refuse_in_production() -> None:
    """Demo people have a shared password and a published second-factor secret: never in a
    real service."""
    module = getattr(settings, "SETTINGS_MODULE", None) or os.environ.get(
        "DJANGO_SETTINGS_MODULE", ""
    )
    if module.endswith("production") or getattr(settings, "IS_PRODUCTION", False):
        raise ImproperlyConfigured(
            "The demo data cannot be loaded with production settings: its people share one "
            "password and a published second-factor secret."
        )


@transaction.atomic
def seed_demo_organisation(*, password: str) -> Trust:
    """Create or refresh the demo trust, its wards and one demo user per role."""
    refuse_in_production()
    trust, _ = Trust.objects.get_or_create(name=DEMO_TRUST, defaults={"code": "DEMO"})
    wards = {}
    for site_name, ward_name, service_type in DEMO_WARDS:
        site, _ = Site.objects.get_or_create(trust=trust, name=site_name)
        ward, _ = Ward.objects.update_or_create(
            site=site, name=ward_name, defaults={"service_type": service_type}
        )
        wards[ward_name] = ward
    home_ward = wards["Willow Ward"]
    for person in DEMO_PEOPLE:
        user, _ = User.objects.get_or_create(
            username=person.username,
            defaults={"first_name": person.first_name, "last_name": person.last_name},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        if person.username in WARD_ROLES:
            WardMembership.objects.get_or_create(
                user=user, ward=home_ward, role=WARD_ROLES[person.username]
            )
        if person.username in TRUST_ROLES:
            TrustMembership.objects.get_or_create(
                user=user, trust=trust, role=TRUST_ROLES[person.username]
            )
    for username in TRUST_ROLES:
        give_demo_second_factor(User.objects.get(username=username))
    # The manager also scores on a second ward: people may hold several roles.
    manager = User.objects.get(username="demo.manager")
    WardMembership.objects.get_or_create(user=manager, ward=wards["Oak Ward"], role=WardRole.STAFF)
    return trust


# Demo only: the trust-level demo people must sign in with a second factor, so each gets an
# authenticator app with this well-known secret. `manage.py demo_code` prints its current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_demo_second_factor(user: User, secret: str = DEMO_TOTP_SECRET) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)


def current_demo_code(secret: str = DEMO_TOTP_SECRET) -> str:
    """The authenticator app's code for the demo secret right now."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from django.conf import settings

    period = getattr(settings, "MFA_TOTP_PERIOD", 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))
