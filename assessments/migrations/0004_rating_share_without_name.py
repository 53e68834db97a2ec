import importlib

from django.db import migrations, models

lock = importlib.import_module("assessments.migrations.0002_lock_signed_rounds")
RATING = "assessments_rating"


def restore_rating_triggers(apps, schema_editor):
    """SQLite adds a column by rebuilding the table, which drops its triggers: put back the
    locking triggers of 0002 on the ratings table. PostgreSQL keeps them."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in lock._sqlite_sql():
        if f" ON {RATING} " in statement:
            name = statement.split()[2]
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_action_updated_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="share_without_name",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(restore_rating_triggers, migrations.RunPython.noop),
    ]
