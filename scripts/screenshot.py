"""Take docs/screenshot.png (the README's picture) of a running portal with Debian's chromium.

    ./run.sh &                                   # the demo portal on http://127.0.0.1:8000/
    .venv/bin/python scripts/screenshot.py [BASE_URL] [USERNAME]

Logs in with a demo account (default demo_leader, a team leader; password Demo-pass-2026) and captures its
home page. Chinese text needs the CJK fonts: apt-get install chromium fonts-noto-cjk.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Demo-pass-2026"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshot.png"


def main(base_url="http://127.0.0.1:8000", username="demo_leader"):
    base_url = base_url.rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 480}, locale="zh-CN", device_scale_factor=1)
        page.goto(f"{base_url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        if "/accounts/login/" in page.url:
            raise SystemExit(f"Login as {username} failed: is the demo data loaded?")
        page.goto(f"{base_url}/")
        page.wait_for_load_state("networkidle")
        OUT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(OUT))
        browser.close()
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:])
