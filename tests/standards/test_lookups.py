"""Integer `__in` lookups with values no column can hold: no rows, never a database error."""

import pytest
from django import forms

from standards.models import Standard

TOO_BIG = 10**30  # past 64 bits: SQLite cannot even bind it


@pytest.fixture
def standard(catalogue):
    return Standard.objects.get(code="2.3")


def test_in_lookup_with_an_id_too_big_for_the_database_finds_nothing(catalogue):
    assert list(Standard.objects.filter(pk__in=[TOO_BIG])) == []
    assert list(Standard.objects.filter(pk__in=[-TOO_BIG])) == []


def test_in_lookup_still_finds_the_ids_in_range_beside_one_too_big(standard):
    assert list(Standard.objects.filter(pk__in=[standard.pk, TOO_BIG])) == [standard]


def test_in_lookup_excluding_an_id_too_big_excludes_nothing(catalogue):
    total = Standard.objects.count()

    assert Standard.objects.exclude(pk__in=[TOO_BIG]).count() == total


def test_in_lookup_still_refuses_a_value_that_is_not_a_number(catalogue):
    with pytest.raises(ValueError):
        list(Standard.objects.filter(pk__in=["abc"]))


def test_model_multiple_choice_field_gives_a_field_error_for_a_30_digit_id(standard):
    field = forms.ModelMultipleChoiceField(queryset=Standard.objects.all())

    with pytest.raises(forms.ValidationError) as raised:
        field.clean([str(standard.pk), "123456789012345678901234567890"])

    assert raised.value.code == "invalid_choice"
