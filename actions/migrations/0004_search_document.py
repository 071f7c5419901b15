"""The action's full-text document on PostgreSQL: a column, two triggers that keep it, a GIN index.

The document is what the log's search reads: the action's text, its status note and the notes
of all its updates, in the same order and with the same English configuration as the
SearchVector the search used to build for every action on every search (230 ms on a board of
10,000 actions). Triggers keep it whatever writes the rows: the services, the admin, bulk writes.
Other databases get the (empty) column only.
"""

import django.contrib.postgres.search
from django.db import migrations

CREATE = """
CREATE FUNCTION actions_action_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document := to_tsvector('english'::regconfig,
        COALESCE(NEW.text, '') || ' ' || COALESCE(NEW.status_note, '') || ' ' ||
        COALESCE((SELECT string_agg(u.note, ' ') FROM actions_actionupdate u WHERE u.action_id = NEW.id), ''));
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER actions_action_search_document BEFORE INSERT OR UPDATE ON actions_action
    FOR EACH ROW EXECUTE FUNCTION actions_action_search_document();

-- An update added, changed or deleted touches its action, whose own trigger rebuilds the document.
CREATE FUNCTION actions_actionupdate_search_document() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE actions_action SET search_document = NULL WHERE id = OLD.action_id;
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.action_id <> OLD.action_id) THEN
        UPDATE actions_action SET search_document = NULL WHERE id = NEW.action_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER actions_actionupdate_search_document AFTER INSERT OR UPDATE OR DELETE ON actions_actionupdate
    FOR EACH ROW EXECUTE FUNCTION actions_actionupdate_search_document();

CREATE INDEX action_search_document ON actions_action USING gin (search_document);

UPDATE actions_action SET search_document = NULL;
"""

DROP = """
DROP INDEX IF EXISTS action_search_document;
DROP TRIGGER IF EXISTS actions_actionupdate_search_document ON actions_actionupdate;
DROP FUNCTION IF EXISTS actions_actionupdate_search_document();
DROP TRIGGER IF EXISTS actions_action_search_document ON actions_action;
DROP FUNCTION IF EXISTS actions_action_search_document();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0003_ordering_by_column_drop_update_created_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
