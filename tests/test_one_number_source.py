"""One number, one rule: only standards/numbers.py turns a number into text a person reads.

This test reads the source, as test_import_direction.py does. It fails when any other module
formats or rounds a number itself: a numeric format spec in an f-string, str.format or format()
(":.1f", ":.0f", ":,", ":g", ":03d"), %-formatting ("%.1f", "%d"), round(), Decimal.quantize,
and in templates floatformat, intcomma, stringformat or widthratio; in scripts toFixed and
friends. Each exception below says why it is not a number for a reader. A new place that shows a
number calls standards.numbers (or its template filters) instead.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_TOPS = ("standards", "assessments", "reports", "culture_of_care", "scripts")
THE_MODULE = "standards/numbers.py"
EVERYWHERE = "*"

# (file, the expression as written, or EVERYWHERE for the whole file): why it is not display.
ALLOWED: dict[tuple[str, str], str] = {
    ("reports/charts.py", 'f"{value:.1f}"'): (
        "SVG coordinates and sizes (the picture's geometry), never read as a number"
    ),
    ("reports/charts.py", "round(k * step, 10)"): (
        "where axis ticks fall (arithmetic, settling float noise); their labels go through "
        "standards.numbers"
    ),
    ("reports/measure_services.py", "Decimal(row.value).quantize(CENTS)"): (
        "the stored precision of a month's value (a DecimalField, two places) that history keeps"
    ),
    ("reports/measure_services.py", "value.quantize(CENTS)"): (
        "the stored precision of a month's value before it is saved"
    ),
    ("reports/measure_services.py", "entry.value.quantize(CENTS)"): (
        "comparing typed figures with those held, at the stored precision (not shown)"
    ),
    ("reports/measure_import.py", "Decimal(text).quantize(CENTS)"): (
        "reading a CSV value at the stored precision, not showing it"
    ),
    ("reports/demo_history.py", 'f"Ward {i:03d}"'): "the demo's made-up ward names, not numbers",
    ("reports/demo_measures.py", 'f"{prefix}{number:02d}"'): "the demo's made-up ward codes",
    ("reports/demo_measures.py", "round(rng.gauss(expected, math.sqrt(max(expected, 0.5))))"): (
        "the demo's made-up monthly counts, whole numbers drawn at random (data, not display)"
    ),
    ("reports/demo_measures.py", "round(answers * share)"): "the demo's made-up answer counts",
    (
        "reports/demo_measures.py",
        "round(ward.beds * days * min(1.0, c.occupancy + rng.gauss(0, 0.03)))",
    ): "the demo's made-up occupied bed days",
    ("reports/management/commands/bench.py", EVERYWHERE): (
        "the benchmark's console report for developers (the README's figures), not the product"
    ),
    ("reports/management/commands/seed_demo.py", EVERYWHERE): (
        "the demo seeder's console timing for developers, not the product"
    ),
    ("scripts/load.py", EVERYWHERE): "`make load`'s console table for developers, not the product",
    ("scripts/smoke.py", EVERYWHERE): "`make smoke`'s console timing for developers",
    ("culture_of_care/observability.py", EVERYWHERE): (
        "request durations in JSON logs for machines, never shown to a person"
    ),
}

TEMPLATE_FILTERS = re.compile(
    r"\|\s*(floatformat|intcomma|intword|stringformat)\b|\{%\s*widthratio\b|\{%\s*load\s+humanize"
)
SCRIPT_FORMATTING = re.compile(r"\.toFixed\(|\.toPrecision\(|\.toLocaleString\(|Intl\.NumberFormat")
# A format spec that makes text of a number: a thousands separator, a precision, or a numeric
# presentation type. Dates ("%Y-%m-%d") and plain alignment are not matched.
NUMERIC_SPEC = re.compile(
    r"(?:.?[<>=^])?[+\- ]?z?#?0?\d*(?P<sep>[,_])?(?P<precision>\.\d+)?(?P<kind>[bcdeEfFgGnoxX%])?"
)
PERCENT_FORMAT = re.compile(r"%[-+ #0]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgG]")
REPLACEMENT_FIELD = re.compile(r"\{[^{}:]*:([^{}]*)\}")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}: {self.code}"


def is_numeric_spec(spec: str) -> bool:
    match = NUMERIC_SPEC.fullmatch(spec)
    return bool(match) and any(match.group(g) for g in ("sep", "precision", "kind"))


def _spec_text(node: ast.AST) -> str | None:
    """The literal text of an f-string's format spec (None when part of it is computed)."""
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
    return "".join(parts) if len(parts) == len(node.values) else None


def python_findings(source: str, path: str) -> list[Finding]:
    """Every place in `source` that formats or rounds a number itself."""
    tree = ast.parse(source)
    found: list[Finding] = []

    def add(node: ast.AST, what: str, around: ast.AST | None = None) -> None:
        code = ast.get_source_segment(source, around or node) or ""
        found.append(Finding(path, node.lineno, code, what))

    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for value in node.values:
                if isinstance(value, ast.FormattedValue) and value.format_spec is not None:
                    spec = _spec_text(value.format_spec)
                    if spec is None or is_numeric_spec(spec):
                        add(node, f"format spec {spec!r} in an f-string")
                        break
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "round":
                add(node, "round()")
            elif isinstance(func, ast.Name) and func.id == "format" and len(node.args) > 1:
                spec = node.args[1]
                if not isinstance(spec, ast.Constant) or is_numeric_spec(str(spec.value)):
                    add(node, "format() with a numeric spec")
            elif isinstance(func, ast.Attribute) and func.attr == "quantize":
                add(node, "Decimal.quantize")
        elif isinstance(node, ast.Attribute) and node.attr == "format":
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                specs = REPLACEMENT_FIELD.findall(node.value.value)
                if any(is_numeric_spec(spec) for spec in specs):
                    add(node, "str.format with a numeric spec")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            left = node.left
            is_text = isinstance(left, ast.Constant) and isinstance(left.value, str)
            if is_text and PERCENT_FORMAT.search(left.value):
                add(node, "%-formatting of a number")
    return found


def template_findings(text: str, path: str) -> list[Finding]:
    return [
        Finding(path, text.count("\n", 0, m.start()) + 1, m.group(0), "template number filter")
        for m in TEMPLATE_FILTERS.finditer(text)
    ]


def script_findings(text: str, path: str) -> list[Finding]:
    return [
        Finding(path, text.count("\n", 0, m.start()) + 1, m.group(0), "script number formatting")
        for m in SCRIPT_FORMATTING.finditer(text)
    ]


def allowed(finding: Finding) -> bool:
    return (finding.path, EVERYWHERE) in ALLOWED or (finding.path, finding.code) in ALLOWED


def all_findings() -> list[Finding]:
    found: list[Finding] = []
    for top in PYTHON_TOPS:
        for path in sorted((ROOT / top).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if "migrations" in path.parts or name == THE_MODULE:
                continue
            found += python_findings(path.read_text(), name)
    for path in sorted((ROOT / "templates").rglob("*.html")):
        found += template_findings(path.read_text(), path.relative_to(ROOT).as_posix())
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        found += script_findings(path.read_text(), path.relative_to(ROOT).as_posix())
    return found


def test_only_the_numbers_module_turns_numbers_into_text():
    wrong = [str(f) for f in all_findings() if not allowed(f)]
    assert wrong == [], (
        "Format or round numbers for display only in standards/numbers.py (or its template "
        "filters); if this truly is not display, add it to ALLOWED with the reason:\n"
        + "\n".join(wrong)
    )


def test_every_allowed_exception_is_still_there():
    """An exception whose code has gone is removed, so the list never hides a new one."""
    found = {(f.path, f.code) for f in all_findings()} | {
        (f.path, EVERYWHERE) for f in all_findings()
    }
    assert sorted(set(ALLOWED) - found) == []


PLANTED = """
def caption(mean, count, rate, value):
    a = f"Agreed at {mean:.1f}"
    b = f"{count:,} answers"
    c = "%.1f per 1,000 bed days" % rate
    d = "{:.0f}%".format(value)
    e = round(mean, 1)
    f = Decimal(mean).quantize(Decimal("0.1"))
    g = format(rate, ".2f")
    h = f"on {day:%Y-%m-%d} at {clock:>8}, {name!r}"
    return a, b, c, d, e, f, g, h
"""


def test_the_checker_catches_planted_formatting():
    found = python_findings(PLANTED, "planted.py")
    lines = sorted({f.line for f in found})
    # Lines 3 to 9 format or round a number; line 10 formats a date and aligns text only.
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    assert not allowed(found[0])


def test_the_checker_catches_planted_template_filters_and_scripts():
    template = '{{ c.median|floatformat:"-1" }} {{ n|intcomma }} {{ x|stringformat:".1f" }}'
    assert len(template_findings(template, "planted.html")) == 3
    assert template_findings("{{ c.median|median }} {{ day|date:'j F Y' }}", "ok.html") == []
    assert len(script_findings("bar.textContent = value.toFixed(1);", "planted.js")) == 1


def test_numeric_specs_are_told_from_dates_and_alignment():
    assert all(is_numeric_spec(s) for s in [".1f", ".0f", ",", ",.0f", "g", "03d", ".2%", "+.1f"])
    assert not any(is_numeric_spec(s) for s in ["%Y-%m-%d", ">8", "<", "%H:%M"])
