"""Build rounds in a given state through the services, as people would."""

from assessments import services
from assessments.models import Round
from standards.models import Standard


def scoring_round(*, ward, manager, scorers, label="2026 Q4") -> Round:
    round = services.open_round(
        ward=ward, label=label, by=manager, scorer_ids=[u.pk for u in scorers]
    )
    return services.start_scoring(round=round, by=manager)


def rate_all(*, round, user, answer="3", overrides=None) -> None:
    overrides = overrides or {}
    for standard in Standard.objects.filter(edition=round.edition):
        services.save_rating(
            round=round, standard=standard, answer=overrides.get(standard.code, answer), by=user
        )


def agreeing_round(*, ward, manager, staff, partner, overrides_staff=None, overrides_partner=None):
    round = scoring_round(ward=ward, manager=manager, scorers=[staff, partner])
    rate_all(round=round, user=staff, overrides=overrides_staff)
    rate_all(round=round, user=partner, overrides=overrides_partner)
    services.submit_ratings(round=round, by=staff)
    services.submit_ratings(round=round, by=partner)
    round.refresh_from_db()
    return round


def agree_all(*, round, manager, answer="3", rationale="Agreed together") -> None:
    for standard in Standard.objects.filter(edition=round.edition):
        services.record_agreed_rating(
            round=round,
            standard=standard,
            answer=answer,
            rationale=rationale,
            version=None,
            by=manager,
        )


def signed_round(*, ward, manager, staff, partner, leader, words="") -> Round:
    round = agreeing_round(ward=ward, manager=manager, staff=staff, partner=partner)
    agree_all(round=round, manager=manager)
    services.finish_agreeing(round=round, by=manager)
    services.sign_as_manager(round=round, by=manager)
    services.sign_as_leader(
        round=round, decision="reservations" if words else "signed", words=words, by=leader
    )
    round.refresh_from_db()
    return round
