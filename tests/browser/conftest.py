"""Browser tests: Playwright driving the system Chromium against pytest-django's live server.

Every page a test loads must pass axe-core (WCAG 2.2 AA tags): use `visit()` to navigate, or call
`check_axe()` after a click that loads a new page. A test that loads a page and never checks it
fails at teardown.
"""

import io
import os
import shutil
import time
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from django.core.management import call_command

from tests.conftest import service_unavailable

# Playwright's sync API runs an asyncio event loop in the main thread, which makes Django refuse
# database access from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = REPO_ROOT / "static" / "vendor" / "axe" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "browser-test-demo-password"
SIGN_IN_PATH = "/account/login/"


def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser drives Chromium: `make test-fast` leaves them out."""
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test passed."""
    report = yield
    setattr(item, f"_browser_report_{report.when}", report)
    return report


def _chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if os.path.isfile(configured) and os.access(configured, os.X_OK):
        return configured
    return shutil.which(configured)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        service_unavailable(
            f"Chromium not found at {os.environ.get('CHROMIUM_PATH') or '/usr/bin/chromium'} "
            "(set CHROMIUM_PATH)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started with a placeholder MEDIA_URL.

    The settings set MEDIA_URL = None (private files are served only by views that check access),
    but Django's LiveServerThread wraps the site in a media-file handler that parses MEDIA_URL and
    crashes on every request when it is None. An absolute URL on another host makes that handler
    step aside for every path, so the live server still serves no private files.
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(MEDIA_URL="http://media.invalid/"):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture
def demo_data(transactional_db):
    """The standards catalogue and the demo trust; every demo user has DEMO_PASSWORD."""
    from django.core.cache import cache

    cache.clear()  # failed sign-ins recorded by earlier tests must not throttle these ones
    call_command("loaddata", "culture-of-care-standards", verbosity=0)
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    yield DEMO_PASSWORD
    _unlock_signed_rounds()


def _unlock_signed_rounds() -> None:
    """Let transactional_db empty the tables after the test.

    On SQLite the flush DELETEs rows, and the database triggers refuse that for a signed round
    and its children (PostgreSQL TRUNCATEs, which row triggers do not see). Leaving "signed" is
    allowed, as reopening does; each signed round moves to a spare ward first so it does not
    collide with the ward's one unfinished round.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    from assessments.models import Round, RoundStatus
    from standards.models import Ward

    for round_ in Round.objects.filter(status=RoundStatus.SIGNED).select_related("ward"):
        spare = Ward.objects.create(
            site_id=round_.ward.site_id,
            name=f"Teardown spare for round {round_.pk}",
            service_type=round_.ward.service_type,
        )
        Round.objects.filter(pk=round_.pk).update(ward=spare, status=RoundStatus.AGREEING)


class _AxeLedger:
    """Which documents a page loaded and which of them axe checked (URLs without fragments)."""

    def __init__(self):
        self.loaded: list[str] = []
        self.checked: set[str] = set()

    def unchecked(self) -> list[str]:
        return [url for url in dict.fromkeys(self.loaded) if url not in self.checked]


_LEDGER_ATTR = "_axe_ledger"


@pytest.fixture
def page(request, browser, live_server, demo_data):
    # bypass_csp: the site's policy is script-src 'self', and axe is injected by the harness.
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    ledger = _AxeLedger()
    setattr(page, _LEDGER_ATTR, ledger)
    page.on("load", lambda p: ledger.loaded.append(urldefrag(p.url).url))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
        call_report = getattr(request.node, "_browser_report_call", None)
        if call_report is None or not call_report.passed:
            return  # the test's own failure says more than these checks would
        assert not errors, f"JavaScript errors on the page: {errors}"
        missed = ledger.unchecked()
        assert not missed, f"Pages loaded but never checked with axe: {missed}"
    finally:
        context.close()


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    target: {node['target']}")
            lines.append(f"    html:   {node['html'][:300]}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", "\n            ")
                lines.append(f"    why:    {summary}")
    return "\n".join(lines)


def check_axe(page) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the current page; fail on any violation."""
    if not AXE_PATH.is_file():
        pytest.fail(
            f"axe-core is missing at {AXE_PATH.relative_to(REPO_ROOT)}: "
            "run `make assets` (npm run build) first."
        )
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_PATH))
    violations = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({
                    target: n.target, html: n.html, failureSummary: n.failureSummary,
                })),
            }));
        }""",
        AXE_TAGS,
    )
    ledger = getattr(page, _LEDGER_ATTR, None)
    if ledger is not None:
        ledger.checked.add(urldefrag(page.url).url)
    if violations:
        report = _format_violations(violations)
        print(f"axe violations on {page.url}:\n{report}")
        pytest.fail(f"axe found {len(violations)} violation(s) on {page.url}:\n{report}")


def visit(page, url: str):
    """Go to `url`, fail unless the response is 2xx, and check the page with axe."""
    response = page.goto(url)
    assert response is not None and response.ok, (
        f"GET {url} gave {response.status if response else 'no response'}"
    )
    check_axe(page)
    return response


def sign_in(page, live_server, username: str, password: str) -> None:
    """Sign in through the form, leaving the page where it lands (success or error).

    Both the sign-in form and the page it lands on are checked with axe.
    """
    visit(page, live_server.url + SIGN_IN_PATH)
    page.get_by_label("Username or email address", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    check_axe(page)
    if "/account/2fa/authenticate/" in page.url:
        enter_second_factor(page)


def enter_second_factor(page) -> None:
    """The demo authenticator app's code. A code is accepted once: signing the same person in
    twice within 30 seconds waits for the next one."""
    from standards.demo import current_demo_code

    for _ in range(2):
        page.get_by_label("Code", exact=True).fill(current_demo_code())
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        check_axe(page)
        if "/account/2fa/authenticate/" not in page.url:
            return
        time.sleep(30 - time.time() % 30 + 1)
    pytest.fail("the second factor code was not accepted")
