from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import seed_awaiting_signoff, seed_demo_rounds
from standards.demo import (
    DEMO_PEOPLE,
    DEMO_TOTP_SECRET,
    refuse_in_production,
    seed_demo_organisation,
)
from standards.models import Ward


class Command(BaseCommand):
    help = (
        "Create or refresh the demo trust, wards and one demo user per role (idempotent). "
        "With --wards and --rounds, also build realistic signed history."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=getattr(settings, "DEMO_PASSWORD", ""),
            help="Password for every demo user (default: DEMO_PASSWORD)",
        )
        parser.add_argument(
            "--wards",
            type=int,
            default=None,
            help="Give the demo trust this many wards in total, each with signed history",
        )
        parser.add_argument(
            "--rounds",
            type=int,
            default=None,
            help="Signed quarterly rounds per ward for the history (default 8 with --wards)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed for the history")

    def handle(self, *args, password: str, wards, rounds, seed: int, **options):
        try:
            refuse_in_production()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if not password:
            self.stderr.write("Set DEMO_PASSWORD or pass --password.")
            raise SystemExit(2)
        if (wards is not None and wards < 1) or (rounds is not None and rounds < 1):
            raise CommandError("--wards and --rounds must be at least 1.")
        trust = seed_demo_organisation(password=password)
        seed_demo_rounds(ward=Ward.objects.get(site__trust=trust, name="Willow Ward"))
        seed_awaiting_signoff(ward=Ward.objects.get(site__trust=trust, name="Beech Ward"))
        self.stdout.write(self.style.SUCCESS(f"Demo trust ready: {trust}"))
        if wards is not None or rounds is not None:
            self._history(trust=trust, wards=wards, rounds=rounds, seed=seed)
        self._measures(trust=trust, seed=seed)
        self.stdout.write(f"Demo sign-ins (password for each: {password})")
        for person in DEMO_PEOPLE:
            self.stdout.write(f"  {person.username:<14} {person.description}")
        self.stdout.write(
            "Trust-level roles also need a second-factor code after the password: "
            "`.venv/bin/python manage.py demo_code` prints it, or add the secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app."
        )

    def _measures(self, *, trust, seed: int) -> None:
        from reports.demo_measures import seed_measures

        result = seed_measures(trust=trust, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Ward measures: {result.rows} monthly figures added for {result.wards} wards "
                f"in {result.seconds:.1f} s"
            )
        )

    def _history(self, *, trust, wards: int | None, rounds: int | None, seed: int) -> None:
        from reports.demo_history import build_history

        wards = wards or Ward.objects.filter(site__trust=trust).count()
        rounds = rounds or 8
        # A few wards have already signed this quarter's round: the trust-wide trend ends with
        # a period in progress, drawn as incomplete and not judged (reports/periods.py).
        result = build_history(
            wards=wards, rounds=rounds, seed=seed, in_progress=max(1, wards // 10)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"History: {result.wards_built} of {result.wards} wards built, "
                f"{result.rounds} signed rounds, {result.agreed} agreed ratings, "
                f"{result.ratings} ratings in {result.seconds:.1f} s"
            )
        )
