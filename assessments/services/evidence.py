"""Evidence per standard: notes, links and files, checked by their content."""

import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction

from standards.models import Standard

from .. import rules
from ..models import Evidence, EvidenceKind, HistoryKind, Round
from ..permissions import access_for, require
from .common import lock_round, record, require_allowed

# Detected type -> stored extension. Types come from the file's bytes, never its name.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/x-ole-storage": "ole",
}
MAX_UPLOAD_BYTES = settings.EVIDENCE_MAX_BYTES


def detect_type(upload: UploadedFile) -> str | None:
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None:
        return None
    if kind.mime == "application/zip":
        # Office files are zip archives: look further in for their parts.
        data = upload.read()
        upload.seek(0)
        kind = filetype.guess(data) or kind
    return kind.mime if kind.mime in ALLOWED_TYPES else None


def _check_upload(upload: UploadedFile | None) -> str:
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload"})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": "The selected file must be smaller than 10MB"})
    content_type = detect_type(upload)
    if content_type is None:
        raise ValidationError(
            {"file": "The selected file must be a PDF, Word, Excel, PNG or JPEG file"}
        )
    return content_type


@transaction.atomic
def add_evidence(
    *,
    round: Round,
    standard: Standard,
    kind: str,
    by,
    note: str = "",
    url: str = "",
    upload: UploadedFile | None = None,
) -> Evidence:
    """Add a note, link or file to a standard of an unsigned round. Never patient details."""
    round = lock_round(round.pk)
    require(
        access_for(user=by, ward=round.ward).can_contribute,
        "Only the ward's people can add evidence.",
    )
    require_allowed(round, rules.ADD_EVIDENCE)
    if standard.edition_id != round.edition_id:
        raise ValidationError({"standard": "Choose a standard from this round's edition"})
    note = note.strip()
    evidence = Evidence(round=round, standard=standard, kind=kind, note=note, added_by=by)
    if kind == EvidenceKind.NOTE:
        if not note:
            raise ValidationError({"note": "Enter the evidence"})
    elif kind == EvidenceKind.LINK:
        url = url.strip()
        if not url:
            raise ValidationError(
                {"url": "Enter a link, like https://intranet.example.nhs.uk/page"}
            )
        try:
            if len(url) > 500:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError(
                {"url": "Enter a link in the correct format, like https://intranet.example.nhs.uk"}
            ) from None
        evidence.url = url
    elif kind == EvidenceKind.FILE:
        content_type = _check_upload(upload)
        evidence.content_type = content_type
        evidence.original_name = (upload.name or "file")[:255]
        evidence.size = upload.size
        evidence.stored_name = f"{uuid.uuid4().hex}.{ALLOWED_TYPES[content_type]}"
        evidence.file.save(evidence.stored_name, upload, save=False)
    else:
        raise ValidationError({"kind": "Choose a note, a link or a file"})
    evidence.save()
    record(
        round=round,
        by=by,
        kind=HistoryKind.EVIDENCE,
        summary=f"Added {evidence.get_kind_display().lower()} evidence to {standard.code}",
        after={"kind": kind, "note": note, "url": evidence.url, "file": evidence.original_name},
    )
    return evidence


@transaction.atomic
def delete_evidence(*, evidence: Evidence, by) -> None:
    round = lock_round(evidence.round_id)
    access = access_for(user=by, ward=round.ward)
    require(
        evidence.added_by_id == by.pk or access.is_manager,
        "Only the person who added it or the ward manager can remove evidence.",
    )
    require_allowed(round, rules.REMOVE_EVIDENCE)
    before = {
        "kind": evidence.kind,
        "note": evidence.note,
        "url": evidence.url,
        "file": evidence.original_name,
    }
    code = evidence.standard.code
    stored = evidence.file.name if evidence.file else None
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: evidence.file.storage.delete(stored))
    record(
        round=round,
        by=by,
        kind=HistoryKind.EVIDENCE,
        summary=f"Removed evidence from {code}",
        before=before,
    )
