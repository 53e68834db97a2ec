"""An assessment round: scorers' independent ratings, agreed ratings, evidence, actions,
signatures and the history of every change."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from standards.models import Commitment, FrameworkEdition, Standard, Ward

from . import rules


class RoundStatus(models.TextChoices):
    """The values and labels are rules.py's, where what each status allows is written."""

    OPEN = rules.OPEN, rules.STATUS_LABELS[rules.OPEN]
    SCORING = rules.SCORING, rules.STATUS_LABELS[rules.SCORING]
    AGREEING = rules.AGREEING, rules.STATUS_LABELS[rules.AGREEING]
    AWAITING_SIGNOFF = rules.AWAITING_SIGNOFF, rules.STATUS_LABELS[rules.AWAITING_SIGNOFF]
    SIGNED = rules.SIGNED, rules.STATUS_LABELS[rules.SIGNED]


class ScorerGroup(models.TextChoices):
    STAFF = "staff", "Staff"
    LIVED_EXPERIENCE = "lived-experience", "Lived experience"


# Who a comment shared without its writer's name is attributed to.
ANONYMOUS_NAMES = {
    ScorerGroup.STAFF: "A member of staff",
    ScorerGroup.LIVED_EXPERIENCE: "A lived experience partner",
}


class RoundQuerySet(models.QuerySet):
    def for_user(self, user) -> "RoundQuerySet":
        """Rounds of the wards the user may see."""
        return self.filter(ward__in=Ward.objects.for_user(user))

    def unfinished(self) -> "RoundQuerySet":
        return self.exclude(status=RoundStatus.SIGNED)

    def open_to_sign(self, *, role: str, by) -> "RoundQuerySet":
        """Rounds person `by` may sign in `role` now: rules.signing_refusal as a filter. The
        status allows it, nobody holds a live signature in the role, and `by` holds none in
        the other role (the manager and the leader are two different people)."""
        live = Signature.objects.live_signatures().filter(round=OuterRef("pk"))
        others = [other for other in rules.SIGNING_ROLES if other != role]
        return (
            self.filter(status__in=rules.ALLOWED_IN[rules.signing_action(role)])
            .exclude(Exists(live.filter(role=role)))
            .exclude(Exists(live.filter(role__in=others, signer=by)))
        )


class Round(models.Model):
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="rounds")
    edition = models.ForeignKey(FrameworkEdition, on_delete=models.PROTECT, related_name="rounds")
    label = models.CharField(max_length=100, help_text="The period, for example 2026 Q4")
    status = models.CharField(max_length=20, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    # The date by which scorers should have submitted: set when the round is opened.
    scoring_closes_on = models.DateField("Scoring closes on", null=True, blank=True)
    scoring_closed_reason = models.TextField(blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward"],
                condition=~Q(status="signed"),
                name="one_unfinished_round_per_ward",
            ),
            models.UniqueConstraint(fields=["ward", "label"], name="unique_round_label"),
        ]

    def __str__(self) -> str:
        return f"{self.ward} {self.label}"

    @property
    def is_locked(self) -> bool:
        return self.status == RoundStatus.SIGNED

    def allows(self, action: str) -> bool:
        """rules.allows for this round's status: may this change happen now?"""
        return rules.allows(self.status, action)

    @property
    def scoring_in_progress(self) -> bool:
        """Open or being scored: the closing date still matters and may change."""
        return rules.is_scoring(self.status)


class Scorer(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scorers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorer_invitations"
    )
    group = models.CharField(max_length=20, choices=ScorerGroup.choices)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "user__last_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_group_display()}) in {self.round}"

    @property
    def has_submitted(self) -> bool:
        return self.submitted_at is not None


RATING_CHOICES = [
    (0, "0 Not yet"),
    (1, "1 Starting"),
    (2, "2 Developing"),
    (3, "3 Established"),
    (4, "4 Embedded"),
]


class RatingQuerySet(models.QuerySet):
    def counted(self) -> "RatingQuerySet":
        """The ratings group medians, gaps and flags are made from: only from scorers who
        submitted (a draft never counts), and never "Not sure" (no level, not a zero)."""
        return self.filter(scorer__submitted_at__isnull=False, level__isnull=False)


class Rating(models.Model):
    """One scorer's answer for one standard. A null level is "Not sure": never a zero."""

    scorer = models.ForeignKey(Scorer, on_delete=models.CASCADE, related_name="ratings")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField(null=True, blank=True, choices=RATING_CHOICES)
    comment = models.TextField(blank=True)
    # The scorer asked that their comment be shown without their name: "A lived experience
    # partner" or "A member of staff" instead, wherever it would otherwise name them.
    share_without_name = models.BooleanField(default=False)
    # Goes up with every change: a page that saves says which version it last saw, so two tabs
    # (or two devices) of the same scorer never silently overwrite each other.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scorer", "standard"], name="one_rating_per_standard"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=4), name="rating_0_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard_id}: {self.level}"

    @property
    def is_not_sure(self) -> bool:
        return self.level is None


class AgreedRatingQuerySet(models.QuerySet):
    def scored(self) -> "AgreedRatingQuerySet":
        """Agreed ratings with a level: "Not sure" is no score, never a zero."""
        return self.filter(level__isnull=False)


class AgreedRating(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="agreed_ratings")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="agreed_ratings")
    level = models.PositiveSmallIntegerField(null=True, blank=True, choices=RATING_CHOICES)
    rationale = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreedRatingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "standard"], name="one_agreed_per_standard"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=4), name="agreed_0_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"Agreed {self.standard_id}: {self.level}"


class EvidenceKind(models.TextChoices):
    NOTE = "note", "Note"
    LINK = "link", "Link"
    FILE = "file", "File"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # The stored name is not the uploaded one: names can carry personal information.
    return f"evidence/round-{instance.round_id}/{instance.stored_name}"


class Evidence(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="evidence")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    note = models.TextField(blank=True)
    url = models.URLField(blank=True, max_length=500)
    file = models.FileField(upload_to=evidence_path, blank=True)
    stored_name = models.CharField(max_length=100, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["standard__commitment__number", "standard__position", "added_at"]

    def __str__(self) -> str:
        return self.original_name or self.url or self.note[:60]


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not-started", "Not started"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_ACTION_STATUSES = [ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]


class ActionQuerySet(models.QuerySet):
    def open(self) -> "ActionQuerySet":
        return self.filter(status__in=OPEN_ACTION_STATUSES)


class Action(models.Model):
    """What will change. Belongs to the ward; shown in every round it was open in."""

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="actions")
    origin_round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+")
    rounds = models.ManyToManyField(Round, related_name="actions")
    title = models.CharField("What will change", max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_actions"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    standards = models.ManyToManyField(Standard, blank=True, related_name="+")
    # An action about a commitment as a whole, rather than some of its standards.
    commitments = models.ManyToManyField(Commitment, blank=True, related_name="+")
    co_produced = models.BooleanField(
        "A lived experience partner helped shape this action", default=False
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


class SignatureRole(models.TextChoices):
    WARD_MANAGER = rules.WARD_MANAGER, "Ward manager"
    LIVED_EXPERIENCE_LEADER = rules.LIVED_EXPERIENCE_LEADER, "Lived experience leader"


class SignatureDecision(models.TextChoices):
    SIGNED = rules.DECISION_SIGNED, "Signed"
    RESERVATIONS = rules.DECISION_RESERVATIONS, "Signed with reservations"
    DECLINED = rules.DECISION_DECLINED, "Declined to sign"


class SignatureQuerySet(models.QuerySet):
    def live(self) -> "SignatureQuerySet":
        """Live decisions (rules.is_live): not voided by a reopening; a decline included."""
        return self.filter(voided_at__isnull=True)

    def live_signatures(self) -> "SignatureQuerySet":
        """Live signatures (rules.is_live_signature): live and not a decline, so they count
        towards sign-off."""
        return self.live().filter(decision__in=rules.SIGNATURE_DECISIONS)


class Signature(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=SignatureRole.choices)
    decision = models.CharField(max_length=20, choices=SignatureDecision.choices)
    # Reservations and reasons are the signer's own words, reproduced verbatim.
    words = models.TextField(blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "role"],
                condition=Q(voided_at__isnull=True) & ~Q(decision=rules.DECISION_DECLINED),
                name="one_live_signature_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.get_decision_display()}"

    @property
    def is_live(self) -> bool:
        return rules.is_live(voided=self.voided_at is not None)

    @property
    def is_live_signature(self) -> bool:
        return rules.is_live_signature(decision=self.decision, voided=self.voided_at is not None)


class HistoryKind(models.TextChoices):
    ROUND = "round", "Round"
    RATING = "rating", "Rating"
    AGREED = "agreed", "Agreed rating"
    EVIDENCE = "evidence", "Evidence"
    ACTION = "action", "Action"
    SIGNATURE = "signature", "Signature"


class HistoryEntry(models.Model):
    """Who changed what, when, with the values before and after."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=20, choices=HistoryKind.choices)
    summary = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "history entries"

    def __str__(self) -> str:
        return self.summary


class RoundScore(models.Model):
    """One measure of a signed round, as every dashboard, PDF and export shows it: written when
    the round is signed, removed when it is reopened, rebuilt by `rebuild_round_scores`
    (assessments/scores.py). Sums and counts, not means, so that trust-wide figures across many
    rounds come out exactly as the mean of every rating would.

    `measure` is "overall", "commitment:<number>" or "pillar:<slug>". `rated`/`total`: agreed
    ratings with a level and the sum of their levels. `staff_*`/`lived_*`: the same for the
    ratings of scorers who submitted, by group ("Not sure" never counts)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="score_rows")
    measure = models.CharField(max_length=60)
    commitment_number = models.PositiveSmallIntegerField(null=True, blank=True)
    rated = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    staff_rated = models.PositiveIntegerField(default=0)
    staff_total = models.PositiveIntegerField(default=0)
    lived_rated = models.PositiveIntegerField(default=0)
    lived_total = models.PositiveIntegerField(default=0)
    # On the overall row: the SPC variation of the ward's overall score at this round
    # ("concern", "improvement", "common", or "" with too few points to tell), worked out and
    # kept here by the board summary (reports/board_summary.py). Null until then, and set back
    # to null whenever the ward's signed history or a trust's process changes change.
    ward_variation = models.CharField(max_length=20, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "measure"], name="one_score_per_measure"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.measure}: {self.total}/{self.rated}"
