"""Tally every signed round's scores again (assessments/scores.py): after restoring an old
backup, or if the stored tallies are ever in doubt. Safe to run at any time."""

from django.core.management.base import BaseCommand

from assessments import scores


class Command(BaseCommand):
    help = "Rebuild the stored scores of every signed round (what dashboards and PDFs read)."

    def handle(self, *args, **options):
        written = scores.rebuild()
        self.stdout.write(f"Stored {written} scores for the signed rounds.")
