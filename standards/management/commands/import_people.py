from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from standards.models import Trust, User
from standards.people_import import PeopleImportError, apply_import, plan_import


class Command(BaseCommand):
    help = (
        "Set up a trust's wards, or its people and their roles, from a CSV file. Every line is "
        "checked first; without --apply only the changes are listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("trust_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--by", required=True, help="Username of the trust administrator making the change"
        )
        parser.add_argument("--apply", action="store_true", help="Write the changes")
        parser.add_argument(
            "--site-url",
            default=getattr(settings, "SITE_URL", "http://localhost:8000"),
            help="The service's address, for the links in invitation emails",
        )

    def handle(self, *args, trust_id: int, file: Path, by: str, apply: bool, site_url, **options):
        trust = Trust.objects.filter(pk=trust_id).first()
        user = User.objects.filter(username=by).first()
        if trust is None or user is None:
            raise CommandError("No such trust or user")
        try:
            content = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        plan = plan_import(trust=trust, content=content)
        if plan.errors:
            raise CommandError("Nothing was changed:\n" + "\n".join(plan.errors))
        for name in plan.new_sites:
            self.stdout.write(f"New site: {name}")
        for row in plan.new_wards:
            self.stdout.write(f"New ward: {row.name}, {row.site}")
        for row in plan.changed_wards:
            self.stdout.write(f"Changed ward: {row.name}, {row.site}: {'; '.join(row.changes)}")
        for person in plan.invitations:
            self.stdout.write(f"Invite: {person.email}: {'; '.join(person.role_labels)}")
        for person in plan.grants:
            self.stdout.write(f"New roles: {person.email}: {'; '.join(person.role_labels)}")
        if not apply:
            self.stdout.write("Nothing written: run again with --apply to make these changes.")
            return
        try:
            apply_import(by=user, trust=trust, content=content, base_url=site_url)
        except PeopleImportError as error:
            raise CommandError("Nothing was changed:\n" + "\n".join(error.errors)) from None
        self.stdout.write(self.style.SUCCESS("Applied."))
