"""Excel export of admin change lists: scoped to the viewer, formula-like text neutralized, audited."""

import io

import pytest
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from liaison.models import AuditLog, BackgroundExport
from offices.models import Deputy
from tests.base import make_deputy

pytestmark = pytest.mark.django_db


def export(client, url, *, pks=(), select_across=False, query=""):
    data = {"action": "export_xlsx", "index": 0, "_selected_action": [str(pk) for pk in pks] or ["0"]}
    if select_across:
        data["select_across"] = "1"
    # A background job (run here in process on commit); the file comes from the job's page.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url + query, data)
    job = BackgroundExport.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse("exports:detail", args=[job.pk])
    assert job.status == BackgroundExport.Status.DONE, job.error
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_formula_like_text_comes_out_neutralized(world, login_as, client):
    payload = '=HYPERLINK("http://evil.example","点我")'
    make_deputy(payload, district=world.district_a, community=world.community_a1, work_unit="+cmd|' /C calc'!A0")
    login_as(world.district_staff)
    rows = export(client, reverse("admin:offices_deputy_changelist"), select_across=True)
    header, body = rows[0], rows[1:]
    assert header[0] in ("名称", "name")
    cells = [c for row in body for c in row]
    assert "'" + payload in cells and payload not in cells
    assert "'+cmd|' /C calc'!A0" in cells


def test_district_staff_export_only_their_district(world, login_as, client):
    login_as(world.district_staff)
    url = reverse("admin:offices_deputy_changelist")
    names = {r[0] for r in export(client, url, select_across=True)[1:]}
    assert names == {"张三", "李四"}
    # A foreign id slipped into the selection is not exported either.
    names = {r[0] for r in export(client, url, pks=[world.deputy_c.pk, world.deputy_b.pk])[1:]}
    assert names == {"李四"}
    entry = AuditLog.objects.filter(action="admin_export").latest("at")
    assert entry.actor == world.district_staff and entry.detail["model"] == "offices.deputy" and entry.detail["rows"] == 1


def test_export_follows_the_change_list_filters(world, login_as, client):
    login_as(world.city_staff)
    url = reverse("admin:offices_deputy_changelist")
    rows = export(client, url, select_across=True, query=f"?district__id__exact={world.district_b.pk}")
    assert [r[0] for r in rows[1:]] == ["王五"]
    rows = export(client, url, select_across=True, query="?q=ls")  # pinyin initials of 李四
    assert [r[0] for r in rows[1:]] == ["李四"]


@pytest.mark.parametrize(
    "url_name",
    ["admin:offices_office_changelist", "admin:offices_team_changelist", "admin:offices_jurisdiction_changelist"],
)
def test_every_change_list_has_the_export_scoped(world, login_as, client, url_name):
    login_as(world.district_staff)
    rows = export(client, reverse(url_name), select_across=True)
    text = " ".join(str(c) for row in rows for c in row if c)
    assert "盐田区" in text or "东和" in text
    assert "福田" not in text and "田面" not in text


def test_choices_and_booleans_are_written_as_words(world, login_as, client):
    login_as(world.city_staff)
    rows = export(client, reverse("admin:offices_office_changelist"), pks=[world.office_a1.pk])
    [row] = rows[1:]
    assert "社区" in row  # the kind's label, not "community"
    assert "是" in row  # is_active


def test_deputies_and_liaisons_cannot_export(world, login_as, client):
    login_as(world.liaison)
    response = client.post(
        reverse("admin:offices_deputy_changelist"), {"action": "export_xlsx", "select_across": "1", "index": 0, "_selected_action": ["0"]}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Deputy.objects.none().exists()
    assert not AuditLog.objects.filter(action="admin_export").exists()
