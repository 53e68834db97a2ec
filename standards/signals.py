"""Last line of defence for editions in use: refuse saves and deletes from any code path.
Kept pages: which of this app's models they read (standards/kept.py)."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import kept
from .models import (
    Commitment,
    FrameworkEdition,
    Pillar,
    RatingLevel,
    Site,
    Standard,
    Trust,
    TrustMembership,
    User,
    Ward,
    WardMembership,
)
from .selectors import forget_administered_trusts, forget_rating_scale
from .services import ensure_edition_editable


@receiver(pre_save, sender=FrameworkEdition)
@receiver(pre_delete, sender=FrameworkEdition)
def guard_edition(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    ensure_edition_editable(instance)


@receiver(pre_save, sender=Commitment)
@receiver(pre_save, sender=Standard)
@receiver(pre_delete, sender=Commitment)
@receiver(pre_delete, sender=Standard)
def guard_edition_part(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    ensure_edition_editable(instance.edition)


@receiver(post_save, sender=TrustMembership)
@receiver(post_delete, sender=TrustMembership)
def forget_cached_trust_roles(sender, instance, **kwargs):
    """The header's menu caches who administers which trust; bulk writes call this directly."""
    forget_administered_trusts(instance.user_id)


@receiver(post_save, sender=RatingLevel)
@receiver(post_delete, sender=RatingLevel)
def forget_kept_scale(sender, instance, **kwargs):
    forget_rating_scale()


# What kept pages read of this app (standards/kept.py): a change to any of these rows moves on
# the version of the trusts it belongs to, or of every trust for the catalogue.
def _trusts_of_person(user):
    return Trust.objects.filter(
        Q(memberships__user=user) | Q(sites__wards__memberships__user=user)
    ).values("pk")


kept.register(Trust, trust=lambda trust: [trust.pk])
kept.register(Site, trust="trust")
kept.register(Ward, trust="site__trust")
kept.register(WardMembership, trust="ward__site__trust")
kept.register(TrustMembership, trust="trust")
# Names and email choices show on pages and in task lists; signing in changes nothing kept.
kept.register(User, trust=_trusts_of_person, ignore_fields={"last_login", "password"})
for catalogue_model in (FrameworkEdition, Commitment, Standard, Pillar, RatingLevel):
    kept.register(catalogue_model, trust=None)


@receiver(post_save, sender=Trust)
def give_trust_a_version(sender, instance, created, **kwargs):
    if created:
        kept.ensure_versions(instance.pk)


@receiver(post_save, sender=Trust)
def forget_cached_trust_names(sender, instance, created, **kwargs):
    """The header's menu keeps the names of the trusts a person administers: a renamed trust
    is shown by its new name on its administrators' next page."""
    if not created:
        forget_administered_trusts(
            *TrustMembership.objects.filter(trust=instance).values_list("user_id", flat=True)
        )
