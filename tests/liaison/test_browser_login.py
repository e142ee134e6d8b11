import pytest
from playwright.sync_api import expect


@pytest.mark.django_db(transaction=True)
def test_liaison_logs_in_and_sees_chinese_home_on_a_phone(world, page, browser_login):
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "liaison")
    expect(page.locator("h1")).to_contain_text("欢迎")
    page.click(".navbar-toggler")
    # A liaison has more entries than fit a bar: reports fold into a menu.
    page.get_by_role("button", name="统计报表").click()
    expect(page.get_by_role("link", name="联系网络")).to_be_visible()
