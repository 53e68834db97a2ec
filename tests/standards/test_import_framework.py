import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from standards.models import Commitment, FrameworkEdition, Standard

FIXTURE_SOURCE = Path(__file__).resolve().parents[2] / "fixtures" / "culture-of-care-standards.json"


def _edition_document(label: str = "2025 official wording") -> dict:
    """A complete valid edition in the JSON import format, built from the committed fixture."""
    objects = json.loads(FIXTURE_SOURCE.read_text())
    commitments = {
        o["pk"]: {**o["fields"], "standards": []}
        for o in objects
        if o["model"] == "standards.commitment"
    }
    pillar_slugs = {
        o["pk"]: o["fields"]["slug"] for o in objects if o["model"] == "standards.pillar"
    }
    for o in objects:
        if o["model"] == "standards.standard":
            commitments[o["fields"]["commitment"]]["standards"].append(
                {
                    "code": o["fields"]["code"],
                    "text": o["fields"]["text"] + " (official)",
                    "pillars": [pillar_slugs[p] for p in o["fields"]["pillars"]],
                }
            )
    for c in commitments.values():
        c.pop("edition")
    return {
        "framework": {
            "slug": "culture-of-care",
            "title": "Culture of care standards",
            "edition": label,
        },
        "commitments": list(commitments.values()),
    }


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return path


def _counts():
    return (FrameworkEdition.objects.count(), Commitment.objects.count(), Standard.objects.count())


def test_import_framework_loads_a_valid_json_edition(catalogue, tmp_path):
    path = _write(tmp_path, "official.json", _edition_document())
    call_command("import_framework", str(path))
    edition = FrameworkEdition.objects.get(edition="2025 official wording")
    assert edition.commitments.count() == 12
    assert edition.standards.count() == 76
    assert edition.standards.get(code="2.3").text.endswith("(official)")
    assert (
        edition.standards.get(code="2.3").pillars.exists()
        == catalogue.standards.get(code="2.3").pillars.exists()
    )


def test_import_framework_loads_a_valid_csv_edition(catalogue, tmp_path):
    document = _edition_document()
    lines = [
        "commitment,commitment_title,commitment_headline,commitment_statement,code,text,pillars"
    ]
    for c in document["commitments"]:
        for s in c["standards"]:
            fields = [
                str(c["number"]),
                c["title"],
                c["headline"],
                c["statement"],
                s["code"],
                s["text"],
                ";".join(s["pillars"]),
            ]
            lines.append(",".join('"' + f.replace('"', '""') + '"' for f in fields))
    path = _write(tmp_path, "official.csv", "\n".join(lines) + "\n")
    call_command("import_framework", str(path), edition="CSV edition", title="Culture of care")
    edition = FrameworkEdition.objects.get(edition="CSV edition")
    assert edition.standards.count() == 76


def test_import_framework_names_the_line_of_a_missing_text_and_changes_nothing(catalogue, tmp_path):
    document = _edition_document()
    document["commitments"][1]["standards"][2]["text"] = ""
    path = _write(tmp_path, "bad.json", document)
    before = _counts()
    with pytest.raises(CommandError) as error:
        call_command("import_framework", str(path))
    content = path.read_text().splitlines()
    line = next(i for i, text in enumerate(content, 1) if '"code": "2.3"' in text) - 1
    assert f"Line {line}: standard 2.3 has no text" in str(error.value)
    assert "nothing was changed" in str(error.value)
    assert _counts() == before


def test_import_framework_reports_every_problem_in_a_csv(catalogue, tmp_path):
    header = (
        "commitment,commitment_title,commitment_headline,commitment_statement,code,text,pillars"
    )
    rows = [
        header,
        "1,Lived experience,We value it,Statement,1.1,Text,trauma-informed",
        "1,Lived experience,We value it,Statement,1.1,Duplicate code,",
        "13,Thirteen,Too many,Statement,13.1,Text,",
        "2,Safety,Safe,Statement,3.1,Wrong commitment,not-a-pillar",
    ]
    path = _write(tmp_path, "bad.csv", "\n".join(rows) + "\n")
    before = _counts()
    with pytest.raises(CommandError) as error:
        call_command("import_framework", str(path), edition="Bad", title="Bad")
    message = str(error.value)
    assert "Line 3: standard code 1.1 appears again (first on line 2)" in message
    assert "Line 4: commitment number must be a whole number from 1 to 12" in message
    assert "Line 5: standard 3.1 must start with its commitment number 2" in message
    assert "Line 5: standard 3.1 names an unknown pillar 'not-a-pillar'" in message
    assert "missing: 3, 4, 5" in message
    assert _counts() == before


def test_import_framework_reports_broken_json_with_its_line(catalogue, tmp_path):
    path = _write(tmp_path, "broken.json", '{\n  "framework": {\n    "title": "x",\n  }\n}\n')
    with pytest.raises(CommandError) as error:
        call_command("import_framework", str(path))
    assert "Line 4" in str(error.value)


def test_import_framework_refuses_an_existing_edition_label(catalogue, tmp_path):
    document = _edition_document(label=catalogue.edition)
    path = _write(tmp_path, "again.json", document)
    with pytest.raises(CommandError) as error:
        call_command("import_framework", str(path))
    assert "already exists" in str(error.value)
    assert FrameworkEdition.objects.count() == 1
