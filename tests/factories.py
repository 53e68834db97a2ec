import factory

from standards.demo import give_demo_second_factor
from standards.models import Site, Trust, TrustMembership, User, Ward, WardMembership

DEFAULT_PASSWORD = "a-long-test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Trust {n} NHS Foundation Trust")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"Site {n}")


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Ward {n}")
    service_type = "acute-adult"


class WardMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WardMembership

    user = factory.SubFactory(UserFactory)
    ward = factory.SubFactory(WardFactory)
    role = "ward-staff"


class TrustMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrustMembership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    trust = factory.SubFactory(TrustFactory)
    role = "board-member"

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        """Trust-level roles must have a second factor; `second_factor=False` builds one who
        has not set it up yet."""
        if create and extracted is not False:
            give_demo_second_factor(obj.user)
