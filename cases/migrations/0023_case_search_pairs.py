"""The case search's indexes of character pairs (PostgreSQL only; issue 10; cases.search).

`liaison_bigrams(text)` returns the distinct pairs of adjacent characters of a text. The GIN
indexes case_title_bigrams and case_content_bigrams on liaison_bigrams(UPPER(title)) and
liaison_bigrams(UPPER(content)) serve cases.search.case_search_q's condition for a rare word,
`liaison_bigrams(UPPER(title)) @> liaison_bigrams(UPPER(word))` (and the same of the content):
the unit inbox searched for a word few of the unit's shares hold (cases.views.unit_inbox), the
queues' searches of titles and contents (cases.queue_selectors.filter_cases), the year-end
review's export. The statistics of UPPER(content) let PostgreSQL estimate how many contents hold
a word (cases.search.is_rare_word), as 0022's of UPPER(title) do for titles. The tracking code is
now matched exactly in upper case through its unique index, so the statistics of
UPPER(tracking_code) (0022) serve no query and go.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION liaison_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
    FROM generate_series(1, length(t) - 1) AS i
$$
"""

INDEXES = {
    # cases.search.case_search_q: a rare word in titles (the unit inbox, the queues, the export).
    "case_title_bigrams": "UPPER(title::text)",
    # cases.search.case_search_q(content=True): a rare word in contents (the queues' search).
    "case_content_bigrams": "UPPER(content)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, column in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_case USING gin (liaison_bigrams({column}))")
    schema_editor.execute("CREATE STATISTICS IF NOT EXISTS case_search_content ON (UPPER(content)) FROM cases_case")
    schema_editor.execute("DROP STATISTICS IF EXISTS case_search_tracking_code")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM cases_case)")
        if cursor.fetchone()[0]:
            cursor.execute("ANALYZE cases_case")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP STATISTICS IF EXISTS case_search_content")
    schema_editor.execute("DROP FUNCTION IF EXISTS liaison_bigrams(text)")
    schema_editor.execute("CREATE STATISTICS IF NOT EXISTS case_search_tracking_code ON (UPPER(tracking_code::text)) FROM cases_case")


class Migration(migrations.Migration):

    dependencies = [("cases", "0022_case_search_statistics")]

    operations = [migrations.RunPython(forwards, backwards)]
