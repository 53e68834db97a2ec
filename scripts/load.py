"""`make load`: the production stack of `make smoke` (gunicorn with 3 workers, a Celery worker
and beat, PostgreSQL, Redis) under 50 simulated people for 2 minutes, on loopback only:
scorers autosaving, ward managers agreeing whole commitments, board members on dashboards, and
visitors at the sign-in page (scripts/locustfile.py). It stops by itself, then prints requests a
second and p50/p95/p99 for each page, each page's p95 as a multiple of the sign-in page's, and
checks that every save the scorers were told was saved is in the database.

Bars (issue 12): no failed request; every page's p95 within 5x the sign-in page's. Throughput is
printed; set LOAD_BASELINE_RPS to a previous run's figure to check it is at least doubled, and
LOAD_APP_ROOT to another checkout (an earlier commit) to measure that one with this scenario.
LOAD_PAUSE ("1,3" seconds between each person's steps by default; "0.1,0.3" saturates the
server, to measure its capacity).

The data: a fresh database (DATABASE_URL's name + "_load") seeded with the demo trust and
LOAD_WARDS wards of LOAD_ROUNDS signed rounds (default 100 x 20); Beech Ward's round is
returned to agreeing for the managers. Needs PostgreSQL and Redis (as `make smoke`).
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import smoke  # noqa: E402 - the stack and HTTP helpers of `make smoke`

# LOAD_APP_ROOT: run another checkout of the application (an earlier commit, to compare side by
# side on the same machine) with this scenario; its static/vendor must be built.
smoke.ROOT = Path(os.environ.get("LOAD_APP_ROOT", str(ROOT))).resolve()

USERS = 50
RUN_TIME = os.environ.get("LOAD_RUN_TIME", "2m")
WEB_WORKERS = int(os.environ.get("LOAD_WEB_WORKERS", "3"))
LOAD_REDIS_DB = 12
P95_RATIO = 5.0
ACCOUNTS = ("demo.staff", "demo.staff2", "demo.partner", "demo.manager", "demo.board")
FLOOR = "sign-in page"


def say(message: str) -> None:
    print(f"load: {message}", flush=True)


def load_database_url(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "culture_of_care"
    return parts._replace(path=f"/{name}_load").geturl()


def sign_in(stack, username: str, password: str) -> dict[str, str]:
    """One session for the account (the second factor answered with the demo code)."""
    browser = smoke.Browser(stack.url)
    browser.get("/account/login/")
    landed = browser.post("/account/login/", {"login": username, "password": password})
    if "/account/2fa/authenticate/" in landed.url:
        code = stack.manage("demo_code").strip().split()[-1]
        landed = browser.post("/account/2fa/authenticate/", {"code": code})
    smoke.check(
        landed.status_code == 200 and "Sign out" in landed.text,
        f"{username} could not sign in ({landed.status_code} at {landed.url})",
    )
    return {"sessionid": browser.cookies["sessionid"], "csrftoken": browser.cookies["csrftoken"]}


def prepare(stack) -> dict:
    """The scoring round, a round being agreed, the trust and some wards, as JSON."""
    script = (
        "import json\n"
        "from assessments import services\n"
        "from assessments.models import Round, RoundStatus\n"
        "from standards.demo import DEMO_TRUST\n"
        "from standards.models import Trust, User, Ward\n"
        "trust = Trust.objects.get(name=DEMO_TRUST)\n"
        "manager = User.objects.get(username='demo.manager')\n"
        "beech = Round.objects.get(ward__name='Beech Ward', status=RoundStatus.AWAITING_SIGNOFF)\n"
        "services.return_to_agreeing(round=beech, by=manager, reason='Load test: agree again')\n"
        "scoring = Round.objects.get(ward__name='Willow Ward', status=RoundStatus.SCORING)\n"
        "wards = list(Ward.objects.filter(site__trust=trust).order_by('pk')"
        ".values_list('pk', flat=True)[:40])\n"
        "print(json.dumps({'trust': trust.pk, 'scoring_round': scoring.pk,"
        " 'agreeing_round': beech.pk, 'wards': wards}))\n"
    )
    out = stack.manage("shell", "-c", script, settings="culture_of_care.settings.base")
    return json.loads(out.strip().splitlines()[-1])


def read_stats(prefix: Path) -> list[dict]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as handle:
        return list(csv.DictReader(handle))


def report(stats: list[dict]) -> list[str]:
    """Print the table; return what missed a bar."""
    rows = [r for r in stats if r["Name"] != "Aggregated"]
    total = next(r for r in stats if r["Name"] == "Aggregated")
    floor = next((r for r in rows if r["Name"] == FLOOR), None)
    smoke.check(floor is not None, "no sign-in page requests were made")
    floor_p95 = max(float(floor["95%"]), 1.0)
    header = (
        f"{'Page':24} {'Requests':>8} {'Fails':>5} {'Req/s':>6} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'p95 / sign-in':>14}"
    )
    print(header)
    print("-" * len(header))
    missed = []
    for row in sorted(rows, key=lambda r: r["Name"]):
        ratio = float(row["95%"]) / floor_p95
        print(
            f"{row['Name']:24} {row['Request Count']:>8} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):>6.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
            f"{ratio:>13.1f}x"
        )
        if ratio > P95_RATIO:
            missed.append(f"{row['Name']}: p95 {row['95%']} ms is {ratio:.1f}x the sign-in page's")
    print("-" * len(header))
    rps = float(total["Requests/s"])
    print(
        f"{'All':24} {total['Request Count']:>8} {total['Failure Count']:>5} {rps:>6.1f} "
        f"{total['50%']:>6} {total['95%']:>6} {total['99%']:>6}   (times in ms)"
    )
    if int(total["Failure Count"]):
        missed.append(f"{total['Failure Count']} requests failed")
    baseline = os.environ.get("LOAD_BASELINE_RPS")
    if baseline and rps < 2 * float(baseline):
        missed.append(f"{rps:.1f} requests a second is not twice the baseline {baseline}")
    return missed


def acknowledged_saves_are_kept(database_url: str, scoring_round: int, acks: list[dict]) -> str:
    lost = []
    with psycopg.connect(database_url) as conn:
        for ack in acks:
            row = conn.execute(
                "SELECT r.level, r.version FROM assessments_rating r"
                " JOIN assessments_scorer s ON s.id = r.scorer_id"
                " JOIN standards_user u ON u.id = s.user_id"
                " WHERE s.round_id = %s AND u.username = %s AND r.standard_id = %s",
                [scoring_round, ack["account"], ack["standard"]],
            ).fetchone()
            expected = None if ack["answer"] == "not-sure" else int(ack["answer"])
            if row is None or row[1] != ack["version"] or row[0] != expected:
                lost.append(f"{ack} is {row} in the database")
    smoke.check(not lost, "acknowledged saves lost: " + "; ".join(lost[:5]))
    return f"all {len(acks)} acknowledged answers are in the database as acknowledged"


def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="culture-of-care-load-"))
    database_url = load_database_url(
        os.environ.get("DATABASE_URL", "").strip() or smoke.DEFAULT_DATABASE_URL
    )
    base_redis = os.environ.get("REDIS_URL", "").strip() or smoke.DEFAULT_REDIS_URL
    redis_url = urlsplit(base_redis)._replace(path=f"/{LOAD_REDIS_DB}").geturl()
    password = secrets.token_urlsafe(16)
    env = smoke.production_env(
        work, database_url=database_url, redis_url=redis_url, password=password
    )
    stack = smoke.Stack(work=work, env=env, port=smoke.free_port())
    wards, rounds = os.environ.get("LOAD_WARDS", "100"), os.environ.get("LOAD_ROUNDS", "20")
    try:
        smoke.fresh_database(database_url)
        redis.Redis.from_url(redis_url).flushdb()
        stack.manage("migrate", "--no-input")
        # An earlier checkout (LOAD_APP_ROOT) may predate the ward measures' fixture.
        fixtures = [
            name
            for name in ("culture-of-care-standards", "ward-measures")
            if (smoke.ROOT / "fixtures" / f"{name}.json").exists()
        ]
        stack.manage("loaddata", *fixtures)
        say(f"seeding the demo trust with {wards} wards x {rounds} signed rounds...")
        stack.manage(
            "seed_demo",
            "--wards",
            wards,
            "--rounds",
            rounds,
            settings="culture_of_care.settings.base",
        )
        stack.manage("collectstatic", "--no-input")
        setup = prepare(stack)
        stack.start_all(web_workers=WEB_WORKERS)
        smoke.wait_for_health(stack, smoke.Browser(stack.url))
        setup["sessions"] = {name: sign_in(stack, name, password) for name in ACCOUNTS}
        sessions_file, acks_file = work / "sessions.json", work / "acks.json"
        sessions_file.write_text(json.dumps(setup))
        say(
            f"{USERS} people for {RUN_TIME} against gunicorn ({WEB_WORKERS} workers) at {stack.url}"
        )
        prefix = work / "load"
        run = subprocess.run(
            [
                str(smoke.VENV_BIN / "locust"),
                "-f",
                str(ROOT / "scripts" / "locustfile.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                "10",
                "--run-time",
                RUN_TIME,
                "--stop-timeout",
                "10",
                "--host",
                stack.url,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=os.environ | {"LOAD_SESSIONS": str(sessions_file), "LOAD_ACKS": str(acks_file)},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        (work / "locust.log").write_text(run.stdout + run.stderr)
        smoke.check(run.returncode == 0, f"locust exited {run.returncode}: {run.stderr[-2000:]}")
        print()
        missed = report(read_stats(prefix))
        failures = work / "load_failures.csv"
        if failures.exists() and failures.read_text().count("\n") > 1:
            print(failures.read_text()[:3000])
        acks = json.loads(acks_file.read_text())
        say(acknowledged_saves_are_kept(database_url, setup["scoring_round"], acks))
        stack.check_running()
    except (smoke.SmokeFailure, subprocess.CalledProcessError) as error:
        stack.stop_all()
        say(f"FAILED: {error}")
        return 1
    finally:
        stack.stop_all()
    problems = stack.log_problems()
    if problems:
        missed.append(f"{len(problems)} errors in the process logs, first: {problems[0][:300]}")
    if missed:
        say("MISSED: " + " | ".join(missed))
        say(f"logs in {work}")
        return 1
    say(f"within the bars; {time.monotonic() - started:.0f} s in all; logs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
