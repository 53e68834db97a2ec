"""Invitations: a trust administrator asks someone by email to join the trust with roles.

The link carries a random token; only its SHA-256 is stored. A link works once, until it
expires (INVITATION_DAYS, 7 by default), is revoked, or is replaced by sending it again.

Single sign-on, for a verified email address with no account, calls
`accept_invitations_for_sso(email=...)`: it makes the account and applies every invitation
waiting for that address. For a person who already has an account, `find_pending_invitations`
and `accept_invitation_for_user` apply invitations one by one.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import kept
from .models import (
    Invitation,
    InvitationStatus,
    PeopleChange,
    Trust,
    TrustMembership,
    TrustRole,
    User,
    Ward,
    WardMembership,
    WardRole,
    hash_token,
)
from .people import ensure_trust_admin, record
from .selectors import describe_roles, forget_administered_trusts

ASK_FOR_A_NEW_LINK = "Ask your trust administrator to send you a new invitation."


def invitation_days() -> int:
    return int(getattr(settings, "INVITATION_DAYS", 7))


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def invitation_link(*, base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("trust_admin:accept", args=[token])


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _send_invitation_emails(invitations: list[tuple[Invitation, str]], *, base_url: str) -> None:
    """Sent after the transaction commits, over one connection for a whole import."""
    if not invitations:
        return
    roles = describe_roles(inv for inv, _ in invitations)
    messages = []
    for invitation, token in invitations:
        inviter = invitation.created_by.display_name if invitation.created_by else "Your trust"
        body = render_to_string(
            "standards/email/invitation.txt",
            {
                "invitation": invitation,
                "inviter": inviter,
                "roles": roles[invitation.pk],
                "link": invitation_link(base_url=base_url, token=token),
                "expires_at": timezone.localtime(invitation.expires_at),
            },
        )
        subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}join {invitation.trust.name}"
        messages.append(EmailMessage(subject, body, to=[invitation.email]))

    def send() -> None:
        get_connection().send_messages(messages)

    transaction.on_commit(send)


def check_roles(
    *, trust: Trust, ward_roles: list[tuple[Ward, str]], trust_roles: list[str]
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not ward_roles and not trust_roles:
        errors.setdefault("roles", []).append("Choose at least one role, on a ward or in the trust")
    for ward, role in ward_roles:
        if ward.site.trust_id != trust.pk:
            errors.setdefault("ward", []).append("Choose one of your trust's wards")
        elif not ward.is_active:
            errors.setdefault("ward", []).append(f"{ward} is closed. Choose an open ward.")
        if role not in WardRole.values:
            errors.setdefault("ward_role", []).append("Choose a ward role")
    for role in trust_roles:
        if role not in TrustRole.values:
            errors.setdefault("trust_roles", []).append("Choose trust roles from the list")
    return errors


def _check_new_invitee(*, trust: Trust, email: str) -> dict[str, str]:
    try:
        validate_email(email)
    except ValidationError:
        return {"email": "Enter an email address in the correct format, like name@example.com"}
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and (
        TrustMembership.objects.filter(user=existing, trust=trust).exists()
        or WardMembership.objects.filter(user=existing, ward__site__trust=trust).exists()
    ):
        return {
            "email": f"{email} already has an account in your trust: change their roles on "
            "their page instead"
        }
    if Invitation.objects.pending().filter(trust=trust, email__iexact=email).exists():
        return {
            "email": f"{email} already has an invitation waiting. Send it again from your "
            "trust's page if they cannot find it."
        }
    return {}


@transaction.atomic
def invite_person(
    *,
    by: User,
    trust: Trust,
    email: str,
    first_name: str,
    last_name: str,
    ward_roles: list[tuple[Ward, str]],
    trust_roles: list[str],
    base_url: str,
) -> Invitation:
    """Email a single-use link; the roles apply only when the person accepts."""
    ensure_trust_admin(by=by, trust=trust)
    email = normalise_email(email)
    errors: dict = dict(check_roles(trust=trust, ward_roles=ward_roles, trust_roles=trust_roles))
    errors.update(_check_new_invitee(trust=trust, email=email))
    if not first_name.strip():
        errors["first_name"] = "Enter their first name"
    if not last_name.strip():
        errors["last_name"] = "Enter their last name"
    if errors:
        raise ValidationError(errors)
    token, token_hash = new_token()
    now = timezone.now()
    invitation = Invitation.objects.create(
        trust=trust,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        ward_roles=[{"ward": ward.pk, "role": role} for ward, role in ward_roles],
        trust_roles=list(dict.fromkeys(trust_roles)),
        token_hash=token_hash,
        created_by=by,
        sent_at=now,
        expires_at=now + datetime.timedelta(days=invitation_days()),
    )
    roles = describe_roles([invitation])[invitation.pk]
    record(
        trust=trust,
        by=by,
        invitation=invitation,
        change=PeopleChange.INVITED,
        summary=f"{invitation.full_name} ({email}) invited: {'; '.join(roles)}",
        after={"ward_roles": invitation.ward_roles, "trust_roles": invitation.trust_roles},
    )
    _send_invitation_emails([(invitation, token)], base_url=base_url)
    return invitation


@transaction.atomic
def resend_invitation(*, by: User, invitation: Invitation, base_url: str) -> Invitation:
    """A new link with a new expiry; the old link stops working."""
    ensure_trust_admin(by=by, trust=invitation.trust)
    if invitation.status in (InvitationStatus.ACCEPTED, InvitationStatus.REVOKED):
        raise ValidationError(
            f"This invitation has been {invitation.get_status_display().lower()}: it cannot be "
            "sent again"
        )
    token, invitation.token_hash = new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + datetime.timedelta(days=invitation_days())
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    record(
        trust=invitation.trust,
        by=by,
        invitation=invitation,
        change=PeopleChange.INVITATION_RESENT,
        summary=f"Invitation to {invitation.email} sent again; the earlier link no longer works",
    )
    _send_invitation_emails([(invitation, token)], base_url=base_url)
    return invitation


@transaction.atomic
def revoke_invitation(*, by: User, invitation: Invitation) -> Invitation:
    ensure_trust_admin(by=by, trust=invitation.trust)
    if invitation.status == InvitationStatus.ACCEPTED:
        raise ValidationError("This invitation has already been accepted")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(
            trust=invitation.trust,
            by=by,
            invitation=invitation,
            change=PeopleChange.INVITATION_REVOKED,
            summary=f"Invitation to {invitation.email} revoked",
        )
    return invitation


def get_invitation(*, token: str) -> Invitation | None:
    """The invitation a link's token opens, whatever its state; None for an unknown token
    (never issued, or replaced when the invitation was sent again)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("trust", "created_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def ensure_usable(invitation: Invitation | None) -> Invitation:
    """A clear reason, in the person's terms, when a link cannot be used."""
    if invitation is None:
        raise ValidationError(
            "This invitation link does not work. It may have been replaced by a newer "
            f"invitation: check your email for a later one. {ASK_FOR_A_NEW_LINK}"
        )
    status = invitation.status
    if status == InvitationStatus.ACCEPTED:
        raise ValidationError(
            "This invitation has already been used. Sign in with the account you set up, or "
            "reset your password if you have forgotten it."
        )
    if status == InvitationStatus.REVOKED:
        raise ValidationError(f"This invitation has been withdrawn. {ASK_FOR_A_NEW_LINK}")
    if status == InvitationStatus.EXPIRED:
        raise ValidationError(f"This invitation has expired. {ASK_FOR_A_NEW_LINK}")
    return invitation


def account_for(invitation: Invitation) -> User | None:
    return User.objects.filter(email__iexact=invitation.email).first()


def _username_for(email: str) -> str:
    username = email[:150]
    if not User.objects.filter(username__iexact=username).exists():
        return username
    base = email.split("@")[0][:140]
    n = 2
    while User.objects.filter(username__iexact=f"{base}{n}").exists():
        n += 1
    return f"{base}{n}"


@transaction.atomic
def accept_invitation(*, token: str, password: str) -> User:
    """Create the invited person's account with their password and give them the roles."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_token(token))
    invitation = ensure_usable(invitation.select_related("trust").first())
    if account_for(invitation) is not None:
        raise ValidationError(
            "You already have an account with this email address. Sign in with it, then open "
            "this link again to add the new roles."
        )
    user = User(
        username=_username_for(invitation.email),
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
    )
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from None
    user.set_password(password)
    user.save()
    _apply(invitation=invitation, user=user)
    return user


@transaction.atomic
def accept_invitation_for_user(*, invitation: Invitation, user: User) -> Invitation:
    """Give an existing, signed-in person (by password or single sign-on with a verified email)
    the invitation's roles. The invitation must be pending and be for their email address."""
    invitation = ensure_usable(
        Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    )
    if normalise_email(user.email) != invitation.email:
        raise ValidationError(
            "This invitation was sent to another email address. Sign in with the account for "
            f"{invitation.email}."
        )
    if not user.is_active:
        raise ValidationError("This account has been deactivated. " + ASK_FOR_A_NEW_LINK)
    _apply(invitation=invitation, user=user)
    return invitation


# The name single sign-on looks for.
accept_invitation_for_sso = accept_invitation_for_user


@transaction.atomic
def accept_invitations_for_sso(*, email: str) -> User | None:
    """Single sign-on with a verified email address and no account yet: make the account the
    invitations to that address give (no password: they sign in through their trust's identity
    provider) and apply every invitation waiting for it. None when no invitation waits.

    Call only with an address the identity provider has verified. The roles come from the
    invitations (made by trust administrators), never from the identity provider.
    """
    pending = [
        invitation
        for invitation in Invitation.objects.select_for_update()
        .filter(pk__in=[i.pk for i in find_pending_invitations(email=email)])
        .select_related("trust")
        if invitation.is_pending
    ]
    if not pending:
        return None
    user = account_for(pending[0])
    if user is None:
        user = User(
            username=_username_for(pending[0].email),
            email=pending[0].email,
            first_name=pending[0].first_name,
            last_name=pending[0].last_name,
        )
        user.set_unusable_password()
        user.save()
    elif not user.is_active:
        return user  # the caller refuses a deactivated account; nothing is applied to it
    for invitation in pending:
        _apply(invitation=invitation, user=user)
    return user


def find_pending_invitations(*, email: str) -> list[Invitation]:
    """Every invitation waiting for this email address (a person may be invited by several
    trusts). Call only with an email address the identity provider has verified."""
    email = normalise_email(email)
    if not email:
        return []
    return list(Invitation.objects.pending().filter(email__iexact=email).select_related("trust"))


def _apply(*, invitation: Invitation, user: User) -> None:
    trust = invitation.trust
    wards = Ward.objects.filter(
        site__trust=trust, pk__in=[item["ward"] for item in invitation.ward_roles]
    ).in_bulk()
    WardMembership.objects.bulk_create(
        [
            WardMembership(user=user, ward=wards[item["ward"]], role=item["role"])
            for item in invitation.ward_roles
            if item["ward"] in wards
        ],
        ignore_conflicts=True,
    )
    TrustMembership.objects.bulk_create(
        [TrustMembership(user=user, trust=trust, role=role) for role in invitation.trust_roles],
        ignore_conflicts=True,
    )
    forget_administered_trusts(user.pk)
    # Roles given in bulk (no signals): the trust's kept pages are drawn afresh.
    kept.bump([trust.pk])
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    roles = describe_roles([invitation])[invitation.pk]
    record(
        trust=trust,
        by=user,
        person=user,
        invitation=invitation,
        change=PeopleChange.INVITATION_ACCEPTED,
        summary=f"{user.display_name} accepted the invitation: {'; '.join(roles)}",
        after={"ward_roles": invitation.ward_roles, "trust_roles": invitation.trust_roles},
    )
