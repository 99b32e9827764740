"""The pghistory context rows carry the acting user of every audit event (the events point at them
without a foreign-key constraint): refuse their deletion, as the event tables refuse theirs.
Updates stay allowed: pghistory upserts a context while its block adds metadata (docs/audit.md)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION kandas_refuse_context_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit context rows are never deleted (%)', OLD.id USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS kandas_context_never_deleted ON pghistory_context;
CREATE TRIGGER kandas_context_never_deleted BEFORE DELETE ON pghistory_context
    FOR EACH ROW EXECUTE FUNCTION kandas_refuse_context_delete();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS kandas_context_never_deleted ON pghistory_context;
DROP FUNCTION IF EXISTS kandas_refuse_context_delete();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("pghistory", "0007_auto_20250421_0444")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
