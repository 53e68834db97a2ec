"""The round's pure rules: what each status allows, who may sign next, when ratings may be
seen, when an agreed rating needs a reason and when a standard counts as agreed. No database
access: services enforce these, selectors and the task list filter by them, and views, PDFs and
exports only display them. How a number is displayed is standards.numbers.
"""

import datetime
from collections.abc import Callable

from standards import bank_holidays
from standards.numbers import MAX_LEVEL

# A round's statuses, in order (models.RoundStatus takes its values from here).
OPEN = "open"
SCORING = "scoring"
AGREEING = "agreeing"
AWAITING_SIGNOFF = "awaiting-signoff"
SIGNED = "signed"
STATUS_LABELS = {
    OPEN: "Open",
    SCORING: "Scoring",
    AGREEING: "Agreeing",
    AWAITING_SIGNOFF: "Awaiting sign-off",
    SIGNED: "Signed",
}

# What each status allows: each change, named as the refusal message says it, and the statuses
# it may happen in. Everything else is refused; a signed round refuses everything but reopening.
CHANGE_SCORERS = "change the scorers"
START_SCORING = "start scoring"
CHANGE_CLOSING_DATE = "change when scoring closes"
RATE = "change ratings"
SUBMIT_RATINGS = "submit ratings"
CLOSE_SCORING = "close scoring"
AGREE = "record agreed ratings"
FINISH_AGREEING = "finish agreeing"
RETURN_TO_AGREEING = "return to agreeing"
SIGN = "sign"
CO_SIGN = "co-sign"
REOPEN = "reopen"
ADD_EVIDENCE = "add evidence"
REMOVE_EVIDENCE = "remove evidence"
MAKE_WARD_PDF = "make a PDF of the assessment"

_BEFORE_SIGNING = frozenset({OPEN, SCORING, AGREEING})
ALLOWED_IN: dict[str, frozenset[str]] = {
    CHANGE_SCORERS: frozenset({OPEN}),
    START_SCORING: frozenset({OPEN}),
    CHANGE_CLOSING_DATE: frozenset({OPEN, SCORING}),
    RATE: frozenset({SCORING}),
    SUBMIT_RATINGS: frozenset({SCORING}),
    CLOSE_SCORING: frozenset({SCORING}),
    AGREE: frozenset({AGREEING}),
    FINISH_AGREEING: frozenset({AGREEING}),
    RETURN_TO_AGREEING: frozenset({AWAITING_SIGNOFF}),
    SIGN: frozenset({AWAITING_SIGNOFF}),
    CO_SIGN: frozenset({AWAITING_SIGNOFF}),
    REOPEN: frozenset({SIGNED}),
    ADD_EVIDENCE: _BEFORE_SIGNING,
    REMOVE_EVIDENCE: _BEFORE_SIGNING,
    MAKE_WARD_PDF: frozenset({SIGNED}),
}
LOCKED_MESSAGE = (
    "This assessment is signed and locked. A trust QI lead can reopen it with a reason."
)


def allows(status: str, action: str) -> bool:
    """May `action` happen to a round in this status? (Who may do it is permissions.py.)"""
    return status in ALLOWED_IN[action]


def refusal(status: str, action: str) -> str:
    """Why `action` cannot happen now, in words for the person who tried; "" when it can."""
    if allows(status, action):
        return ""
    if status == SIGNED:
        return LOCKED_MESSAGE
    allowed = " or ".join(
        STATUS_LABELS[s].lower() for s in STATUS_LABELS if s in ALLOWED_IN[action]
    )
    return (
        f"You can only {action} while the round is {allowed}. "
        f"It is {STATUS_LABELS[status].lower()}."
    )


# Scoring: a scorer rates while the round is being scored, until they submit.
SUBMITTED = "You have submitted your ratings, so you cannot change them."


def rating_refusal(*, status: str, submitted: bool) -> str:
    """Why a scorer may not change their ratings now ("" while they may)."""
    if submitted:
        return SUBMITTED
    if status == OPEN:
        return "Scoring has not started yet. You can rate the standards once it starts."
    if not allows(status, RATE):
        return "Scoring has finished for this round, so ratings can no longer be changed."
    return ""


# Signing: the ward manager signs and a lived experience leader co-signs, in either order, two
# different people.
WARD_MANAGER = "ward-manager"
LIVED_EXPERIENCE_LEADER = "le-leader"
SIGNING_ROLES = (WARD_MANAGER, LIVED_EXPERIENCE_LEADER)

# Two words, two meanings, used everywhere (services, selectors, the task list, reports):
# - a decision is *live* until a reopening or a return to agreeing voids it: signed, signed with
#   reservations, or declined. A live decline is still the leader's decision, reported with
#   their words;
# - a *live signature* is a live decision that is not a decline: only it counts towards
#   sign-off, and only it stops someone else signing in that role.
# models.SignatureDecision takes its values from here; Signature.objects.live() and
# .live_signatures() filter by these two rules.
DECISION_SIGNED = "signed"
DECISION_RESERVATIONS = "reservations"
DECISION_DECLINED = "declined"
SIGNATURE_DECISIONS = frozenset({DECISION_SIGNED, DECISION_RESERVATIONS})


def is_live(*, voided: bool) -> bool:
    """A decision stands until it is voided (a decline included)."""
    return not voided


def is_live_signature(*, decision: str, voided: bool) -> bool:
    """A live decision that counts towards sign-off: signed, with or without reservations."""
    return is_live(voided=voided) and decision in SIGNATURE_DECISIONS


def signing_action(role: str) -> str:
    """What signing in `role` is called in ALLOWED_IN: the manager signs, the leader co-signs."""
    return SIGN if role == WARD_MANAGER else CO_SIGN


_ALREADY_SIGNED = {
    WARD_MANAGER: "The ward manager has already signed this assessment.",
    LIVED_EXPERIENCE_LEADER: "A lived experience leader has already co-signed this assessment.",
}
TWO_PEOPLE = "The ward manager and the lived experience leader must be two different people."


def signing_refusal(*, status: str, role: str, live: dict[str, int], by: int) -> str:
    """Why person `by` may not sign in `role` now ("" when they may): who may sign next. `live`
    maps each role with a live signature to its signer's id. The task list filters by the same
    rule (models.RoundQuerySet.open_to_sign)."""
    if not allows(status, signing_action(role)):
        return refusal(status, signing_action(role))
    if role in live:
        return _ALREADY_SIGNED[role]
    if any(signer == by for other, signer in live.items() if other != role):
        return TWO_PEOPLE
    return ""


def roles_to_offer(*, status: str, roles: list[str], live: dict[str, int], by: int) -> list[str]:
    """Of the roles this person holds, those they may sign in now."""
    return [r for r in roles if not signing_refusal(status=status, role=r, live=live, by=by)]


def is_fully_signed(live: dict[str, int]) -> bool:
    """Both have signed: the round is locked."""
    return all(role in live for role in SIGNING_ROLES)


# Scoring closes this many days after a round is opened, unless the manager or QI lead says.
SCORING_PERIOD_DAYS = 21
SCORING_STATUSES = ALLOWED_IN[CHANGE_CLOSING_DATE]


def next_working_day(
    day: datetime.date, *, is_bank_holiday: Callable[[datetime.date], bool]
) -> datetime.date:
    """The day itself if it is a working day, else the first working day after it: never a
    Saturday, a Sunday or a bank holiday (the lookup is passed in, so this stays pure)."""
    while day.weekday() >= 5 or is_bank_holiday(day):
        day += datetime.timedelta(days=1)
    return day


def default_scoring_closes_on(
    today: datetime.date,
    *,
    is_bank_holiday: Callable[[datetime.date], bool] = bank_holidays.is_bank_holiday,
) -> datetime.date:
    """Three weeks from today, moved on to the next working day: nobody is asked to finish
    scoring on a weekend or on an England and Wales bank holiday such as 25 December."""
    return next_working_day(
        today + datetime.timedelta(days=SCORING_PERIOD_DAYS), is_bank_holiday=is_bank_holiday
    )


def is_scoring(status: str) -> bool:
    """Open or being scored: the closing date is shown and may still be changed."""
    return status in SCORING_STATUSES


def is_scoring_overdue(
    *, status: str, closes_on: datetime.date | None, today: datetime.date
) -> bool:
    """Still being scored after the day scoring was due to close."""
    return is_scoring(status) and closes_on is not None and today > closes_on


# Nobody sees anyone else's ratings (nor medians, gaps or flags made from them) until agreeing
# starts: that stops anchoring and is what makes the lived experience voice count. The manager
# and QI lead are no exception, on any page, in history, or in a report.
RATINGS_REVEALED_STATUSES = frozenset({AGREEING, AWAITING_SIGNOFF, SIGNED})


def ratings_revealed(status: str) -> bool:
    """May the scorers' ratings of a round in this status be shown to anyone but their writer?"""
    return status in RATINGS_REVEALED_STATUSES


# Agreeing. A standard is flagged when the groups' medians differ by this many levels or more.
FLAG_DIFFERENCE = 2
FLAGGED_REASON = "staff and lived experience partners differed by two levels or more"
OUTSIDE_REASON = "the agreed rating is outside both groups' ratings"


def is_flagged(difference: float | None) -> bool:
    """Lived experience median minus staff median, two levels or more either way."""
    return difference is not None and abs(difference) >= FLAG_DIFFERENCE


def outside_both_ranges(level: int, ranges: list[tuple[int, int]]) -> bool:
    """Outside every group's (lowest, highest) rating; never when no group gave a rating."""
    return bool(ranges) and all(not lo <= level <= hi for lo, hi in ranges)


def rationale_reason(*, flagged: bool, ranges: list[tuple[int, int]], level: int | None) -> str:
    """Why an agreed rating at `level` needs a recorded reason; "" when the reason is optional.
    A null level is "Not sure"."""
    if flagged:
        return FLAGGED_REASON
    if level is not None and outside_both_ranges(level, ranges):
        return OUTSIDE_REASON
    return ""


def is_settled(*, agreed: bool, rationale: str, reason: str) -> bool:
    """Whether a standard counts as agreed: it has an agreed rating and, where one is needed
    (`reason`, from rationale_reason), the reason for it. The agreeing overview, finishing
    agreeing and the task list's "12 of 76 agreed" all count by this."""
    return agreed and not (reason and not rationale.strip())


def levels_needing_rationale(*, flagged: bool, ranges: list[tuple[int, int]]) -> list[int]:
    """The levels (0 to 4) the page marks as needing a reason before anyone chooses."""
    return [
        level
        for level in range(MAX_LEVEL + 1)
        if rationale_reason(flagged=flagged, ranges=ranges, level=level)
    ]
