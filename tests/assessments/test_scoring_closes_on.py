"""When scoring closes: set when a round opens, moved by the manager or QI lead while it is
being scored, recorded in history, and overdue (to them) only after the day itself."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import rules, services
from assessments.models import HistoryEntry, Round
from tests.assessments.builders import agreeing_round, scoring_round
from tests.factories import WardMembershipFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_is_scoring_overdue_only_after_the_day_and_only_while_scoring():
    closes = datetime.date(2026, 12, 19)
    assert not rules.is_scoring_overdue(status="scoring", closes_on=closes, today=closes)
    assert rules.is_scoring_overdue(status="scoring", closes_on=closes, today=closes + DAY)
    assert rules.is_scoring_overdue(status="open", closes_on=closes, today=closes + DAY)
    for status in ("agreeing", "awaiting-signoff", "signed"):
        assert not rules.is_scoring_overdue(status=status, closes_on=closes, today=closes + DAY)
    assert not rules.is_scoring_overdue(status="scoring", closes_on=None, today=closes)


def test_open_round_closes_scoring_three_weeks_from_today_unless_told(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = services.open_round(ward=ward, label="2026 Q4", by=ward_manager)
    today = timezone.localdate()
    assert round.scoring_closes_on == rules.default_scoring_closes_on(today)
    assert round.scoring_closes_on >= today + datetime.timedelta(days=rules.SCORING_PERIOD_DAYS)
    assert round.scoring_in_progress


def test_open_round_keeps_a_chosen_date_and_refuses_one_in_the_past(catalogue, ward, ward_manager):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.open_round(
            ward=ward, label="2026 Q4", by=ward_manager, scoring_closes_on=today - DAY
        )
    assert refused.value.message_dict == {
        "scoring_closes_on": ["The date scoring closes must be today or later"]
    }
    assert not Round.objects.exists()
    round = services.open_round(
        ward=ward, label="2026 Q4", by=ward_manager, scoring_closes_on=today
    )
    assert round.scoring_closes_on == today


def test_set_scoring_closes_on_moves_the_date_and_records_who_and_what(
    catalogue, ward, ward_manager, ward_staff, le_partner, qi_lead
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    before = round.scoring_closes_on
    later = before + datetime.timedelta(days=7)
    services.set_scoring_closes_on(round=round, closes_on=later, by=qi_lead)
    round.refresh_from_db()
    assert round.scoring_closes_on == later
    entry = HistoryEntry.objects.filter(round=round).order_by("-at", "-pk").first()
    assert entry.actor == qi_lead and entry.summary == "Changed when scoring closes"
    assert entry.before == {"scoring_closes_on": before.isoformat()}
    assert entry.after == {"scoring_closes_on": later.isoformat()}
    # The same date again changes nothing and records nothing.
    count = HistoryEntry.objects.filter(round=round).count()
    services.set_scoring_closes_on(round=round, closes_on=later, by=ward_manager)
    assert HistoryEntry.objects.filter(round=round).count() == count


def test_set_scoring_closes_on_refuses_the_past_and_non_dates(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    before = round.scoring_closes_on
    for bad, message in (
        (timezone.localdate() - DAY, "The date scoring closes must be today or later"),
        ("19 December", "Enter the date scoring closes"),
        (None, "Enter the date scoring closes"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.set_scoring_closes_on(round=round, closes_on=bad, by=ward_manager)
        assert refused.value.message_dict == {"scoring_closes_on": [message]}
    round.refresh_from_db()
    assert round.scoring_closes_on == before


def test_set_scoring_closes_on_is_for_the_manager_or_qi_lead(
    catalogue, ward, ward_manager, ward_staff, le_partner, le_leader, board_member
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    later = round.scoring_closes_on + DAY
    for person in (ward_staff, le_partner, le_leader, board_member):
        with pytest.raises(PermissionDenied):
            services.set_scoring_closes_on(round=round, closes_on=later, by=person)


def test_set_scoring_closes_on_refuses_once_agreeing_starts(
    catalogue, ward, ward_manager, ward_staff, le_partner
):
    round = agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    later = timezone.localdate() + DAY
    with pytest.raises(ValidationError, match="Scoring has finished"):
        services.set_scoring_closes_on(round=round, closes_on=later, by=ward_manager)
    assert not round.scoring_in_progress


def test_ward_page_shows_when_scoring_closes_and_overdue_only_to_who_runs_the_round(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, qi_lead
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    closes = round.scoring_closes_on
    url = reverse("assessments:ward_detail", args=[ward.pk])
    client.force_login(ward_staff)
    html = client.get(url).content.decode()
    assert f"Scoring closes on {closes.day} {closes:%B %Y}." in html
    assert "Overdue" not in html
    Round.objects.filter(pk=round.pk).update(scoring_closes_on=timezone.localdate() - DAY)
    assert "Overdue" not in client.get(url).content.decode()
    for person in (ward_manager, qi_lead):
        client.force_login(person)
        assert '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' in (
            client.get(url).content.decode()
        )


def test_ward_page_says_nothing_of_closing_once_agreeing_starts(
    client, catalogue, ward, ward_manager, ward_staff, le_partner
):
    agreeing_round(ward=ward, manager=ward_manager, staff=ward_staff, partner=le_partner)
    client.force_login(ward_manager)
    html = client.get(reverse("assessments:ward_detail", args=[ward.pk])).content.decode()
    assert "Scoring closes on" not in html


def test_another_wards_manager_gets_404_for_the_closing_date(
    client, catalogue, ward, ward_manager, ward_staff, le_partner, other_trust_ward
):
    round = scoring_round(ward=ward, manager=ward_manager, scorers=[ward_staff, le_partner])
    outsider = WardMembershipFactory(ward=other_trust_ward, role="ward-manager").user
    client.force_login(outsider)
    url = reverse("assessments:scoring_closes_on", args=[round.pk])
    later = round.scoring_closes_on + DAY
    typed = {
        "scoring_closes_on-day": str(later.day),
        "scoring_closes_on-month": str(later.month),
        "scoring_closes_on-year": str(later.year),
    }
    assert client.get(url).status_code == 404
    assert client.post(url, typed).status_code == 404
    round.refresh_from_db()
    assert round.scoring_closes_on == later - DAY


# The default closing date: three weeks on, then on to the next working day (decision 0029).
@pytest.mark.parametrize(
    ("opened", "closes", "why"),
    [
        (datetime.date(2026, 12, 4), datetime.date(2026, 12, 29), "Christmas Day"),
        (datetime.date(2026, 11, 21), datetime.date(2026, 12, 14), "a Saturday"),
        (datetime.date(2026, 11, 22), datetime.date(2026, 12, 14), "a Sunday"),
        (datetime.date(2026, 3, 16), datetime.date(2026, 4, 7), "Easter Monday"),
        (datetime.date(2026, 3, 13), datetime.date(2026, 4, 7), "Good Friday, then Easter"),
        (datetime.date(2026, 12, 7), datetime.date(2026, 12, 29), "the 2026 Boxing Day substitute"),
        (datetime.date(2026, 8, 10), datetime.date(2026, 9, 1), "the summer bank holiday"),
        (datetime.date(2027, 12, 6), datetime.date(2027, 12, 29), "both 2027 substitutes"),
        (datetime.date(2026, 12, 1), datetime.date(2026, 12, 22), "a working day, unchanged"),
    ],
)
def test_default_scoring_closes_on_moves_to_the_next_working_day(opened, closes, why):
    assert rules.default_scoring_closes_on(opened) == closes, why
    assert closes.weekday() < 5


def test_default_scoring_closes_on_never_falls_on_a_weekend_or_bank_holiday():
    from standards.bank_holidays import is_bank_holiday

    day = datetime.date(2026, 1, 1)
    for _ in range(3 * 366):
        closes = rules.default_scoring_closes_on(day)
        assert closes.weekday() < 5 and not is_bank_holiday(closes), day
        assert 21 <= (closes - day).days <= 21 + 5, day
        day += DAY


def test_next_working_day_takes_the_bank_holiday_lookup_it_is_given():
    friday = datetime.date(2026, 6, 5)
    assert rules.next_working_day(friday, is_bank_holiday=lambda d: False) == friday
    assert rules.next_working_day(friday, is_bank_holiday=lambda d: d == friday) == (
        datetime.date(2026, 6, 8)
    )


def test_bank_holidays_are_england_and_wales_not_scotland():
    from standards.bank_holidays import is_bank_holiday

    assert is_bank_holiday(datetime.date(2026, 12, 25))
    assert is_bank_holiday(datetime.date(2026, 12, 28))  # Boxing Day observed
    assert is_bank_holiday(datetime.date(2026, 4, 6))  # Easter Monday
    assert not is_bank_holiday(datetime.date(2026, 1, 2))  # Scotland only
    assert not is_bank_holiday(datetime.date(2026, 8, 3))  # Scotland's summer holiday
    assert not is_bank_holiday(datetime.date(2026, 3, 17))  # Northern Ireland only


def test_open_round_form_suggests_a_working_day(catalogue, ward, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 12, 4))
    from assessments.forms.rounds import RoundForm

    form = RoundForm(ward=ward)
    assert form.fields["scoring_closes_on"].initial == datetime.date(2026, 12, 29)
