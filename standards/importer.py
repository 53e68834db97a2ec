"""Reading a framework edition from a JSON or CSV file, with the line of every problem.

Nothing here writes to the database: `services.import_edition` validates first, then writes.
"""

import csv
import io
import json
import json.scanner
from dataclasses import dataclass, field
from pathlib import Path


class LinedDict(dict):
    """A JSON object that remembers the line it started on."""

    line: int = 0


class _LineRecordingDecoder(json.JSONDecoder):
    def __init__(self) -> None:
        super().__init__()
        parse_object = self.parse_object

        def parse_with_line(s_and_end, *args, **kwargs):
            text, start = s_and_end
            obj, end = parse_object(s_and_end, *args, **kwargs)
            lined = LinedDict(obj)
            lined.line = text.count("\n", 0, start) + 1
            return lined, end

        self.parse_object = parse_with_line
        # The C scanner ignores parse_object; the pure-Python one honours it.
        self.scan_once = json.scanner.py_make_scanner(self)


@dataclass
class StandardRow:
    line: int
    code: str
    text: str
    pillars: list[str]


@dataclass
class CommitmentRow:
    line: int
    number: object
    slug: str
    title: str
    headline: str
    statement: str
    standards: list[StandardRow] = field(default_factory=list)


@dataclass
class ParsedEdition:
    """What a file says, before validation against the rules and the database."""

    metadata: dict
    pillars: list[dict]
    rating_scale: list[dict]
    rating_not_sure: dict | None
    commitments: list[CommitmentRow]
    errors: list[str] = field(default_factory=list)


CSV_COLUMNS = [
    "commitment",
    "commitment_title",
    "commitment_headline",
    "commitment_statement",
    "code",
    "text",
    "pillars",
]


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_json(content: str) -> ParsedEdition:
    try:
        data = json.loads(content, cls=_LineRecordingDecoder)
    except json.JSONDecodeError as error:
        return ParsedEdition({}, [], [], None, [], [f"Line {error.lineno}: {error.msg}"])
    if not isinstance(data, dict):
        return ParsedEdition({}, [], [], None, [], ["Line 1: the file must hold one JSON object"])
    errors: list[str] = []
    framework = data.get("framework")
    if not isinstance(framework, dict):
        errors.append(f"Line {data.line}: 'framework' is missing or is not an object")
        framework = {}
    commitments: list[CommitmentRow] = []
    raw_commitments = data.get("commitments")
    if not isinstance(raw_commitments, list):
        errors.append(f"Line {data.line}: 'commitments' is missing or is not a list")
        raw_commitments = []
    for raw in raw_commitments:
        if not isinstance(raw, dict):
            errors.append(f"Line {data.line}: every commitment must be an object")
            continue
        commitment = CommitmentRow(
            line=raw.line,
            number=raw.get("number"),
            slug=_text(raw.get("slug")),
            title=_text(raw.get("title")),
            headline=_text(raw.get("headline")),
            statement=_text(raw.get("statement")),
        )
        raw_standards = raw.get("standards")
        if not isinstance(raw_standards, list):
            errors.append(f"Line {raw.line}: commitment has no 'standards' list")
            raw_standards = []
        for standard in raw_standards:
            if not isinstance(standard, dict):
                errors.append(f"Line {raw.line}: every standard must be an object")
                continue
            pillars = standard.get("pillars", [])
            if not isinstance(pillars, list):
                errors.append(f"Line {standard.line}: 'pillars' must be a list of pillar slugs")
                pillars = []
            commitment.standards.append(
                StandardRow(
                    line=standard.line,
                    code=_text(standard.get("code")),
                    text=_text(standard.get("text")),
                    pillars=[_text(p) for p in pillars],
                )
            )
        commitments.append(commitment)
    return ParsedEdition(
        metadata=dict(framework),
        pillars=[dict(p) for p in data.get("pillars", []) if isinstance(p, dict)],
        rating_scale=[dict(r) for r in data.get("rating_scale", []) if isinstance(r, dict)],
        rating_not_sure=data.get("rating_not_sure"),
        commitments=commitments,
        errors=errors,
    )


def parse_csv(content: str, *, metadata: dict) -> ParsedEdition:
    """One row per standard; a commitment's columns repeat on each of its rows."""
    reader = csv.DictReader(io.StringIO(content))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return ParsedEdition(
            metadata, [], [], None, [], [f"Line 1: missing columns: {', '.join(missing)}"]
        )
    errors: list[str] = []
    by_number: dict[str, CommitmentRow] = {}
    for row in reader:
        line = reader.line_num
        key = _text(row["commitment"])
        number: object = int(key) if key.isdigit() else key
        commitment = by_number.get(key)
        fields = {
            "title": _text(row["commitment_title"]),
            "headline": _text(row["commitment_headline"]),
            "statement": _text(row["commitment_statement"]),
        }
        if commitment is None:
            commitment = CommitmentRow(line=line, number=number, slug="", **fields)
            by_number[key] = commitment
        else:
            for name, value in fields.items():
                if value and value != getattr(commitment, name):
                    errors.append(
                        f"Line {line}: commitment {key} has a different {name.replace('_', ' ')} "
                        f"from line {commitment.line}"
                    )
        pillars = [p.strip() for p in (row["pillars"] or "").split(";") if p.strip()]
        commitment.standards.append(
            StandardRow(
                line=line, code=_text(row["code"]), text=_text(row["text"]), pillars=pillars
            )
        )
    return ParsedEdition(metadata, [], [], None, list(by_number.values()), errors)


def read_file(path: Path, *, metadata: dict | None = None) -> ParsedEdition:
    """Parse a JSON or CSV edition file, chosen by its extension."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return ParsedEdition({}, [], [], None, [], [f"Cannot read {path.name}: {error}"])
    if path.suffix.lower() == ".csv":
        return parse_csv(content, metadata=metadata or {})
    if path.suffix.lower() == ".json":
        parsed = parse_json(content)
        parsed.metadata.update({k: v for k, v in (metadata or {}).items() if v})
        return parsed
    return ParsedEdition({}, [], [], None, [], ["The file must end in .json or .csv"])
