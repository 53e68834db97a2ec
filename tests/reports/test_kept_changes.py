"""Every change to what a kept page reads shows on its next view (standards/kept.py,
docs/decisions/0026): the kept trust dashboard, the trust trend and the header's task count,
whichever way the change was written (a service, a bulk update followed by its history, the
admin, a plain save)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import scores, services
from assessments.models import Action, ActionStatus, RoundScore
from assessments.services.actions import update_action
from assessments.services.signing import reopen_round
from culture_of_care.waiting import task_count
from reports import selectors
from reports.measure_services import save_month
from reports.models import (
    JobStatus,
    Measure,
    ProcessChange,
    ReportJob,
    ReportKind,
    Target,
    TrustReportSettings,
)
from reports.process_changes import add_process_change, remove_process_change
from reports.services import mark_downloaded
from standards import kept
from standards.demo import give_demo_second_factor
from standards.models import ReadingsVersion, Site
from standards.people import rename_site, update_ward
from standards.selectors import administered_trusts
from tests.assessments.builders import agree_all, rate_all, scoring_round, signed_round
from tests.conftest import _trust_person, _ward_person
from tests.factories import UserFactory, WardFactory
from tests.measure_builders import RESTRAINT, load_measures, restraint_months


def _dashboard(client, trust) -> str:
    response = client.get(reverse("reports:trust_dashboard", args=[trust.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def signed(catalogue, ward, ward_manager, ward_staff, le_partner, le_leader):
    return signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )


@pytest.fixture
def board(client, board_member):
    client.force_login(board_member)
    return client


@pytest.fixture
def admin_client():
    person = UserFactory(username="kept-admin", is_staff=True, is_superuser=True)
    give_demo_second_factor(person)
    client = Client()
    client.force_login(person)
    return client


def _overdue_action(round, owner) -> Action:
    return Action.objects.create(
        origin_round=round,
        ward=round.ward,
        title="Review blanket restrictions",
        owner=owner,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
        created_by=owner,
    )


def test_an_overdue_action_marked_done_is_no_longer_counted_on_the_next_view(
    board, trust, signed, ward_manager, ward
):
    """The seen bug: the action's update (a bulk update by version) changed nothing the old key
    read, so the kept page said "1 overdue action" for ten minutes."""
    action = _overdue_action(signed, ward_manager)
    # Only an action whose latest round is not signed can change: the QI lead reopens it.
    reopen_round(round=signed, reason="Carry on", by=_qi_lead(trust))
    assert "1 overdue action" in _dashboard(board, trust)
    action.refresh_from_db()
    update_action(
        action=action,
        version=action.version,
        title=action.title,
        owner_id=ward_manager.pk,
        due_date=action.due_date,
        status=ActionStatus.DONE,
        standards=[],
        co_produced=False,
        by=ward_manager,
    )
    assert "1 overdue action" not in _dashboard(board, trust)


def _qi_lead(trust):
    return _trust_person(trust, "qi-lead", "kept-qi-lead")


def test_a_target_edited_in_the_admin_shows_on_the_next_view(board, trust, signed, admin_client):
    target = Target.objects.create(trust=trust, commitment_number=0, value="3.50")
    assert "(target 3.5" in _dashboard(board, trust)
    response = admin_client.post(
        reverse("admin:reports_target_change", args=[target.pk]),
        {"trust": trust.pk, "commitment_number": 0, "value": "2.50"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = _dashboard(board, trust)
    assert "(target 2.5" in page and "(target 3.5" not in page


def test_a_renamed_ward_and_site_show_on_the_next_view(board, trust, signed, ward, trust_admin):
    page = _dashboard(board, trust)
    assert ward.name in page
    update_ward(
        by=trust_admin,
        ward=ward,
        name="Rowan Ward",
        site=ward.site,
        service_type=ward.service_type,
        beds=ward.beds,
        is_active=True,
    )
    site = Site.objects.get(pk=ward.site_id)
    rename_site(by=trust_admin, site=site, name="Hillside Hospital")
    page = _dashboard(board, trust)
    assert "Rowan Ward" in page and "Hillside Hospital" in page


def test_a_ward_renamed_without_a_service_shows_on_the_next_view(board, trust, signed, ward):
    """The safety net: a plain save (a shell, a data fix) moves the version on too."""
    _dashboard(board, trust)
    ward.name = "Hazel Ward"
    ward.save()
    assert "Hazel Ward" in _dashboard(board, trust)


def test_a_removed_process_change_goes_on_the_next_view(board, trust, signed, qi_lead):
    change = add_process_change(
        by=qi_lead, trust=trust, measure="overall", date=signed.signed_at.date(), note="New rota"
    )
    assert "New rota" in _dashboard(board, trust)
    remove_process_change(by=qi_lead, change=change)
    assert "New rota" not in _dashboard(board, trust)


def test_reopening_a_round_shows_on_the_next_view(board, trust, signed, qi_lead):
    assert "no signed round" not in _dashboard(board, trust)
    reopen_round(round=signed, reason="A standard was missed", by=qi_lead)
    assert "no signed round" in _dashboard(board, trust)


def test_the_small_group_threshold_shows_on_the_next_view(board, trust, ward, catalogue):
    """Two staff and two partners scored: combined under the default threshold of 3, shown
    apart as soon as the trust sets 2."""
    manager = _ward_person(ward, "ward-manager", "kept-manager")
    staff = [_ward_person(ward, "ward-staff", f"kept-staff{i}") for i in range(2)]
    partners = [_ward_person(ward, "le-partner", f"kept-partner{i}") for i in range(2)]
    round = scoring_round(ward=ward, manager=manager, scorers=[*staff, *partners])
    for person in [*staff, *partners]:
        rate_all(round=round, user=person)
        services.submit_ratings(round=round, by=person)
    agree_all(round=round, manager=manager)
    services.finish_agreeing(round=round, by=manager)
    services.sign_as_manager(round=round, by=manager)
    services.sign_as_leader(
        round=round, decision="signed", words="", by=_trust_person(trust, "le-leader", "kl")
    )
    assert "Small groups protected" in _dashboard(board, trust)
    TrustReportSettings.objects.update_or_create(trust=trust, defaults={"small_group_threshold": 2})
    assert "Small groups protected" not in _dashboard(board, trust)


def test_a_new_measure_month_and_a_renamed_national_measure_show_on_the_next_view(
    board, trust, signed, ward, qi_lead
):
    load_measures()
    restraint_months(ward, months=14, rise_last=0, today=timezone.localdate())
    page = _dashboard(board, trust)
    measure = Measure.objects.get(code=RESTRAINT, trust__isnull=True)
    assert measure.name in page
    # A national measure renamed (every trust's catalogue): every trust's page.
    measure.name = "Restrictive practices used"
    measure.save()
    assert "Restrictive practices used" in _dashboard(board, trust)
    # A ward's month entered through the service: the next view differs.
    before = _dashboard(board, trust)
    last = Measure.objects.get(pk=measure.pk).months.order_by("-month").first()
    save_month(
        by=qi_lead,
        ward=ward,
        measure=measure,
        month=last.month,
        numerator=97,
        denominator=600,
        value=None,
        replacing=None,
    )
    assert _dashboard(board, trust) != before


def test_a_change_to_one_trust_leaves_another_trusts_kept_page_alone(trust, ward, other_trust_ward):
    other = other_trust_ward.site.trust
    kept.ensure_versions(kept.EVERY_TRUST, trust.pk, other.pk)
    mine, theirs = kept.versions_key(trust.pk), kept.versions_key(other.pk)
    WardFactory(site=Site.objects.filter(trust=trust).first())
    assert kept.versions_key(trust.pk) != mine
    assert kept.versions_key(other.pk) == theirs


def test_the_version_moves_in_the_writers_transaction(trust, ward):
    """Rolled back with the change: a version never moves for a change that did not happen."""
    from django.db import transaction

    start = ReadingsVersion.objects.get(scope=trust.pk).version
    with pytest.raises(RuntimeError), transaction.atomic():
        ward.name = "Never saved"
        ward.save()
        assert ReadingsVersion.objects.get(scope=trust.pk).version == start + 1
        raise RuntimeError
    assert ReadingsVersion.objects.get(scope=trust.pk).version == start


def test_moving_a_ward_to_another_site_changes_the_filtered_trend_at_once(
    trust, signed, ward, trust_admin
):
    other = Site.objects.create(trust=trust, name="Eastfield")
    assert selectors.trust_trend(trust=trust, site_id=other.pk).labels == []
    update_ward(
        by=trust_admin,
        ward=ward,
        name=ward.name,
        site=other,
        service_type=ward.service_type,
        beds=ward.beds,
        is_active=True,
    )
    assert selectors.trust_trend(trust=trust, site_id=other.pk).labels == [signed.label]


def test_the_header_count_drops_when_an_action_is_done(trust, signed, ward_manager, qi_lead):
    action = _overdue_action(signed, ward_manager)
    before = task_count(ward_manager)
    reopen_round(round=signed, reason="Carry on", by=qi_lead)
    after_reopen = task_count(ward_manager)
    action.refresh_from_db()
    update_action(
        action=action,
        version=action.version,
        title=action.title,
        owner_id=ward_manager.pk,
        due_date=action.due_date,
        status=ActionStatus.DONE,
        standards=[],
        co_produced=False,
        by=ward_manager,
    )
    assert task_count(ward_manager) == after_reopen - 1
    assert before >= 1


def test_a_process_change_however_written_forgets_the_trusts_stored_variations(trust, signed):
    """Each ward's SPC variation is kept on its latest overall score row; a marked change saved
    by any path (here a plain create, as the admin or a shell would) has it worked out again."""
    row = RoundScore.objects.get(round=signed, measure=scores.OVERALL)
    RoundScore.objects.filter(pk=row.pk).update(ward_variation="concern")
    ProcessChange.objects.create(
        trust=trust, measure="overall", date=signed.signed_at.date(), note="New rota"
    )
    row.refresh_from_db()
    assert row.ward_variation is None


def test_a_renamed_trust_shows_in_its_administrators_header_menu_at_once(trust, trust_admin):
    assert administered_trusts(user=trust_admin) == [(trust.pk, trust.name)]
    trust.name = "Renamed Partnership NHS Trust"
    trust.save()
    assert administered_trusts(user=trust_admin) == [(trust.pk, "Renamed Partnership NHS Trust")]


def test_the_header_count_drops_when_a_made_report_is_downloaded(trust, signed, ward_staff):
    """Report jobs bump only when made or first downloaded (reports/signals.py says why)."""
    job = ReportJob.objects.create(
        kind=ReportKind.WARD_ASSESSMENT,
        key=f"kept-test:{signed.pk}",
        round=signed,
        requested_by=ward_staff,
        status=JobStatus.DONE,
        finished_at=timezone.now(),
    )
    before = task_count(ward_staff)
    mark_downloaded(job=job, by=ward_staff)
    assert task_count(ward_staff) == before - 1
