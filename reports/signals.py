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


def _job_trusts(job: ReportJob):
    if job.trust_id:
        return [job.trust_id]
    if job.round_id:
        return (
            job._meta.get_field("round")
            .related_model.objects.filter(pk=job.round_id)
            .values("ward__site__trust")
        )
    return []


kept.register(Target, trust="trust")
kept.register(ProcessChange, trust="trust")
kept.register(TrustReportSettings, trust="trust")
kept.register(MeasureCatalogue, trust=None)
kept.register(Measure, trust=_measure_trusts)
kept.register(MeasureMonth, trust="ward__site__trust")
kept.register(MeasureChange, trust="ward__site__trust")
kept.register(ReportJob, trust=_job_trusts)


@receiver(post_save, sender=ProcessChange)
@receiver(post_delete, sender=ProcessChange)
def forget_trust_variations(sender, instance, **kwargs):
    """Each ward's stored SPC variation depends on its trust's marked changes: whatever wrote
    one (the service, the admin, a shell), they are worked out again when next read."""
    scores.forget_ward_variations(trust_id=instance.trust_id)
