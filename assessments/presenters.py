"""What assessment pages and PDFs show, built from selectors: progress, both groups' ratings
side by side, a round's steps, scores with their gaps, standard rows with evidence and actions,
history in words. Plain data for templates; the rules are in rules.py, the reads in
selectors.py. Used by the views and by reports (the ward PDF)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from culture_of_care.templatetags.nhsuk_forms import nhsuk_error_list
from standards import numbers
from standards import selectors as standards_selectors
from standards.models import Commitment, Standard

from . import selectors
from .forms.agreeing import LEVEL_CHOICES, NOT_SURE_LABEL, AgreedRatingForm
from .models import (
    RATING_CHOICES,
    Action,
    Evidence,
    HistoryEntry,
    HistoryKind,
    Rating,
    Round,
    RoundStatus,
    Scorer,
    ScorerGroup,
    Signature,
    SignatureDecision,
)
from .selectors import Comparison

# --- Scoring -----------------------------------------------------------------------------------


@dataclass
class CommitmentProgress:
    commitment: Commitment
    standards: list[Standard]
    rated: int

    @property
    def total(self) -> int:
        return len(self.standards)

    @property
    def is_complete(self) -> bool:
        return self.rated == self.total


@dataclass
class ScoringProgress:
    commitments: list[CommitmentProgress]
    ratings: dict[int, Rating]

    @property
    def rated(self) -> int:
        return sum(c.rated for c in self.commitments)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.commitments)

    def get(self, number: int) -> CommitmentProgress:
        found = next((c for c in self.commitments if c.commitment.number == number), None)
        if found is None:
            raise Http404("No such commitment")
        return found


def scoring_progress(round: Round, scorer: Scorer) -> ScoringProgress:
    """The scorer's own answers, counted per commitment."""
    ratings = selectors.scorer_ratings(scorer=scorer)
    standards = list(selectors.round_standards(round=round))
    commitments = [
        CommitmentProgress(
            commitment=commitment,
            standards=[s for s in standards if s.commitment_id == commitment.pk],
            rated=sum(1 for s in standards if s.commitment_id == commitment.pk and s.pk in ratings),
        )
        for commitment in selectors.round_commitments(round=round)
    ]
    return ScoringProgress(commitments=commitments, ratings=ratings)


@dataclass
class Answer:
    standard: Standard
    rating: Rating | None


def answers(progress: ScoringProgress) -> list[tuple[Commitment, list[Answer]]]:
    """Each commitment's standards with the scorer's own answer, for "Check your answers"."""
    return [
        (c.commitment, [Answer(s, progress.ratings.get(s.pk)) for s in c.standards])
        for c in progress.commitments
    ]


# --- A round's steps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: str
    hint: str
    state: str  # "done", "current" or "to-do"


STEP_HINTS = {
    RoundStatus.OPEN: "Choose who scores: staff and lived experience partners.",
    RoundStatus.SCORING: "Each scorer rates every standard on their own.",
    RoundStatus.AGREEING: "Compare the ratings side by side and agree one rating per standard.",
    RoundStatus.AWAITING_SIGNOFF: "The ward manager signs and a lived experience leader co-signs.",
    RoundStatus.SIGNED: "The assessment is locked.",
}


def round_steps(round: Round) -> list[Step]:
    current = RoundStatus.values.index(round.status)
    return [
        Step(
            label=status.label,
            hint=STEP_HINTS[status],
            state="done" if index < current else "current" if index == current else "to-do",
        )
        for index, status in enumerate(RoundStatus)
    ]


@dataclass(frozen=True)
class ScorerCount:
    """How many of a group were invited to score and how many have submitted: what the round
    page shows people outside the ward team, instead of names."""

    group: str
    invited: int
    submitted: int


def scorer_counts(scorers: list[Scorer]) -> list[ScorerCount]:
    return [
        ScorerCount(
            group=label,
            invited=sum(1 for s in scorers if s.group == group),
            submitted=sum(1 for s in scorers if s.group == group and s.has_submitted),
        )
        for group, label in ScorerGroup.choices
    ]


# --- Agreeing ----------------------------------------------------------------------------------


def difference_in_words(difference: float | None) -> str:
    if difference is None:
        return "There is nothing to compare: a group gave no ratings other than Not sure."
    if difference == 0:
        return "Staff and lived experience partners gave the same median rating."
    amount = numbers.levels_text(difference)
    direction = "lower" if difference < 0 else "higher"
    return f"Lived experience partners rated this {amount} {direction} than staff."


@dataclass
class Reveal:
    comparison: Comparison
    difference_text: str
    count_rows: list[tuple[str, int, int]]
    evidence: list[Evidence] = field(default_factory=list)


def reveal(comparison: Comparison, evidence: list[Evidence] | None = None) -> Reveal:
    staff, lived = comparison.staff, comparison.lived_experience
    labels = [label for _value, label in LEVEL_CHOICES]
    rows = [
        (labels[level], staff_count, lived_count)
        for (level, staff_count), (_level, lived_count) in zip(
            staff.counts, lived.counts, strict=True
        )
    ]
    rows.append((NOT_SURE_LABEL, staff.not_sure, lived.not_sure))
    return Reveal(comparison, difference_in_words(comparison.difference), rows, evidence or [])


@dataclass
class AgreeSection:
    """One standard on a commitment's agreeing page: both groups' ratings and its form."""

    reveal: Reveal
    form: AgreedRatingForm | None = None
    conflict: object = None

    @property
    def errors(self) -> list:
        return nhsuk_error_list(self.form) if self.form is not None and self.form.errors else []


@dataclass
class AgreeProgress:
    commitment: object
    total: int = 0
    agreed: int = 0
    flagged: int = 0
    reason_needed: int = 0

    @property
    def to_agree(self) -> int:
        return self.total - self.agreed


@dataclass
class Left:
    """A standard still to agree, or agreed without the reason it needs."""

    comparison: Comparison
    text: str
    href: str


# --- The summary -------------------------------------------------------------------------------


@dataclass
class CommitmentScore:
    number: int
    title: str
    mean: float | None
    rated: int
    total: int
    # Lived experience minus staff, from their own ratings: beside the score, never in it.
    gap: float | None = None

    @property
    def gap_text(self) -> str:
        return numbers.gap_sentence(self.gap)

    @property
    def percent(self) -> int | None:
        """The mean as a percentage of the maximum level, 4."""
        return numbers.percent_value(self.mean)


@dataclass
class StandardRow:
    comparison: Comparison
    evidence: list[Evidence] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def standard_rows(round: Round, actions: list[Action] | None = None) -> list[StandardRow]:
    """Each standard's comparison with its evidence (and the actions given), in order: the
    summary page and the ward PDF show the same rows."""
    rows = {c.standard.pk: StandardRow(c) for c in selectors.round_comparisons(round=round)}
    for evidence in selectors.round_evidence(round=round):
        rows[evidence.standard_id].evidence.append(evidence)
    for action in actions or []:
        for standard in action.standards.all():
            if standard.pk in rows:
                rows[standard.pk].actions.append(action)
    return list(rows.values())


# --- History -----------------------------------------------------------------------------------


LEVEL_LABELS: dict[Any, str] = {None: "Not sure", **dict(RATING_CHOICES)}
STATUS_LABELS = dict(RoundStatus.choices)
DECISION_LABELS = dict(SignatureDecision.choices)
RATED = "Rated "  # how assessments.services.scoring.save_rating summarises a rating's history


def _show(key: str, value: Any, names: dict[int, str]) -> str:
    if key == "level" and value in LEVEL_LABELS:
        return LEVEL_LABELS[value]
    if key == "status" and value in STATUS_LABELS:
        return STATUS_LABELS[value]
    if key == "decision" and value in DECISION_LABELS:
        return DECISION_LABELS[value]
    if key == "scorers" and isinstance(value, list):
        value = [names.get(user_id, f"Person {user_id}") for user_id in value]
    if value is None or value == "" or value == []:
        return "None"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _pairs(value: Any, names: dict[int, str]) -> list[tuple[str, str]]:
    """A stored before/after value as "key: value" lines, in words rather than codes."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [("Value", _show("", value, names))]
    return [
        (key.replace("_", " ").capitalize(), _show(key, item, names)) for key, item in value.items()
    ]


@dataclass
class HistoryRow:
    entry: HistoryEntry
    before: list[tuple[str, str]]
    after: list[tuple[str, str]]
    who: str = ""


def _who(entry: HistoryEntry, unnamed: dict[tuple[int, str], str]) -> str:
    """The actor's name, or their group where they shared this rating's comment without it."""
    if entry.kind == HistoryKind.RATING and entry.summary.startswith(RATED):
        code = entry.summary.removeprefix(RATED)
        if (entry.actor_id, code) in unnamed:
            return unnamed[(entry.actor_id, code)]
    return entry.actor.display_name if entry.actor else ""


def history_rows(round: Round, entries) -> list[HistoryRow]:
    names = {
        m.user_id: m.user.display_name for m in standards_selectors.ward_people(ward=round.ward)
    }
    unnamed = selectors.unnamed_comments(round=round)
    return [
        HistoryRow(
            entry=e,
            before=_pairs(e.before, names),
            after=_pairs(e.after, names),
            who=_who(e, unnamed),
        )
        for e in entries
    ]


# --- The lived experience leader's decision ------------------------------------------------------


@dataclass(frozen=True)
class LeaderVoice:
    """One lived experience leader's decision on one round, with their words verbatim: shown
    the same way on the round page and in every report (templates/includes/le_voice.html)."""

    round_id: int
    ward_name: str
    round_label: str
    decision: str
    decision_label: str
    words: str
    signer_name: str
    signed_at: datetime.datetime
    ward_id: int = 0
    # Whether the round is signed (a decline, or a signature given before the ward manager's,
    # can stand on a round not signed yet).
    round_signed: bool = True

    @property
    def has_reservations(self) -> bool:
        return self.decision == SignatureDecision.RESERVATIONS

    @property
    def is_declined(self) -> bool:
        return self.decision == SignatureDecision.DECLINED

    @property
    def words_label(self) -> str:
        if self.is_declined:
            return "Their reason for declining, in their own words"
        return "Their reservations, in their own words"


def leader_voice(signature: Signature) -> LeaderVoice:
    """A lived experience leader's signature as pages and reports show it (needs its round's
    ward and its signer)."""
    return LeaderVoice(
        round_id=signature.round_id,
        ward_name=signature.round.ward.name,
        round_label=signature.round.label,
        decision=signature.decision,
        decision_label=signature.get_decision_display(),
        words=signature.words,
        signer_name=signature.signer.display_name,
        signed_at=signature.signed_at,
        ward_id=signature.round.ward_id,
        round_signed=signature.round.status == RoundStatus.SIGNED,
    )


def round_leader_voices(round: Round) -> list[LeaderVoice]:
    """The round's live lived experience leader decisions, oldest first (a decline, then a
    signature by another leader, say)."""
    return [leader_voice(s) for s in selectors.leader_signatures(round_ids=[round.pk])]
