"""WCAG 2.2 2.4.11 (focus not obscured): on a scoring page, the sticky "n of 76 rated" line
never covers the control that has focus, tabbing backwards (Shift+Tab) or forwards, at a
desktop width and at 320 CSS pixels (where the line may wrap). axe on the page."""

import pytest

from assessments.models import Round, RoundStatus
from standards.models import Ward

from .conftest import DEMO_PASSWORD, check_axe, sign_in, visit

pytestmark = pytest.mark.browser

# Where the focused element and the sticky line are, in the viewport.
FOCUS_AND_BAR = """() => {
    const bar = document.querySelector('.app-scoring-progress').getBoundingClientRect();
    const el = document.activeElement;
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName + (el.id ? '#' + el.id : '') + (el.name ? '[' + el.name + ']' : ''),
        inMain: !!el.closest('main'),
        top: box.top, bottom: box.bottom, height: box.height,
        barTop: bar.top, barBottom: bar.bottom,
    };
}"""


def _covered(state: dict) -> bool:
    """Any part of the focused element under the bar (a zero-size element counts by its top)."""
    return state["top"] < state["barBottom"] and state["bottom"] > state["barTop"]


def _walk(page, key: str, steps: int) -> tuple[list[str], int]:
    """Press the key repeatedly; the elements in main the bar covered, and how many were seen."""
    covered, seen = [], 0
    for _ in range(steps):
        page.keyboard.press(key)
        state = page.evaluate(FOCUS_AND_BAR)
        if not state["inMain"]:
            continue
        seen += 1
        if _covered(state):
            covered.append(
                f"{state['tag']} at {state['top']:.0f} (bar ends {state['barBottom']:.0f})"
            )
    return covered, seen


@pytest.mark.parametrize("size", [{"width": 1280, "height": 720}, {"width": 320, "height": 640}])
@pytest.mark.parametrize("script", ["with the script", "CSS alone"])
def test_sticky_progress_line_never_covers_the_focused_control(
    page, live_server, demo_data, size, script
):
    ward = Ward.objects.get(name="Willow Ward")
    scoring = Round.objects.get(ward=ward, status=RoundStatus.SCORING)
    page.set_viewport_size(size)
    if script == "CSS alone":  # pages work without JavaScript: scroll-padding does it
        page.route("**/js/sticky_focus.js", lambda route: route.abort())
    sign_in(page, live_server, "demo.staff", DEMO_PASSWORD)
    visit(page, f"{live_server.url}/rounds/{scoring.pk}/score/2/")
    check_axe(page)
    # From the end of the page, backwards to the top: the case the bar used to hide.
    page.keyboard.press("End")
    page.locator("main button[type=submit]").last.focus()
    covered, seen = _walk(page, "Shift+Tab", 120)
    assert seen > 30, seen
    assert covered == [], covered
    # And forwards again, for good measure.
    covered, seen = _walk(page, "Tab", 120)
    assert covered == [], covered
