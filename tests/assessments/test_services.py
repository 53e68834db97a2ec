import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from assessments import selectors, services
from assessments.models import (
    Action,
    AgreedRating,
    HistoryEntry,
    Rating,
    RoundStatus,
    Signature,
)
from standards.models import Standard
from tests.assessments.builders import (
    agree_all,
    agreeing_round,
    rate_all,
    scoring_round,
    signed_round,
)
from tests.factories import WardMembershipFactory


def _agreeing(p, **kwargs):
    return agreeing_round(
        ward=p["ward"], manager=p["manager"], staff=p["staff"], partner=p["partner"], **kwargs
    )


def _signed(p, words=""):
    return signed_round(
        ward=p["ward"],
        manager=p["manager"],
        staff=p["staff"],
        partner=p["partner"],
        leader=p["leader"],
        words=words,
    )


def test_open_round_uses_the_latest_edition_and_is_open(people):
    round = services.open_round(ward=people["ward"], label="2026 Q4", by=people["manager"])
    assert round.status == RoundStatus.OPEN
    assert round.edition.pk == 1


def test_open_round_refuses_ward_staff(people):
    with pytest.raises(PermissionDenied):
        services.open_round(ward=people["ward"], label="2026 Q4", by=people["staff"])


def test_open_round_allows_the_trust_qi_lead(people):
    assert services.open_round(ward=people["ward"], label="Q1", by=people["qi"]).pk


def test_open_round_allows_one_unfinished_round_per_ward(people):
    services.open_round(ward=people["ward"], label="2026 Q4", by=people["manager"])
    with pytest.raises(ValidationError, match="already has a round in progress"):
        services.open_round(ward=people["ward"], label="2027 Q1", by=people["manager"])


def test_start_scoring_needs_staff_and_lived_experience_scorers(people):
    round = services.open_round(
        ward=people["ward"], label="Q4", by=people["manager"], scorer_ids=[people["staff"].pk]
    )
    with pytest.raises(ValidationError, match="one lived experience partner"):
        services.start_scoring(round=round, by=people["manager"])


def test_set_scorers_refuses_people_from_outside_the_ward(people, outsider):
    round = services.open_round(ward=people["ward"], label="Q4", by=people["manager"])
    with pytest.raises(ValidationError, match="ward's people"):
        services.set_scorers(round=round, scorer_ids=[outsider.pk], by=people["manager"])


def test_save_rating_stores_not_sure_as_no_level(people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    standard = Standard.objects.get(code="2.3")
    rating = services.save_rating(
        round=round, standard=standard, answer="not-sure", by=people["staff"]
    )
    assert rating.level is None and rating.is_not_sure


def test_save_rating_refuses_a_person_who_is_not_a_scorer(people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    with pytest.raises(PermissionDenied):
        services.save_rating(
            round=round, standard=Standard.objects.first(), answer="2", by=people["manager"]
        )


def test_save_rating_rejects_an_unknown_answer_with_the_standard_code(people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    with pytest.raises(ValidationError, match="Select a rating for 2.3"):
        services.save_rating(
            round=round, standard=Standard.objects.get(code="2.3"), answer="7", by=people["staff"]
        )


def test_submit_ratings_needs_every_standard(people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    services.save_rating(
        round=round, standard=Standard.objects.first(), answer="2", by=people["staff"]
    )
    with pytest.raises(ValidationError, match="75 still to rate"):
        services.submit_ratings(round=round, by=people["staff"])


def test_last_submission_starts_agreeing(people):
    round = _agreeing(people)
    assert round.status == RoundStatus.AGREEING


def test_ratings_are_hidden_until_the_scorer_submits(people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    rate_all(round=round, user=people["staff"], answer="4")
    comparison = selectors.compare_standard(round=round, standard=Standard.objects.get(code="1.1"))
    assert comparison.staff.levels == []
    services.submit_ratings(round=round, by=people["staff"])
    comparison = selectors.compare_standard(round=round, standard=Standard.objects.get(code="1.1"))
    assert comparison.staff.levels == [4]


def test_close_scoring_needs_a_reason_and_a_submission(people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    with pytest.raises(ValidationError):
        services.close_scoring(round=round, by=people["manager"], reason="")
    with pytest.raises(ValidationError, match="Nobody has submitted"):
        services.close_scoring(round=round, by=people["manager"], reason="Staff shortage")
    rate_all(round=round, user=people["staff"])
    services.submit_ratings(round=round, by=people["staff"])
    round = services.close_scoring(round=round, by=people["manager"], reason="Partner away")
    assert round.status == RoundStatus.AGREEING
    assert round.scoring_closed_reason == "Partner away"


def test_comparison_flags_a_difference_of_two_levels(people):
    round = _agreeing(people, overrides_staff={"2.3": "4"}, overrides_partner={"2.3": "1"})
    comparison = selectors.compare_standard(round=round, standard=Standard.objects.get(code="2.3"))
    assert comparison.staff.median == 4 and comparison.lived_experience.median == 1
    assert comparison.difference == -3
    assert comparison.flagged


def test_not_sure_never_counts_as_zero(people):
    round = _agreeing(people, overrides_partner={"2.3": "not-sure"})
    comparison = selectors.compare_standard(round=round, standard=Standard.objects.get(code="2.3"))
    assert comparison.lived_experience.levels == []
    assert comparison.lived_experience.not_sure == 1
    assert comparison.difference is None and not comparison.flagged


def test_agreed_rating_needs_a_rationale_when_flagged(people):
    round = _agreeing(people, overrides_staff={"2.3": "4"}, overrides_partner={"2.3": "1"})
    standard = Standard.objects.get(code="2.3")
    with pytest.raises(ValidationError) as error:
        services.record_agreed_rating(
            round=round,
            standard=standard,
            answer="3",
            rationale="",
            version=None,
            by=people["manager"],
        )
    assert "rationale" in error.value.error_dict
    agreed = services.record_agreed_rating(
        round=round,
        standard=standard,
        answer="3",
        rationale="Staff see it daily",
        version=None,
        by=people["manager"],
    )
    assert agreed.level == 3


def test_agreed_rating_outside_both_ranges_needs_a_rationale(people):
    round = _agreeing(people)  # everyone rated 3
    with pytest.raises(ValidationError, match="outside both groups"):
        services.record_agreed_rating(
            round=round,
            standard=Standard.objects.get(code="1.1"),
            answer="0",
            rationale="",
            version=None,
            by=people["manager"],
        )


def test_lived_experience_partner_cannot_record_agreed_ratings(people):
    round = _agreeing(people)
    with pytest.raises(PermissionDenied):
        services.record_agreed_rating(
            round=round,
            standard=Standard.objects.first(),
            answer="3",
            rationale="",
            version=None,
            by=people["partner"],
        )


def test_agreed_rating_second_save_from_a_stale_version_is_refused(people):
    round = _agreeing(people)
    standard = Standard.objects.get(code="1.1")
    first = services.record_agreed_rating(
        round=round, standard=standard, answer="3", rationale="", version=None, by=people["manager"]
    )
    services.record_agreed_rating(
        round=round,
        standard=standard,
        answer="2",
        rationale="A",
        version=first.version,
        by=people["manager"],
    )
    with pytest.raises(services.ConflictError) as error:
        services.record_agreed_rating(
            round=round,
            standard=standard,
            answer="4",
            rationale="B",
            version=first.version,
            by=people["manager"],
        )
    assert error.value.current.level == 2
    assert AgreedRating.objects.get(round=round, standard=standard).rationale == "A"


def test_finish_agreeing_lists_missing_standards(people):
    round = _agreeing(people)
    with pytest.raises(ValidationError, match="Record an agreed rating for 1.1"):
        services.finish_agreeing(round=round, by=people["manager"])
    agree_all(round=round, manager=people["manager"])
    assert services.finish_agreeing(round=round, by=people["manager"]).status == (
        RoundStatus.AWAITING_SIGNOFF
    )


def test_signing_by_both_locks_the_round_and_keeps_reservations_verbatim(people):
    words = "I sign, but:\n  the <night> staff & 'bank' staff were not asked.  "
    round = _signed(people, words=words)
    assert round.status == RoundStatus.SIGNED and round.is_locked
    leader = Signature.objects.get(round=round, role="le-leader")
    assert leader.decision == "reservations"
    assert leader.words == words


def test_same_person_cannot_sign_as_manager_and_leader(people):
    round = _agreeing(people)
    agree_all(round=round, manager=people["manager"])
    services.finish_agreeing(round=round, by=people["manager"])
    from tests.factories import TrustMembershipFactory

    TrustMembershipFactory(
        user=people["manager"], trust=people["ward"].site.trust, role="le-leader"
    )
    services.sign_as_manager(round=round, by=people["manager"])
    with pytest.raises(ValidationError, match="two different people"):
        services.sign_as_leader(round=round, decision="signed", words="", by=people["manager"])


def test_leader_declining_keeps_the_round_unsigned(people):
    round = _agreeing(people)
    agree_all(round=round, manager=people["manager"])
    services.finish_agreeing(round=round, by=people["manager"])
    services.sign_as_manager(round=round, by=people["manager"])
    with pytest.raises(ValidationError):
        services.sign_as_leader(round=round, decision="declined", words=" ", by=people["leader"])
    services.sign_as_leader(
        round=round, decision="declined", words="Not co-produced", by=people["leader"]
    )
    round.refresh_from_db()
    assert round.status == RoundStatus.AWAITING_SIGNOFF


def test_locked_round_refuses_every_service_change(people):
    round = _signed(people)
    standard = Standard.objects.get(code="1.1")
    with pytest.raises(ValidationError, match="locked"):
        services.record_agreed_rating(
            round=round,
            standard=standard,
            answer="1",
            rationale="x",
            version=1,
            by=people["manager"],
        )
    with pytest.raises(ValidationError, match="locked"):
        services.add_evidence(
            round=round, standard=standard, kind="note", note="x", by=people["manager"]
        )
    with pytest.raises(ValidationError, match="locked"):
        services.save_rating(round=round, standard=standard, answer="1", by=people["staff"])


def test_database_refuses_changes_to_a_locked_round(people):
    round = _signed(people)
    rating = Rating.objects.filter(scorer__round=round).first()
    agreed = AgreedRating.objects.filter(round=round).first()
    signature = Signature.objects.filter(round=round).first()
    for change in (
        lambda: Rating.objects.filter(pk=rating.pk).update(level=0),
        lambda: Rating.objects.filter(pk=rating.pk).delete(),
        lambda: AgreedRating.objects.filter(pk=agreed.pk).update(rationale="changed"),
        lambda: AgreedRating.objects.create(
            round=round, standard=agreed.standard, level=1, updated_by=people["manager"]
        ),
        lambda: Signature.objects.filter(pk=signature.pk).update(words="forged"),
        lambda: type(round).objects.filter(pk=round.pk).update(label="renamed"),
        lambda: type(round).objects.filter(pk=round.pk).delete(),
    ):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            change()
    with (
        connection.cursor() as cursor,
        pytest.raises((IntegrityError, DatabaseError)),
        transaction.atomic(),
    ):
        cursor.execute(
            "UPDATE assessments_agreedrating SET level = 0 WHERE round_id = %s", [round.pk]
        )
    assert AgreedRating.objects.get(pk=agreed.pk).rationale == agreed.rationale


def test_reopen_voids_signatures_and_is_recorded(people):
    round = _signed(people)
    with pytest.raises(PermissionDenied):
        services.reopen_round(round=round, reason="x", by=people["manager"])
    with pytest.raises(ValidationError):
        services.reopen_round(round=round, reason="  ", by=people["qi"])
    round = services.reopen_round(round=round, reason="Wrong edition", by=people["qi"])
    assert round.status == RoundStatus.AGREEING
    assert not Signature.objects.filter(round=round, voided_at__isnull=True).exists()
    assert HistoryEntry.objects.filter(round=round, summary="Reopened: Wrong edition").exists()


def test_history_records_who_what_before_and_after(people):
    round = _agreeing(people)
    standard = Standard.objects.get(code="1.1")
    first = services.record_agreed_rating(
        round=round, standard=standard, answer="3", rationale="", version=None, by=people["manager"]
    )
    services.record_agreed_rating(
        round=round,
        standard=standard,
        answer="2",
        rationale="Fewer",
        version=first.version,
        by=people["manager"],
    )
    entry = HistoryEntry.objects.filter(round=round, kind="agreed").first()
    assert entry.actor == people["manager"]
    assert entry.before == {"level": 3, "rationale": ""}
    assert entry.after == {"level": 2, "rationale": "Fewer"}


def test_open_actions_carry_into_the_next_round(people):
    import datetime

    round = _agreeing(people)
    action = services.create_action(
        round=round,
        title="Weekly community meeting",
        owner_id=people["staff"].pk,
        due_date=datetime.date(2027, 1, 31),
        by=people["manager"],
    )
    done = services.create_action(
        round=round,
        title="Done one",
        owner_id=people["staff"].pk,
        due_date=datetime.date(2027, 1, 31),
        status="done",
        by=people["manager"],
    )
    agree_all(round=round, manager=people["manager"])
    services.finish_agreeing(round=round, by=people["manager"])
    services.sign_as_manager(round=round, by=people["manager"])
    services.sign_as_leader(round=round, decision="signed", words="", by=people["leader"])
    next_round = services.open_round(ward=people["ward"], label="2027 Q1", by=people["manager"])
    assert list(next_round.actions.all()) == [action]
    assert done not in next_round.actions.all()


def test_action_update_from_a_stale_version_is_refused(people):
    import datetime

    round = _agreeing(people)
    action = services.create_action(
        round=round,
        title="A",
        owner_id=people["staff"].pk,
        due_date=datetime.date(2027, 1, 31),
        by=people["manager"],
    )
    kwargs = dict(
        owner_id=people["staff"].pk,
        due_date=datetime.date(2027, 2, 1),
        status="in-progress",
        standards=[],
        co_produced=True,
    )
    services.update_action(action=action, version=1, title="B", by=people["manager"], **kwargs)
    with pytest.raises(services.ConflictError) as error:
        services.update_action(action=action, version=1, title="C", by=people["staff"], **kwargs)
    assert error.value.current.title == "B"
    assert Action.objects.get(pk=action.pk).title == "B"


def test_action_owner_must_be_one_of_the_wards_people(people, outsider):
    import datetime

    round = _agreeing(people)
    with pytest.raises(ValidationError) as error:
        services.create_action(
            round=round,
            title="A",
            owner_id=outsider.pk,
            due_date=datetime.date(2027, 1, 31),
            by=people["manager"],
        )
    assert "owner" in error.value.error_dict


def test_board_member_changes_nothing(people, board_member):
    round = _agreeing(people)
    with pytest.raises(PermissionDenied):
        services.add_evidence(
            round=round, standard=Standard.objects.first(), kind="note", note="x", by=board_member
        )
    with pytest.raises(PermissionDenied):
        services.record_agreed_rating(
            round=round,
            standard=Standard.objects.first(),
            answer="3",
            rationale="",
            version=None,
            by=board_member,
        )


def test_person_with_two_roles_scores_as_lived_experience_partner(people):
    WardMembershipFactory(user=people["staff"], ward=people["ward"], role="le-partner")
    round = services.open_round(
        ward=people["ward"], label="Q4", by=people["manager"], scorer_ids=[people["staff"].pk]
    )
    assert round.scorers.get().group == "lived-experience"


def test_history_hides_ratings_until_they_are_revealed(people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    services.save_rating(
        round=round, standard=Standard.objects.get(code="1.1"), answer="4", by=people["staff"]
    )
    services.save_rating(
        round=round, standard=Standard.objects.get(code="1.1"), answer="1", by=people["partner"]
    )
    assert not selectors.round_history(round=round).filter(kind="rating").exists()
    rate_all(round=round, user=people["staff"])
    services.submit_ratings(round=round, by=people["staff"])
    services.close_scoring(round=round, by=people["manager"], reason="Partner away")
    round.refresh_from_db()
    # The partner never submitted: their answers stay private.
    visible = selectors.round_history(round=round).filter(kind="rating")
    assert visible.exists()
    assert not visible.filter(actor=people["partner"]).exists()


def test_autosaved_edits_to_one_standard_fold_into_one_history_entry(people):
    round = scoring_round(
        ward=people["ward"], manager=people["manager"], scorers=[people["staff"], people["partner"]]
    )
    standard = Standard.objects.get(code="1.1")
    for comment in ("Pe", "Peer", "Peer workers on shift"):
        services.save_rating(
            round=round, standard=standard, answer="3", comment=comment, by=people["staff"]
        )
    services.save_rating(
        round=round, standard=Standard.objects.get(code="1.2"), answer="2", by=people["staff"]
    )
    entries = list(HistoryEntry.objects.filter(round=round, kind="rating").order_by("pk"))
    assert [e.summary for e in entries] == ["Rated 1.1", "Rated 1.2"]
    assert entries[0].before is None
    assert entries[0].after == {"level": 3, "comment": "Peer workers on shift"}
