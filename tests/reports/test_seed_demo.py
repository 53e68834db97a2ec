import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from standards.models import Trust, TrustMembership, User, Ward, WardMembership


def test_seed_demo_creates_a_trust_with_two_sites_six_wards_and_a_user_per_role(catalogue):
    call_command("seed_demo", password="demo-pass-123", stdout=io.StringIO())
    trust = Trust.objects.get()
    assert trust.sites.count() == 2
    assert Ward.objects.filter(site__trust=trust).count() == 6
    assert len(set(Ward.objects.values_list("service_type", flat=True))) == 6
    ward_roles = set(WardMembership.objects.values_list("role", flat=True))
    trust_roles = set(TrustMembership.objects.values_list("role", flat=True))
    assert ward_roles == {"ward-staff", "ward-manager", "le-partner"}
    assert trust_roles == {"le-leader", "qi-lead", "board-member", "trust-admin"}
    assert User.objects.get(username="demo.board").check_password("demo-pass-123")


def test_seed_demo_twice_duplicates_nothing(catalogue):
    for _ in range(2):
        call_command("seed_demo", password="demo-pass-123", stdout=io.StringIO())
    assert Trust.objects.count() == 1
    assert Ward.objects.count() == 6
    assert User.objects.count() == 8


def test_seed_demo_gives_willow_ward_a_signed_round_and_one_in_progress(catalogue):
    from assessments.models import Round

    call_command("seed_demo", password="demo-pass-123", stdout=io.StringIO())
    call_command("seed_demo", password="demo-pass-123", stdout=io.StringIO())
    rounds = {r.label: r for r in Round.objects.filter(ward__name="Willow Ward")}
    assert set(rounds) == {"2026 Q2", "2026 Q4"}
    assert rounds["2026 Q2"].is_locked
    assert rounds["2026 Q2"].signatures.filter(decision="reservations").exists()
    assert rounds["2026 Q4"].status == "scoring"


@pytest.mark.parametrize(
    "overrides",
    [{"SETTINGS_MODULE": "culture_of_care.settings.production"}, {"IS_PRODUCTION": True}],
)
def test_seed_demo_refuses_production_settings(db, overrides):
    with override_settings(**overrides), pytest.raises(CommandError, match="production"):
        call_command("seed_demo", password="demo-pass-123", stdout=io.StringIO())
    assert not User.objects.exists()


def test_seed_demo_gives_the_demo_trust_administrator_a_second_factor(catalogue):
    call_command("seed_demo", password="demo-pass-123", stdout=io.StringIO())
    admin = User.objects.get(username="demo.admin")
    assert TrustMembership.objects.filter(user=admin, role="trust-admin").exists()
    assert admin.authenticator_set.filter(type="totp").exists()


def test_seed_demo_labels_name_one_round_each_so_pages_can_find_them(catalogue):
    from assessments.models import Round

    call_command("seed_demo", password="demo-pass-123", stdout=io.StringIO())
    labels = list(Round.objects.values_list("label", flat=True))
    assert sorted(labels) == sorted(set(labels))


def test_seed_demo_gives_each_persona_something_waiting(catalogue):
    from culture_of_care.waiting import waiting_for

    call_command("seed_demo", password="demo-pass-123", stdout=io.StringIO())
    users = {u.username: u for u in User.objects.filter(username__startswith="demo.")}

    def kinds(username):
        return {task.kind for task in waiting_for(users[username])}

    assert "rate" in kinds("demo.staff2") and "rate" in kinds("demo.partner")
    assert {"close-scoring", "sign"} <= kinds("demo.manager")
    assert "action" in kinds("demo.staff")
    assert kinds("demo.leader") == {"cosign"}
    assert kinds("demo.board") == set()
