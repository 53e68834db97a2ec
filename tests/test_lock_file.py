"""Installs are exact: every dependency pyproject.toml names is pinned, with hashes, in the lock
files that `make install`, the Dockerfile and CI install from, at a version its range allows."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins(lock: str) -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes)."""
    found: dict[str, tuple[Version, int]] = {}
    current = None
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        stripped = line.strip()
        if "==" in stripped and not stripped.startswith(("#", "--")):
            name, _, rest = stripped.partition("==")
            version = rest.split(";")[0].split("\\")[0].strip()
            current = canonicalize_name(name.split("[")[0])
            found[current] = (Version(version), 0)
        elif stripped.startswith("--hash=sha256:") and current:
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("production.txt", PYPROJECT["dependencies"]),
        ("dev.txt", PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_every_dependency_is_pinned_within_its_range_with_hashes(lock, requirements):
    pinned = pins(lock)
    for text in requirements:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in requirements/{lock}: run `make lock`"
        version, hashes = pinned[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/{lock} pins {name}=={version}, outside {requirement.specifier}: "
            "run `make lock`"
        )
        assert hashes > 0, f"{name} has no hash in requirements/{lock}"
    assert all(hashes > 0 for _, hashes in pinned.values())


def test_the_production_lock_holds_no_test_tools():
    pinned = pins("production.txt")
    for tool in ("pytest", "playwright", "ruff", "oidc-provider-mock"):
        assert canonicalize_name(tool) not in pinned


def test_the_image_and_make_install_from_the_lock_files():
    assert "--require-hashes -r requirements/production.txt" in (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/dev.txt" in (ROOT / "Makefile").read_text()
