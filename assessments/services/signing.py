"""Signing: the ward manager signs, a lived experience leader co-signs; then it is locked."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import notices, rules, scores
from ..models import HistoryKind, Round, RoundStatus, Signature, SignatureDecision, SignatureRole
from ..permissions import access_for, require
from ..selectors import live_signatures
from .common import LockedError, lock_round, record, require_allowed


def _live_signers(round: Round) -> dict[str, int]:
    """Each role with a live signature, to its signer's id."""
    return {role: s.signer_id for role, s in live_signatures(round=round).items()}


def _require_may_sign(round: Round, role: str, *, by) -> None:
    refusal = rules.signing_refusal(
        status=round.status, role=role, live=_live_signers(round), by=by.pk
    )
    if refusal:
        if round.is_locked:
            raise LockedError()
        raise ValidationError(refusal)


def _lock_if_complete(round: Round, *, by) -> Round:
    if rules.is_fully_signed(_live_signers(round)):
        round.status = RoundStatus.SIGNED
        round.signed_at = timezone.now()
        round.save(update_fields=["status", "signed_at"])
        scores.write([round.pk])
        record(
            round=round,
            by=by,
            kind=HistoryKind.ROUND,
            summary="Signed by both: the assessment is locked",
            before={"status": RoundStatus.AWAITING_SIGNOFF},
            after={"status": RoundStatus.SIGNED},
        )
    return round


@transaction.atomic
def sign_as_manager(*, round: Round, by) -> Signature:
    round = lock_round(round.pk)
    require(access_for(user=by, ward=round.ward).is_manager, "Only the ward manager can sign here.")
    _require_may_sign(round, SignatureRole.WARD_MANAGER, by=by)
    signature = Signature.objects.create(
        round=round, signer=by, role=SignatureRole.WARD_MANAGER, decision=SignatureDecision.SIGNED
    )
    record(
        round=round,
        by=by,
        kind=HistoryKind.SIGNATURE,
        summary="Ward manager signed",
        after={"decision": signature.decision},
    )
    _lock_if_complete(round, by=by)
    return signature


@transaction.atomic
def sign_as_leader(*, round: Round, decision: str, words: str, by) -> Signature:
    """Sign, sign with reservations (kept verbatim), or decline with a reason."""
    round = lock_round(round.pk)
    require(
        access_for(user=by, ward=round.ward).is_le_leader,
        "Only a lived experience leader of the trust can co-sign.",
    )
    require_allowed(round, rules.CO_SIGN)
    if decision not in SignatureDecision.values:
        raise ValidationError(
            {"decision": "Choose whether you sign, sign with reservations or decline"}
        )
    if decision == SignatureDecision.RESERVATIONS and not words.strip():
        raise ValidationError({"words": "Enter your reservations in your own words"})
    if decision == SignatureDecision.DECLINED and not words.strip():
        raise ValidationError({"words": "Enter why you are declining to sign"})
    _require_may_sign(round, SignatureRole.LIVED_EXPERIENCE_LEADER, by=by)
    # Kept exactly as written: no trimming inside, no reformatting.
    kept = words if decision != SignatureDecision.SIGNED else ""
    signature = Signature.objects.create(
        round=round,
        signer=by,
        role=SignatureRole.LIVED_EXPERIENCE_LEADER,
        decision=decision,
        words=kept.strip("\r\n"),
    )
    record(
        round=round,
        by=by,
        kind=HistoryKind.SIGNATURE,
        summary=f"Lived experience leader: {signature.get_decision_display().lower()}",
        after={"decision": decision, "words": signature.words},
    )
    _lock_if_complete(round, by=by)
    notices.cosign_decision(signature)
    return signature


@transaction.atomic
def reopen_round(*, round: Round, reason: str, by) -> Round:
    """Only a trust QI lead, only with a reason: the signatures are voided and it is recorded."""
    round = lock_round(round.pk)
    require(
        access_for(user=by, ward=round.ward).is_qi_lead,
        "Only a trust QI lead can reopen a signed assessment.",
    )
    require_allowed(round, rules.REOPEN)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the assessment is being reopened"})
    if round.ward.rounds.exclude(pk=round.pk).exclude(status=RoundStatus.SIGNED).exists():
        raise ValidationError(
            "This ward has another round in progress. Finish it before reopening this one."
        )
    # Leave "signed" first: the database refuses changes to a signed round's signatures.
    round.status = RoundStatus.AGREEING
    round.signed_at = None
    round.reopen_count += 1
    round.save(update_fields=["status", "signed_at", "reopen_count"])
    scores.forget(round)
    live = round.signatures.live()
    signatures = list(live.select_related("signer"))
    voided = live.update(voided_at=timezone.now(), void_reason=f"Reopened: {reason}")
    record(
        round=round,
        by=by,
        kind=HistoryKind.ROUND,
        summary=f"Reopened: {reason}",
        before={"status": RoundStatus.SIGNED},
        after={"status": round.status, "signatures_voided": voided, "reason": reason},
    )
    notices.signatures_voided(round, signatures, reason=reason, reopened=True, by=by)
    return round
