from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from standards.importer import read_file
from standards.services import EditionImportError, import_edition


class Command(BaseCommand):
    help = (
        "Load a framework edition from a JSON or CSV file (format in the README). "
        "Everything is validated first; a bad file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--edition", help="Edition label, for example '2025 official wording'")
        parser.add_argument("--title", help="Framework title (CSV files need it)")
        parser.add_argument("--slug", help="Framework slug (default: from the title)")
        parser.add_argument("--source-url", dest="source_url", help="Link to the official document")
        parser.add_argument("--wording-note", dest="wording_note", help="Note shown with the text")

    def handle(self, *args, **options):
        metadata = {
            key: options[key]
            for key in ("edition", "title", "slug", "source_url", "wording_note")
            if options.get(key)
        }
        parsed = read_file(options["file"], metadata=metadata)
        try:
            edition = import_edition(parsed=parsed)
        except EditionImportError as error:
            raise CommandError(
                f"{options['file']} was not imported; nothing was changed.\n"
                + "\n".join(error.errors)
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported '{edition}': {edition.commitments.count()} commitments, "
                f"{edition.standards.count()} standards."
            )
        )
