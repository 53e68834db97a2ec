"""What each person is told, and when: the words of every assessment email in one place.

Services call these inside their transaction; `standards.notifications.notify` records each one
once per event and person (the key) and sends it after commit, as the person chose. Emails
say what happened and link to the page where the work is. They never carry ratings or
comments; the only words quoted are a lived experience leader's reservations or reason, to
people who see them with the assessment anyway, and a reopening reason, to the signers.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse

from standards.models import NotificationKind, TrustMembership, TrustRole, User, WardRole
from standards.notifications import notify

from . import rules
from .models import Action, Round, Signature, SignatureDecision

# Reminders: days before scoring closes (the last reminder first), and how soon an action is due.
SCORING_REMINDERS = (1, 7)
ACTION_DUE_WITHIN = datetime.timedelta(days=7)
ACTION_REMINDER_EVERY = datetime.timedelta(days=7)


def _where(round: Round) -> str:
    return f"{round.ward.name}, {round.label}"


def _active(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user.is_active:
            seen.setdefault(user.pk, user)
    return list(seen.values())


def ward_managers(round: Round) -> list[User]:
    managers = User.objects.filter(
        ward_memberships__ward=round.ward, ward_memberships__role=WardRole.MANAGER
    )
    return _active(managers) or _active([round.opened_by])


def trust_people(round: Round, role: str) -> list[User]:
    return _active(
        m.user
        for m in TrustMembership.objects.filter(trust_id=round.ward.site.trust_id, role=role)
        .select_related("user")
        .order_by("user__pk")
    )


def _scorers(round: Round, *, unsubmitted_only: bool = False) -> list[User]:
    scorers = round.scorers.select_related("user").order_by("user__pk")
    if unsubmitted_only:
        scorers = scorers.filter(submitted_at__isnull=True)
    return _active(s.user for s in scorers)


def _closes(round: Round) -> str:
    if round.scoring_closes_on is None:
        return ""
    return f" Scoring closes on {round.scoring_closes_on.day} {round.scoring_closes_on:%B %Y}."


# --- Moments in the round ---------------------------------------------------------------------


def scoring_started(round: Round) -> None:
    """The round is open for ratings: each scorer is asked to rate."""
    path = reverse("assessments:score_start", args=[round.pk])
    for user in _scorers(round):
        notify(
            recipient=user,
            kind=NotificationKind.ROUND_OPEN,
            key=f"round-open:{round.pk}:{user.pk}",
            subject=f"Rate the standards for {_where(round)}",
            body=(
                f"You are one of the people rating {round.ward.name} against the Culture of "
                f"Care standards for {round.label}.{_closes(round)}\n\n"
                "Nobody sees your ratings until agreeing starts. You can save as "
                "you go and come back later."
            ),
            path=path,
        )


def all_submitted(round: Round) -> None:
    """Every scorer has submitted: the ward manager can start agreeing."""
    path = reverse("assessments:agree_overview", args=[round.pk])
    for user in ward_managers(round):
        notify(
            recipient=user,
            kind=NotificationKind.ALL_SUBMITTED,
            key=f"all-submitted:{round.pk}:{user.pk}",
            subject=f"Every scorer has submitted for {_where(round)}",
            body=(
                f"Everyone rating {round.ward.name} for {round.label} has submitted. "
                "You can now go through the ratings together and agree one for each standard."
            ),
            path=path,
        )


def awaiting_cosignature(round: Round) -> None:
    """Agreeing is finished: every lived experience leader of the trust may co-sign."""
    # Each time agreeing finishes is a new moment (it can be returned to agreeing and finished
    # again): the history entry that recorded it names it.
    moment = round.history.order_by("-pk").values_list("pk", flat=True).first()
    path = reverse("assessments:sign", args=[round.pk])
    for user in trust_people(round, TrustRole.LIVED_EXPERIENCE_LEADER):
        notify(
            recipient=user,
            kind=NotificationKind.AWAITING_COSIGN,
            key=f"awaiting-cosign:{round.pk}:{moment}:{user.pk}",
            subject=f"Co-sign the assessment for {_where(round)}",
            body=(
                f"The ward has agreed its ratings for {round.ward.name}, {round.label}. It needs "
                "a lived experience leader of the trust to co-sign. You can sign, sign with "
                "reservations in your own words, or decline and say why."
            ),
            path=path,
        )


DECISION_WORDS = {
    SignatureDecision.SIGNED: "co-signed the assessment",
    SignatureDecision.RESERVATIONS: "co-signed the assessment with reservations",
    SignatureDecision.DECLINED: "declined to co-sign the assessment",
}
WORDS_LABEL = {
    SignatureDecision.RESERVATIONS: "Their reservations, in their own words:",
    SignatureDecision.DECLINED: "Their reason, in their own words:",
}


def cosign_decision(signature: Signature) -> None:
    """The leader's decision, with their words verbatim, to the ward managers and QI leads."""
    round = signature.round
    leader = signature.signer.display_name
    body = f"{leader}, lived experience leader, {DECISION_WORDS[signature.decision]} for "
    body += f"{round.ward.name}, {round.label}."
    if signature.decision in WORDS_LABEL:
        body += f"\n\n{WORDS_LABEL[signature.decision]}\n\n{signature.words}"
    path = reverse("assessments:summary", args=[round.pk])
    recipients = _active([*ward_managers(round), *trust_people(round, TrustRole.QI_LEAD)])
    for user in recipients:
        if user.pk == signature.signer_id:
            continue
        notify(
            recipient=user,
            kind=NotificationKind.COSIGN_DECISION,
            key=f"cosign-decision:{signature.pk}:{user.pk}",
            subject=f"{SignatureDecision(signature.decision).label}: {_where(round)}",
            body=body,
            path=path,
        )


def signatures_voided(
    round: Round, signatures: Iterable[Signature], *, reason: str, reopened: bool, by
) -> None:
    """Reopened or returned to agreeing: each person whose signature was voided, with the
    reason, so they know they will be asked to sign again."""
    path = reverse("assessments:round_detail", args=[round.pk])
    what = "was reopened" if reopened else "went back to agreeing"
    for signature in signatures:
        user = signature.signer
        # A decline is not a signature: nothing of the leader's is voided.
        if signature.decision not in rules.SIGNATURE_DECISIONS:
            continue
        if user.pk == by.pk or not user.is_active:
            continue
        notify(
            recipient=user,
            kind=NotificationKind.REOPENED,
            key=f"signature-voided:{signature.pk}:{user.pk}",
            subject=f"Your signature was voided: {_where(round)}",
            body=(
                f"The assessment for {round.ward.name}, {round.label} {what}, so your "
                f"signature no longer stands. {by.display_name} gave this reason:\n\n{reason}\n\n"
                "You will be asked to sign again once the ward has agreed its ratings."
            ),
            path=path,
        )


# --- Daily reminders --------------------------------------------------------------------------


def _date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def scoring_reminders(*, today: datetime.date) -> int:
    """7 days and 1 day before scoring closes, to scorers who have not submitted. Computed from
    the dates, so a missed day sends it the next day; the 1-day one replaces a missed 7-day one."""
    sent = 0
    rounds = Round.objects.filter(
        status="scoring",
        scoring_closes_on__isnull=False,
        scoring_closes_on__lte=today + datetime.timedelta(days=max(SCORING_REMINDERS)),
    ).select_related("ward")
    for round in rounds:
        days_left = (round.scoring_closes_on - today).days
        which = next(d for d in SCORING_REMINDERS if days_left <= d)
        if days_left < 0:
            when = f"Scoring was due to close on {_date(round.scoring_closes_on)}."
        elif days_left == 0:
            when = "Scoring closes today."
        elif days_left == 1:
            when = "Scoring closes tomorrow."
        else:
            when = f"Scoring closes in {days_left} days, on {_date(round.scoring_closes_on)}."
        for user in _scorers(round, unsubmitted_only=True):
            notify(
                recipient=user,
                kind=NotificationKind.SCORING_CLOSING,
                key=(
                    f"scoring-closing:{round.pk}:{round.scoring_closes_on.isoformat()}:"
                    f"{which}:{user.pk}"
                ),
                subject=f"Scoring closes soon for {_where(round)}",
                body=(
                    f"{when} You have not submitted your ratings for {round.ward.name}, "
                    f"{round.label} yet. Your saved answers are kept."
                ),
                path=reverse("assessments:score_start", args=[round.pk]),
            )
            sent += 1
    return sent


def action_reminders(*, today: datetime.date) -> int:
    """Open actions due within 7 days or overdue, to their owner, at most once a week each."""
    from standards.models import Notification

    sent = 0
    actions = (
        Action.objects.open()
        .filter(due_date__lte=today + ACTION_DUE_WITHIN, owner__is_active=True)
        .select_related("owner", "ward", "origin_round")
    )
    since = today - ACTION_REMINDER_EVERY
    for action in actions:
        prefix = f"action-due:{action.pk}:{action.owner_id}:"
        recent = Notification.objects.filter(
            Q(key__startswith=prefix), recipient=action.owner, created_at__date__gt=since
        )
        if recent.exists():
            continue
        latest = action.rounds.order_by("-opened_at", "-pk").first() or action.origin_round
        due = "is overdue" if action.due_date < today else "is due soon"
        notify(
            recipient=action.owner,
            kind=NotificationKind.ACTION_DUE,
            key=f"{prefix}{today.isoformat()}",
            subject=f"An action you own {due}: {action.ward.name}",
            body=(
                f"You own this action for {action.ward.name}:\n\n{action.title}\n\n"
                f"It was due on {_date(action.due_date)}."
                if action.due_date < today
                else f"You own this action for {action.ward.name}:\n\n{action.title}\n\n"
                f"It is due on {_date(action.due_date)}."
            ),
            path=reverse("assessments:action_list", args=[latest.pk]),
        )
        sent += 1
    return sent
