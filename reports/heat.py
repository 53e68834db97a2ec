"""The heatmap's one palette, for the dashboard and the PDFs alike.

A colour-blind-safe sequential scale of blues (ColorBrewer "Blues"): darker means higher. Colour
is a second cue only: every cell also prints its value. Text turns white on the two darkest
bands so that it keeps at least 4.5:1 contrast. static/css/heat.css carries these colours as
classes (the content security policy forbids inline styles) and a test keeps it in step with
this module; both the pages (base.html) and the PDFs (reports.pdf) load that one file.
"""

from dataclasses import dataclass

from standards import numbers

INK = "#212b32"
WHITE = "#ffffff"


@dataclass(frozen=True)
class HeatBand:
    index: int
    background: str
    text: str

    @property
    def css_class(self) -> str:
        return f"app-heat--{self.index}"

    @property
    def low(self) -> str:
        return numbers.heat_band_range(self.index)[0]

    @property
    def high(self) -> str:
        return numbers.heat_band_range(self.index)[1]


PALETTE: list[HeatBand] = [
    HeatBand(0, "#eff3ff", INK),
    HeatBand(1, "#bdd7e7", INK),
    HeatBand(2, "#6baed6", INK),
    HeatBand(3, "#2171b5", WHITE),
    HeatBand(4, "#08306b", WHITE),
]
NONE_CLASS = "app-heat--none"
SMALL_GROUP_CLASS = "app-heat--small"
SMALL_GROUP_TEXT = "Fewer than 3 people"


def heat_band(mean: float | None) -> HeatBand | None:
    """The band a mean falls in, judged on its displayed value; None when not rated."""
    index = numbers.heat_band(mean)
    return None if index is None else PALETTE[index]


def heat_class(mean: float | None, small_group: bool = False) -> str:
    """The class for a heatmap cell: its band, "not rated", or a group too small to show."""
    if small_group:
        return SMALL_GROUP_CLASS
    band = heat_band(mean)
    return NONE_CLASS if band is None else band.css_class
