"""The emails of a whole round, received by a real SMTP server; reminders, never duplicated."""

import datetime

import pytest
from django.utils import timezone

from assessments import notices, services
from assessments.models import Round
from assessments.tasks import run_daily
from reports.models import ReportKind
from reports.services import request_report
from standards.models import EmailChoice, Notification, NotificationKind, NotificationStatus
from tests.assessments.builders import agree_all, rate_all, scoring_round, signed_round

RESERVATIONS = "Partners were asked late.\n  Their comments on 4.2 were not discussed."
REASON = "The action plan left out the community meeting."


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _texts(inbox) -> list[str]:
    return [f"{m['Subject']}\n{inbox.text(m)}" for m in inbox.messages]


def test_a_whole_round_emails_each_person_at_each_moment(
    smtp_server, commit, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader, qi_lead
):
    inbox = smtp_server.inbox
    with commit():
        round = services.open_round(
            ward=ward, label="2026 Q4", by=ward_manager, scorer_ids=[ward_staff.pk, le_partner.pk]
        )
        services.start_scoring(round=round, by=ward_manager)
    assert inbox.subjects() == [
        "Culture of Care: Rate the standards for Willow Ward, 2026 Q4",
        "Culture of Care: Rate the standards for Willow Ward, 2026 Q4",
    ]
    assert {m["To"] for m in inbox.messages} == {ward_staff.email, le_partner.email}
    assert f"/rounds/{round.pk}/score/" in inbox.text(inbox.messages[0])

    inbox.clear()
    with commit():
        rate_all(round=round, user=ward_staff)
        rate_all(round=round, user=le_partner, answer="1")
        first = round.edition.commitments.first().standards.first()
        services.save_rating(
            round=round, standard=first, answer="4", comment="PRIVATE-COMMENT", by=le_partner
        )
        services.submit_ratings(round=round, by=ward_staff)
        assert inbox.messages == []
        services.submit_ratings(round=round, by=le_partner)
    [message] = inbox.messages
    assert message["To"] == ward_manager.email
    assert (
        message["Subject"] == "Culture of Care: Every scorer has submitted for Willow Ward, 2026 Q4"
    )
    assert f"/rounds/{round.pk}/agree/" in inbox.text(message)

    inbox.clear()
    with commit():
        agree_all(round=round, manager=ward_manager, rationale="PRIVATE-RATIONALE")
        services.finish_agreeing(round=round, by=ward_manager)
    [message] = inbox.messages
    assert message["To"] == le_leader.email
    assert "Co-sign the assessment for Willow Ward, 2026 Q4" in message["Subject"]
    assert f"/rounds/{round.pk}/sign/" in inbox.text(message)

    inbox.clear()
    with commit():
        services.sign_as_manager(round=round, by=ward_manager)
        services.sign_as_leader(
            round=round, decision="reservations", words=RESERVATIONS, by=le_leader
        )
    assert sorted(m["To"] for m in inbox.messages) == sorted([ward_manager.email, qi_lead.email])
    for message in inbox.messages:
        assert (
            message["Subject"] == "Culture of Care: Signed with reservations: Willow Ward, 2026 Q4"
        )
        assert RESERVATIONS in inbox.text(message), "the reservations are quoted word for word"
        assert f"/rounds/{round.pk}/summary/" in inbox.text(message)

    inbox.clear()
    with commit():
        services.reopen_round(round=Round.objects.get(pk=round.pk), reason=REASON, by=qi_lead)
    assert sorted(m["To"] for m in inbox.messages) == sorted([ward_manager.email, le_leader.email])
    for message in inbox.messages:
        assert "Your signature was voided" in message["Subject"]
        assert REASON in inbox.text(message)
        assert "was reopened" in inbox.text(message)


def test_round_emails_never_contain_ratings_or_comments(
    smtp_server, commit, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader, qi_lead
):
    with commit():
        round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
        first = round.edition.commitments.first().standards.first()
        rate_all(round=round, user=ward_staff, answer="4")
        rate_all(round=round, user=le_partner, answer="0")
        services.save_rating(
            round=round, standard=first, answer="4", comment="PRIVATE-COMMENT", by=le_partner
        )
        services.submit_ratings(round=round, by=ward_staff)
        services.submit_ratings(round=round, by=le_partner)
        agree_all(round=round, manager=ward_manager, rationale="PRIVATE-RATIONALE")
        services.finish_agreeing(round=round, by=ward_manager)
        services.sign_as_manager(round=round, by=ward_manager)
        services.sign_as_leader(round=round, decision="signed", words="", by=le_leader)
    texts = _texts(smtp_server.inbox)
    assert len(texts) == 2 + 1 + 1 + 2
    for text in texts:
        for private in ("PRIVATE-COMMENT", "PRIVATE-RATIONALE", "Embedded", "Not yet"):
            assert private not in text


def test_a_person_who_chose_none_receives_nothing(
    smtp_server, commit, catalogue, ward, ward_manager, ward_staff, le_partner
):
    le_partner.email_choice = EmailChoice.NONE
    le_partner.save()
    with commit():
        round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    assert smtp_server.inbox.to(le_partner.email) == []
    assert len(smtp_server.inbox.to(ward_staff.email)) == 1
    recorded = Notification.objects.get(recipient=le_partner, key__startswith="round-open:")
    assert recorded.status == NotificationStatus.NOT_SENT
    assert str(round.pk) in recorded.key


def test_returning_to_agreeing_tells_the_signers_except_the_manager_who_did_it(
    smtp_server, commit, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    for user in (ward_staff, le_partner):
        rate_all(round=round, user=user)
        services.submit_ratings(round=round, by=user)
    agree_all(round=round, manager=ward_manager)
    services.finish_agreeing(round=round, by=ward_manager)
    services.sign_as_manager(round=round, by=ward_manager)
    with commit():
        services.return_to_agreeing(round=round, by=ward_manager, reason=REASON)
    assert smtp_server.inbox.messages == []  # only the manager had signed, and it was them
    # A leader's later decision, then another return, tells the leader.
    services.finish_agreeing(round=round, by=ward_manager)
    services.sign_as_leader(round=round, decision="signed", words="", by=le_leader)
    with commit():
        services.return_to_agreeing(round=round, by=ward_manager, reason=REASON)
    [message] = smtp_server.inbox.messages
    assert message["To"] == le_leader.email
    assert "went back to agreeing" in smtp_server.inbox.text(message)
    assert (
        Notification.objects.filter(
            kind=NotificationKind.AWAITING_COSIGN, recipient=le_leader
        ).count()
        == 2
    ), "finishing agreeing a second time is a new moment"


# --- Reminders --------------------------------------------------------------------------------


def _scoring_reminders(user) -> list[str]:
    return list(
        Notification.objects.filter(
            recipient=user, kind=NotificationKind.SCORING_CLOSING
        ).values_list("key", flat=True)
    )


def test_scoring_reminders_7_days_and_1_day_before_once_each(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    rate_all(round=round, user=le_partner)
    services.submit_ratings(round=round, by=le_partner)
    closes = datetime.date(2026, 12, 21)
    Round.objects.filter(pk=round.pk).update(scoring_closes_on=closes)
    day = datetime.timedelta(days=1)

    notices.scoring_reminders(today=closes - 8 * day)
    assert _scoring_reminders(ward_staff) == []
    notices.scoring_reminders(today=closes - 7 * day)
    notices.scoring_reminders(today=closes - 7 * day)  # run twice: nothing more
    notices.scoring_reminders(today=closes - 3 * day)
    assert len(_scoring_reminders(ward_staff)) == 1
    notices.scoring_reminders(today=closes - day)
    notices.scoring_reminders(today=closes)
    keys = _scoring_reminders(ward_staff)
    assert sorted(k.split(":")[3] for k in keys) == ["1", "7"]
    assert _scoring_reminders(le_partner) == [], "a scorer who has submitted is not reminded"


def test_a_missed_day_sends_the_reminder_next_day_and_skips_a_missed_7_day_one(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    closes = datetime.date(2026, 12, 21)
    Round.objects.filter(pk=round.pk).update(scoring_closes_on=closes)
    # Beat did not run 7 days before, nor 6: the 7-day reminder goes 5 days before.
    notices.scoring_reminders(today=closes - datetime.timedelta(days=5))
    assert [k.split(":")[3] for k in _scoring_reminders(ward_staff)] == ["7"]
    # Beat did not run 1 day before either: scoring closed yesterday, the 1-day one goes now.
    notices.scoring_reminders(today=closes + datetime.timedelta(days=1))
    notices.scoring_reminders(today=closes + datetime.timedelta(days=2))
    assert sorted(k.split(":")[3] for k in _scoring_reminders(ward_staff)) == ["1", "7"]

    other = Round.objects.get(pk=round.pk)
    other.scoring_closes_on = closes + datetime.timedelta(days=30)
    other.save()
    # First seen 1 day before closing: only the 1-day reminder, never a late 7-day one.
    notices.scoring_reminders(today=closes + datetime.timedelta(days=29))
    new = [k for k in _scoring_reminders(ward_staff) if str(other.scoring_closes_on) in k]
    assert [k.split(":")[3] for k in new] == ["1"]


def test_action_reminders_at_most_once_a_week_to_the_owner(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    today = timezone.localdate()
    action = services.create_action(
        round=round,
        title="Weekly community meeting",
        owner_id=ward_staff.pk,
        due_date=today + datetime.timedelta(days=10),
        by=ward_manager,
    )

    def reminders():
        return Notification.objects.filter(kind=NotificationKind.ACTION_DUE, recipient=ward_staff)

    notices.action_reminders(today=today)
    assert not reminders().exists(), "not due within 7 days yet"
    notices.action_reminders(today=today + datetime.timedelta(days=3))
    assert reminders().count() == 1
    assert "Weekly community meeting" in reminders().get().body
    assert reminders().get().path.endswith(f"/rounds/{round.pk}/actions/")
    notices.action_reminders(today=today + datetime.timedelta(days=3))
    # Created today; the next run that counts is 7 days after today's.
    Notification.objects.filter(kind=NotificationKind.ACTION_DUE).update(
        created_at=timezone.now() + datetime.timedelta(days=3)
    )
    notices.action_reminders(today=today + datetime.timedelta(days=9))
    assert reminders().count() == 1
    notices.action_reminders(today=today + datetime.timedelta(days=10))
    assert reminders().count() == 2
    assert "overdue" not in reminders().order_by("pk").last().subject
    action.refresh_from_db()


def test_daily_run_sends_reminders_in_the_daily_digest_once(
    smtp_server, commit, catalogue, ward, ward_manager, ward_staff, le_partner
):
    ward_staff.email_choice = EmailChoice.DAILY
    ward_staff.save()
    with commit():
        round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    Round.objects.filter(pk=round.pk).update(scoring_closes_on=datetime.date(2026, 12, 21))
    smtp_server.inbox.clear()
    with commit():
        run_daily(today=datetime.date(2026, 12, 20))
    with commit():
        run_daily(today=datetime.date(2026, 12, 20))
    [digest] = smtp_server.inbox.to(ward_staff.email)
    text = smtp_server.inbox.text(digest)
    assert "Rate the standards for Willow Ward, 2026 Q4" in text
    assert "Scoring closes soon for Willow Ward, 2026 Q4" in text
    assert len(smtp_server.inbox.to(le_partner.email)) == 1  # the reminder, as it happened


def test_report_ready_email_only_when_asked(
    smtp_server, commit, catalogue, ward, ward_manager, ward_staff, le_partner, le_leader
):
    round = signed_round(
        ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner, leader=le_leader
    )
    smtp_server.inbox.clear()
    with commit():
        job = request_report(
            kind=ReportKind.WARD_ASSESSMENT, round=round, by=ward_staff, notify_when_ready=True
        )
    [message] = smtp_server.inbox.to(ward_staff.email)
    assert "is ready" in message["Subject"]
    assert f"/reports/{job.pk}/" in smtp_server.inbox.text(message)

    smtp_server.inbox.clear()
    with commit():
        request_report(kind=ReportKind.BOARD_PACK, trust=ward.site.trust, by=le_leader)
    assert smtp_server.inbox.messages == []
