"""Let operators purge old audit events (retention), and let test databases be flushed.

Deleting events is refused unless a row exists in audit_maintenance, which
only ``limen audit_purge`` writes, inside the same transaction as the purge.
The table is not a Django model, so flushing a database never touches it.
Updates stay refused always.
"""

from django.db import migrations

SQLITE = [
    "CREATE TABLE IF NOT EXISTS audit_maintenance (reason TEXT NOT NULL)",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
POSTGRES = [
    "CREATE TABLE IF NOT EXISTS audit_maintenance (reason TEXT NOT NULL)",
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_maintenance) THEN RETURN OLD; END IF;
         RAISE EXCEPTION 'audit events are append-only';
       END; $$ LANGUAGE plpgsql;""",
]


def forwards(apps, schema_editor):
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
