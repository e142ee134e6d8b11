"""Staff edit rule sets in the admin [002 附件2]: a published set is read-only there and changes
through a new version, so points already awarded and published never change."""

import pytest
from django.urls import reverse

from scoring.models import RuleItem, RuleSet

pytestmark = pytest.mark.django_db


def _inline_data(rule_set, **changes):
    items = list(rule_set.items.order_by("pk"))
    data = {
        "code": rule_set.code, "name": rule_set.name, "source": rule_set.source,
        "items-TOTAL_FORMS": str(len(items)), "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        for field in ("category", "number", "variant", "name", "points", "cap_per_year", "event"):
            value = getattr(item, field)
            data[f"items-{n}-{field}"] = "" if value is None else str(value)
        data[f"items-{n}-id"] = str(item.pk)
        data[f"items-{n}-rule_set"] = str(rule_set.pk)
    for key, value in changes.items():
        data[key] = value
    return data


def test_published_rule_set_is_read_only_in_the_admin_and_a_new_version_is_editable_002(client, world):
    yantian = RuleSet.objects.get(code="yantian", version=1)
    client.force_login(world.city_staff)
    url = reverse("admin:scoring_ruleset_change", args=[yantian.pk])
    assert client.get(url).status_code == 200  # viewable
    proposal = yantian.items.order_by("pk").values_list("pk", flat=True)
    index = list(proposal).index(RuleItem.objects.get(rule_set=yantian, number=7).pk)
    response = client.post(url, _inline_data(yantian, **{f"items-{index}-points": "30"}))
    assert response.status_code == 403
    assert RuleItem.objects.get(rule_set=yantian, number=7).points == 3
    # The admin action makes an editable copy; editing the copy leaves the published set alone.
    client.post(reverse("admin:scoring_ruleset_changelist"), {"action": "new_version", "_selected_action": [yantian.pk]})
    v2 = RuleSet.objects.get(code="yantian", version=2)
    index2 = list(v2.items.order_by("pk").values_list("pk", flat=True)).index(
        RuleItem.objects.get(rule_set=v2, number=7).pk
    )
    response = client.post(reverse("admin:scoring_ruleset_change", args=[v2.pk]),
                           _inline_data(v2, **{f"items-{index2}-points": "4"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RuleItem.objects.get(rule_set=v2, number=7).points == 4
    assert RuleItem.objects.get(rule_set=yantian, number=7).points == 3
