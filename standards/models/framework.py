"""The Culture of Care framework catalogue: editions, pillars, commitments and standards."""

from django.db import models
from django.db.models import Q


class Pillar(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class RatingLevel(models.Model):
    """One point of the rating scale. "Not sure" has no level and never counts as a score."""

    key = models.SlugField(primary_key=True, max_length=20)
    level = models.PositiveSmallIntegerField(null=True, blank=True, unique=True)
    label = models.CharField(max_length=50)
    description = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=4), name="rating_level_0_to_4"
            )
        ]

    def __str__(self) -> str:
        return self.label if self.level is None else f"{self.level} {self.label}"


class FrameworkEditionQuerySet(models.QuerySet):
    def latest_first(self) -> "FrameworkEditionQuerySet":
        return self.order_by("-created_at", "-pk")


class FrameworkEdition(models.Model):
    """A version of the framework. Immutable once any assessment uses it."""

    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    edition = models.CharField(max_length=100, help_text="For example: 2024, working summaries")
    publisher = models.CharField(max_length=200, blank=True)
    published = models.CharField(max_length=50, blank=True)
    source_url = models.URLField(blank=True)
    wording_note = models.TextField(blank=True)
    vision = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FrameworkEditionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "edition"], name="unique_edition_label")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.edition})"

    @property
    def is_in_use(self) -> bool:
        """True when anything outside the catalogue (an assessment round) points at it.

        Looked up through reverse relations so that this app need not import the apps
        that depend on it.
        """
        if self.pk is None:
            return False
        for relation in self._meta.related_objects:
            if relation.related_model._meta.app_label == self._meta.app_label:
                continue
            if relation.related_model._default_manager.filter(
                **{relation.field.name: self}
            ).exists():
                return True
        return False


class Commitment(models.Model):
    edition = models.ForeignKey(
        FrameworkEdition, on_delete=models.CASCADE, related_name="commitments"
    )
    number = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    headline = models.CharField(max_length=300)
    statement = models.TextField()

    class Meta:
        ordering = ["edition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="unique_commitment_number"),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=12), name="commitment_number_1_to_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class StandardQuerySet(models.QuerySet):
    def with_pillar(self, pillar: Pillar | None) -> "StandardQuerySet":
        return self if pillar is None else self.filter(pillars=pillar)


class Standard(models.Model):
    edition = models.ForeignKey(
        FrameworkEdition, on_delete=models.CASCADE, related_name="standards"
    )
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(max_length=10, help_text="For example: 2.3")
    text = models.TextField()
    pillars = models.ManyToManyField(Pillar, blank=True, related_name="standards")
    position = models.PositiveSmallIntegerField(default=0)

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["edition", "commitment__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="unique_standard_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"
