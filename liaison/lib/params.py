"""Query-string parameters that pages share, read one way everywhere."""

# The years the portal's records and filters span; a page may narrow them (e.g. no later than next year).
MIN_YEAR = 2000
MAX_YEAR = 2100


def year_param(request, default=None, *, min_year=MIN_YEAR, max_year=MAX_YEAR, name="year"):
    """The year asked for in the query string (`?year=2026`), as an int within [min_year, max_year].
    Missing, not a number or out of range gives `default`: a hand-edited or stale link shows the
    default year instead of an error page."""
    value = request.GET.get(name, "").strip()
    if not (value.isascii() and value.isdigit()):
        return default
    year = int(value)
    return year if min_year <= year <= max_year else default
