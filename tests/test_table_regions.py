"""Every table on a page sits in a region that scrolls sideways on its own, so that at 320 CSS
pixels a wide table never makes the whole page scroll (WCAG 1.4.10). The region is focusable
and named, so that keyboard and screen reader users can reach and scroll it."""

import re

import pytest
from django.conf import settings

TEMPLATES = settings.BASE_DIR / "templates"
# PDFs are paged, not scrolled.
PAGE_TEMPLATES = sorted(
    path for path in TEMPLATES.rglob("*.html") if "pdf" not in path.relative_to(TEMPLATES).parts
)
REGION = re.compile(
    r'<div class="app-table-scroll" role="region" aria-label="[^"]+" tabindex="0">\s*'
    r"(?:\{%[^%]*%\}\s*)*<table\b"
)


@pytest.mark.parametrize(
    "path", [p for p in PAGE_TEMPLATES if "<table" in p.read_text()], ids=lambda p: p.name
)
def test_every_page_table_scrolls_in_a_focusable_labelled_region(path):
    text = path.read_text()
    assert text.count("<table") == len(REGION.findall(text)), path
