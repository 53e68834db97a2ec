from .accounts import SignInEvent, SignInEventKind
from .framework import Commitment, FrameworkEdition, Pillar, RatingLevel, Standard
from .kept import ReadingsVersion
from .notifications import Notification, NotificationKind, NotificationStatus
from .organisations import (
    WARD_VISIBLE_TRUST_ROLES,
    EmailChoice,
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
from .people import (
    Invitation,
    InvitationStatus,
    PeopleChange,
    PeopleHistoryEntry,
    hash_token,
)

__all__ = [
    "EmailChoice",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "Commitment",
    "FrameworkEdition",
    "Invitation",
    "InvitationStatus",
    "PeopleChange",
    "PeopleHistoryEntry",
    "hash_token",
    "Pillar",
    "RatingLevel",
    "ReadingsVersion",
    "ServiceType",
    "SignInEvent",
    "SignInEventKind",
    "Site",
    "Standard",
    "Trust",
    "TrustMembership",
    "TrustRole",
    "User",
    "Ward",
    "WardMembership",
    "WardRole",
    "WARD_VISIBLE_TRUST_ROLES",
]
