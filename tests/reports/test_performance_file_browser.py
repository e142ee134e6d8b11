"""A liaison in a real browser finds a deputy in the performance-file list, opens the file and
downloads it as Excel (SPEC §5, [004 第十二条(五)])."""

import datetime
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reception.models import Attendance, ReceptionPeriod


@pytest.mark.django_db(transaction=True)
def test_a_liaison_finds_a_deputy_opens_the_file_and_downloads_it_004_art12(world, page, browser_login):
    year = datetime.date.today().year
    period = ReceptionPeriod.objects.create(
        district=world.district_a, key=f"{year}-01", start=datetime.date(year, 1, 5), end=datetime.date(year, 1, 18)
    )
    Attendance.objects.create(deputy=world.deputy_b, period=period, outcome=Attendance.Outcome.MADE_UP)
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, "liaison")

    page.get_by_role("button", name="统计报表").click()  # the liaison's reports are in a menu
    page.get_by_role("link", name="代表履职档案").click()
    page.get_by_label("姓名或拼音首字母").fill("ls")
    page.get_by_role("button", name="搜索").click()
    rows = page.get_by_test_id("file-list").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="李四").click()

    expect(page.get_by_role("heading", name=f"李四 {year}年度履职档案")).to_be_visible()
    expect(page.get_by_test_id("file-attendance")).to_contain_text("已补课")
    expect(page.get_by_test_id("file-teams")).to_contain_text("东和社区党代表团队")
    # The file is written in the background: the export lands on the job's page, which offers
    # the download once the job is done (the worker runs in process here).
    page.get_by_test_id("file-export").click()
    expect(page.locator("progress[data-progress-bar]")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.startswith(f"performance-file-{world.deputy_b.pk}-{year}")
    wb = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)
    assert "接待周到岗" in wb.sheetnames
    assert [r[1] for r in wb["接待周到岗"].iter_rows(min_row=2, values_only=True)] == ["已补课"]
