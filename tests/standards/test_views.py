import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_commitment_list_shows_12_commitments_and_76_standards(client, catalogue, ward_staff):
    client.force_login(ward_staff)
    response = client.get(reverse("standards:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="app-commitment"') == 12
    assert "Showing all 76 standards." in page
    assert "not NHS England&#x27;s wording" in page
    assert catalogue.source_url in page


def test_commitment_list_filters_by_pillar(client, catalogue, ward_staff):
    client.force_login(ward_staff)
    autism = catalogue.standards.filter(pillars__slug="autism-informed")
    response = client.get(reverse("standards:index"), {"pillar": "autism-informed"})
    page = response.content.decode()
    assert f"Showing {autism.count()} standard" in page
    shown = [s.code for s in catalogue.standards.all() if f"<strong>{s.code}</strong>" in page]
    assert sorted(shown) == sorted(autism.values_list("code", flat=True))


def test_commitment_list_unknown_pillar_is_an_error_not_a_crash(client, catalogue, ward_staff):
    client.force_login(ward_staff)
    response = client.get(reverse("standards:index"), {"pillar": "nonsense"})
    assert response.status_code == 200
    assert "Showing all 76 standards." in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


def test_commitment_detail_shows_statement_standards_and_wording_note(
    client, catalogue, ward_staff
):
    client.force_login(ward_staff)
    commitment = catalogue.commitments.get(number=2)
    response = client.get(reverse("standards:commitment", args=[catalogue.pk, 2]))
    page = response.content.decode()
    assert commitment.statement in page
    for standard in commitment.standards.all():
        assert standard.code in page
    assert "Read the official Culture of care standards" in page


def test_commitment_detail_answers_404_for_a_missing_commitment(client, catalogue, ward_staff):
    client.force_login(ward_staff)
    assert client.get(reverse("standards:commitment", args=[catalogue.pk, 13])).status_code == 404
    assert client.get(reverse("standards:commitment", args=[999, 1])).status_code == 404


def test_home_lists_the_users_wards_and_roles(client, ward, ward_manager, other_trust_ward):
    client.force_login(ward_manager)
    page = client.get(reverse("home")).content.decode()
    assert ward.name in page
    assert "Ward manager" in page
    assert other_trust_ward.name not in page


def test_home_shows_trust_roles_and_all_trust_wards(client, ward, qi_lead):
    client.force_login(qi_lead)
    page = client.get(reverse("home")).content.decode()
    assert "Trust QI lead" in page
    assert ward.name in page


def test_health_answers_without_sign_in(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_pages_send_a_content_security_policy_without_unsafe_inline(client, ward_staff):
    client.force_login(ward_staff)
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_health_reports_each_part_and_degrades_without_a_worker(client, db, settings):
    import redis

    from standards import health

    url = settings.REDIS_URL
    settings.REDIS_URL = ""
    body = client.get(reverse("health")).json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "broker": "in-process",
        "worker": "in-process",
    }
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "unavailable"
    if url:
        settings.REDIS_URL = url
        redis.Redis.from_url(url).delete(health.HEARTBEAT_KEY)
        assert client.get(reverse("health")).json()["worker"] == "no recent heartbeat"
        health.record_heartbeat()
        assert client.get(reverse("health")).json()["worker"] == "ok"
