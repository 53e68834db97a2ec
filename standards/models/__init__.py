from .framework import Commitment, FrameworkEdition, Pillar, RatingLevel, Standard
from .organisations import (
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

__all__ = [
    "Commitment",
    "FrameworkEdition",
    "Pillar",
    "RatingLevel",
    "ServiceType",
    "Site",
    "Standard",
    "Trust",
    "TrustMembership",
    "TrustRole",
    "User",
    "Ward",
    "WardMembership",
    "WardRole",
]
