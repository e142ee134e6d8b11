"""The roster import journey in a real browser (Debian's chromium): staff upload a roster with one
bad row and see its row, column and problem with nothing imported; then a good roster is
confirmed, imported by its background job (in process here) and the job's page shows the result
with the new login's password once: reloaded, the page lists the login without it."""

import pytest
from playwright.sync_api import expect

from offices.models import Deputy, Office, Team
from tests.offices.roster import good_roster, roster_xlsx


@pytest.mark.django_db(transaction=True)
def test_staff_import_a_roster_in_the_browser(world, page, browser_login, live_server, tmp_path, settings):
    settings.IMPORT_ROOT = tmp_path / "imports"
    roster = good_roster(world)
    bad = {**roster, "deputies": [dict(d) for d in roster["deputies"]]}
    bad["deputies"][1]["mobile"] = "12345"
    bad_file, good_file = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad_file.write_bytes(roster_xlsx(**bad))
    good_file.write_bytes(roster_xlsx(**roster))
    before = Deputy.objects.count(), Office.objects.count(), Team.objects.count()

    browser_login(page, "district_staff")
    page.goto(f"{live_server.url}/admin/offices/deputy/")
    page.click("#roster-import-link")
    expect(page.locator("#import-template")).to_be_visible()

    page.set_input_files("input[type=file]", str(bad_file))
    page.click("#import-upload")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    cells = errors.first.locator("td")
    expect(cells.nth(0)).to_have_text("党代表")
    expect(cells.nth(1)).to_have_text("3")
    expect(cells.nth(2)).to_have_text("手机号码")
    expect(cells.nth(3)).to_contain_text("手机号码")
    expect(page.locator("#import-errors-note")).to_contain_text("未导入任何数据")
    expect(page.locator("#import-confirm")).to_have_count(0)
    assert (Deputy.objects.count(), Office.objects.count(), Team.objects.count()) == before

    # The good file is checked by the background job (in process here), as a big file is; its page
    # then shows the preview, and confirming follows the same page.
    settings.ROSTER_IMPORT_INLINE_CHECK_BYTES = 0
    page.set_input_files("input[type=file]", str(good_file))
    page.click("#import-upload")
    expect(page.locator("#import-ready")).to_contain_text("3 名党代表")
    preview_url = page.url
    assert "/admin/offices/deputy/import/" in preview_url and preview_url.rstrip("/").split("/")[-1].isdigit()
    page.click("#import-confirm")
    expect(page.locator("#import-done")).to_contain_text("已导入 1 个工作室、1 个团队和 3 名党代表")
    expect(page.locator("#import-accounts tbody tr")).to_have_count(1)
    assert page.url == preview_url
    page.reload()
    expect(page.locator("#import-done")).to_be_visible()
    expect(page.locator("#import-accounts")).to_have_count(0)
    expect(page.locator("#import-passwords-gone")).to_be_visible()
    expect(page.locator("#import-usernames tbody tr")).to_have_count(1)
    assert (Deputy.objects.count(), Office.objects.count(), Team.objects.count()) == (
        before[0] + 3,
        before[1] + 1,
        before[2] + 1,
    )
    assert set(Deputy.objects.filter(name__in=["陈一", "陈二", "陈三"]).values_list("name", flat=True)) == {"陈一", "陈二", "陈三"}
