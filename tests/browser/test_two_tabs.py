"""The same scorer with the same page open in two tabs: the second tab's autosave never silently
replaces what the first saved. It says so, and choosing again after a reload saves."""

import re

from playwright.sync_api import expect

from assessments.models import Rating, Round
from standards.models import Standard

from .conftest import DEMO_PASSWORD, check_axe, sign_in, visit


def test_a_second_tab_is_told_rather_than_overwriting_the_first(page, live_server, demo_data):
    round = Round.objects.get(ward__name="Willow Ward", label="2026 Q4")
    standard = (
        Standard.objects.filter(edition=round.edition, commitment__number=1)
        .order_by("position")
        .first()
    )
    url = f"{live_server.url}/rounds/{round.pk}/score/1/"
    sign_in(page, live_server, "demo.staff", DEMO_PASSWORD)
    visit(page, url)
    other = page.context.new_page()  # same person, same session, a second tab
    visit(other, url)

    def choose(tab, rating: str) -> None:
        tab.locator(f"#standard-{standard.pk}").get_by_role(
            "radio", name=rating, exact=True
        ).check()

    def status(tab):
        return tab.locator(f"#standard-{standard.pk} [data-save-status]")

    choose(page, "3 Established")
    expect(status(page)).to_have_text(f"Saved {standard.code}")

    choose(other, "1 Starting")
    expect(status(other)).to_have_text(
        re.compile(
            rf"^Not saved: Your answer for {re.escape(standard.code)} was changed in another tab"
        )
    )
    expect(status(other)).to_contain_text("it now says 3 Established")
    check_axe(other)
    rating = Rating.objects.get(
        scorer__round=round, scorer__user__username="demo.staff", standard=standard
    )
    assert rating.level == 3

    # Having seen the first tab's answer, the person chooses again: that saves.
    visit(other, url)
    expect(
        other.locator(f"#standard-{standard.pk}").get_by_role(
            "radio", name="3 Established", exact=True
        )
    ).to_be_checked()
    choose(other, "1 Starting")
    expect(status(other)).to_have_text(f"Saved {standard.code}")
    rating.refresh_from_db()
    assert rating.level == 1
    other.close()
