import json
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from standards.models import Commitment, Pillar, RatingLevel, Standard

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "culture-of-care-standards.json"


def test_fixture_holds_12_commitments_76_standards_3_pillars(catalogue):
    assert Commitment.objects.filter(edition=catalogue).count() == 12
    assert Standard.objects.filter(edition=catalogue).count() == 76
    assert Pillar.objects.count() == 3
    assert list(Commitment.objects.values_list("number", flat=True)) == list(range(1, 13))


def test_fixture_standard_codes_are_unique_and_belong_to_their_commitment(catalogue):
    codes = list(Standard.objects.values_list("code", "commitment__number"))
    assert len({code for code, _ in codes}) == 76
    assert all(code.split(".")[0] == str(number) for code, number in codes)
    assert ("1.1", 1) in codes and ("2.3", 2) in codes


def test_fixture_rating_scale_has_five_levels_and_not_sure(catalogue):
    levels = list(RatingLevel.objects.values_list("level", "label"))
    assert levels[:5] == [
        (0, "Not yet"),
        (1, "Starting"),
        (2, "Developing"),
        (3, "Established"),
        (4, "Embedded"),
    ]
    assert levels[5] == (None, "Not sure")


def test_fixture_matches_the_source_data():
    source = Path(__file__).resolve().parents[3] / "shared/data/culture-of-care-standards.json"
    if not source.exists():
        pytest.skip("shared data is not beside this checkout")
    data = json.loads(source.read_text())
    fixture = json.loads(FIXTURE.read_text())
    source_codes = [s["code"] for c in data["commitments"] for s in c["standards"]]
    fixture_codes = [o["fields"]["code"] for o in fixture if o["model"] == "standards.standard"]
    assert fixture_codes == source_codes


def test_commitment_number_outside_1_to_12_is_refused_by_the_database(catalogue):
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(
            edition=catalogue, number=13, slug="x", title="x", headline="x", statement="x"
        )


def test_standard_code_is_unique_within_an_edition(catalogue):
    commitment = Commitment.objects.get(edition=catalogue, number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Standard.objects.create(edition=catalogue, commitment=commitment, code="2.3", text="x")
