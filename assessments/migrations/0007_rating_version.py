import importlib

from django.db import migrations, models

lock = importlib.import_module("assessments.migrations.0002_lock_signed_rounds")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_action_commitments"),
    ]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.RunPython(lock.restore_sqlite_triggers, migrations.RunPython.noop),
    ]
