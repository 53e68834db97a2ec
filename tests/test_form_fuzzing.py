"""Bad input never causes a server error: every form on the site, fuzzed.

The forms are found, not listed. Each persona visits every named URL of the project with real
ids, every <form> on each page is parsed, and each field is sent oversized numbers, NUL bytes
and 100 KB strings while the other fields hold their rendered values. So a form added later is
covered the day it is added. Each post runs in a savepoint that is rolled back, with the
session cookie restored, so one post cannot change what the next one finds.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from urllib.parse import urljoin, urlsplit

import pytest
from allauth.account.forms import EmailAwarePasswordResetTokenGenerator
from allauth.account.utils import user_pk_to_url_str
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments import services
from reports import exports
from reports.models import JobStatus, ReportJob, ReportKind
from reports.process_changes import add_process_change
from reports.services import request_report
from standards import invitations
from standards.demo import give_demo_second_factor
from standards.models import Standard, WardMembership
from tests.assessments.builders import agree_all, agreeing_round, scoring_round
from tests.factories import (
    SiteFactory,
    TrustMembershipFactory,
    UserFactory,
    WardFactory,
    WardMembershipFactory,
)
from tests.test_urls import ALL_ROUTES, PUBLIC

FUZZ = {
    "2147483648": "2147483648",  # one past the largest 32-bit integer
    "30 digits": "123456789012345678901234567890",  # past 64 bits: SQLite cannot bind it
    "NUL byte": "a\x00b",
    "100 KB": "x" * 100 * 1024,
    "100 KB of digits": "9" * 100 * 1024,  # past Python's 4,300-digit int() limit
}
# Values a person could type that a page should show back to them after an error.
KEPT_VALUES = {"2147483648", "30 digits", "100 KB"}
# Values no box may accept: each gets an error next to the field it was typed into.
OWN_ERROR = {"NUL byte", "100 KB"}
# Sign-in answers any username it does not know, however long, with one message that does not
# say which part was wrong, so a 100 KB username gets that message rather than a field error.
OWN_ERROR_EXEMPT = {("account_login", "login")}
TEXT_INPUTS = {"text", "textarea", "email", "url", "search", "number", "tel"}
ERROR_MARKERS = ("nhsuk-error-message", "nhsuk-error-summary")
SUBMIT_TYPES = {"submit", "button", "image", "reset"}
NOT_FUZZED = {"csrfmiddlewaretoken"}  # the test client does not check it
# Django caps a formset at 1,000 forms more than its maximum whatever the count says, but
# renders them all: seconds a post, which is the admin's by design, not a server error.
FORMSET_COUNTS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
AUTOSAVE_HEADERS = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}


pytestmark = pytest.mark.slow  # `make test-fast` leaves it out


def _short(error: Exception) -> str:
    return f"{type(error).__name__}: {str(error)[:150]}"


# --- Reading forms out of a page -------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # the input type, or "textarea" / "select"
    id: str = ""
    values: list[str] = field(default_factory=list)  # as rendered: typed, checked or selected
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str
    autosave: bool
    fields: dict[str, FormField] = field(default_factory=dict)
    standards: list[str] = field(default_factory=list)  # data-standard, for autosave posts

    def add(self, name: str, kind: str, id: str = "") -> FormField:
        return self.fields.setdefault(name, FormField(name, kind, id))


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: FormField | None = None
        self.select: FormField | None = None
        self.option: tuple[str | None, bool] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.form = Form(
                method=a.get("method", "get").lower(),
                action=a.get("action", ""),
                autosave="data-autosave" in a,
            )
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        if "data-standard" in a:
            self.form.standards.append(a["data-standard"])
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            entry = self.form.add(name, kind, a.get("id", ""))
            if kind in ("checkbox", "radio"):
                entry.options.append(a.get("value", "on"))
                if "checked" in a:
                    entry.values.append(a.get("value", "on"))
            elif kind not in SUBMIT_TYPES:
                entry.values.append(a.get("value", ""))
        elif tag == "button" and name:
            self.form.add(name, "submit").options.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = self.form.add(name, "textarea", a.get("id", ""))
            self.text = []
        elif tag == "select" and name:
            self.select = self.form.add(name, "select")
        elif tag == "option" and self.select is not None:
            self.option = (a.get("value"), "selected" in a)
            self.text = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            # The HTML parser drops the newline that may follow <textarea>, as browsers do.
            self.textarea.values.append("".join(self.text).removeprefix("\n"))
            self.textarea = None
        elif tag == "option" and self.select is not None and self.option is not None:
            value, selected = self.option
            value = "".join(self.text).strip() if value is None else value
            self.select.options.append(value)
            if selected:
                self.select.values.append(value)
            self.option = None
        elif tag == "select":
            self.select = None


def parse_forms(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def plausible(entry: FormField) -> list[str]:
    """What a person would leave in a field: its rendered value, else a sensible answer, so
    the fuzzed field is usually the only thing wrong and a post reaches the services."""
    if entry.kind in ("checkbox", "file") or entry.kind in SUBMIT_TYPES:
        return entry.values
    if entry.kind in ("radio", "select"):
        return entry.values or [next((o for o in entry.options if o), "")]
    if entry.values and entry.values[0]:
        return entry.values
    if entry.kind == "hidden":
        return entry.values
    for suffix, value in (("-day", "1"), ("-month", "6"), ("-year", "2030")):
        if entry.name.endswith(suffix):
            return [value]
    if entry.kind == "url":
        return ["https://intranet.example.nhs.uk/page"]
    if entry.kind == "email":
        return ["someone@example.nhs.uk"]
    return ["Fuzz test"]


# --- The state the pages are visited in -----------------------------------------------------


@dataclass
class Site:
    personas: dict[str, object]  # name -> user; None is the signed-out visitor
    ids: dict[str, list]  # URL keyword -> real values to try


def _member_of(ward, people: dict[str, object]) -> None:
    for role, user in people.items():
        WardMembershipFactory(user=user, ward=ward, role=role)


def build_site(
    *, catalogue, trust, ward, ward_staff, ward_manager, le_partner, le_leader, qi_lead, board
) -> Site:
    """A trust with a round in every state, each with the people who act on it."""
    people = {"ward-staff": ward_staff, "ward-manager": ward_manager, "le-partner": le_partner}

    def another_ward(name: str):
        new = WardFactory(site=SiteFactory(trust=trust), name=name)
        _member_of(new, people)
        return new

    wards = [ward] + [another_ward(name) for name in ("Open", "Scoring", "Sign-off", "Signed")]
    scorers = {"staff": ward_staff, "partner": le_partner}
    agreeing = agreeing_round(ward=ward, manager=ward_manager, **scorers)
    open_round = services.open_round(
        ward=wards[1], label="2027 Q1", by=ward_manager, scorer_ids=[u.pk for u in scorers.values()]
    )
    scoring = scoring_round(ward=wards[2], manager=ward_manager, scorers=list(scorers.values()))
    first = Standard.objects.filter(edition=scoring.edition).order_by("position", "pk").first()
    services.save_rating(round=scoring, standard=first, answer="2", by=ward_staff)
    signoff = agreeing_round(ward=wards[3], manager=ward_manager, **scorers)
    agree_all(round=signoff, manager=ward_manager)
    services.finish_agreeing(round=signoff, by=ward_manager)
    signed = agreeing_round(ward=wards[4], manager=ward_manager, **scorers)
    agree_all(round=signed, manager=ward_manager)
    services.finish_agreeing(round=signed, by=ward_manager)
    services.sign_as_manager(round=signed, by=ward_manager)
    services.sign_as_leader(round=signed, decision="signed", words="", by=le_leader)

    standard = Standard.objects.filter(edition=catalogue).order_by("position", "pk").first()
    evidence = services.add_evidence(
        round=agreeing, standard=standard, kind="note", note="Safety huddle notes", by=ward_staff
    )
    action = services.create_action(
        round=agreeing,
        title="Weekly community meeting",
        owner_id=ward_manager.pk,
        due_date=datetime.date(2030, 6, 1),
        standards=[standard],
        by=ward_manager,
    )
    signed.refresh_from_db()
    job = request_report(kind=ReportKind.WARD_ASSESSMENT, round=signed, by=ward_manager)
    # Failed, so its page offers "Try again" and viewing it does not make a PDF in-process.
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="Worker lost")

    change = add_process_change(
        by=qi_lead,
        trust=trust,
        measure="overall",
        date=datetime.date(2026, 1, 5),
        note="New model of care",
    )
    superuser = UserFactory(username="admin", is_staff=True, is_superuser=True)
    give_demo_second_factor(superuser)  # staff must have one to reach the admin
    rounds = [agreeing, open_round, scoring, signoff, signed]
    trust_admin = UserFactory(username="trust-admin")
    TrustMembershipFactory(user=trust_admin, trust=trust, role="trust-admin")
    invitation = invitations.invite_person(
        by=trust_admin,
        trust=trust,
        email="invited@example.nhs.uk",
        first_name="In",
        last_name="Vited",
        ward_roles=[(ward, "ward-staff")],
        trust_roles=[],
        base_url="http://testserver/",
    )
    invitation_token, invitation.token_hash = invitations.new_token()
    invitation.save(update_fields=["token_hash"])
    return Site(
        personas={
            "signed out": None,
            "ward staff": ward_staff,
            "ward manager": ward_manager,
            "lived experience partner": le_partner,
            "lived experience leader": le_leader,
            "QI lead": qi_lead,
            "board member": board,
            "admin": superuser,
            "trust administrator": trust_admin,
        },
        ids={
            "ward_id": [w.pk for w in wards],
            "round_id": [r.pk for r in rounds],
            "trust_id": [trust.pk],
            "edition_id": [catalogue.pk],
            "number": [standard.commitment.number],
            "position": [1],
            "standard_id": [standard.pk],
            "evidence_id": [evidence.pk],
            "action_id": [action.pk],
            "job_id": [job.pk],
            "dataset": list(exports.DATASETS[:1]),
            "fmt": list(exports.FORMATS[:1]),
            "uidb64": [urlsafe_base64_encode(force_bytes(ward_staff.pk))],
            "token": [default_token_generator.make_token(ward_staff), invitation_token],
            # allauth's password reset link, and pages that need SSO or a security key set up.
            "uidb36": [user_pk_to_url_str(ward_staff)],
            "key": [EmailAwarePasswordResetTokenGenerator().make_token(ward_staff)],
            "provider_id": [],
            "pk": [],
            "site_id": [ward.site_id],
            "person_id": [ward_staff.pk],
            "membership_id": [WardMembership.objects.filter(user=ward_staff).first().pk],
            "invitation_id": [invitation.pk],
            "change_id": [change.pk],
            "app_label": sorted({m._meta.app_label for m in admin.site._registry}),
            "content_type_id": [],  # the admin's "view on site" redirect has no form
        },
    )


def _admin_model(name: str):
    """The model behind an admin URL name such as "admin:standards_ward_change"."""
    for model in admin.site._registry:
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def _route_kwargs(route: str) -> list[str]:
    """The keyword names in a path() route (<int:round_id>) or a regex one ((?P<url>...))."""
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]


def page_urls(site: Site, persona: str) -> Iterator[str]:
    """Every named URL this persona can visit, once for each combination of real ids."""
    for route, name in ALL_ROUTES:
        if name is None:
            continue
        is_admin = name.startswith("admin:")
        if persona == "signed out":
            if name not in PUBLIC:
                continue
        elif (persona == "admin") != is_admin:
            continue
        names = _route_kwargs(route)
        options = []
        for kwarg in names:
            if kwarg in ("object_id", "id") and is_admin:
                model = _admin_model(name)
                first = model._default_manager.order_by("pk").first() if model else None
                options.append([first.pk] if first else [])
            else:
                assert kwarg in site.ids, f"The fuzz test needs real values for <{kwarg}> ({name})"
                options.append(site.ids[kwarg])
        for values in product(*options):
            try:
                yield reverse(name, kwargs=dict(zip(names, values, strict=True)))
            except NoReverseMatch:  # e.g. an app label this admin route does not take
                continue


# --- Posting ----------------------------------------------------------------------------------


def _typed(batch: list[FormField]) -> bool:
    """Whether the batch has a box the person types into, whose text should come back."""
    return any(entry.kind in TEXT_INPUTS for entry in batch)


def _own_error(body: str, entry: FormField) -> bool:
    """Whether the page shows an error message for this field: the template pack gives it the
    field's id plus "-error" (for one box of a date, the id of the whole date)."""
    ids = {entry.id, entry.id.rsplit("-", 1)[0]} - {""}
    return any(f'id="{field_id}-error"' in body for field_id in ids)


def fuzzable(entry: FormField) -> bool:
    return not (
        entry.name in NOT_FUZZED
        or entry.name.endswith(FORMSET_COUNTS)
        or entry.kind == "file"  # uploads have their own checks: type by content, size limit
    )


@dataclass
class Fuzzer:
    """Visits pages as one person and fuzzes each form it has not fuzzed before."""

    client: Client
    seen: set[tuple[str, str, str]]  # (page, form action, field): shared by every persona
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    def isolated(self, method: str, url: str, data: dict, **extra):
        """One request whose database changes and session changes are both undone after."""
        cookies = self.client.cookies
        self.client.cookies = type(cookies)(cookies)
        self.requests += 1
        try:
            with transaction.atomic():
                try:
                    send = self.client.post if method == "post" else self.client.get
                    return send(url, data, **extra)
                finally:
                    transaction.set_rollback(True)
        finally:
            self.client.cookies = cookies

    def visit(self, url: str) -> None:
        self.requests += 1
        try:
            response = self.client.get(url, follow=True)
        except Exception as error:  # noqa: BLE001 - reported with the URL, not raised
            self.failures.append(f"GET {url}: {_short(error)}")
            return
        if response.status_code >= 500:
            self.failures.append(f"GET {url}: status {response.status_code}")
            return
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return
        page = response.wsgi_request.path
        for form in parse_forms(response.content.decode()):
            self.fuzz_form(page, form)

    def fuzz_form(self, page: str, form: Form) -> None:
        action = urlsplit(urljoin(page, form.action) if form.action else page).path
        try:
            page_name, action_name = resolve(page).view_name, resolve(action).view_name
        except Resolver404:
            return
        if form.autosave and form.standards:
            # The script also sends which standard it saves: one more value to fuzz.
            form.fields.setdefault(
                "standard", FormField("standard", "hidden", values=form.standards[:1])
            )
        entries = [entry for entry in form.fields.values() if fuzzable(entry)]
        if not entries:
            return  # a button that only carries the CSRF token
        base = {name: plausible(entry) for name, entry in form.fields.items()}
        base = {name: values for name, values in base.items() if values}
        # Our forms: each field on its own, then all together. The admin's forms are Django's,
        # many and slow to render, so all fields at once: each field is still cleaned.
        batches = [] if action_name.startswith("admin:") else [[entry] for entry in entries]
        for batch in [*batches, entries]:
            name = batch[0].name if len(batch) == 1 else "*"
            key = (page_name, action_name, re.sub(r"\d+", "#", name))
            if key in self.seen:
                continue
            self.seen.add(key)
            for label, value in FUZZ.items():
                data = {**base, **{entry.name: [value] for entry in batch}}
                where = f"{form.method.upper()} {action} {name}={label}"
                self.send(form, action, data, batch, label, where)
                if form.autosave:
                    self.send_autosave(form, action, data, batch, label, f"autosave {where}")

    def send(self, form: Form, action: str, data: dict, batch, label: str, where: str) -> None:
        try:
            response = self.isolated(form.method, action, data)
        except Exception as error:  # noqa: BLE001 - reported with what was sent
            self.failures.append(f"{where}: {_short(error)}")
            return
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{where}: status {status}")
        if form.method != "post" or action.startswith("/admin/"):
            return  # filters and Django's admin: no server error is the whole promise
        body = response.content.decode() if status in (200, 400) else ""
        typed = _typed(batch)
        if len(batch) == 1 and typed and label in OWN_ERROR and not _own_error(body, batch[0]):
            exempt = (resolve(action).view_name, batch[0].name) in OWN_ERROR_EXEMPT
            if not exempt:
                self.failures.append(f"{where}: no error next to the field ({status})")
        if not body:
            return  # saved, or refused with a message on the next page; 403 or 404
        if not any(marker in body for marker in ERROR_MARKERS):
            self.failures.append(f"{where}: the page came back ({status}) without an error")
        if label in KEPT_VALUES and typed and FUZZ[label] not in body:
            self.failures.append(f"{where}: what was typed is not shown back")

    def send_autosave(
        self, form: Form, action: str, data: dict, batch, label: str, where: str
    ) -> None:
        """The autosave script posts one standard at a time and reads JSON back."""
        try:
            response = self.isolated("post", action, data, **AUTOSAVE_HEADERS)
        except Exception as error:  # noqa: BLE001 - reported with what was sent
            self.failures.append(f"{where}: {_short(error)}")
            return
        if response.status_code >= 500:
            self.failures.append(f"{where}: status {response.status_code}")
        elif response.status_code == 400 and "error" not in response.json():
            self.failures.append(f"{where}: refused without saying why")
        elif response.status_code == 200 and label == "100 KB" and _typed(batch):
            self.failures.append(f"{where}: 100 KB of text accepted; give the field a limit")


@pytest.fixture
def site(
    catalogue, trust, ward, ward_staff, ward_manager, le_partner, le_leader, qi_lead, board_member
):
    return build_site(
        catalogue=catalogue,
        trust=trust,
        ward=ward,
        ward_staff=ward_staff,
        ward_manager=ward_manager,
        le_partner=le_partner,
        le_leader=le_leader,
        qi_lead=qi_lead,
        board=board_member,
    )


def test_every_form_survives_oversized_numbers_nul_bytes_and_huge_strings(site):
    seen: set[tuple[str, str, str]] = set()
    failures: list[str] = []
    for persona, user in site.personas.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        fuzzer = Fuzzer(client, seen)
        for url in page_urls(site, persona):
            fuzzer.visit(url)
        failures += [f"{persona}: {failure}" for failure in fuzzer.failures]

    # The walk must reach the forms that matter, or a broken walk would pass quietly.
    actions = {action for _page, action, _field in seen}
    assert {
        "account_login",
        "account_reset_password",
        "account_reset_password_from_key",
        "account_change_password",
        "account_emails",
        "standards:index",
        "reports:trust_dashboard",
        "assessments:round_create",
        "assessments:round_scorers",
        "assessments:close_scoring",
        "assessments:scoring_closes_on",
        "assessments:score_commitment",
        "assessments:agree_standard",
        "assessments:return_to_agreeing",
        "assessments:evidence_create",
        "assessments:action_create",
        "assessments:action_edit",
        "assessments:sign",
        "assessments:reopen",
        "admin:standards_standard_add",
        "admin:standards_wardmembership_change",
        "trust_admin:accept",
        "trust_admin:site_create",
        "trust_admin:ward_edit",
        "trust_admin:invite",
        "trust_admin:person_add_ward_role",
        "trust_admin:membership_move",
    } <= actions, sorted(actions)
    assert not failures, "\n".join(failures)
