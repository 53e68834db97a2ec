"""Each person's tasks: the right work for the right person, gone once done, newest first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import rules, services
from assessments.models import AgreedRating, Round, Signature
from culture_of_care.waiting import waiting_for
from tests.assessments.builders import agree_all, agreeing_round, rate_all, scoring_round
from tests.factories import TrustMembershipFactory, WardMembershipFactory

pytestmark = pytest.mark.django_db


def kinds(user):
    return [task.kind for task in waiting_for(user)]


def test_a_round_being_scored_asks_each_scorer_to_rate_and_the_manager_to_follow_it(
    catalogue, ward, ward_manager, ward_staff, le_partner, qi_lead, le_leader, board_member
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    [task] = waiting_for(ward_staff)
    assert task.kind == "rate"
    assert task.detail == "0 of 76 rated"
    assert task.url == reverse("assessments:score_start", args=[round.pk])
    assert task.due == round.scoring_closes_on and not task.overdue
    assert kinds(ward_manager) == ["close-scoring"]
    assert kinds(qi_lead) == ["close-scoring"]
    assert kinds(le_leader) == [] and kinds(board_member) == []
    rate_all(round=round, user=ward_staff)
    assert waiting_for(ward_staff)[0].detail == "76 of 76 rated"
    services.submit_ratings(round=round, by=ward_staff)
    assert kinds(ward_staff) == []
    [manager_task] = waiting_for(ward_manager)
    assert manager_task.detail == "1 of 2 scorers submitted"


def test_overdue_scoring_is_marked_for_the_scorer_and_the_manager(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    later = timezone.localdate() + datetime.timedelta(days=30)
    assert waiting_for(ward_manager, today=later)[0].overdue
    assert waiting_for(ward_staff, today=later)[0].overdue


def test_agree_sign_and_cosign_go_to_the_right_people_until_done(
    catalogue, trust, ward, ward_manager, ward_staff, le_partner, le_leader, qi_lead
):
    other_leader = TrustMembershipFactory(trust=trust, role="le-leader").user
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    assert kinds(ward_manager) == ["agree"]
    assert kinds(qi_lead) == []  # the ward manager agrees
    agree_all(round=round, manager=ward_manager)
    services.finish_agreeing(round=round, by=ward_manager)
    assert kinds(ward_manager) == ["sign"]
    assert kinds(le_leader) == ["cosign"] and kinds(other_leader) == ["cosign"]
    services.sign_as_manager(round=round, by=ward_manager)
    assert kinds(ward_manager) == []
    services.sign_as_leader(round=round, decision="signed", words="", by=other_leader)
    assert kinds(le_leader) == [] and kinds(other_leader) == []


def test_actions_due_within_two_weeks_or_overdue_are_on_their_owners_list(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    today = timezone.localdate()
    for days, title in ((-3, "Late"), (10, "Soon"), (40, "Later")):
        services.create_action(
            round=round,
            title=title,
            owner_id=le_partner.pk,
            due_date=today + datetime.timedelta(days=days),
            by=ward_manager,
        )
    actions = [t for t in waiting_for(le_partner) if t.kind == "action"]
    assert sorted(t.title.split(": ")[1] for t in actions) == ["Late", "Soon"]
    assert [t.overdue for t in actions if t.title.endswith("Late")] == [True]


def test_another_trusts_rounds_never_appear(
    catalogue, ward, ward_manager, ward_staff, le_partner, other_trust_ward
):
    scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    outsider_leader = TrustMembershipFactory(
        trust=other_trust_ward.site.trust, role="le-leader"
    ).user
    outsider_manager = WardMembershipFactory(ward=other_trust_ward, role="ward-manager").user
    assert waiting_for(outsider_leader) == [] and waiting_for(outsider_manager) == []


def test_the_home_page_lists_the_tasks_and_the_header_counts_them(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    client.force_login(ward_staff)
    page = client.get(reverse("home")).content.decode()
    assert 'data-task-count="1"' in page and ">1 task</a>" in page
    assert f'href="{reverse("assessments:score_start", args=[round.pk])}"' in page
    assert "0 of 76 rated" in page
    other = client.get(reverse("assessments:round_detail", args=[round.pk])).content.decode()
    assert ">1 task</a>" in other
    client.force_login(le_partner)
    rate_all(round=round, user=le_partner)
    services.submit_ratings(round=round, by=le_partner)
    assert "Nothing is waiting for you" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("wards", [1, 5])
def test_the_task_list_reads_in_a_fixed_number_of_queries(
    catalogue, trust, ward_manager, django_assert_max_num_queries, wards
):
    from tests.factories import WardFactory

    people = []
    for _ in range(wards):
        extra = WardFactory(site__trust=trust)
        WardMembershipFactory(ward=extra, user=ward_manager, role="ward-manager")
        staff = WardMembershipFactory(ward=extra, role="ward-staff").user
        partner = WardMembershipFactory(ward=extra, role="le-partner").user
        scoring_round(ward=extra, manager=ward_manager, scorers=[staff, partner])
        people.append(staff)
    with django_assert_max_num_queries(12):
        assert len(waiting_for(ward_manager)) == wards


def test_an_open_round_asks_the_manager_and_qi_lead_to_start_scoring_and_nobody_else(
    catalogue, ward, ward_manager, ward_staff, le_partner, qi_lead, le_leader
):
    round = services.open_round(
        ward=ward, label="2026 Q4", by=ward_manager, scorer_ids=[ward_staff.pk, le_partner.pk]
    )
    [task] = waiting_for(ward_manager)
    assert task.kind == "start-scoring"
    assert task.url == reverse("assessments:round_detail", args=[round.pk])
    assert task.due == round.scoring_closes_on
    assert kinds(qi_lead) == ["start-scoring"]
    assert kinds(ward_staff) == [] and kinds(le_partner) == [] and kinds(le_leader) == []
    services.start_scoring(round=round, by=qi_lead)
    assert kinds(ward_manager) == ["close-scoring"]
    assert waiting_for(qi_lead)[0].url == reverse("assessments:close_scoring", args=[round.pk])


def test_overdue_is_only_past_the_closing_day(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    closes = round.scoring_closes_on
    assert not waiting_for(ward_manager, today=closes)[0].overdue
    assert waiting_for(ward_manager, today=closes + datetime.timedelta(days=1))[0].overdue


def test_tasks_are_newest_first(catalogue, trust, ward, ward_manager, ward_staff, le_partner):
    from tests.factories import WardFactory

    older = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    second = WardFactory(site__trust=trust, name="Elm Ward")
    WardMembershipFactory(ward=second, user=ward_manager, role="ward-manager")
    WardMembershipFactory(ward=second, user=ward_staff, role="ward-staff")
    partner = WardMembershipFactory(ward=second, role="le-partner").user
    newer = scoring_round(ward=second, manager=ward_manager, scorers=[ward_staff, partner])
    type(older).objects.filter(pk=older.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=3)
    )
    tasks = waiting_for(ward_staff)
    assert [t.url for t in tasks] == [
        reverse("assessments:score_start", args=[newer.pk]),
        reverse("assessments:score_start", args=[older.pk]),
    ]
    assert [t.at for t in tasks] == sorted((t.at for t in tasks), reverse=True)


def test_a_done_action_leaves_the_list(catalogue, ward, ward_manager, ward_staff, le_partner):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    action = services.create_action(
        round=round,
        title="Soon",
        owner_id=ward_staff.pk,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
        by=ward_manager,
    )
    [task] = [t for t in waiting_for(ward_staff) if t.kind == "action"]
    assert task.url == reverse("assessments:action_edit", args=[action.pk])
    assert "action" not in kinds(ward_manager)
    type(action).objects.filter(pk=action.pk).update(status="done")
    assert "action" not in kinds(ward_staff)


def test_a_ready_report_waits_for_whoever_asked_until_they_download_it(
    client, catalogue, trust, board_member, qi_lead, tmp_path, settings
):
    from django.core.files.base import ContentFile

    from reports.models import JobStatus, ReportJob, ReportKind

    settings.MEDIA_ROOT = settings.PRIVATE_STORAGE_ROOT = str(tmp_path)
    job = ReportJob.objects.create(
        kind=ReportKind.BOARD_PACK,
        trust=trust,
        key="board-pack:x",
        status=JobStatus.DONE,
        requested_by=board_member,
    )
    job.file.save("report.pdf", ContentFile(b"%PDF-1.7 test"))
    [task] = waiting_for(board_member)
    assert task.kind == "report"
    assert task.url == reverse("reports:job_detail", args=[job.pk])
    assert kinds(qi_lead) == []

    # Someone else downloading it does not take it off the list of the person who asked.
    client.force_login(qi_lead)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 200
    assert kinds(board_member) == ["report"]

    client.force_login(board_member)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 200
    job.refresh_from_db()
    first = job.downloaded_at
    assert first is not None and kinds(board_member) == []
    client.get(reverse("reports:job_download", args=[job.pk]))
    job.refresh_from_db()
    assert job.downloaded_at == first


def test_a_report_for_a_trust_the_person_left_is_not_listed(catalogue, trust, board_member):
    from reports.models import JobStatus, ReportJob, ReportKind
    from standards.models import TrustMembership

    ReportJob.objects.create(
        kind=ReportKind.BOARD_PACK,
        trust=trust,
        key="board-pack:y",
        status=JobStatus.DONE,
        requested_by=board_member,
    )
    TrustMembership.objects.filter(user=board_member).delete()
    assert waiting_for(board_member) == []


def test_nobody_signed_out_has_tasks():
    from django.contrib.auth.models import AnonymousUser

    assert waiting_for(AnonymousUser()) == []


def _task(user, kind):
    return next(task for task in waiting_for(user) if task.kind == kind)


def test_the_task_list_counts_agreed_standards_as_the_agreeing_overview_does(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    # 1.1 is flagged (staff 0, partners 4): its agreed rating needs a reason.
    round = agreeing_round(
        ward=ward,
        manager=ward_manager,
        staff=ward_staff,
        partner=le_partner,
        overrides_staff={"1.1": "0"},
        overrides_partner={"1.1": "4"},
    )
    agree_all(round=round, manager=ward_manager)
    # Agreed without its reason (as rows from before the rule, or written round the service).
    AgreedRating.objects.filter(round=round, standard__code="1.1").update(rationale="")
    assert _task(ward_manager, "agree").detail == "75 of 76 agreed"
    client.force_login(ward_manager)
    page = client.get(reverse("assessments:agree_overview", args=[round.pk])).content.decode()
    assert "1 standard still to agree." in page
    AgreedRating.objects.filter(round=round, standard__code="1.1").update(rationale="Talked")
    assert _task(ward_manager, "agree").detail == "76 of 76 agreed"


def test_the_task_list_never_asks_one_person_to_sign_in_both_roles(
    catalogue, trust, ward, ward_manager, ward_staff, le_partner
):
    # The ward's manager is also a lived experience leader of the trust.
    TrustMembershipFactory(trust=trust, user=ward_manager, role="le-leader")
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    agree_all(round=round, manager=ward_manager)
    services.finish_agreeing(round=round, by=ward_manager)
    assert sorted(kinds(ward_manager)) == ["cosign", "sign"]
    services.sign_as_leader(round=round, decision="signed", words="", by=ward_manager)
    # Co-signed as the leader: the same person may not also sign as the ward manager.
    assert kinds(ward_manager) == []
    live = {rules.LIVED_EXPERIENCE_LEADER: ward_manager.pk}
    assert (
        rules.signing_refusal(
            status=rules.AWAITING_SIGNOFF, role=rules.WARD_MANAGER, live=live, by=ward_manager.pk
        )
        == rules.TWO_PEOPLE
    )


MANAGER_SIGNATURES = ["none", "by me", "by another", "by me, voided"]
LEADER_DECISIONS = ["none", "signed by me", "signed by another", "declined by another"]


@pytest.mark.parametrize("status", [rules.AGREEING, rules.AWAITING_SIGNOFF])
@pytest.mark.parametrize("manager", MANAGER_SIGNATURES)
@pytest.mark.parametrize("leader", LEADER_DECISIONS)
def test_who_may_sign_next_is_one_rule_in_python_and_in_sql(
    catalogue, ward, ward_manager, le_leader, status, manager, leader
):
    """Round.objects.open_to_sign (the task list's SQL) agrees with rules.signing_refusal (the
    services' check) in every state of the signatures."""
    me, other = ward_manager, le_leader
    round = services.open_round(ward=ward, label="2026 Q4", by=ward_manager, scorer_ids=[])
    Round.objects.filter(pk=round.pk).update(status=rules.AWAITING_SIGNOFF)
    if manager != "none":
        Signature.objects.create(
            round=round,
            role=rules.WARD_MANAGER,
            decision=rules.DECISION_SIGNED,
            signer=me if "me" in manager else other,
            voided_at=timezone.now() if "voided" in manager else None,
        )
    if leader != "none":
        Signature.objects.create(
            round=round,
            role=rules.LIVED_EXPERIENCE_LEADER,
            decision=rules.DECISION_DECLINED if "declined" in leader else rules.DECISION_SIGNED,
            signer=me if "by me" in leader else other,
        )
    Round.objects.filter(pk=round.pk).update(status=status)
    live = {s.role: s.signer_id for s in Signature.objects.filter(round=round).live_signatures()}
    for role in rules.SIGNING_ROLES:
        may = not rules.signing_refusal(status=status, role=role, live=live, by=me.pk)
        assert Round.objects.open_to_sign(role=role, by=me).filter(pk=round.pk).exists() == may
