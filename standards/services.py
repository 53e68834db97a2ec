"""Changes to the catalogue."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from .importer import ParsedEdition
from .models import Commitment, FrameworkEdition, Pillar, RatingLevel, Standard

CODE_PATTERN = re.compile(r"^(\d{1,2})\.(\d{1,2})$")


class EditionImportError(Exception):
    """The file is not a valid edition; nothing was written. `errors` name line and problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _validate(parsed: ParsedEdition) -> list[str]:
    errors = list(parsed.errors)
    meta = parsed.metadata
    for key in ("title", "edition"):
        if not str(meta.get(key) or "").strip():
            errors.append(f"The edition needs a {key} (give --{key} or 'framework.{key}')")
    slug = slugify(meta.get("slug") or meta.get("title") or "")
    if slug and FrameworkEdition.objects.filter(slug=slug, edition=meta.get("edition")).exists():
        errors.append(
            f"An edition called '{meta.get('edition')}' already exists: give the new one "
            "another edition label"
        )
    known_pillars = set(Pillar.objects.values_list("slug", flat=True))
    known_pillars |= {str(p.get("slug")) for p in parsed.pillars}

    numbers_seen: dict[object, int] = {}
    codes_seen: dict[str, int] = {}
    for commitment in parsed.commitments:
        where = f"Line {commitment.line}"
        if not isinstance(commitment.number, int) or not 1 <= commitment.number <= 12:
            errors.append(f"{where}: commitment number must be a whole number from 1 to 12")
        elif commitment.number in numbers_seen:
            errors.append(
                f"{where}: commitment {commitment.number} appears again "
                f"(first on line {numbers_seen[commitment.number]})"
            )
        else:
            numbers_seen[commitment.number] = commitment.line
        for name in ("title", "headline", "statement"):
            if not getattr(commitment, name):
                errors.append(f"{where}: commitment {commitment.number} has no {name}")
        if not commitment.standards:
            errors.append(f"{where}: commitment {commitment.number} has no standards")
        for standard in commitment.standards:
            where = f"Line {standard.line}"
            match = CODE_PATTERN.match(standard.code)
            if not match:
                errors.append(f"{where}: standard code '{standard.code}' must look like 2.3")
            elif str(commitment.number) != match.group(1):
                errors.append(
                    f"{where}: standard {standard.code} must start with its commitment number "
                    f"{commitment.number}"
                )
            if standard.code in codes_seen:
                errors.append(
                    f"{where}: standard code {standard.code} appears again "
                    f"(first on line {codes_seen[standard.code]})"
                )
            elif standard.code:
                codes_seen[standard.code] = standard.line
            if not standard.text:
                errors.append(f"{where}: standard {standard.code} has no text")
            for pillar in standard.pillars:
                if pillar not in known_pillars:
                    errors.append(
                        f"{where}: standard {standard.code} names an unknown pillar '{pillar}'"
                    )
    missing = sorted(set(range(1, 13)) - set(numbers_seen))
    if missing:
        errors.append(
            "The edition must have 12 commitments numbered 1 to 12; missing: "
            + ", ".join(str(n) for n in missing)
        )
    return errors


def import_edition(*, parsed: ParsedEdition) -> FrameworkEdition:
    """Validate every row, then write the whole edition in one transaction, or nothing."""
    errors = _validate(parsed)
    if errors:
        raise EditionImportError(errors)
    meta = parsed.metadata
    with transaction.atomic():
        for position, pillar in enumerate(parsed.pillars):
            Pillar.objects.update_or_create(
                slug=pillar["slug"],
                defaults={"title": pillar.get("title") or pillar["slug"], "position": position},
            )
        _load_rating_scale(parsed)
        edition = FrameworkEdition.objects.create(
            slug=slugify(meta.get("slug") or meta["title"]),
            title=meta["title"].strip(),
            edition=meta["edition"].strip(),
            publisher=meta.get("publisher") or "",
            published=str(meta.get("published") or ""),
            source_url=meta.get("source_url") or "",
            wording_note=meta.get("wording_note") or "",
            vision=meta.get("vision") or "",
        )
        pillars = {p.slug: p for p in Pillar.objects.all()}
        for row in parsed.commitments:
            commitment = Commitment.objects.create(
                edition=edition,
                number=row.number,
                slug=row.slug or slugify(row.title),
                title=row.title,
                headline=row.headline,
                statement=row.statement,
            )
            for position, standard_row in enumerate(row.standards):
                standard = Standard.objects.create(
                    edition=edition,
                    commitment=commitment,
                    code=standard_row.code,
                    text=standard_row.text,
                    position=position,
                )
                standard.pillars.set([pillars[slug] for slug in standard_row.pillars])
    return edition


def _load_rating_scale(parsed: ParsedEdition) -> None:
    for position, level in enumerate(parsed.rating_scale):
        RatingLevel.objects.update_or_create(
            key=str(level["value"]),
            defaults={
                "level": level["value"],
                "label": level["label"],
                "description": level.get("description", ""),
                "position": position,
            },
        )
    if parsed.rating_not_sure:
        RatingLevel.objects.update_or_create(
            key="not-sure",
            defaults={
                "level": None,
                "label": parsed.rating_not_sure["label"],
                "description": parsed.rating_not_sure.get("description", ""),
                "position": len(parsed.rating_scale),
            },
        )


def ensure_edition_editable(edition: FrameworkEdition) -> None:
    """Editions are immutable once an assessment uses them."""
    if edition.is_in_use:
        raise ValidationError(
            "This edition is used by an assessment and cannot be changed. Load a new edition."
        )


# Sign-in throttle: failures are counted per username and per address, so that one person
# guessing many accounts and many people guessing one account are both slowed down.
