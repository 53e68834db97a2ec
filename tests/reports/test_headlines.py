from reports.headlines import headline, period_word, rules_paragraphs
from reports.spc import SpcSettings, analyse

STEADY = [10.0, 12.0] * 8


def test_headline_no_points_says_no_signed_assessments_yet():
    result = headline(analyse([]), "Avoiding harm")
    assert result.text == "No signed assessments yet"
    assert result.tone == "none"


def test_headline_too_few_points_counts_what_is_needed():
    result = headline(analyse([2.0, 2.5, 2.4]), "Avoiding harm")
    assert result.text == "Too few assessments yet to show a trend (3 of 5 needed)"
    assert "no variation" in result.detail


def test_headline_improving_trend_names_the_run():
    values = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6]
    labels = [f"2025 Q{i % 4 + 1}" for i in range(7)]
    result = headline(analyse(values, labels), "Avoiding harm")
    assert result.text == "Avoiding harm has improved for 7 quarters in a row"
    assert result.tone == "improvement"


def test_headline_deteriorating_beyond_the_lower_limit():
    result = headline(analyse([*STEADY, 2.0]), "Oak Ward's Safety score")
    assert result.text == "Oak Ward's Safety score fell below what its history would predict"
    assert result.tone == "concern"
    assert "lower process limit" in result.detail


def test_headline_common_cause_is_stable():
    result = headline(analyse(STEADY), "Overall score")
    assert result.text == "Overall score is stable: no sign of real change"
    assert result.tone == "neutral"
    assert "from the first 16 points" in result.detail


def test_headline_run_chart_common_cause_says_not_yet_limits():
    result = headline(analyse([2.0, 2.4, 2.1, 2.3, 2.2]), "Overall score")
    assert result.text == "No sign of real change in Overall score yet"
    assert "process limits need 12 points" in result.detail


def test_headline_sustained_shift_prompts_recalculating_limits():
    values = [1.0 + 0.1 * i + (0.15 if i % 2 else 0.0) for i in range(16)]
    result = headline(analyse(values), "Overall score")
    assert "consider recalculating limits" in result.detail
    assert result.text.startswith("Overall score has been higher than usual")


def test_headline_after_a_change_with_too_few_points():
    result = headline(analyse([*STEADY, 3.0], changes={16: "New model of care"}), "Overall")
    assert result.text == (
        "Too few assessments since the change in the process to show a trend (1 of 5 needed)"
    )


def test_period_word_is_quarters_only_when_every_label_is_a_quarter():
    assert period_word(["2025 Q1", "2025 Q2"]) == "quarters"
    assert period_word(["2025 Q1", "Spring"]) == "rounds"


def test_rules_paragraphs_state_the_baseline_and_lengths():
    text = " ".join(rules_paragraphs(SpcSettings()))
    assert "first 12 to 20 points" in text
    assert "7 points in a row" in text
    assert "consider recalculating limits" in text
