"""The `make load` scenario (scripts/load.py starts the stack and runs this): scorers autosaving,
ward managers agreeing whole commitments, board members reading dashboards, and people arriving
at the sign-in page (the floor every page is compared with).

Signing in is done once per demo account by scripts/load.py (a second-factor code is accepted
once, and sign-in is rate limited per address); every simulated person of an account shares its
session, which LOAD_SESSIONS (a JSON file) gives. Production cookies are Secure and the proxy is
stood in for by X-Forwarded-Proto, so cookies are sent by hand.

Each simulated scorer owns its own standards (no two write the same answer of one account), and
each simulated manager its own commitments, so every acknowledged save has one writer: the
scorers' acknowledged answers are written to LOAD_ACKS when the run ends, for scripts/load.py to
find every one of them in the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections import defaultdict
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

SETTINGS = json.loads(open(os.environ["LOAD_SESSIONS"]).read())  # noqa: SIM115, PTH123
# Each simulated person's pause between steps, in seconds ("1,3" by default: people reading;
# "0.1,0.3" keeps the server saturated, to measure its capacity).
PAUSE = between(*(float(x) for x in os.environ.get("LOAD_PAUSE", "1,3").split(",")))
FETCH = {"X-Requested-With": "fetch", "Accept": "application/json"}
ANSWER = re.compile(r'name="answer-(\d+)"')
AGREE_FIELD = re.compile(r'name="s(\d+)-level"')
VERSION = re.compile(r'name="s(\d+)-version"(?: value="(\d*)")?')
ANSWERS = ["0", "1", "2", "3", "4", "not-sure"]
# Acknowledged saves: (account, standard id) to (version, answer), the latest by version.
ACKNOWLEDGED: dict[tuple[str, int], tuple[int, str]] = {}
_counters: dict[str, itertools.count] = defaultdict(itertools.count)


def _slot(kind: str) -> int:
    """This simulated person's number among those of its kind (0, 1, 2, ...)."""
    return next(_counters[kind])


class Person(HttpUser):
    abstract = True
    wait_time = PAUSE
    account = ""

    def on_start(self) -> None:
        host = urlsplit(self.host).netloc
        self.headers = {"X-Forwarded-Proto": "https", "Origin": f"https://{host}"}
        session = SETTINGS["sessions"][self.account]
        self.cookie = f"sessionid={session['sessionid']}; csrftoken={session['csrftoken']}"
        self.csrf = session["csrftoken"]

    def get(self, path: str, name: str):
        return self.client.get(path, name=name, headers=self.headers | {"Cookie": self.cookie})

    def post(self, path: str, data: dict, name: str, headers: dict | None = None):
        return self.client.post(
            path,
            data=data | {"csrfmiddlewaretoken": self.csrf},
            name=name,
            headers=self.headers | {"Cookie": self.cookie} | (headers or {}),
            allow_redirects=False,
        )


class Visitor(HttpUser):
    """Someone arriving at the sign-in page: the floor."""

    fixed_count = 5
    wait_time = PAUSE

    @task
    def sign_in_page(self) -> None:
        self.client.get(
            "/account/login/", name="sign-in page", headers={"X-Forwarded-Proto": "https"}
        )


class Scorer(Person):
    """Rates their own share of a commitment's standards by autosave, reading the page first."""

    fixed_count = 24
    accounts = ("demo.staff", "demo.staff2", "demo.partner")

    def on_start(self) -> None:
        slot = _slot("scorer")
        self.account = self.accounts[slot % len(self.accounts)]
        self.share = slot // len(self.accounts)  # this person's share of the account's answers
        self.shares = self.fixed_count // len(self.accounts)
        super().on_start()
        self.round_id = SETTINGS["scoring_round"]
        self.versions: dict[int, int] = {}

    @task
    def rate(self) -> None:
        number = random.randint(1, 12)  # noqa: S311 - a load scenario, not security
        page = self.get(f"/rounds/{self.round_id}/score/{number}/", "scoring page")
        mine = [int(pk) for pk in ANSWER.findall(page.text) if int(pk) % self.shares == self.share]
        for standard in sorted(set(mine))[:2]:
            answer = random.choice(ANSWERS)  # noqa: S311
            data = {"standard": standard, f"answer-{standard}": answer}
            if standard in self.versions:
                data[f"version-{standard}"] = self.versions[standard]
            with self.client.post(
                f"/rounds/{self.round_id}/score/{number}/",
                data=data | {"csrfmiddlewaretoken": self.csrf},
                name="autosave",
                headers=self.headers | {"Cookie": self.cookie} | FETCH,
                catch_response=True,
            ) as saved:
                if saved.status_code != 200 or not saved.json().get("saved"):
                    saved.failure(f"{saved.status_code}: {saved.text[:200]}")
                    continue
                version = saved.json()["version"]
                self.versions[standard] = version
                key = (self.account, standard)
                if version >= ACKNOWLEDGED.get(key, (0, ""))[0]:
                    ACKNOWLEDGED[key] = (version, answer)


class Manager(Person):
    """Agrees their own commitments of the round being agreed, a whole commitment a save."""

    fixed_count = 6
    account = "demo.manager"

    def on_start(self) -> None:
        self.share = _slot("manager")
        super().on_start()
        self.round_id = SETTINGS["agreeing_round"]
        self.mine = [n for n in range(1, 13) if n % self.fixed_count == self.share]

    @task(3)
    def agree(self) -> None:
        number = random.choice(self.mine)  # noqa: S311
        path = f"/rounds/{self.round_id}/agree/{number}/"
        page = self.get(path, "agreeing page")
        versions = {int(pk): value or "" for pk, value in VERSION.findall(page.text)}
        data: dict[str, str] = {}
        for pk in sorted({int(pk) for pk in AGREE_FIELD.findall(page.text)}):
            data[f"s{pk}-level"] = random.choice(["2", "3"])  # noqa: S311
            data[f"s{pk}-rationale"] = "Agreed together at the ward meeting (load test)."
            data[f"s{pk}-version"] = versions.get(pk, "")
        with self.client.post(
            path,
            data=data | {"csrfmiddlewaretoken": self.csrf},
            name="agree a commitment",
            headers=self.headers | {"Cookie": self.cookie},
            allow_redirects=False,
            catch_response=True,
        ) as saved:
            if saved.status_code != 302:
                saved.failure(f"{saved.status_code}: {saved.text[:200]}")

    @task(1)
    def overview(self) -> None:
        self.get(f"/rounds/{self.round_id}/agree/", "agreeing overview")


class BoardMember(Person):
    """Reads the trust dashboard, a ward's dashboard and the home page."""

    fixed_count = 15
    account = "demo.board"

    def on_start(self) -> None:
        super().on_start()
        self.trust_id = SETTINGS["trust"]
        self.wards = SETTINGS["wards"]

    @task(3)
    def trust_dashboard(self) -> None:
        self.get(f"/trusts/{self.trust_id}/dashboard/", "trust dashboard")

    @task(2)
    def ward_dashboard(self) -> None:
        ward = random.choice(self.wards)  # noqa: S311
        self.get(f"/wards/{ward}/dashboard/", "ward dashboard")

    @task(1)
    def home(self) -> None:
        self.get("/", "home page")


@events.quitting.add_listener
def _write_acknowledged(environment, **kwargs) -> None:
    with open(os.environ["LOAD_ACKS"], "w") as out:  # noqa: PTH123
        json.dump(
            [
                {"account": account, "standard": standard, "version": version, "answer": answer}
                for (account, standard), (version, answer) in sorted(ACKNOWLEDGED.items())
            ],
            out,
        )
