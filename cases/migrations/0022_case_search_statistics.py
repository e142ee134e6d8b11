"""Statistics of the case search's two expressions (PostgreSQL only; issue 10).

The case search (`UPPER(title) LIKE UPPER('%q%') OR UPPER(tracking_code) = UPPER(q)`, Django's
title__icontains / tracking_code__iexact: the unit inbox's search in cases.views.unit_inbox, the
queues' in cases.queue_selectors.filter_cases) compares expressions of which PostgreSQL keeps no
statistics, so it estimated every search to match 0.5 % of the rows whatever the words. The unit
inbox's default list (what the unit owes) searched, at 10x: 222 matching cases estimated, 100,000
found; the plan started from the city's 100,000 dispatched cases (case_status_reply_due) and
joined every one to its shares, 0.4 s a page, instead of reading the unit's shares in the order of
the sort's index (dispatch_owed_unit_district, _office, dispatch_owed_by_unit, ...) and stopping
at the page (3 ms). With these statistics (ANALYZE keeps them with the table's) the estimate
follows the words: a frequent word reads the unit's shares in index order; a rare word or a
tracking code, a few cases, starts from the cases.
"""

from django.db import migrations

STATISTICS = {
    # The search's title condition: title__icontains.
    "case_search_title": "UPPER(title::text)",
    # The search's tracking code condition: tracking_code__iexact (unique: one row); dropped in 0023.
    "case_search_tracking_code": "UPPER(tracking_code::text)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in STATISTICS.items():
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {name} ON ({expression}) FROM cases_case")
    # Filled by ANALYZE: now where cases exist; a new (empty) database's first autoanalyze fills
    # them (analysed empty, the table would tell the planner it has no rows until then).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM cases_case)")
        if cursor.fetchone()[0]:
            cursor.execute("ANALYZE cases_case")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in STATISTICS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [("cases", "0021_inbox_sort_keys")]

    operations = [migrations.RunPython(forwards, backwards)]
