"""Print the demo authenticator app's current 6-digit code (demo trust-level users only)."""

from django.core.management.base import BaseCommand

from standards.demo import DEMO_TOTP_SECRET, current_demo_code


class Command(BaseCommand):
    help = "Print the current second-factor code of the demo QI lead, board member and leader."

    def handle(self, *args, **options):
        self.stdout.write(current_demo_code())
        self.stderr.write(
            f"(demo secret {DEMO_TOTP_SECRET}: add it to an authenticator app to make your own)"
        )
