"""Screenshots for the README: the trust dashboard as a board member, and a page of the board
pack. Run against a server with demo history (`manage.py seed_demo --wards 30 --rounds 16`):

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 docs/images

Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium) and pdftoppm (poppler-utils).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent


def demo_code() -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", "demo_code"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def main(base: str, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    password = os.environ.get("DEMO_PASSWORD", "demo-culture-of-care")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        page.goto(f"{base}/account/login/")
        page.get_by_label("Username or email address", exact=True).fill("demo.board")
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.get_by_label("Code", exact=True).fill(demo_code())
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("load")
        page.get_by_role("link", name="Trust dashboard").first.click()
        page.wait_for_load_state("load")
        # The board summary: what a board member reads first.
        page.get_by_role("heading", name="What needs attention").evaluate(
            "el => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -16); }"
        )
        page.screenshot(path=str(out_dir / "trust-dashboard.png"), full_page=False)
        dashboard = page.url
        page.get_by_role("button", name="Make board pack").first.click()
        page.wait_for_load_state("load")
        for _ in range(120):
            link = page.get_by_role("link", name="Download")
            if link.count():
                break
            time.sleep(1)
            page.reload()
        with page.expect_download() as download:
            page.get_by_role("link", name="Download").first.click()
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "pack.pdf"
            download.value.save_as(pdf)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "2",
                    "-l",
                    "3",
                    str(pdf),
                    str(out_dir / "board-pack-page"),
                ],
                check=True,
            )
        browser.close()
        print(f"Saved screenshots of {dashboard} and the board pack's pages 2 and 3 in {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
