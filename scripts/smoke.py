"""`make smoke`: the production build, started as the Dockerfile and docker-compose.yml start it,
driven over HTTP as people use it.

Production settings throughout (except the demo seed, which production refuses by design):
collectstatic; gunicorn with 2 workers; a Celery worker and beat; a fresh PostgreSQL database
beside DATABASE_URL's (named ..._smoke) and a Redis database of its own. Then, over HTTP:
/health/ says ok (database, broker and a worker); a member of staff signs in and rates a standard
by autosave, which is there when the page is read again; the ward manager asks for the ward PDF,
which the worker makes, and downloads it; the worker's log line for that job carries the id of
the request that asked. Then `make backup`, the report lost, every process stopped,
`make restore`, the site started again, and the same PDF downloaded. Everything started is
stopped; any error or traceback in any process's log fails the run.

Run from the project root with the virtualenv's Python. Needs PostgreSQL and Redis:
DATABASE_URL (a postgres:// address; default the local server) and REDIS_URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/culture_of_care"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
SMOKE_REDIS_DB = 11
HTTP_TIMEOUT = 30


class SmokeFailure(Exception):
    pass


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


# The stack: a database, the environment, the processes.


def smoke_database_url(url: str) -> str:
    parts = urlsplit(url)
    check(parts.scheme in {"postgres", "postgresql"}, "DATABASE_URL must be PostgreSQL")
    name = parts.path.lstrip("/") or "culture_of_care"
    return urlunsplit(parts._replace(path=f"/{name}_smoke"))


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def smoke_redis_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{SMOKE_REDIS_DB}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    work: Path
    env: dict[str, str]
    port: int
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, settings: str | None = None) -> str:
        env = dict(self.env)
        if settings:
            env["DJANGO_SETTINGS_MODULE"] = settings
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise SmokeFailure(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def start(self, name: str, command: list[str]) -> None:
        log = self.work / f"{name}-{len(self.logs.get(name, []))}.log"
        self.logs.setdefault(name, []).append(log)
        handle = log.open("wb")
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so its children stop with it
        )
        handle.close()

    def start_all(self, web_workers: int = 2) -> None:
        # As the Dockerfile's CMD and docker-compose.yml's worker and beat commands, with the
        # port and the number of web workers of this run.
        self.start(
            "web",
            [
                str(VENV_BIN / "gunicorn"),
                "culture_of_care.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(web_workers),
            ],
        )
        celery = str(VENV_BIN / "celery")
        self.start(
            "worker",
            [celery, "-A", "culture_of_care", "worker", "--loglevel=info", "--concurrency=2"],
        )
        self.start(
            "beat",
            [
                celery,
                "-A",
                "culture_of_care",
                "beat",
                "--loglevel=info",
                "--schedule",
                str(self.work / "celerybeat-schedule"),
            ],
        )

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for name, process in list(self.processes.items()):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within 30 s: killing it")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def check_running(self) -> None:
        for name, process in self.processes.items():
            check(process.poll() is None, f"{name} exited with {process.returncode}")

    def log_problems(self) -> list[str]:
        """Errors anywhere: a JSON record at ERROR or above, or a plain line that says so."""
        problems = []
        for paths in self.logs.values():
            for path in paths:
                for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                    if line.startswith("{"):
                        try:
                            record = json.loads(line)
                        except json.JSONDecodeError:
                            problems.append(f"{path.name}:{number}: not JSON: {line}")
                            continue
                        if record.get("level") in {"ERROR", "CRITICAL"}:
                            problems.append(f"{path.name}:{number}: {line}")
                    elif re.search(r"Traceback|\bERROR\b|\bCRITICAL\b|Exception", line):
                        problems.append(f"{path.name}:{number}: {line}")
        return problems

    def json_records(self, name: str) -> list[dict]:
        records = []
        for path in self.logs.get(name, []):
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    records.append(json.loads(line))
        return records


# HTTP, as a browser would: cookies kept by hand because production cookies are Secure and the
# proxy that would speak HTTPS is stood in for by X-Forwarded-Proto.


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self._task_kind: str | None = None  # a link inside a task list item is that task's
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append(dict(attrs))
        elif tag == "li":
            self._task_kind = dict(attrs).get("data-task-kind")
        elif tag == "a":
            self.links.append(dict(attrs) | {"task-kind": self._task_kind})

    def value(self, name: str) -> str:
        found = next((i.get("value") for i in self.inputs if i.get("name") == name), None)
        check(found is not None, f"no {name} on the page")
        return str(found)


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": "https://" + urlsplit(self.base).netloc,
            "User-Agent": "culture-of-care-smoke",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers | (extra or {})

    def request(
        self,
        method: str,
        path: str,
        *,
        data: dict | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = True,
    ) -> requests.Response:
        url = urljoin(self.base, path)
        for _ in range(10):
            response = requests.request(
                method,
                url,
                data=data,
                headers=self._headers(headers),
                allow_redirects=False,
                timeout=HTTP_TIMEOUT,
            )
            for cookie in response.cookies:
                if cookie.value:
                    self.cookies[cookie.name] = cookie.value
                else:
                    self.cookies.pop(cookie.name, None)
            if not follow or response.status_code not in {301, 302, 303, 307, 308}:
                return response
            url = urljoin(url, response.headers["Location"])
            method, data = "GET", None
        raise SmokeFailure(f"too many redirects from {path}")

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        return self.request(
            "POST", path, data=data | {"csrfmiddlewaretoken": self.csrf()}, **kwargs
        )

    def csrf(self) -> str:
        check("csrftoken" in self.cookies, "no CSRF cookie: read a page with a form first")
        return self.cookies["csrftoken"]

    def sign_in(self, username: str, password: str) -> None:
        form = self.get("/account/login/")
        check(form.status_code == 200, f"sign-in page: {form.status_code}")
        landed = self.post("/account/login/", {"login": username, "password": password})
        check(landed.status_code == 200, f"signing in as {username}: {landed.status_code}")
        check(
            urlsplit(landed.url).path == "/",
            f"{username} landed on {landed.url}, not the home page",
        )
        check("Sign out" in landed.text, f"{username} is not signed in")


# The journey.


def wait_for_health(stack: Stack, browser: Browser) -> dict:
    deadline = time.monotonic() + 120
    body: dict = {}
    while time.monotonic() < deadline:
        stack.check_running()
        try:
            response = browser.get("/health/")
            body = response.json()
            if body.get("status") == "ok":
                return body
        except (requests.RequestException, ValueError):
            pass
        time.sleep(1)
    raise SmokeFailure(f"/health/ never said ok: {body}")


def connections_are_reused(stack: Stack, browser: Browser) -> None:
    """Persistent connections: 30 page views open a handful of database sessions, not 30."""
    name = urlsplit(stack.env["DATABASE_URL"]).path.lstrip("/")
    sessions = "SELECT sessions FROM pg_stat_database WHERE datname = %s"
    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as conn:
        for _ in range(3):  # every web worker has its connection already
            browser.get("/health/")
        before = conn.execute(sessions, [name]).fetchone()[0]
        for _ in range(30):
            check(browser.get("/health/").status_code == 200, "/health/ failed")
        opened = conn.execute(sessions, [name]).fetchone()[0] - before
    check(opened <= 3, f"30 page views opened {opened} database sessions")
    say(f"30 page views opened {opened} new database sessions (connections are kept)")


def rate_by_autosave(stack: Stack, password: str) -> None:
    staff = Browser(stack.url)
    staff.sign_in("demo.staff", password)
    home = Page(staff.get("/").text)
    task = next((a for a in home.links if a.get("task-kind") == "rate"), None)
    check(task, "demo.staff's home page lists no round to rate")
    page_path = str(task["href"])
    page = staff.get(page_path)
    check(page.status_code == 200, f"{page_path}: {page.status_code}")
    path = urlsplit(page.url).path
    answers = [i for i in Page(page.text).inputs if str(i.get("name", "")).startswith("answer-")]
    check(answers, f"no rating on {path}")
    unrated = {str(i["name"]) for i in answers} - {
        str(i["name"]) for i in answers if "checked" in i
    }
    check(unrated, f"every standard on {path} is already rated")
    name = sorted(unrated)[0]
    standard = name.removeprefix("answer-")
    value = str(next(i["value"] for i in answers if i["name"] == name and i.get("value") != ""))
    saved = staff.post(
        path,
        {"standard": standard, name: value, f"comment-{standard}": ""},
        headers={"X-Requested-With": "fetch", "Accept": "application/json"},
    )
    check(saved.status_code == 200, f"autosave answered {saved.status_code}: {saved.text[:200]}")
    check(saved.json().get("saved") is True, f"autosave did not save: {saved.text[:200]}")
    again = Page(staff.get(path).text)
    checked = [i for i in again.inputs if i.get("name") == name and "checked" in i]
    check(
        [i.get("value") for i in checked] == [value],
        f"after autosave, {name} reads {checked} on a fresh page, not {value}",
    )
    say(f"demo.staff rated standard {standard} as {value!r} by autosave; it is there on reload")


def ward_pdf(stack: Stack, password: str) -> tuple[Browser, str, str, bytes]:
    round_id = stack.manage(
        "shell",
        "--no-imports",
        "-c",
        "from assessments.models import Round; print(Round.objects.filter("
        "status='signed', ward__name='Willow Ward').latest('pk').pk)",
    ).strip()
    manager = Browser(stack.url)
    manager.sign_in("demo.manager", password)
    manager.get(f"/rounds/{round_id}/summary/")
    request_id = f"smoke-{uuid.uuid4().hex}"
    job_page = manager.post(f"/rounds/{round_id}/report/", {}, headers={"X-Request-ID": request_id})
    check(job_page.status_code == 200, f"asking for the PDF: {job_page.status_code}")
    job_path = urlsplit(job_page.url).path
    check(re.fullmatch(r"/reports/\d+/", job_path), f"asking for the PDF landed on {job_path}")
    download = f"{job_path}download/"
    deadline = time.monotonic() + 180
    while f'href="{download}"' not in job_page.text:
        stack.check_running()
        check(time.monotonic() < deadline, f"{job_path} never offered the download")
        check("could not be made" not in job_page.text, f"{job_path} says the report failed")
        time.sleep(1)
        job_page = manager.get(job_path)
    pdf = manager.get(download)
    check(pdf.status_code == 200, f"{download}: {pdf.status_code}")
    check(pdf.headers.get("Content-Type") == "application/pdf", "the download is not a PDF")
    check(pdf.content.startswith(b"%PDF") and len(pdf.content) > 10_000, "not a real PDF")
    say(f"demo.manager asked for round {round_id}'s PDF; the worker made it ({len(pdf.content)} B)")
    return manager, download, request_id, pdf.content


def request_id_reached_the_worker(stack: Stack, request_id: str) -> None:
    asked = [r for r in stack.json_records("web") if r.get("request_id") == request_id]
    check(
        any(r.get("logger") == "culture_of_care.requests" for r in asked),
        f"no request log line with id {request_id}",
    )
    ran = [
        r
        for r in stack.json_records("worker")
        if r.get("request_id") == request_id and r.get("task") == "reports.tasks.generate_report"
    ]
    check(ran, f"the worker's generate_report line does not carry request id {request_id}")
    say(f"request id {request_id} is on the web's request line and the worker's task line")


def backup_lose_restore(
    stack: Stack, manager: Browser, download: str, original: bytes, backups: Path
) -> None:
    env = stack.env | {"BACKUP_DIR": str(backups)}
    subprocess.run(["make", "--no-print-directory", "backup"], cwd=ROOT, env=env, check=True)
    (backup,) = list(backups.iterdir())
    job_id = download.split("/")[2]
    stack.manage(
        "shell",
        "--no-imports",
        "-c",
        f"from reports.models import ReportJob; ReportJob.objects.filter(pk={job_id}).delete()",
    )
    shutil.rmtree(env["PRIVATE_STORAGE_ROOT"])
    check(manager.get(download).status_code == 404, "the report is still there after losing it")
    stack.stop_all()
    subprocess.run(
        ["make", "--no-print-directory", "restore", f"BACKUP={backup}"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    stack.start_all()
    wait_for_health(stack, manager)
    restored = manager.get(download)
    check(restored.status_code == 200, f"after restore, {download}: {restored.status_code}")
    check(
        hashlib.sha256(restored.content).digest() == hashlib.sha256(original).digest(),
        "the restored PDF differs from the one made",
    )
    say("make backup, then the report lost, then make restore: the same PDF downloads again")


def sign_in_protection(stack: Stack, password: str) -> None:
    """Issue 20's sign-in sequences on the real stack (Redis counters shared by every web worker):
    wrong codes after the right password refuse that address's codes and warn the owner by
    email, and a full sign-in with a second factor clears no address's count of failures."""
    stack.manage(
        "shell",
        "-c",
        "from standards.models import User; "
        "User.objects.filter(username='demo.leader').update(email='leader@example.nhs.uk')",
    )
    thief = Browser(stack.url)
    thief.get("/account/login/")
    landed = thief.post("/account/login/", {"login": "demo.leader", "password": password})
    check("/account/2fa/authenticate/" in landed.url, "demo.leader was not asked for a code")
    for _ in range(5):
        thief.post("/account/2fa/authenticate/", {"code": "000000"})
    refused = thief.post("/account/2fa/authenticate/", {"code": "000000"})
    check("Too many wrong codes from here" in refused.text, "wrong codes were not refused")
    warned = "your password was used with a wrong code"
    check(
        any(warned in path.read_text(errors="replace") for path in stack.logs["web"]),
        "the owner was not emailed about the wrong codes",
    )

    guesser = Browser(stack.url)
    guesser.get("/account/login/")
    for n in range(20):  # with the 5 wrong codes, 25 failures from this address
        guesser.post("/account/login/", {"login": f"guess{n % 4}", "password": "wrong"})
    person = Browser(stack.url)
    person.get("/account/login/")
    person.post("/account/login/", {"login": "demo.qi", "password": password})
    code = stack.manage("demo_code").strip().split()[-1]
    home = person.post("/account/2fa/authenticate/", {"code": code})
    check("Sign out" in home.text, "demo.qi could not sign in with a second factor")
    pages = [
        guesser.post("/account/login/", {"login": f"other{n}", "password": "wrong"}).text
        for n in range(20)
    ]
    check(
        "Too many failed attempts to sign in from here" in pages[-1],
        "a second factor's success cleared the address's count of failures",
    )
    say("sign-in protection: wrong codes refused and reported, an MFA sign-in cleared nothing")

    # Password reset: the same path in the request; the worker writes both emails.
    asker = Browser(stack.url)
    for email in ("leader@example.nhs.uk", "nobody@example.nhs.uk"):
        asker.get("/account/password/reset/")
        done = asker.post("/account/password/reset/", {"email": email})
        check(done.status_code == 200, f"password reset for {email}: {done.status_code}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        worker = "".join(p.read_text(errors="replace") for p in stack.logs["worker"])
        if "/account/password/reset/key/" in worker and "no account uses it" in worker:
            break
        time.sleep(1)
    else:
        raise SmokeFailure("the worker did not write both password reset emails")
    say("password reset: both addresses queued the same work; the worker wrote both emails")


def production_env(work: Path, *, database_url: str, redis_url: str, password: str) -> dict:
    """The environment of every process of the stack: production settings on these databases,
    files under `work`, the demo people's password; nothing of the caller's own settings."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SENTRY_", "OIDC_"))
    } | {
        "DJANGO_SETTINGS_MODULE": "culture_of_care.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PRIVATE_STORAGE_ROOT": str(work / "private"),
        "STATIC_ROOT": str(work / "static"),
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "DEMO_PASSWORD": password,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
    }


def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="culture-of-care-smoke-"))
    database_url = smoke_database_url(
        os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    )
    redis_url = smoke_redis_url(os.environ.get("REDIS_URL", "").strip() or DEFAULT_REDIS_URL)
    password = secrets.token_urlsafe(16)
    env = production_env(work, database_url=database_url, redis_url=redis_url, password=password)
    stack = Stack(work=work, env=env, port=free_port())
    try:
        fresh_database(database_url)
        redis.Redis.from_url(redis_url).flushdb()
        say(f"database {urlsplit(database_url).path[1:]}, Redis db {SMOKE_REDIS_DB}, in {work}")
        stack.manage("migrate", "--no-input")
        stack.manage("loaddata", "culture-of-care-standards", "ward-measures")
        # Production refuses the demo people (shared password, published second-factor secret).
        stack.manage("seed_demo", settings="culture_of_care.settings.base")
        stack.manage("collectstatic", "--no-input")
        say("migrated, standards and demo trust loaded, static files collected")
        stack.start_all()
        browser = Browser(stack.url)
        health = wait_for_health(stack, browser)
        say(f"/health/: {health}")
        connections_are_reused(stack, browser)
        css = re.search(r'href="(/static/[^"]+\.css)"', browser.get("/account/login/").text)
        check(css, "the sign-in page links no stylesheet")
        check(browser.get(css.group(1)).status_code == 200, f"{css.group(1)} is not served")
        rate_by_autosave(stack, password)
        manager, download, request_id, pdf = ward_pdf(stack, password)
        request_id_reached_the_worker(stack, request_id)
        backup_lose_restore(stack, manager, download, pdf, work / "backups")
        sign_in_protection(stack, password)  # last: it fills this address's count of failures
        stack.check_running()
    except (SmokeFailure, subprocess.CalledProcessError, requests.RequestException) as error:
        stack.stop_all()
        say(f"FAILED: {error}")
        for paths in stack.logs.values():
            for path in paths:
                tail = path.read_text(errors="replace").splitlines()[-25:]
                print(f"---- {path.name} (last 25 lines)\n" + "\n".join(tail), flush=True)
        return 1
    finally:
        stack.stop_all()
    problems = stack.log_problems()
    if problems:
        say("FAILED: errors in the process logs:")
        print("\n".join(problems[:50]), flush=True)
        return 1
    say(f"passed in {time.monotonic() - started:.0f} s; logs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
