"""Build roster workbooks for the import tests (unit and browser)."""

import io

from django.utils import translation
from openpyxl import Workbook

from offices.roster_import_services import DEPUTY_SHEET, OFFICE_SHEET


def roster_xlsx(*, offices=(), deputies=(), language="zh-hans", extra_rows=0):
    """An .xlsx roster as bytes. Rows are dicts by column key; missing keys are empty cells."""
    wb = Workbook()
    wb.remove(wb.active)
    with translation.override(language):
        for sheet, rows in ((OFFICE_SHEET, offices), (DEPUTY_SHEET, deputies)):
            ws = wb.create_sheet(str(sheet.title))
            ws.append([str(c.label) for c in sheet.columns])
            for row in rows:
                ws.append([row.get(c.key, "") for c in sheet.columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_roster(world):
    """A new community office with its team, two deputies in it (one leads), one deputy joining an
    existing team that already has a leader, and one with a login."""
    return {
        "offices": [
            {
                "name": "中英街社区党代表工作室二",
                "kind": "社区",
                "district": "盐田区",
                "street": "沙头角街道",
                "community": "中英街社区",
                "area_m2": 35,
                "open_half_days_per_week": 2,
                "team": "中英街社区党代表团队",
            },
        ],
        "deputies": [
            {
                "name": "陈一",
                "gender": "男",
                "mobile": "13811112222",
                "level": "区党代表",
                "term": "第七届",
                "work_unit": "盐田区教育局",
                "district": "盐田区",
                "communities": "中英街社区",
                "team": "中英街社区党代表团队",
                "is_leader": "是",
                "username": "chenyi",
            },
            {
                "name": "陈二",
                "gender": "F",
                "mobile": "13811113333",
                "level": "district",
                "term": "第七届",
                "work_unit": "盐田区卫健局",
                "district": "盐田区",
                "communities": "中英街社区",
                "team": "中英街社区党代表团队",
            },
            {
                "name": "陈三",
                "gender": "女",
                "mobile": 13811114444,
                "level": "区党代表",
                "term": "第七届",
                "work_unit": "沙头角街道办",
                "district": "盐田区",
                "communities": "东和社区",
                "team": "东和社区党代表团队",
            },
        ],
    }
