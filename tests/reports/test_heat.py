import re

import pytest
from django.conf import settings

from reports import heat
from reports.selectors import Measure
from reports.templatetags.report_format import heat_class

CSS = settings.BASE_DIR / "static" / "css" / "heat.css"


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def css_rules() -> dict[str, dict[str, str]]:
    rules = {}
    for selector, body in re.findall(r"\.(app-heat--[a-z0-9]+) \{([^}]*)\}", CSS.read_text()):
        rules[selector] = dict(
            (name.strip(), value.strip())
            for name, value in (item.split(":", 1) for item in body.split(";") if ":" in item)
        )
    return rules


@pytest.mark.parametrize("band", heat.PALETTE, ids=lambda band: band.css_class)
def test_heat_palette_text_keeps_4_5_to_1_contrast(band):
    assert contrast(band.background, band.text) >= 4.5


def test_heat_palette_darker_means_higher():
    lightness = [luminance(band.background) for band in heat.PALETTE]
    assert lightness == sorted(lightness, reverse=True)
    assert len(set(lightness)) == len(lightness)


def test_heat_css_has_the_palette_of_reports_heat():
    """The pages and the PDFs load static/css/heat.css: it must be the Python palette."""
    rules = css_rules()
    for band in heat.PALETTE:
        assert rules[band.css_class]["background-color"] == band.background
        assert rules[band.css_class]["color"] == band.text


def test_print_css_has_no_second_heatmap_palette():
    print_css = (settings.BASE_DIR / "static" / "css" / "print.css").read_text()
    assert "app-heat-" not in print_css.replace("app-heatmap", "")


def test_heat_class_marks_not_rated_and_small_groups():
    assert heat_class(None) == heat.NONE_CLASS
    assert heat_class(2.25) == "app-heat--2"
    assert heat_class(Measure("1", "Lived experience", 3.0)) == "app-heat--3"
    assert heat_class(Measure("1", "Lived experience", 3.0, small_group=True)) == "app-heat--small"
