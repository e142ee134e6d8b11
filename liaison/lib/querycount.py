"""Opt-in SQL query counter for benchmarks (copied from the bench-peer kit; the portal turns it on
with BENCH_QUERY_COUNT=true, first in MIDDLEWARE, see liaison/settings.py and bench/README.md).

Add "querycount.QueryCountMiddleware" (or wherever you copy this file) as the
FIRST entry of MIDDLEWARE in a benchmark settings module. It does nothing unless
the request carries the header ``X-Count-Queries: 1``; then it counts every SQL
statement run while the request is handled (middleware, view, template and
serializer included) and answers with two headers:

    X-Query-Count:    number of statements
    X-Query-Time-Ms:  their total wall time, in milliseconds

It uses ``connection.execute_wrapper`` so it works with DEBUG=False, and timed
requests (which do not send the header) pay nothing for it. measure.py sends the
header on one extra request per target and prints the figure.
"""

import time

from django.db import connections


class _Counter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


class QueryCountMiddleware:
    header = "HTTP_X_COUNT_QUERIES"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get(self.header) != "1":
            return self.get_response(request)
        counter = _Counter()
        wrappers = [conn.execute_wrapper(counter) for conn in connections.all()]
        for w in wrappers:
            w.__enter__()
        try:
            response = self.get_response(request)
            # Streaming/lazy responses are rendered by now for TemplateResponse
            # because the handler renders before middleware returns.
        finally:
            for w in reversed(wrappers):
                w.__exit__(None, None, None)
        response["X-Query-Count"] = str(counter.count)
        response["X-Query-Time-Ms"] = f"{counter.seconds * 1000:.1f}"
        return response
