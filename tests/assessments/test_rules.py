import pytest

from assessments import rules
from assessments.models import RoundStatus, SignatureRole

# What each status allows: the whole table, so a change to it is a change to this test.
OP, S, A, W, SG = (
    rules.OPEN,
    rules.SCORING,
    rules.AGREEING,
    rules.AWAITING_SIGNOFF,
    rules.SIGNED,
)
EXPECTED_ALLOWED = {
    rules.CHANGE_SCORERS: {OP},
    rules.START_SCORING: {OP},
    rules.CHANGE_CLOSING_DATE: {OP, S},
    rules.RATE: {S},
    rules.SUBMIT_RATINGS: {S},
    rules.CLOSE_SCORING: {S},
    rules.AGREE: {A},
    rules.FINISH_AGREEING: {A},
    rules.RETURN_TO_AGREEING: {W},
    rules.SIGN: {W},
    rules.CO_SIGN: {W},
    rules.REOPEN: {SG},
    rules.ADD_EVIDENCE: {OP, S, A},
    rules.REMOVE_EVIDENCE: {OP, S, A},
    rules.MAKE_WARD_PDF: {SG},
}


@pytest.mark.parametrize("action", sorted(EXPECTED_ALLOWED))
@pytest.mark.parametrize("status", [OP, S, A, W, SG])
def test_each_change_is_allowed_in_its_statuses_only(action, status):
    allowed = status in EXPECTED_ALLOWED[action]
    assert rules.allows(status, action) is allowed
    assert (rules.refusal(status, action) == "") is allowed


def test_every_change_the_rules_name_is_in_the_table():
    assert set(rules.ALLOWED_IN) == set(EXPECTED_ALLOWED)


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (SG, rules.RATE, rules.LOCKED_MESSAGE),
        (SG, rules.ADD_EVIDENCE, rules.LOCKED_MESSAGE),
        (
            A,
            rules.RATE,
            "You can only change ratings while the round is scoring. It is agreeing.",
        ),
        (
            W,
            rules.ADD_EVIDENCE,
            "You can only add evidence while the round is open or scoring or agreeing. "
            "It is awaiting sign-off.",
        ),
    ],
)
def test_a_refusal_says_when_the_change_can_happen(status, action, message):
    assert rules.refusal(status, action) == message


def test_round_statuses_and_signing_roles_are_the_rules_values():
    assert list(RoundStatus.values) == [OP, S, A, W, SG]
    assert [RoundStatus(s).label for s in RoundStatus.values] == list(rules.STATUS_LABELS.values())
    assert set(SignatureRole.values) == set(rules.SIGNING_ROLES)


@pytest.mark.parametrize(
    ("status", "submitted", "says"),
    [
        (S, False, ""),
        (S, True, "You have submitted your ratings"),
        (OP, False, "Scoring has not started yet"),
        (A, False, "Scoring has finished"),
        (SG, False, "Scoring has finished"),
        (SG, True, "You have submitted your ratings"),
    ],
)
def test_a_scorer_may_rate_while_scoring_until_they_submit(status, submitted, says):
    refusal = rules.rating_refusal(status=status, submitted=submitted)
    assert refusal.startswith(says) and (refusal == "") == (says == "")


MANAGER, LEADER = rules.WARD_MANAGER, rules.LIVED_EXPERIENCE_LEADER


@pytest.mark.parametrize(
    ("status", "role", "live", "by", "refused_because"),
    [
        (W, MANAGER, {}, 1, ""),
        (W, LEADER, {}, 2, ""),
        (W, LEADER, {MANAGER: 1}, 2, ""),
        (W, MANAGER, {LEADER: 2}, 1, ""),
        (W, MANAGER, {MANAGER: 1}, 1, "The ward manager has already signed"),
        (W, LEADER, {LEADER: 2}, 3, "A lived experience leader has already co-signed"),
        (W, LEADER, {MANAGER: 1}, 1, "The ward manager and the lived experience leader must"),
        (W, MANAGER, {LEADER: 1}, 1, "The ward manager and the lived experience leader must"),
        (A, MANAGER, {}, 1, "You can only sign while the round is awaiting sign-off"),
        (A, LEADER, {}, 2, "You can only co-sign while the round is awaiting sign-off"),
        (SG, LEADER, {MANAGER: 1, LEADER: 2}, 3, rules.LOCKED_MESSAGE),
    ],
)
def test_who_may_sign_next(status, role, live, by, refused_because):
    refusal = rules.signing_refusal(status=status, role=role, live=live, by=by)
    assert refusal.startswith(refused_because) and (refusal == "") == (refused_because == "")
    offered = rules.roles_to_offer(status=status, roles=[MANAGER, LEADER], live=live, by=by)
    assert (role in offered) == (refused_because == "")


@pytest.mark.parametrize(
    ("live", "locked"),
    [({}, False), ({MANAGER: 1}, False), ({LEADER: 2}, False), ({MANAGER: 1, LEADER: 2}, True)],
)
def test_the_round_locks_when_both_have_signed(live, locked):
    assert rules.is_fully_signed(live) is locked


@pytest.mark.parametrize(
    ("status", "revealed"), [(OP, False), (S, False), (A, True), (W, True), (SG, True)]
)
def test_ratings_are_revealed_once_agreeing_starts(status, revealed):
    assert rules.ratings_revealed(status) is revealed


@pytest.mark.parametrize(
    ("flagged", "ranges", "level", "needs_reason"),
    [
        (False, [(1, 2), (2, 3)], 2, False),
        (False, [(1, 2), (2, 3)], 4, True),  # outside both groups' ratings
        (False, [(1, 2), (2, 3)], 0, True),
        (True, [(0, 0), (3, 4)], 3, True),  # groups two levels apart: always a reason
        (False, [], 2, False),  # nobody rated it: nothing to be outside of
    ],
)
def test_when_an_agreed_rating_needs_a_reason(flagged, ranges, level, needs_reason):
    reason = rules.rationale_reason(flagged=flagged, ranges=ranges, level=level)
    assert bool(reason) is needs_reason
    assert (level in rules.levels_needing_rationale(flagged=flagged, ranges=ranges)) is (
        needs_reason
    )


@pytest.mark.parametrize(
    ("difference", "flagged"), [(None, False), (0, False), (1.5, False), (2, True), (-2.5, True)]
)
def test_groups_two_levels_apart_are_flagged(difference, flagged):
    assert rules.is_flagged(difference) is flagged
