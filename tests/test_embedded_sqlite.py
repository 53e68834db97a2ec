"""The embedded default (`make run`: SQLite, the development server's threads) under one ward
team's quick clicks: scorers autosaving and a manager agreeing whole commitments at once, on a
real SQLite file, through the real server. No request may fail and no acknowledged save may be
lost (issue 20: clicking quickly through the scoring pages once gave "database is locked").
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "embedded-sqlite-test-password"
ANSWER = re.compile(r'name="answer-(\d+)"')
AGREE_FIELD = re.compile(r'name="s(\d+)-level"')
VERSION = re.compile(r'name="s(\d+)-version"(?: value="(\d*)")?')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SCORERS = ("demo.staff", "demo.staff2", "demo.partner")

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(database: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return keep | {
        "DJANGO_SETTINGS_MODULE": "culture_of_care.settings.base",
        "DATABASE_URL": f"sqlite:///{database}",
        "DEMO_PASSWORD": PASSWORD,
        "PYTHONUNBUFFERED": "1",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def embedded_site(tmp_path_factory):
    """`make run`'s path on a fresh SQLite file: migrate, load, seed, serve (threaded)."""
    database = tmp_path_factory.mktemp("embedded") / "db.sqlite3"
    env = _environment(database)
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "loaddata", "-v", "0", "culture-of-care-standards", "ward-measures")
    _manage(env, "seed_demo")
    # Beech Ward's demo round waits for sign-off: take it back to agreeing for the manager.
    ids = _manage(
        env,
        "shell",
        "-c",
        "import json\n"
        "from assessments import services\n"
        "from assessments.models import Round, RoundStatus\n"
        "from standards.models import User\n"
        "manager = User.objects.get(username='demo.manager')\n"
        "beech = Round.objects.get(ward__name='Beech Ward', status=RoundStatus.AWAITING_SIGNOFF)\n"
        "services.return_to_agreeing(round=beech, by=manager, reason='Concurrency test')\n"
        "willow = Round.objects.get(ward__name='Willow Ward', status=RoundStatus.SCORING)\n"
        "print(json.dumps({'scoring': willow.pk, 'agreeing': beech.pk}))\n",
    )
    port = _free_port()
    log = (database.parent / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{url}/health/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield {"url": url, "database": database, **json.loads(ids.strip().splitlines()[-1])}
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _signed_in(url: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/account/login/", timeout=10)
    token = CSRF.search(page.text).group(1)
    landed = session.post(
        f"{url}/account/login/",
        data={"login": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/account/login/"},
        timeout=10,
    )
    assert "Sign out" in landed.text, f"{username} could not sign in"
    return session


def _autosaves(url: str, round_id: int, username: str, number: int) -> list[tuple]:
    """Every answer of one commitment, saved one after another as fast as the server answers;
    returns (status, standard, answer, version) for each."""
    session = _signed_in(url, username)
    path = f"{url}/rounds/{round_id}/score/{number}/"
    page = session.get(path, timeout=10)
    token = session.cookies["csrftoken"]
    results = []
    for step, standard in enumerate(sorted({int(pk) for pk in ANSWER.findall(page.text)})):
        answer = str((step + number) % 5)
        response = session.post(
            path,
            data={"standard": standard, f"answer-{standard}": answer, "csrfmiddlewaretoken": token},
            headers={"X-Requested-With": "fetch", "Accept": "application/json", "Referer": path},
            timeout=30,
        )
        saved = response.status_code == 200 and response.json().get("saved")
        results.append((response.status_code, standard, answer, saved))
    return results


def _agree(url: str, round_id: int, number: int) -> int:
    session = _signed_in(url, "demo.manager")
    path = f"{url}/rounds/{round_id}/agree/{number}/"
    page = session.get(path, timeout=10)
    versions = {int(pk): value or "" for pk, value in VERSION.findall(page.text)}
    data = {"csrfmiddlewaretoken": session.cookies["csrftoken"]}
    for pk in sorted({int(pk) for pk in AGREE_FIELD.findall(page.text)}):
        data |= {
            f"s{pk}-level": "3",
            f"s{pk}-rationale": "Agreed together at the ward meeting.",
            f"s{pk}-version": versions.get(pk, ""),
        }
    response = session.post(
        path, data=data, headers={"Referer": path}, allow_redirects=False, timeout=30
    )
    return response.status_code


def test_embedded_sqlite_concurrent_autosaves_and_agreeing_lose_nothing(embedded_site):
    url = embedded_site["url"]
    with ThreadPoolExecutor(max_workers=9) as pool:
        scoring = {
            (username, number): pool.submit(
                _autosaves, url, embedded_site["scoring"], username, number
            )
            for username in SCORERS
            for number in (1, 2)
        }
        agreeing = [pool.submit(_agree, url, embedded_site["agreeing"], n) for n in (1, 2, 3)]
        saves = {
            (username, standard): (status, answer, saved)
            for (username, _number), future in scoring.items()
            for status, standard, answer, saved in future.result()
        }
        agreed = [future.result() for future in agreeing]

    assert len(saves) > 20, "the scoring pages offered too little to rate"
    assert [key for key, (status, _a, saved) in saves.items() if status != 200 or not saved] == []
    assert agreed == [302, 302, 302]

    with sqlite3.connect(embedded_site["database"]) as db:
        held = db.execute(
            "SELECT u.username, r.standard_id, r.level FROM assessments_rating r"
            " JOIN assessments_scorer s ON s.id = r.scorer_id"
            " JOIN standards_user u ON u.id = s.user_id WHERE s.round_id = ?",
            [embedded_site["scoring"]],
        ).fetchall()
    stored = {(username, standard): str(level) for username, standard, level in held}
    lost = [key for key, (_s, answer, _v) in saves.items() if stored.get(key) != answer]
    assert lost == []
