import importlib

from django.db import migrations, models

lock = importlib.import_module("assessments.migrations.0002_lock_signed_rounds")


def restore_lock_triggers(apps, schema_editor):
    """SQLite rebuilds the ratings table to add this column, and its locking triggers go with
    it: put every locking trigger of 0002 back. PostgreSQL keeps them."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in lock._sqlite_sql():
        name = statement.split()[2]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
        schema_editor.execute(statement)


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
        migrations.RunPython(restore_lock_triggers, migrations.RunPython.noop),
    ]
