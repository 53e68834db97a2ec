"""An assessment round from start to finish in a real browser.

A ward manager opens a round on a small edition (12 standards, one per commitment), two staff
and a lived experience partner score it on their own (the partner partly by keyboard), the
manager agrees the ratings with evidence and an action and signs, and a lived experience leader
co-signs with reservations. Every page loaded is checked with axe-core (see conftest.py).
"""

import datetime
import json
import re

import pytest
from playwright.sync_api import expect

from assessments.models import Rating, Round, RoundStatus
from standards.importer import parse_json
from standards.models import Standard, User, Ward, WardMembership, WardRole
from standards.services import import_edition
from tests.browser.conftest import SIGN_IN_PATH, check_axe, sign_in, visit

pytestmark = pytest.mark.browser

EDITION_TITLE = "Journey edition"
EDITION_LABEL = "2027 browser journey"
ROUND_LABEL = "2027 Q1"
SCORER_LABELS = [
    "Ben Carter (staff)",
    "Chloe Nguyen (staff)",
    "Dev Patel (lived experience partner)",
]
STAFF_COMMENT = "Patients told us & we listened <quietly> on nights."
RATIONALE = "Partners described nights differently.\nWe agreed to rate it lower until we check."
EVIDENCE_NOTE = "Community meeting minutes show partners raised night-time checks."
ACTION_TITLE = "Review night-time observation checks with lived experience partners"
# A line break and characters that mean something in HTML, to show they come back verbatim.
RESERVATIONS = (
    "I sign because the ward listened & changed.\nBut <b>nights</b> still need work < soon."
)


def _make_journey_edition():
    """A small edition through the import service: 12 commitments, one standard each."""
    document = {
        "framework": {"title": EDITION_TITLE, "edition": EDITION_LABEL, "slug": "journey"},
        "commitments": [
            {
                "number": number,
                "title": f"Journey commitment {number}",
                "headline": f"Headline for commitment {number}",
                "statement": f"We keep journey commitment {number}.",
                "standards": [
                    {"code": f"{number}.1", "text": f"Journey standard {number}.1", "pillars": []}
                ],
            }
            for number in range(1, 13)
        ],
    }
    parsed = parse_json(json.dumps(document, indent=1))
    assert not parsed.errors
    return import_edition(parsed=parsed)


def _staff_oak_ward() -> Ward:
    """Oak Ward (no rounds yet) gets a manager, two staff and a lived experience partner."""
    oak = Ward.objects.get(name="Oak Ward")
    assert not oak.rounds.exists()
    roles = {
        "demo.manager": WardRole.MANAGER,
        "demo.staff": WardRole.STAFF,
        "demo.staff2": WardRole.STAFF,
        "demo.partner": WardRole.LIVED_EXPERIENCE_PARTNER,
    }
    for username, role in roles.items():
        WardMembership.objects.get_or_create(
            user=User.objects.get(username=username), ward=oak, role=role
        )
    return oak


def _follow(page, locator) -> None:
    """Click something that loads a new page, then check that page with axe."""
    with page.expect_navigation():
        locator.click()
    check_axe(page)


def _button(page, name: str):
    return page.get_by_role("main").get_by_role("button", name=name, exact=True)


def _link(page, name: str):
    return page.get_by_role("main").get_by_role("link", name=name, exact=True)


def _message(page, text: str) -> None:
    expect(page.locator(".app-message").filter(has_text=text)).to_be_visible()


def _sign_out(page, live_server) -> None:
    _follow(page, page.get_by_role("button", name="Sign out"))
    expect(page).to_have_url(live_server.url + SIGN_IN_PATH)


def _open_round_from_home(page) -> None:
    """From "Your wards", through Oak Ward, to the round."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tasks")
    wards = page.get_by_role("table", name="Wards you can see")
    _follow(page, wards.get_by_role("link", name="Oak Ward", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Oak Ward")
    rounds = page.get_by_role("table", name=re.compile(r"^Assessment rounds for Oak Ward"))
    _follow(page, rounds.get_by_role("link", name=ROUND_LABEL, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{ROUND_LABEL} assessment")


def _focused_text(page) -> str:
    """The focused element's label (form controls) or text (links, buttons)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el) return '';
            const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
            return (label || el.textContent || '').trim();
        }"""
    )


def _tab_to(page, name: str, *, max_presses: int = 60) -> None:
    """Press Tab until the focused element's label or text is `name`."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if _focused_text(page) == name:
            return
    pytest.fail(f"{name!r} could not be reached with Tab in {max_presses} presses")


def _wait_saved(page, code: str) -> None:
    """The autosave's live region says the answer reached the server."""
    status = page.get_by_role("status").filter(has_text=re.compile(rf"^Saved {re.escape(code)}$"))
    expect(status).to_be_visible()


def _score(page, number: int, rating: str, *, by_keyboard: bool = False, before_saving=None):
    """On commitment `number`'s page, rate its one standard and save and continue.

    Choosing a rating saves it at once (autosave.js): the live region says so and the
    progress count goes up before the page is saved. `before_saving` runs at that point.
    """
    code = f"{number}.1"
    save = (
        f"Save and go to {number + 1}. Journey commitment {number + 1}"
        if number < 12
        else "Save and check your answers"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{number}. Journey commitment {number}"
    )
    radio = page.get_by_role("radio", name=rating, exact=True)
    if by_keyboard:
        # The radio group is one tab stop: Tab lands on its first option, the arrow keys move
        # and select, Tab moves on through the comment to the button, Enter presses it.
        # One key press that selects, so that one autosave is in flight, not several.
        assert rating == "1 Starting", "the keyboard path selects the second option"
        _tab_to(page, "0 Not yet")
        expect(page.get_by_role("radio", name="0 Not yet", exact=True)).to_be_focused()
        expect(page.get_by_role("radio", checked=True)).to_have_count(0)
        page.keyboard.press("ArrowDown")
        expect(radio).to_be_focused()
        expect(radio).to_be_checked()
        _wait_saved(page, code)
        expect(page.get_by_text(f"{number} of 12 rated", exact=True)).to_be_visible()
        if before_saving:
            before_saving()
        _tab_to(page, save)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        radio.check()
        # Waiting for the autosave keeps its request from racing the page's own save.
        _wait_saved(page, code)
        expect(page.get_by_text(f"{number} of 12 rated", exact=True)).to_be_visible()
        if before_saving:
            before_saving()
        with page.expect_navigation():
            _button(page, save).click()
    check_axe(page)
    if number == 1:
        _message(page, "Commitment 1: 1 of 1 standards rated. Your answers are saved.")


def _score_the_round(
    page,
    live_server,
    password,
    username,
    ratings,
    *,
    round_url=None,
    comment=None,
    keyboard_pages=(),
) -> None:
    """One scorer signs in, rates all 12 standards, submits and signs out.

    Without `round_url` they find the round from "Your wards"; with it they follow a link.
    """
    sign_in(page, live_server, username, password)
    if round_url is None:
        _open_round_from_home(page)
    else:
        visit(page, round_url)
    expect(page.get_by_text("Your progress: 0 of 12 rated.")).to_be_visible()
    _follow(page, _button(page, "Score the standards"))
    expect(page).to_have_url(re.compile(r"/rounds/\d+/score/1/$"))
    expect(page.get_by_text("0 of 12 rated", exact=True)).to_be_visible()
    before_saving = None
    if comment:
        page.get_by_role("textbox", name="Comment on 1.1 (optional)").fill(comment)

        def before_saving():
            # The rating and the comment reached the database before the button was pressed.
            rating = Rating.objects.get(
                scorer__user__username=username,
                standard__code="1.1",
                scorer__round__label=ROUND_LABEL,
            )
            assert (rating.level, rating.comment) == (int(ratings[0][0]), comment)

    for number, rating in enumerate(ratings, start=1):
        _score(
            page,
            number,
            rating,
            by_keyboard=number in keyboard_pages,
            before_saving=before_saving if number == 1 else None,
        )

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you submit"
    )
    expect(page.get_by_text("You have rated 12 of 12 standards.")).to_be_visible()
    expect(page.get_by_role("link", name="Change your answer for 1.1")).to_be_visible()
    _follow(page, _button(page, "Submit your ratings"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your ratings are submitted")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    _follow(page, _link(page, f"Go to the {ROUND_LABEL} assessment"))
    expect(page.get_by_text(re.compile(r"^You submitted your ratings on "))).to_be_visible()
    expect(_button(page, "Score the standards")).to_have_count(0)
    _sign_out(page, live_server)


def _agree_commitment(page, number: int, rating: str) -> None:
    """Agree the one standard of a journey commitment on its page, and save once."""
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{number}. Journey commitment {number}"
    )
    page.get_by_role("radio", name=rating, exact=True).check()
    name = (
        f"Save and go to commitment {number + 1}"
        if number < 12
        else "Save and go to all commitments"
    )
    _follow(page, _button(page, name))
    _message(page, f"Agreed ratings saved for 1 standard in commitment {number}")


def _next_commitment(page, number: int) -> None:
    pagination = page.get_by_role("navigation", name="Commitments")
    _follow(page, pagination.get_by_role("link", name=re.compile(rf"Commitment {number}$")))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{number}. Journey commitment {number}"
    )


def test_assessment_round_from_opening_to_signed_with_reservations(page, live_server, demo_data):
    password = demo_data
    edition = _make_journey_edition()
    oak = _staff_oak_ward()
    standard_1_1 = Standard.objects.get(edition=edition, code="1.1")

    # 1. The ward manager opens the round on the small edition and starts scoring.
    sign_in(page, live_server, "demo.manager", password)
    wards = page.get_by_role("table", name="Wards you can see")
    _follow(page, wards.get_by_role("link", name="Oak Ward", exact=True))
    expect(page).to_have_url(f"{live_server.url}/wards/{oak.pk}/")
    expect(page.get_by_text("This ward has no assessment rounds yet.")).to_be_visible()
    _follow(page, _button(page, "Open a new round"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a new round")
    page.get_by_label("Period").fill(ROUND_LABEL)
    page.get_by_label("Framework edition").select_option(label=f"{EDITION_TITLE} ({EDITION_LABEL})")
    for label in SCORER_LABELS:
        page.get_by_role("checkbox", name=label, exact=True).check()
    _follow(page, _button(page, "Open the round"))
    _message(page, f"Round {ROUND_LABEL} is open")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{ROUND_LABEL} assessment")
    expect(page.get_by_text(f"Scored against {EDITION_TITLE} ({EDITION_LABEL})")).to_be_visible()
    scorers = page.get_by_role("table", name=re.compile(r"^Who is scoring"))
    expect(scorers.get_by_role("row")).to_have_count(4)  # a header and three scorers
    for name in ("Ben Carter", "Chloe Nguyen", "Dev Patel"):
        expect(scorers.get_by_role("cell", name=name, exact=True)).to_be_visible()
    _follow(page, _button(page, "Start scoring"))
    _message(page, "Scoring has started.")
    expect(page.get_by_text("Scoring", exact=True)).to_be_visible()  # the round's status tag
    round_ = Round.objects.get(ward=oak, label=ROUND_LABEL)
    assert round_.edition == edition and round_.status == RoundStatus.SCORING
    _sign_out(page, live_server)

    # 2. Each scorer rates the 12 standards on their own. Both staff rate 1.1 at 4 and the
    # lived experience partner at 1, so 1.1 is flagged; every other standard is 3 all round.
    # The first finds the round from "Your wards"; the others follow a link to it.
    round_url = f"{live_server.url}/rounds/{round_.pk}/"
    the_rest = ["3 Established"] * 11
    _score_the_round(
        page,
        live_server,
        password,
        "demo.staff",
        ["4 Embedded", *the_rest],
        comment=STAFF_COMMENT,
    )
    _score_the_round(
        page,
        live_server,
        password,
        "demo.staff2",
        ["4 Embedded", *the_rest],
        round_url=round_url,
    )
    _score_the_round(
        page,
        live_server,
        password,
        "demo.partner",
        ["1 Starting", *the_rest],
        round_url=round_url,
        keyboard_pages={1},
    )
    round_.refresh_from_db()
    assert round_.status == RoundStatus.AGREEING  # the last submission moved it on

    # 3. The ward manager sees the ratings side by side and agrees them.
    sign_in(page, live_server, "demo.manager", password)
    _open_round_from_home(page)
    expect(page.get_by_text("Agreeing", exact=True)).to_be_visible()
    _follow(page, _button(page, "Agree the ratings"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Agree ratings")
    progress = page.get_by_role("table", name="Progress by commitment")
    first_row = progress.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="1. Journey commitment 1", exact=True)
    )
    expect(first_row.get_by_role("cell")).to_have_text(["0 of 1", "1 flagged", "1", "1"])
    expect(progress.get_by_text(re.compile(r"flagged$"))).to_have_count(1)
    expect(page.get_by_text(re.compile(r"^12 standards still to agree\."))).to_be_visible()
    # The meeting view: one standard at a time, the arrow keys move on.
    _follow(page, _link(page, "Open the meeting view"))
    expect(page.get_by_role("heading", level=1)).to_have_text("1.1 Journey standard 1.1")
    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    check_axe(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("2.1 Journey standard 2.1")
    _follow(page, _link(page, "Leave the meeting view"))
    progress = page.get_by_role("table", name="Progress by commitment")
    _follow(page, progress.get_by_role("link", name="1. Journey commitment 1", exact=True))

    section = page.get_by_role("region", name="1.1 Journey standard 1.1")
    expect(section.get_by_text("Differs by 2 or more")).to_be_visible()
    counts = section.get_by_role("table", name=re.compile(r"^Ratings for 1\.1"))
    for level, expected in (("4 Embedded", ["2", "0"]), ("1 Starting", ["0", "1"])):
        row = counts.get_by_role("row").filter(has=page.get_by_role("rowheader", name=level))
        expect(row.get_by_role("cell")).to_have_text(expected)
    expect(
        section.get_by_text("Lived experience partners rated this 3 levels lower")
    ).to_be_visible()
    expect(section.get_by_role("listitem").filter(has_text=STAFF_COMMENT)).to_have_text(
        STAFF_COMMENT
    )

    # The flagged standard needs a reason: the page says so before anyone chooses; without
    # one the error summary says so and everything chosen and typed is kept.
    expect(
        section.get_by_text(re.compile(r"^\s*Required: staff and lived experience"))
    ).to_be_visible()
    section.get_by_role("radio", name="2 Developing", exact=True).check()
    _follow(page, _button(page, "Save and go to commitment 2"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_contain_text("Enter why you agreed the rating for 1.1")
    section = page.get_by_role("region", name="1.1 Journey standard 1.1")
    expect(section.get_by_role("radio", name="2 Developing", exact=True)).to_be_checked()
    reason = section.get_by_label("Why the group agreed this rating for 1.1")
    reason.fill(RATIONALE)
    _follow(page, _button(page, "Save and go to commitment 2"))
    _message(page, "Agreed ratings saved for 1 standard in commitment 1")
    expect(page.get_by_role("heading", level=1)).to_have_text("2. Journey commitment 2")
    pagination = page.get_by_role("navigation", name="Commitments")
    _follow(page, pagination.get_by_role("link", name=re.compile(r"Commitment 1$")))
    section = page.get_by_role("region", name="1.1 Journey standard 1.1")
    expect(section.get_by_role("radio", name="2 Developing", exact=True)).to_be_checked()
    expect(section.get_by_label("Why the group agreed this rating for 1.1")).to_have_value(
        RATIONALE
    )

    # Evidence: a note for 1.1.
    _follow(page, section.get_by_role("link", name="Add evidence for 1.1", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence")
    standard_select = page.get_by_label("Which standard is this evidence for?")
    expect(standard_select).to_have_value(str(standard_1_1.pk))
    page.get_by_role("radio", name="Note", exact=True).check()
    _follow(page, _button(page, "Continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add evidence: note")
    expect(page.get_by_role("radio")).to_have_count(0)
    page.get_by_role("textbox", name="Note", exact=True).fill(EVIDENCE_NOTE)
    _follow(page, _button(page, "Add evidence"))
    _message(page, "Evidence added to 1.1")
    section = page.get_by_role("region", name="1.1 Journey standard 1.1")
    expect(section.get_by_text(EVIDENCE_NOTE)).to_be_visible()

    # The other eleven: everyone said 3, so 3 needs no reason. One save per commitment.
    _next_commitment(page, 2)
    for number in range(2, 13):
        _agree_commitment(page, number, "3 Established")

    # An action, linked to 1.1.
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    _follow(page, breadcrumb.get_by_role("link", name=ROUND_LABEL, exact=True))
    _follow(page, _link(page, "Actions"))
    expect(page.get_by_text("There are no actions in this round yet.")).to_be_visible()
    _follow(page, _link(page, "Add an action"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
    due = datetime.date.today() + datetime.timedelta(days=90)
    page.get_by_label("What will change").fill(ACTION_TITLE)
    page.get_by_label("Who owns this action?").select_option(label="Dev Patel")
    due_group = page.get_by_role("group", name="When is it due?")
    due_group.get_by_label("Day").fill(str(due.day))
    due_group.get_by_label("Month").fill(str(due.month))
    due_group.get_by_label("Year").fill(str(due.year))
    page.get_by_role("radio", name="In progress", exact=True).check()
    # The standards are grouped by commitment with their full text; the search box narrows them.
    page.get_by_label("Find a standard by its words or number").fill("standard 1.1")
    expect(page.get_by_role("checkbox", name=re.compile(r"^2\.1 Journey standard"))).to_be_hidden()
    page.get_by_role("checkbox", name=re.compile(r"^1\.1 Journey standard")).check()
    page.get_by_label("Find a standard by its words or number").fill("")
    page.get_by_role("checkbox", name="A lived experience partner helped shape this action").check()
    _follow(page, _button(page, "Add action"))
    _message(page, f"Action added: {ACTION_TITLE}")
    actions = page.get_by_role("table", name=f"Actions in {ROUND_LABEL}")
    action_row = actions.get_by_role("row").filter(has_text=ACTION_TITLE)
    expect(action_row.get_by_role("cell")).to_have_text(
        [
            ACTION_TITLE,
            "Dev Patel",
            f"{due.day} {due:%B %Y}",
            "In progress",
            "1.1",
            "Yes",
            re.compile(r"^Change"),
        ]
    )

    # Finish agreeing and sign as the ward manager.
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    _follow(page, breadcrumb.get_by_role("link", name=ROUND_LABEL, exact=True))
    _follow(page, _button(page, "Agree the ratings"))
    _follow(page, _button(page, "Finish agreeing"))
    _message(page, "Agreeing is finished.")
    expect(page.get_by_text("Awaiting sign-off", exact=True)).to_be_visible()
    _follow(page, _button(page, "Sign the assessment"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign the assessment")
    page.get_by_role("checkbox", name=re.compile(r"^I confirm that the agreed ratings")).check()
    _follow(page, _button(page, "Sign the assessment"))
    _message(page, "You signed the assessment")
    expect(_button(page, "Sign the assessment")).to_have_count(0)  # nothing more to sign
    round_.refresh_from_db()
    assert round_.status == RoundStatus.AWAITING_SIGNOFF
    _sign_out(page, live_server)

    # 4. The lived experience leader co-signs with reservations, in their own words.
    sign_in(page, live_server, "demo.leader", password)
    visit(page, round_url)
    _follow(page, _button(page, "Sign the assessment"))
    expect(page.get_by_text(re.compile(r"^Amara Okafor: signed on "))).to_be_visible()
    page.get_by_role("radio", name="Sign with reservations", exact=True).check()
    page.get_by_label("Your reservations or reason, in your own words").fill(RESERVATIONS)
    _follow(page, _button(page, "Confirm your decision"))
    expect(page).to_have_url(re.compile(rf"/rounds/{round_.pk}/summary/$"))
    _message(page, "The assessment is signed and locked")
    expect(page.get_by_text("Signed: locked", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^This assessment is signed and locked\."))).to_be_visible()
    expect(page.get_by_text("Their reservations, in their own words:")).to_be_visible()
    reservations = page.get_by_role("blockquote")
    expect(reservations).to_have_count(1)
    assert reservations.inner_text() == RESERVATIONS  # the line break, < and & as typed
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SIGNED
    _sign_out(page, live_server)

    # 5. Locked: the ward manager is offered nothing that would change the assessment.
    sign_in(page, live_server, "demo.manager", password)
    wards = page.get_by_role("table", name="Wards you can see")
    _follow(page, wards.get_by_role("link", name="Oak Ward", exact=True))
    rounds = page.get_by_role("table", name=re.compile(r"^Assessment rounds for Oak Ward"))
    expect(rounds.get_by_role("row").filter(has_text=ROUND_LABEL)).to_contain_text(
        "Signed and locked"
    )
    _follow(page, rounds.get_by_role("link", name=ROUND_LABEL, exact=True))
    main = page.get_by_role("main")
    expect(main.get_by_text(re.compile(r"^This assessment is signed and locked\."))).to_be_visible()
    for name in ("Agree the ratings", "Finish agreeing", "Sign the assessment", "Add evidence"):
        expect(main.get_by_role("link", name=name)).to_have_count(0)
        expect(main.get_by_role("button", name=name)).to_have_count(0)
    expect(main.locator("form[method=post]")).to_have_count(0)

    _follow(page, _link(page, "Ratings side by side and agreed ratings"))
    progress = page.get_by_role("table", name="Progress by commitment")
    expect(progress.get_by_text("All agreed")).to_have_count(12)
    expect(page.get_by_role("main").locator("form[method=post]")).to_have_count(0)
    _follow(page, progress.get_by_role("link", name="1. Journey commitment 1", exact=True))
    main = page.get_by_role("main")
    expect(main.get_by_text(EVIDENCE_NOTE)).to_be_visible()
    changes = main.get_by_role("link", name=re.compile(r"agreed rating|Add evidence|Remove"))
    expect(changes).to_have_count(0)
    expect(main.locator("form[method=post]")).to_have_count(0)

    visit(page, f"{round_url}actions/")
    main = page.get_by_role("main")
    expect(main.get_by_text(ACTION_TITLE)).to_be_visible()
    expect(main.get_by_role("link", name=re.compile(r"^(Add an action|Change)"))).to_have_count(0)
    expect(main.locator("form[method=post]")).to_have_count(0)

    # Asking for a change anyway is turned away with a reason.
    visit(page, f"{round_url}agree/standards/{standard_1_1.pk}/")
    _message(page, "Agreeing has finished, so the agreed ratings cannot change.")
