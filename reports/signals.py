"""What kept pages read of this app (standards/kept.py): a change to any of these rows moves on
the version of its trust, or of every trust for the national measures."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from assessments import scores
from standards import kept

from .models import (
    Measure,
    MeasureCatalogue,
    MeasureChange,
    MeasureMonth,
    ProcessChange,
    ReportJob,
    Target,
    TrustReportSettings,
)


def _measure_trusts(measure: Measure) -> list[int]:
    # A trust's own measure is its trust's; a national one is every trust's.
    return [measure.trust_id or kept.EVERY_TRUST]


kept.register(Target, trust="trust")
kept.register(ProcessChange, trust="trust")
kept.register(TrustReportSettings, trust="trust")
kept.register(MeasureCatalogue, trust=None)
kept.register(Measure, trust=_measure_trusts)
kept.register(MeasureMonth, trust="ward__site__trust")
kept.register(MeasureChange, trust="ward__site__trust")
# The task list reads only reports made and not yet downloaded; a job becomes one only in
# services.run_job and stops being one in services.mark_downloaded (or when its round or trust
# goes), which bump. Its many other writes (asked for, sent, progress, heartbeats) change no kept
# read, and a bump at each would add a write to the report's own transactions.
kept.not_kept(
    ReportJob,
    reason="read only when made and not downloaded: run_job and mark_downloaded bump",
)


@receiver(post_save, sender=ProcessChange)
@receiver(post_delete, sender=ProcessChange)
def forget_trust_variations(sender, instance, **kwargs):
    """Each ward's stored SPC variation depends on its trust's marked changes: whatever wrote
    one (the service, the admin, a shell), they are worked out again when next read."""
    scores.forget_ward_variations(trust_id=instance.trust_id)
