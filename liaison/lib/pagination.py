"""Pagination of work queues that can hold a city's backlog.

Django's Paginator counts every row of the list before it can cut a page: on a queue of tens of
thousands of cases that count is a second full scan next to the page query. A queue is read from
its first pages (the work that needs a move comes first), so the count stops at a bound: the page
says "more than 1,000" and the filters narrow the list."""

from django.core.paginator import InvalidPage, Page, Paginator
from django.utils.functional import cached_property

COUNT_LIMIT = 1000


class BoundedPaginator(Paginator):
    """A Paginator whose count reads at most `count_limit + 1` rows (COUNT over a LIMIT, without
    the ordering, so the database stops early). `capped` says the real count is larger; the pages
    beyond the bound are not offered."""

    def __init__(self, object_list, per_page, *, count_limit=None, count_in_order=False, known_count=None,
                 counted=True, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        # counted=False: a list that is not counted at all (a text search, whose count would read
        # every candidate row however few match); each page reads one row more than it shows to
        # know whether a next one exists, up to the bound's last page. See UncountedPage.
        self.counted = counted
        # A count the caller already keeps (a kept figure, e.g. cases.models.UnitOpenTotal): no
        # count query at all, the bound applied to it.
        self.known_count = known_count
        self.count_limit = COUNT_LIMIT if count_limit is None else count_limit
        # A list whose order an index serves and whose filter keeps few of the rows an unordered
        # plan would gather (bitmap scans over every candidate) counts faster in that order: the
        # database then reads the index until the bound and stops. True: the list's own order; a
        # tuple of fields: that order (an index's), for a list shown in another one.
        self.count_in_order = count_in_order

    @cached_property
    def count(self):
        if self.known_count is not None:
            return min(self.known_count, self.count_limit + 1)
        qs = self.object_list
        if hasattr(qs, "order_by"):
            if not self.count_in_order:
                qs = qs.order_by()
            elif self.count_in_order is not True:
                qs = qs.order_by(*self.count_in_order)
            if qs._fields is None and not qs.query.distinct and not qs.query.combinator:
                # Only the key in the counted subquery: the list's annotations (overdue flags,
                # EXISTS badges) are computed for the page's rows, not for every row counted.
                qs = qs.values("pk")
            return qs[: self.count_limit + 1].count()
        return min(len(qs), self.count_limit + 1)

    @cached_property
    def capped(self):
        return self.count > self.count_limit

    def get_page(self, number):
        if self.counted:
            return super().get_page(number)
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        number = min(number, max(1, self.count_limit // self.per_page))
        page = self.page(number)
        if number > 1 and not page.object_list:
            # Past the end (a stale link after the list shrank): its first page, as Django's
            # get_page gives the last page it can count.
            page = self.page(1)
        return page

    def page(self, number):
        if self.counted:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom: bottom + self.per_page + 1])
        more = len(rows) > self.per_page and number < self.count_limit // self.per_page
        return UncountedPage(rows[: self.per_page], number, self, has_next=more)

    def validate_number(self, number):
        if self.counted:
            return super().validate_number(number)
        if isinstance(number, float) and not number.is_integer():
            raise InvalidPage
        number = int(number)
        if number < 1:
            raise InvalidPage
        return number

    @cached_property
    def num_pages(self):
        if self.capped:
            return max(1, self.count_limit // self.per_page)
        return super().num_pages


class UncountedPage(Page):
    """A page of an uncounted list (BoundedPaginator(counted=False)): it knows whether a next page
    exists from the one row it read past its own, not from a count."""

    def __init__(self, object_list, number, paginator, *, has_next):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next

    def start_index(self):
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self):
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class AdminPaginator(BoundedPaginator):
    """The admin's change-list paginator (ModelAdmin.paginator) for tables that grow with the
    city's term (1.8 M ledger entries, 2.8 M case events, 500,000 cases at 20,000 deputies): the
    count reads at most ADMIN_COUNT_LIMIT + 1 rows, so a list opens without counting the whole
    table; the pages past the bound are reached through the filters and the search. Django calls
    it with positional arguments."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True):
        super().__init__(
            object_list, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page,
            count_limit=ADMIN_COUNT_LIMIT,
        )


ADMIN_COUNT_LIMIT = 10000


class OrderedParts:
    """A list read as its parts one after the other, for a Paginator: `parts` are querysets in
    the list's order whose rows, in turn, make the whole list (what a unit owes, then the rest).
    A list sorted first by which part a row belongs to (a flag computed over a join) cannot be
    read from an index and is sorted whole; each part, in its own order, can. A page reads the
    part its first row falls in and, when that part ends within the page, the next one.
    `count`: the queryset of every row, counted (bounded) by the paginator."""

    def __init__(self, *parts, count):
        self.parts = parts
        self.count_qs = count
        self._sizes = {}

    def count(self):
        return self.count_qs.order_by().values("pk")[: COUNT_LIMIT + 1].count()

    def _size(self, i):
        """How many rows part i holds (bounded: a part beyond the bound is never paged past)."""
        if i not in self._sizes:
            self._sizes[i] = self.parts[i].order_by().values("pk")[: COUNT_LIMIT + 1].count()
        return self._sizes[i]

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("OrderedParts takes a slice")
        start, stop = key.start or 0, key.stop
        rows = []
        for i, part in enumerate(self.parts):
            want = stop - (key.start or 0) - len(rows)
            if want <= 0:
                break
            got = list(part[start: start + want])
            rows.extend(got)
            # Part i ended before the page did: the next part is read from its start if part i
            # gave rows, else from where the page starts past part i's rows.
            start = 0 if got else max(0, start - self._size(i))
        return rows
