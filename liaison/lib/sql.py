"""Fixed SQL statements for reads that every page makes (issue 10): a statement whose text never
changes is built once from the models' own table and column names and sent as it is, instead of
a queryset built and compiled by the ORM on each request."""

from django.db import connections, router


def fetch_rows(model, sql, params):
    """The rows of `sql` run on the database `model` is read from."""
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
