"""The lived experience voice: what a lived experience leader decided when co-signing, and their
own words, read once here and shown the same way on every page and PDF
(templates/includes/le_voice.html).

A decision is live while it is not voided (Signature.objects.live(), assessments.rules.is_live).
A live decline is kept even though it is not a signature: the board must see it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from assessments.models import Round, Signature, SignatureDecision, SignatureRole
from assessments.presenters import LeaderVoice, leader_voice

_present = leader_voice


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


@dataclass(frozen=True)
class WardVoices:
    """A ward's reservations and declines outside its latest signed round, newest first."""

    ward_id: int
    ward_name: str
    voices: list[LeaderVoice]


def other_rounds_voices(
    *, ward_ids: Iterable[int], latest_round_ids: Iterable[int | None]
) -> list[WardVoices]:
    """The live reservations and declines of these wards in any round but their latest signed
    one: earlier signed rounds, and a round not signed yet (a decline stands on it until the
    round is reopened or another leader signs). By ward name, newest first: one query.
    Reports count and quote the latest signed rounds; these are listed apart, linked to each
    round's summary, where the words are kept verbatim (docs/decisions/0028)."""
    latest = [rid for rid in latest_round_ids if rid]
    signatures = (
        _live_leader_signatures()
        .filter(round__ward_id__in=list(ward_ids))
        .exclude(decision=SignatureDecision.SIGNED)
        .exclude(round_id__in=latest)
    )
    by_ward: dict[int, list[LeaderVoice]] = {}
    for signature in signatures:
        by_ward.setdefault(signature.round.ward_id, []).append(_present(signature))
    wards = [
        WardVoices(ward_id, voices[0].ward_name, list(reversed(voices)))
        for ward_id, voices in by_ward.items()
    ]
    return sorted(wards, key=lambda w: (w.ward_name, w.ward_id))
