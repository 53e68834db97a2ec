"""A signed round is locked in the database too, not only in the application.

Triggers refuse any insert, update or delete of a signed round's ratings, scorers, agreed
ratings, evidence and signatures, and any change to a signed round other than reopening it
(moving it out of "signed"). See docs/decisions/0004-locking-signed-assessments.md.
"""

from django.db import migrations

# (table, SQL expression giving the round id from the row)
GUARDED = [
    ("assessments_scorer", "round_id", None),
    ("assessments_agreedrating", "round_id", None),
    ("assessments_evidence", "round_id", None),
    ("assessments_signature", "round_id", None),
    ("assessments_rating", None, "scorer_id"),
]

MESSAGE = "assessment round is signed and locked"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION coc_refuse_locked_child() RETURNS trigger AS $$
DECLARE
    row_data json;
    rid bigint;
    locked boolean;
BEGIN
    IF TG_OP = 'DELETE' THEN row_data := row_to_json(OLD); ELSE row_data := row_to_json(NEW); END IF;
    IF TG_ARGV[0] = 'round_id' THEN
        rid := (row_data->>'round_id')::bigint;
    ELSE
        SELECT round_id INTO rid FROM assessments_scorer WHERE id = (row_data->>'scorer_id')::bigint;
    END IF;
    SELECT status = 'signed' INTO locked FROM assessments_round WHERE id = rid;
    IF locked THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND TG_ARGV[0] = 'round_id' AND (row_to_json(OLD)->>'round_id') IS DISTINCT FROM (row_data->>'round_id') THEN
        SELECT status = 'signed' INTO locked FROM assessments_round WHERE id = (row_to_json(OLD)->>'round_id')::bigint;
        IF locked THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION coc_refuse_locked_round() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'signed' AND (TG_OP = 'DELETE' OR NEW.status = 'signed') THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def _pg_sql() -> list[str]:
    statements = [PG_FUNCTION]
    for table, round_column, _scorer in GUARDED:
        arg = "round_id" if round_column else "scorer_id"
        statements.append(
            f"CREATE TRIGGER {table}_locked BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION coc_refuse_locked_child('{arg}');"
        )
    statements.append(
        "CREATE TRIGGER assessments_round_locked BEFORE UPDATE OR DELETE ON assessments_round "
        "FOR EACH ROW EXECUTE FUNCTION coc_refuse_locked_round();"
    )
    return statements


def _sqlite_sql() -> list[str]:
    statements = []
    for table, round_column, _scorer in GUARDED:
        for op, ref in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            if round_column:
                condition = f"(SELECT status FROM assessments_round WHERE id = {ref}.round_id)"
            else:
                condition = (
                    "(SELECT r.status FROM assessments_round r JOIN assessments_scorer s "
                    f"ON s.round_id = r.id WHERE s.id = {ref}.scorer_id)"
                )
            statements.append(
                f"CREATE TRIGGER {table}_locked_{op.lower()} BEFORE {op} ON {table} "
                f"WHEN {condition} = 'signed' "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
            )
            if op == "UPDATE" and round_column:
                statements.append(
                    f"CREATE TRIGGER {table}_locked_move BEFORE UPDATE ON {table} "
                    "WHEN (SELECT status FROM assessments_round WHERE id = OLD.round_id) = "
                    f"'signed' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
                )
    statements.append(
        "CREATE TRIGGER assessments_round_locked_update BEFORE UPDATE ON assessments_round "
        "WHEN OLD.status = 'signed' AND NEW.status = 'signed' "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    )
    statements.append(
        "CREATE TRIGGER assessments_round_locked_delete BEFORE DELETE ON assessments_round "
        f"WHEN OLD.status = 'signed' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    )
    return statements


def restore_sqlite_triggers(apps, schema_editor):
    """For a later migration that adds a column: SQLite rebuilds the table to do it, and the
    table's locking triggers go with it. Put every locking trigger back. PostgreSQL keeps them."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in _sqlite_sql():
        name = statement.split()[2]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _pg_sql, "sqlite": _sqlite_sql}.get(vendor)
    if statements is None:
        raise RuntimeError(f"No locking triggers for database vendor {vendor}")
    for statement in statements():
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for table, _r, _s in GUARDED:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_locked ON {table};")
        schema_editor.execute("DROP TRIGGER IF EXISTS assessments_round_locked ON assessments_round;")
        schema_editor.execute("DROP FUNCTION IF EXISTS coc_refuse_locked_child();")
        schema_editor.execute("DROP FUNCTION IF EXISTS coc_refuse_locked_round();")
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE '%_locked%'"
            )
            names = [row[0] for row in cursor.fetchall()]
        for name in names:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
