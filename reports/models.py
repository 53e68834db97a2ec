"""Report jobs (PDFs and trust exports made by Celery workers) and trust targets for SPC
assurance."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from assessments.models import Round
from standards.models import Trust, TrustRole


class ReportKind(models.TextChoices):
    WARD_ASSESSMENT = "ward-assessment", "Ward assessment and action plan"
    BOARD_PACK = "board-pack", "Trust board pack"
    TRUST_EXPORT = "trust-export", "Trust data export"


# What a trust export holds, and its formats (reports/exports.py builds them).
EXPORT_DATASETS = {
    "ratings": "Ratings for every ward and signed round",
    "scores": "Scores by commitment for every ward and signed round",
    "actions": "Actions",
    "measures": "Ward measures for every ward and month",
    "trend": "Trust-wide trend by period, with how many wards each point stands on",
}
EXPORT_FORMATS = {"csv": "CSV", "xlsx": "Excel"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Audience(models.TextChoices):
    """Whom a ward PDF is made for (docs/decisions/0024): the round's ward team sees both
    groups; anyone else gets the version with the small-group rule applied."""

    WARD_TEAM = "ward-team", "The ward team"
    OUTSIDE = "outside", "Outside the ward team"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


ACTIVE_STATUSES = [JobStatus.QUEUED, JobStatus.RUNNING]
# Who sees a trust's dashboards, board packs and trust exports.
DASHBOARD_TRUST_ROLES = (
    TrustRole.QI_LEAD,
    TrustRole.BOARD_MEMBER,
    TrustRole.LIVED_EXPERIENCE_LEADER,
)


def trust_slug(trust: Trust) -> str:
    """A short name for file names: the trust's ODS code if it has one, else its name."""
    slug = slugify(trust.code or trust.name) or f"trust-{trust.pk}"
    return slug if slug.endswith("trust") else f"{slug}-trust"


def report_file_name(
    *,
    kind: str,
    round: Round | None = None,
    trust: Trust | None = None,
    made_at=None,
    dataset: str = "",
    file_format: str = "",
) -> str:
    """What a report is called when downloaded: `willow-ward-2026-q4-assessment.pdf`,
    `demo-trust-board-pack-2026-11.pdf` (the month the pack was made),
    `demo-trust-ratings-2026-11-29.xlsx` (the day the export was made)."""
    made_at = timezone.localtime(made_at) if made_at else timezone.localtime()
    if kind == ReportKind.BOARD_PACK:
        return f"{trust_slug(trust)}-board-pack-{made_at:%Y-%m}.pdf"
    if kind == ReportKind.TRUST_EXPORT:
        return f"{trust_slug(trust)}-{dataset}-{made_at:%Y-%m-%d}.{file_format}"
    parts = [slugify(round.ward.name) or f"ward-{round.ward_id}", slugify(round.label)]
    return "-".join([p for p in parts if p] + ["assessment"]) + ".pdf"


def report_path(instance: "ReportJob", filename: str) -> str:
    return f"reports/{instance.kind}/{instance.pk}.{instance.extension}"


class ReportJobQuerySet(models.QuerySet):
    def for_user(self, user) -> "ReportJobQuerySet":
        """Jobs about wards the user may see, and a trust's jobs (board packs, exports) for the
        people who see its dashboards."""
        from standards.models import Ward

        return self.filter(
            Q(round__ward__in=Ward.objects.for_user(user))
            | Q(trust__in=Trust.objects.with_trust_role(user, *DASHBOARD_TRUST_ROLES))
        )


class ReportJob(models.Model):
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    # A trust export's dataset and format (EXPORT_DATASETS, EXPORT_FORMATS); empty for PDFs.
    dataset = models.CharField(max_length=20, blank=True)
    file_format = models.CharField(max_length=10, blank=True)
    # A ward PDF's audience (Audience); empty for a trust's reports. An empty one on a ward PDF
    # (made before audiences) is the ward team's: only the ward team downloads it.
    audience = models.CharField(max_length=10, choices=Audience.choices, blank=True)
    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.CASCADE, related_name="report_jobs"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="report_jobs"
    )
    # One active job per report: asking again while it runs returns the same job.
    key = models.CharField(max_length=100)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_text = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=report_path, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The person who asked wants an email when it is ready.
    notify_when_ready = models.BooleanField(default=False)
    # First downloaded by the person who asked: until then it is on their task list.
    downloaded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # When the worker making it last said it was alive (at the start and with each step of
    # progress): a running job silent for long has lost its worker (services.is_stalled).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_job_per_report",
            ),
            models.CheckConstraint(
                condition=Q(kind="ward-assessment", round__isnull=False)
                | Q(kind="board-pack", trust__isnull=False)
                | (Q(kind="trust-export", trust__isnull=False) & ~Q(dataset="")),
                name="job_has_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def extension(self) -> str:
        return self.file_format or "pdf"

    @property
    def format_label(self) -> str:
        return EXPORT_FORMATS.get(self.file_format, "PDF")

    @property
    def file_label(self) -> str:
        """ "PDF", "Excel file", "CSV file": what the person downloads."""
        return f"{self.format_label} file" if self.file_format else "PDF"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]

    @property
    def title(self) -> str:
        """What the job makes, in words: "Trust board pack (PDF)", "Actions (Excel)"."""
        if self.kind == ReportKind.TRUST_EXPORT:
            dataset = EXPORT_DATASETS.get(self.dataset, self.dataset)
            return f"{dataset} ({self.format_label})"
        return f"{self.get_kind_display()} (PDF)"

    @property
    def filename(self) -> str:
        return report_file_name(
            kind=self.kind,
            round=self.round,
            trust=self.trust,
            made_at=self.created_at,
            dataset=self.dataset,
            file_format=self.file_format,
        )


class Target(models.Model):
    """A trust's target for a measure (a commitment number, or 0 for the overall score)."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="targets")
    commitment_number = models.PositiveSmallIntegerField(
        help_text="1 to 12 for a commitment, 0 for the overall score"
    )
    value = models.DecimalField(max_digits=3, decimal_places=2, help_text="Mean level, 0 to 4")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trust", "commitment_number"], name="one_target"),
            models.CheckConstraint(
                condition=Q(commitment_number__lte=12) & Q(value__gte=0) & Q(value__lte=4),
                name="target_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trust}: {self.commitment_number} >= {self.value}"


def measure_key(number: int) -> str:
    """How a trust-wide chart is named: "overall" (number 0) or "commitment:<number>"."""
    return "overall" if number == 0 else f"commitment:{number}"


class ProcessChange(models.Model):
    """A QI lead's mark that a measure's process changed on a date (say, a new model of care):
    SPC limits are calculated afresh from the points after it."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="process_changes")
    measure = models.CharField(
        max_length=50, help_text='The chart: "overall", "commitment:3" or "ward:<id>:overall"'
    )
    date = models.DateField(help_text="Rounds signed on or after this date are after the change")
    note = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "measure", "date"], name="one_process_change_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} changed on {self.date}: {self.note}"


DEFAULT_SMALL_GROUP_THRESHOLD = 3
DEFAULT_SMALL_COUNT_MAX = 7  # counts of 1 to 7 are shown as "fewer than 8" outside the ward
DEFAULT_MINIMUM_BED_DAYS = 100  # no rate for a month with fewer occupied bed days
MINIMUM_SMALL_GROUP_THRESHOLD = 2


class TrustReportSettings(models.Model):
    """How a trust's reports outside the ward protect small groups of scorers.

    Outside the ward (trust dashboard, board pack, trust exports) a group's figures are shown
    apart only when at least `small_group_threshold` people of that group submitted; below it
    they are combined with the other group's. Read through
    `reports.small_groups.small_group_threshold(trust)`.
    """

    trust = models.OneToOneField(Trust, on_delete=models.CASCADE, related_name="report_settings")
    # Ward measures outside the ward: counts of 1 to `small_count_max` are shown as "fewer
    # than" the next number, and no rate is shown for a month below `minimum_bed_days`.
    small_count_max = models.PositiveSmallIntegerField(
        default=DEFAULT_SMALL_COUNT_MAX,
        help_text='Outside the ward, counts from 1 to this are shown as "fewer than" one more.',
    )
    minimum_bed_days = models.PositiveIntegerField(
        default=DEFAULT_MINIMUM_BED_DAYS,
        help_text="Outside the ward, no rate is shown for a month with fewer occupied bed days.",
    )
    small_group_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_SMALL_GROUP_THRESHOLD,
        help_text=(
            "Outside the ward, a group's ratings and comments are shown apart only when at least "
            "this many people of the group submitted. Never below 2."
        ),
    )
    # Trust-wide trends: a period with fewer wards than this is drawn as incomplete and not
    # judged (reports/periods.py). Blank: half the wards of the previous period, at least 3.
    minimum_wards = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=(
            "Trust-wide trends: a period with fewer wards than this is shown as incomplete and "
            "not judged. Leave blank for the usual rule: half the wards assessed in the previous "
            "period, and never fewer than 3."
        ),
    )

    class Meta:
        verbose_name = "trust report settings"
        verbose_name_plural = "trust report settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(small_group_threshold__gte=MINIMUM_SMALL_GROUP_THRESHOLD),
                name="small_group_threshold_at_least_2",
            )
        ]

    def __str__(self) -> str:
        return f"{self.trust}: small groups below {self.small_group_threshold}"


# Ward measures beside the self-assessment (issue 13). Rules on them live in reports/measures.py.


class MeasureUnit(models.TextChoices):
    PER_1000_BED_DAYS = "per-1000-bed-days", "per 1,000 occupied bed days"
    PERCENT = "percent", "percent"
    COUNT = "count", "count"


class MeasureCatalogue(models.Model):
    """A version of the national catalogue of ward measures, loaded as a fixture and kept as it
    was published, like the framework's editions."""

    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    version = models.CharField(max_length=50, help_text="For example: 2026")
    source_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="unique_catalogue_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class Measure(models.Model):
    """A routine ward measure: from the national catalogue, or a trust's own."""

    catalogue = models.ForeignKey(
        MeasureCatalogue, null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.CASCADE, related_name="own_measures"
    )
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=30, choices=MeasureUnit.choices)
    # None: context only (occupied bed days), never called better or worse.
    higher_is_better = models.BooleanField(null=True, blank=True)
    # The commitments (by number, 1 to 12) this measure tells something about.
    commitments = models.JSONField(default=list, blank=True)
    definition = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(catalogue__isnull=True, trust__isnull=False)
                | Q(catalogue__isnull=False, trust__isnull=True),
                name="measure_national_or_trusts_own",
            ),
            models.UniqueConstraint(fields=["catalogue", "code"], name="unique_catalogue_code"),
            models.UniqueConstraint(fields=["trust", "code"], name="unique_trust_measure_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_rate(self) -> bool:
        return self.unit == MeasureUnit.PER_1000_BED_DAYS


class MeasureMonth(models.Model):
    """One ward's figures for one measure in one calendar month. Rates are worked out from the
    numerator and denominator (reports/measures.py), never typed."""

    ward = models.ForeignKey(
        "standards.Ward", on_delete=models.CASCADE, related_name="measure_months"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="months")
    month = models.DateField(help_text="The first day of the month")
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ward", "measure", "month"]
        constraints = [
            models.UniqueConstraint(fields=["ward", "measure", "month"], name="one_figure_a_month"),
        ]
        indexes = [models.Index(fields=["measure", "month"])]

    def __str__(self) -> str:
        return f"{self.ward} {self.measure.code} {self.month:%Y-%m}"


class MeasureChange(models.Model):
    """History of a ward's figures: who entered or replaced which month, how, before and after."""

    ward = models.ForeignKey(
        "standards.Ward", on_delete=models.CASCADE, related_name="measure_changes"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20)  # "form" or "import"
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.ward} {self.month:%Y-%m} by {self.source}"
