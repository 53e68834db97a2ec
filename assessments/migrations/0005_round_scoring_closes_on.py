import importlib

from django.db import migrations, models

lock = importlib.import_module("assessments.migrations.0002_lock_signed_rounds")


def closes_three_weeks_after_opening(apps, schema_editor):
    """Rounds still being scored get the default date; finished ones need none."""
    from datetime import timedelta

    Round = apps.get_model("assessments", "Round")
    for round in Round.objects.filter(status__in=["open", "scoring"]):
        round.scoring_closes_on = (round.opened_at + timedelta(days=21)).date()
        round.save(update_fields=["scoring_closes_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_rating_share_without_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="scoring_closes_on",
            field=models.DateField(blank=True, null=True, verbose_name="Scoring closes on"),
        ),
        migrations.RunPython(lock.restore_sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(closes_three_weeks_after_opening, migrations.RunPython.noop),
    ]
