"""Who must use a second factor to sign in."""

from ..models import TrustMembership

# Authenticator types that count as a second factor (recovery codes only back them up).
SECOND_FACTOR_TYPES = ("totp", "webauthn")


def mfa_required(user) -> bool:
    """Trust-level roles (QI lead, board member, lived experience leader, trust administrator)
    and Django staff must sign in with a second factor; everyone else may choose to."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    holds = getattr(user, "holds_trust_role", None)  # read with the person (PersonBackend)
    if holds is not None:
        return holds
    return TrustMembership.objects.filter(user=user).exists()


def has_second_factor(user) -> bool:
    return user.authenticator_set.filter(type__in=SECOND_FACTOR_TYPES).exists()
