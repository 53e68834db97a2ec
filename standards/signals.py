"""Last line of defence for editions in use: refuse saves and deletes from any code path."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .models import Commitment, FrameworkEdition, RatingLevel, Standard, TrustMembership
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
