"""The lived experience voice: what a lived experience leader decided when co-signing, and their
own words, read once here and shown the same way on every page and PDF
(templates/includes/le_voice.html).

A decision is live while it is not voided (Signature.objects.live(), assessments.rules.is_live).
A live decline is kept even though it is not a signature: the board must see it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from assessments.models import Round, Signature, SignatureDecision, SignatureRole
from standards.models import Trust


@dataclass(frozen=True)
class LeaderVoice:
    """One lived experience leader's decision on one round, with their words verbatim."""

    round_id: int
    ward_name: str
    round_label: str
    decision: str
    decision_label: str
    words: str
    signer_name: str
    signed_at: datetime.datetime

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


def _present(signature: Signature) -> LeaderVoice:
    return LeaderVoice(
        round_id=signature.round_id,
        ward_name=signature.round.ward.name,
        round_label=signature.round.label,
        decision=signature.decision,
        decision_label=signature.get_decision_display(),
        words=signature.words,
        signer_name=signature.signer.display_name,
        signed_at=signature.signed_at,
    )


def _live_leader_signatures():
    return (
        Signature.objects.live()
        .filter(role=SignatureRole.LIVED_EXPERIENCE_LEADER)
        .select_related("round__ward", "signer")
        .order_by("signed_at", "pk")
    )


def round_voices(
    round_ids: Iterable[int], *, with_words_only: bool = False
) -> dict[int, list[LeaderVoice]]:
    """Each round's live lived experience leader signatures (a decline, then a signature, say),
    oldest first, keyed by round id: one query. `with_words_only`: reservations and declines
    alone (what the trust dashboard shows of every ward)."""
    voices: dict[int, list[LeaderVoice]] = {}
    signatures = _live_leader_signatures().filter(round_id__in=[i for i in round_ids if i])
    if with_words_only:
        signatures = signatures.exclude(decision=SignatureDecision.SIGNED)
    for signature in signatures:
        voices.setdefault(signature.round_id, []).append(_present(signature))
    return voices


def round_voice(round: Round | None) -> list[LeaderVoice]:
    """One round's live lived experience leader signatures, oldest first."""
    if round is None:
        return []
    return round_voices([round.pk]).get(round.pk, [])


def reservations_and_declines(
    voices: dict[int, list[LeaderVoice]] | Iterable[LeaderVoice],
) -> list[LeaderVoice]:
    """Only the voices with something to say: reservations and declines."""
    items = [v for vs in voices.values() for v in vs] if isinstance(voices, dict) else list(voices)
    return [v for v in items if v.decision != SignatureDecision.SIGNED]


def trust_reservations_and_declines(
    trust: Trust, labels: Iterable[str] | None = None
) -> list[LeaderVoice]:
    """Every live reservation and decline on the trust's wards, in the rounds labelled (the
    period a report covers) or all of them."""
    signatures = (
        _live_leader_signatures()
        .filter(round__ward__site__trust=trust)
        .exclude(decision=SignatureDecision.SIGNED)
    )
    if labels is not None:
        signatures = signatures.filter(round__label__in=list(labels))
    return [_present(s) for s in signatures]
