from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.demo import seed_demo_rounds
from standards.demo import DEMO_PEOPLE, seed_demo_organisation
from standards.models import Ward


class Command(BaseCommand):
    help = "Create or refresh the demo trust, wards and one demo user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=getattr(settings, "DEMO_PASSWORD", ""),
            help="Password for every demo user (default: DEMO_PASSWORD)",
        )

    def handle(self, *args, password: str, **options):
        if not password:
            self.stderr.write("Set DEMO_PASSWORD or pass --password.")
            raise SystemExit(2)
        trust = seed_demo_organisation(password=password)
        seed_demo_rounds(ward=Ward.objects.get(site__trust=trust, name="Willow Ward"))
        self.stdout.write(self.style.SUCCESS(f"Demo trust ready: {trust}"))
        self.stdout.write(f"Demo sign-ins (password for each: {password})")
        for person in DEMO_PEOPLE:
            self.stdout.write(f"  {person.username:<14} {person.description}")
