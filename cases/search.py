"""Searching cases by a word of their title, or by tracking code (issue 10).

A title search is Django's `title__icontains` (UPPER(title) LIKE UPPER('%word%')). No B-tree can
serve a LIKE with a leading wildcard, and a trigram index (pg_trgm) cannot serve the two-character
words most Chinese searches are (路灯, 噪音, 电梯): so a word that matches few of a unit's shares
read every open share of the unit, 100-150 ms for a busy unit at 10x.

On PostgreSQL a search for a rare word therefore also asks that the title's (or the content's)
character pairs contain the word's (`liaison_bigrams`, a SQL function, and the GIN indexes
case_title_bigrams and case_content_bigrams on it: migration cases 0023). That condition is implied by the LIKE (every pair of a substring is a pair
of the string), so it never changes the result; it lets the plan start from the few cases that
hold the word. A common word is searched by the LIKE alone, read in the list's index order until
the page is full. Which word is rare is asked of PostgreSQL's own estimate of the LIKE (from the
statistics of UPPER(title) and UPPER(content), migrations cases 0022 and 0023), not left to the planner with both conditions:
it multiplies their selectivities as if they were independent, when one implies the other, and
sent common words (停车, 15 % of titles) through the pairs index, 90 ms a page (estimated 879
cases, 14,907 read). A one-letter word has no pair and is searched by the LIKE alone.

A tracking code is stored in upper case from TRACKING_ALPHABET: an exact match on the upper-cased
code reads the unique index, where `tracking_code__iexact` (UPPER(tracking_code) = ...) could not.
"""

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, TextField, Value
from django.db.models.functions import Upper

from .models.case import TRACKING_LENGTH

# The longest search kept: the views cut the query string to it, and so does case_search_q.
MAX_QUERY = 100

# A word PostgreSQL estimates to be in at most this share of the cases is looked up through its
# pairs. Measured at 10x (500,000 cases) per page, LIKE alone / through the pairs, in ms: the unit
# inbox (titles) for a word of 0.5 % of the titles (信号塔) 233 / 18, 2.1 % (井盖) 20 / 29, 3.6 %
# (电梯) 16 / 41; the staff queues (titles and contents) 17-46 / 17-30 at 0.5 %, 13-21 / 22-75
# at 2.1 %, and 42-250 / 8-21 for a word no case holds. PostgreSQL's estimates of such words come
# in steps of about 1.2 % (30 rows, 5,998, 11,996 at 10x), so the titles' bound takes the 1.2 %
# step through the pairs and the contents' does not.
RARE_SHARE = 0.02
RARE_SHARE_WITH_CONTENT = 0.01


class _Bigrams(Func):
    """liaison_bigrams(text): the distinct pairs of adjacent characters of a text, a text[]."""

    function = "liaison_bigrams"
    output_field = TextField()


class _ArrayContains(Func):
    """a @> b: every element of the array b is in a."""

    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _pairs_q(path, word):
    # The indexes' expression exactly: liaison_bigrams(UPPER(<column>)).
    return Q(_ArrayContains(_Bigrams(Upper(F(path))), _Bigrams(Upper(Value(word, output_field=TextField())))))


def is_rare_word(word, *, content=False):
    """Whether PostgreSQL estimates that at most RARE_SHARE of the cases hold `word` in their title
    (or, content=True, RARE_SHARE_WITH_CONTENT in their title or content): two plannings, no rows
    read."""
    pattern = f"%{connection.ops.prep_for_like_query(word)}%"  # as icontains writes it
    where = "UPPER(title::text) LIKE UPPER(%s)"
    if content:
        where += " OR UPPER(content) LIKE UPPER(%s)"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM cases_case WHERE {where}", [pattern] * (1 + content))
        matches = _plan_rows(cursor.fetchone()[0])
        cursor.execute("EXPLAIN (FORMAT JSON) SELECT 1 FROM cases_case")
        cases = _plan_rows(cursor.fetchone()[0])
    return matches <= (RARE_SHARE_WITH_CONTENT if content else RARE_SHARE) * cases


def _plan_rows(plan):
    return plan[0]["Plan"]["Plan Rows"]  # psycopg2 decodes EXPLAIN's json


def case_search_q(q, *, path="", content=False):
    """Cases whose title (and, with content=True, whose content) holds `q`, or whose tracking code
    is `q`; `path` leads from the searched model to the case ("case__" from a dispatch). On
    PostgreSQL, a word of two characters or more costs two plannings (is_rare_word)."""
    word = q.strip()[:MAX_QUERY].strip()
    columns = ("title", "content") if content else ("title",)
    pairs = connection.vendor == "postgresql" and len(word) >= 2 and is_rare_word(word, content=content)
    match = Q()
    for column in columns:
        holds = Q(**{f"{path}{column}__icontains": word})
        match |= holds & _pairs_q(f"{path}{column}", word) if pairs else holds
    if len(word) == TRACKING_LENGTH:
        match |= Q(**{f"{path}tracking_code": word.upper()})
    return match
