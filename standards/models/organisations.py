"""Trusts, sites, wards, people and the roles memberships give them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Exists, OuterRef, Q


class EmailChoice(models.TextChoices):
    """How a person wants to hear about what is waiting for them. Invitations and security
    emails are sent whatever they choose."""

    EVERY = "every", "Every email, as it happens"
    DAILY = "daily", "One email a day, listing everything"
    NONE = "none", "No emails"


class User(AbstractUser):
    """A person who signs in. Holds no patient information, only staff identity."""

    email_choice = models.CharField(
        "Emails about your tasks",
        max_length=10,
        choices=EmailChoice.choices,
        default=EmailChoice.EVERY,
    )

    class Meta:
        ordering = ["username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ServiceType(models.TextChoices):
    ACUTE_ADULT = "acute-adult", "Acute adult"
    OLDER_ADULT = "older-adult", "Older adult"
    PICU = "picu", "Psychiatric intensive care"
    CAMHS = "camhs", "Child and adolescent"
    LDA = "lda", "Learning disability and autism"
    SECURE_LOW = "secure-low", "Secure (low)"
    SECURE_MEDIUM = "secure-medium", "Secure (medium)"
    SECURE_HIGH = "secure-high", "Secure (high)"
    MOTHER_BABY = "mother-baby", "Mother and baby"
    REHABILITATION = "rehabilitation", "Rehabilitation"
    EATING_DISORDERS = "eating-disorders", "Eating disorders"
    OTHER = "other", "Other"


class WardRole(models.TextChoices):
    STAFF = "ward-staff", "Ward staff"
    MANAGER = "ward-manager", "Ward manager"
    LIVED_EXPERIENCE_PARTNER = "le-partner", "Lived experience partner"


class TrustRole(models.TextChoices):
    LIVED_EXPERIENCE_LEADER = "le-leader", "Lived experience leader"
    QI_LEAD = "qi-lead", "Trust QI lead"
    BOARD_MEMBER = "board-member", "Board member"
    TRUST_ADMIN = "trust-admin", "Trust administrator"


# Trust roles that see the trust's wards and their assessments. A trust administrator sets up
# sites, wards and people but sees no ratings it is not otherwise given.
WARD_VISIBLE_TRUST_ROLES = (
    TrustRole.LIVED_EXPERIENCE_LEADER,
    TrustRole.QI_LEAD,
    TrustRole.BOARD_MEMBER,
)


class TrustQuerySet(models.QuerySet):
    def for_user(self, user) -> "TrustQuerySet":
        """Trusts where the user holds a trust role or a role on one of its wards."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(TrustMembership.objects.filter(trust=OuterRef("pk"), user=user))
            | Exists(WardMembership.objects.filter(ward__site__trust=OuterRef("pk"), user=user))
        )

    def with_trust_role(self, user, *roles: str) -> "TrustQuerySet":
        """Trusts where the user holds one of the given trust roles (when none are given, a
        role that sees the trust's wards: never the trust administrator alone)."""
        if not user.is_authenticated:
            return self.none()
        memberships = TrustMembership.objects.filter(
            trust=OuterRef("pk"), user=user, role__in=roles or WARD_VISIBLE_TRUST_ROLES
        )
        return self.filter(Exists(memberships))


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=10, blank=True, help_text="Organisation data service (ODS) code, like RX4"
    )

    objects = TrustQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["trust", "name"]
        constraints = [models.UniqueConstraint(fields=["trust", "name"], name="unique_site_name")]

    def __str__(self) -> str:
        return self.name


class WardQuerySet(models.QuerySet):
    def for_user(self, user) -> "WardQuerySet":
        """Wards the user may see: their own, and every ward of a trust in which they hold a
        role that sees wards (a trust administrator's role alone does not)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(WardMembership.objects.filter(ward=OuterRef("pk"), user=user))
            | Exists(
                TrustMembership.objects.filter(
                    trust=OuterRef("site__trust"), user=user, role__in=WARD_VISIBLE_TRUST_ROLES
                )
            )
        )

    def with_ward_role(self, user, *roles: str) -> "WardQuerySet":
        """Wards where the user holds one of the given ward roles."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(WardMembership.objects.filter(ward=OuterRef("pk"), user=user, role__in=roles))
        )


class Ward(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(max_length=200)
    service_type = models.CharField(max_length=30, choices=ServiceType.choices)
    # The trust's own code for the ward, as its ward measures are reported (CSV imports).
    code = models.CharField(max_length=20, blank=True)
    beds = models.PositiveSmallIntegerField(null=True, blank=True)
    # A closed ward keeps its assessments and history; it is no longer set up with people.
    is_active = models.BooleanField(default=True)
    # Named on pages whose standards deal with restraint, seclusion, sexual safety or racism.
    support_contact = models.CharField(
        "Who people can talk to if a standard is hard to read",
        max_length=300,
        blank=True,
    )

    objects = WardQuerySet.as_manager()

    class Meta:
        ordering = ["site__trust__name", "site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_ward_name"),
            models.CheckConstraint(
                condition=Q(beds__isnull=True) | Q(beds__gte=1, beds__lte=200),
                name="ward_beds_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def trust(self) -> Trust:
        return self.site.trust


class WardMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ward_memberships")
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=WardRole.choices)

    class Meta:
        ordering = ["ward", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "ward", "role"], name="unique_ward_role"),
            models.CheckConstraint(condition=Q(role__in=WardRole.values), name="ward_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.ward}"


class TrustMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="trust_memberships")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=TrustRole.choices)

    class Meta:
        ordering = ["trust", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "trust", "role"], name="unique_trust_role"),
            models.CheckConstraint(condition=Q(role__in=TrustRole.values), name="trust_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.trust}"
