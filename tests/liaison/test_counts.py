"""liaison.lib.counts.count_each: several counts in one query, each equal to the queryset's own
.count() (filters, joins and DISTINCT included)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.lib.counts import count_each
from liaison.models import Notice, User
from offices.models import Deputy

pytestmark = pytest.mark.django_db


def test_count_each_gives_every_querysets_count_in_one_query(world):
    Notice.objects.create(user=world.deputy_a_user, text="一")
    Notice.objects.create(user=world.deputy_a_user, text="二")
    Notice.objects.create(user=world.deputy_b_user, text="三")
    querysets = {
        "notices": Notice.objects.filter(user=world.deputy_a_user),
        # A join that repeats rows, made distinct: counted as .count() counts it.
        "with_notices": User.objects.filter(notices__isnull=False).distinct(),
        "deputies": Deputy.objects.filter(district=world.district_a).select_related("district"),
        "none": Deputy.objects.none(),
        "nothing": Notice.objects.filter(text="无"),
    }
    expected = {name: qs.count() for name, qs in querysets.items()}
    assert expected["notices"] == 2 and expected["with_notices"] == 2 and expected["deputies"] > 0
    with CaptureQueriesContext(connection) as ctx:
        assert count_each(**querysets) == expected
    assert len(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        assert count_each(none=Deputy.objects.none()) == {"none": 0}
    assert ctx.captured_queries == []
