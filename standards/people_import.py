"""Bulk set-up from CSV: a trust's wards, or its people and their roles.

The same contract as `import_framework`: every line is checked first, with one message per
problem naming its line; nothing is written unless the whole file is valid. `plan_import`
only reads (it is the preview); `apply_import` plans again from the same text and writes it
all in one transaction. Existing rows are read once per file, never once per line.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from . import kept
from .csv_rows import data_rows
from .invitations import _send_invitation_emails, invitation_days, new_token
from .models import (
    Invitation,
    PeopleChange,
    PeopleHistoryEntry,
    ServiceType,
    Site,
    Trust,
    TrustMembership,
    TrustRole,
    User,
    Ward,
    WardMembership,
    WardRole,
)
from .people import MAX_BEDS, changes_yourself, ensure_trust_admin, ward_code_problem
from .selectors import forget_administered_trusts

PEOPLE_COLUMNS = ["email", "first_name", "last_name", "ward", "site", "ward_role", "trust_role"]
WARD_COLUMNS = ["site", "ward", "service_type", "beds"]
# Optional in a wards file: the ward's code, as the ward measures import names it.
WARD_OPTIONAL_COLUMNS = ["code"]
MAX_ROWS = 2000


class PeopleImportError(Exception):
    """The file is not valid; nothing was written. `errors` name the line and the problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class WardRow:
    line: int
    site: str
    name: str
    service_type: str
    beds: int | None
    ward: Ward | None = None
    changes: list[str] = field(default_factory=list)
    code: str = ""  # blank: a new ward has none, an existing one keeps its own


@dataclass
class PersonPlan:
    email: str
    first_name: str
    last_name: str
    line: int
    user: User | None = None
    ward_roles: list[tuple[Ward, str]] = field(default_factory=list)
    trust_roles: list[str] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [
            f"{WardRole(role).label} on {ward.name}, {ward.site.name}"
            for ward, role in self.ward_roles
        ] + [TrustRole(role).label for role in self.trust_roles]


@dataclass
class ImportPlan:
    kind: str = ""  # "wards" or "people"
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    new_sites: list[str] = field(default_factory=list)
    new_wards: list[WardRow] = field(default_factory=list)
    changed_wards: list[WardRow] = field(default_factory=list)
    invitations: list[PersonPlan] = field(default_factory=list)
    grants: list[PersonPlan] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(
            self.new_sites
            or self.new_wards
            or self.changed_wards
            or self.invitations
            or self.grants
        )


def _choice(value: str, choices) -> str | None:
    """A choice given by its value ("ward-staff") or its label ("Ward staff"), any case."""
    wanted = value.strip().lower()
    for choice_value, label in choices:
        if wanted in (choice_value.lower(), label.lower()):
            return choice_value
    return None


def _rows(content: str, plan: ImportPlan):
    reader = csv.DictReader(io.StringIO(content))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    if "email" in header:
        plan.kind, columns = "people", PEOPLE_COLUMNS
    elif "service_type" in header:
        plan.kind, columns = "wards", WARD_COLUMNS
    else:
        plan.errors.append(
            "Line 1: the first line must name the columns: for wards "
            f"{','.join(WARD_COLUMNS)}; for people {','.join(PEOPLE_COLUMNS)}"
        )
        return []
    missing = [c for c in columns if c not in header]
    if missing:
        plan.errors.append(f"Line 1: missing columns: {', '.join(missing)}")
        return []
    if plan.kind == "wards":
        columns = columns + [c for c in WARD_OPTIONAL_COLUMNS if c in header]
    rows = data_rows(reader, columns, plan.errors, MAX_ROWS)
    plan.rows = len(rows)
    return rows


def plan_import(*, trust: Trust, content: str, by: User | None = None) -> ImportPlan:
    """Read and check the whole file against the trust's sites, wards and people; `by`, the
    administrator importing, may not change their own roles (people.changes_yourself)."""
    plan = ImportPlan()
    rows = _rows(content, plan)
    if rows and plan.kind == "wards":
        _plan_wards(trust, rows, plan)
    elif rows:
        _plan_people(trust, rows, plan, by=by)
    return plan


def _plan_wards(trust: Trust, rows, plan: ImportPlan) -> None:
    sites = {s.name.lower(): s for s in trust.sites.all()}
    wards = {
        (w.site.name.lower(), w.name.lower()): w
        for w in Ward.objects.filter(site__trust=trust).select_related("site")
    }
    seen: dict[tuple[str, str], int] = {}
    new_sites: dict[str, str] = {}
    code_lines, code_holders = _ward_codes_after(rows, wards)
    for line, row in rows:
        where = f"Line {line}"
        problems = []
        code = row.get("code", "")
        if code:
            problem = ward_code_problem(code, holder=code_holders.get(code.lower()))
            first_line, first_ward = code_lines[code.lower()][0]
            if problem.startswith("Ward code"):  # the form's words, inside a sentence
                problem = "w" + problem[1:]
            if problem:
                problems.append(f"{where}: {problem}")
            elif first_line != line:
                problems.append(
                    f"{where}: the ward code {code} is also given to {first_ward} on line "
                    f"{first_line}: each ward needs its own code"
                )
        if not row["site"]:
            problems.append(f"{where}: enter the site's name")
        if not row["ward"]:
            problems.append(f"{where}: enter the ward's name")
        for column in ("site", "ward"):
            if len(row[column]) > 200:
                problems.append(f"{where}: the {column}'s name must be 200 characters or fewer")
        service_type = _choice(row["service_type"], ServiceType.choices)
        if service_type is None:
            problems.append(
                f"{where}: service type '{row['service_type']}' is not one of: "
                + ", ".join(ServiceType.values)
            )
        beds = None
        if row["beds"]:
            if not (row["beds"].isascii() and row["beds"].isdigit()) or not (
                1 <= int(row["beds"]) <= MAX_BEDS
            ):
                problems.append(
                    f"{where}: beds must be a whole number from 1 to {MAX_BEDS}, or left blank"
                )
            else:
                beds = int(row["beds"])
        key = (row["site"].lower(), row["ward"].lower())
        if row["site"] and row["ward"]:
            if key in seen:
                problems.append(f"{where}: {row['ward']} at {row['site']} repeats line {seen[key]}")
            else:
                seen[key] = line
        if problems:
            plan.errors += problems
            continue
        if key[0] not in sites and key[0] not in new_sites:
            new_sites[key[0]] = row["site"]
        existing = wards.get(key)
        ward_row = WardRow(
            line, row["site"], row["ward"], service_type, beds, ward=existing, code=code
        )
        if existing is None:
            plan.new_wards.append(ward_row)
            continue
        if existing.service_type != service_type:
            ward_row.changes.append(
                f"service type {existing.get_service_type_display()} to "
                f"{ServiceType(service_type).label}"
            )
        if existing.beds != beds:
            ward_row.changes.append(f"beds {existing.beds or 'not given'} to {beds or 'not given'}")
        if code and code != existing.code:
            ward_row.changes.append(f"code {existing.code or 'not given'} to {code}")
        if ward_row.changes:
            plan.changed_wards.append(ward_row)
        else:
            plan.unchanged += 1
    plan.new_sites = list(new_sites.values())


def _ward_codes_after(rows, wards: dict[tuple[str, str], Ward]):
    """The lines giving each code (lower case), and the wards that keep their codes through
    the file (those it gives no new code), so that each line is checked against the trust as
    the file would leave it: a code may move from one ward to another in one file."""
    code_lines: dict[str, list[tuple[int, str]]] = {}
    recoded: set[int] = set()
    for line, row in rows:
        code = row.get("code", "")
        if not code:
            continue
        code_lines.setdefault(code.lower(), []).append((line, row["ward"]))
        existing = wards.get((row["site"].lower(), row["ward"].lower()))
        if existing is not None:
            recoded.add(existing.pk)
    holders = {w.code.lower(): w for w in wards.values() if w.code and w.pk not in recoded}
    return code_lines, holders


def _plan_people(trust: Trust, rows, plan: ImportPlan, *, by: User | None = None) -> None:
    wards = {
        (w.site.name.lower(), w.name.lower()): w
        for w in Ward.objects.filter(site__trust=trust).select_related("site")
    }
    emails = {row["email"].lower() for _, row in rows if row["email"]}
    users = {
        u.email_lower: u
        for u in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    user_ids = [u.pk for u in users.values()]
    ward_roles_held = set(
        WardMembership.objects.filter(user_id__in=user_ids, ward__site__trust=trust).values_list(
            "user_id", "ward_id", "role"
        )
    )
    trust_roles_held = set(
        TrustMembership.objects.filter(user_id__in=user_ids, trust=trust).values_list(
            "user_id", "role"
        )
    )
    in_trust = {u for u, _, _ in ward_roles_held} | {u for u, _ in trust_roles_held}
    invited = set(
        Invitation.objects.pending()
        .filter(trust=trust)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", flat=True)
    )
    people: dict[str, PersonPlan] = {}
    seen: dict[tuple, int] = {}
    for line, row in rows:
        where = f"Line {line}"
        problems = []
        email = row["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"{where}: '{row['email']}' is not an email address")
            email = ""
        user = users.get(email)
        for column in ("first_name", "last_name"):
            name = column.replace("_", " ")
            if len(row[column]) > 150:
                problems.append(f"{where}: {name} must be 150 characters or fewer")
            elif not row[column] and (user is None or user.pk not in in_trust):
                problems.append(f"{where}: enter the person's {name}")
        if user is not None and not user.is_active:
            problems.append(f"{where}: {email} is deactivated: reactivate them first")
        if user is not None and by is not None and changes_yourself(by=by, person=user):
            problems.append(
                f"{where}: {email} is you. Nobody changes their own roles: ask another trust "
                f"administrator of {trust.name} to do it"
            )
        if email in invited:
            problems.append(
                f"{where}: {email} already has an invitation waiting: revoke it first, or add "
                "these roles after they accept"
            )
        ward_role = trust_role = None
        ward = None
        if row["ward_role"] and row["trust_role"]:
            problems.append(f"{where}: give one role a line: put the trust role on its own line")
        elif row["ward_role"]:
            ward_role = _choice(row["ward_role"], WardRole.choices)
            if ward_role is None:
                problems.append(
                    f"{where}: ward role '{row['ward_role']}' is not one of: "
                    + ", ".join(WardRole.values)
                )
            if not row["ward"] or not row["site"]:
                problems.append(f"{where}: a ward role needs the ward and its site")
            else:
                ward = wards.get((row["site"].lower(), row["ward"].lower()))
                if ward is None:
                    problems.append(
                        f"{where}: your trust has no ward called {row['ward']} at {row['site']}"
                    )
                elif not ward.is_active:
                    problems.append(f"{where}: {ward.name} at {ward.site.name} is closed")
        elif row["trust_role"]:
            trust_role = _choice(row["trust_role"], TrustRole.choices)
            if trust_role is None:
                problems.append(
                    f"{where}: trust role '{row['trust_role']}' is not one of: "
                    + ", ".join(TrustRole.values)
                )
            if row["ward"]:
                problems.append(f"{where}: leave the ward blank for a trust role")
        else:
            problems.append(f"{where}: give a ward role or a trust role")
        if not problems:
            key = (email, ward.pk if ward else None, ward_role or trust_role)
            if key in seen:
                problems.append(f"{where}: repeats line {seen[key]}")
            else:
                seen[key] = line
        person = people.get(email) if email else None
        if (
            person is not None
            and (row["first_name"], row["last_name"])
            != (
                person.first_name,
                person.last_name,
            )
            and (row["first_name"] or row["last_name"])
        ):
            problems.append(f"{where}: {email} has a different name from line {person.line}")
        if problems:
            plan.errors += problems
            continue
        if person is None:
            person = people[email] = PersonPlan(
                email, row["first_name"], row["last_name"], line, user=user
            )
        if user is not None and user.pk in in_trust:
            held = (
                (user.pk, ward.pk, ward_role) in ward_roles_held
                if ward
                else (user.pk, trust_role) in trust_roles_held
            )
            if held:
                plan.unchanged += 1
                continue
        if ward:
            person.ward_roles.append((ward, ward_role))
        else:
            person.trust_roles.append(trust_role)
    for person in people.values():
        if person.user is not None and person.user.pk in in_trust:
            if person.ward_roles or person.trust_roles:
                plan.grants.append(person)
        else:
            plan.invitations.append(person)


@transaction.atomic
def apply_import(*, by: User, trust: Trust, content: str, base_url: str) -> ImportPlan:
    """Check the file again, then write all of it in one transaction (or nothing)."""
    ensure_trust_admin(by=by, trust=trust)
    plan = plan_import(trust=trust, content=content, by=by)
    if plan.errors:
        raise PeopleImportError(plan.errors)
    now = timezone.now()
    history: list[PeopleHistoryEntry] = []

    def note(change: str, summary: str, **kwargs) -> None:
        history.append(
            PeopleHistoryEntry(
                trust=trust, by=by, at=now, change=change, summary=summary[:500], **kwargs
            )
        )

    if plan.kind == "wards":
        Site.objects.bulk_create([Site(trust=trust, name=name) for name in plan.new_sites])
        for name in plan.new_sites:
            note(PeopleChange.SITE_ADDED, f"Site {name} added (import)", after={"name": name})
        sites = {s.name.lower(): s for s in trust.sites.all()}
        Ward.objects.bulk_create(
            [
                Ward(
                    site=sites[row.site.lower()],
                    name=row.name,
                    service_type=row.service_type,
                    beds=row.beds,
                    code=row.code,
                )
                for row in plan.new_wards
            ]
        )
        for row in plan.new_wards:
            note(
                PeopleChange.WARD_ADDED,
                f"Ward {row.name} added at {row.site} (import)",
                after={
                    "name": row.name,
                    "site": row.site,
                    "service_type": row.service_type,
                    "beds": row.beds,
                    "code": row.code,
                },
            )
        for row in plan.changed_wards:
            ward = row.ward
            before = {"service_type": ward.service_type, "beds": ward.beds, "code": ward.code}
            ward.service_type, ward.beds = row.service_type, row.beds
            ward.code = row.code or ward.code
            note(
                PeopleChange.WARD_CHANGED,
                f"Ward {row.name} changed (import): {'; '.join(row.changes)}",
                before=before,
                after={"service_type": ward.service_type, "beds": ward.beds, "code": ward.code},
            )
        Ward.objects.bulk_update(
            [r.ward for r in plan.changed_wards], ["service_type", "beds", "code"]
        )
    else:
        _apply_people(by=by, trust=trust, plan=plan, now=now, note=note, base_url=base_url)
    PeopleHistoryEntry.objects.bulk_create(history, batch_size=500)
    # Written in bulk (no signals): the trust's kept pages are drawn afresh (standards/kept.py).
    kept.bump([trust.pk])
    return plan


def _apply_people(*, by, trust, plan: ImportPlan, now, note, base_url: str) -> None:
    WardMembership.objects.bulk_create(
        [
            WardMembership(user=person.user, ward=ward, role=role)
            for person in plan.grants
            for ward, role in person.ward_roles
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    TrustMembership.objects.bulk_create(
        [
            TrustMembership(user=person.user, trust=trust, role=role)
            for person in plan.grants
            for role in person.trust_roles
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    forget_administered_trusts(*(person.user.pk for person in plan.grants))
    for person in plan.grants:
        for label in person.role_labels:
            note(
                PeopleChange.ROLE_ADDED,
                f"{person.user.display_name}: {label} added (import)",
                person=person.user,
            )
    expires_at = now + datetime.timedelta(days=invitation_days())
    tokens, invitations = [], []
    for person in plan.invitations:
        token, token_hash = new_token()
        tokens.append(token)
        invitations.append(
            Invitation(
                trust=trust,
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                ward_roles=[{"ward": ward.pk, "role": role} for ward, role in person.ward_roles],
                trust_roles=list(dict.fromkeys(person.trust_roles)),
                token_hash=token_hash,
                created_by=by,
                sent_at=now,
                expires_at=expires_at,
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=500)
    for person, invitation in zip(plan.invitations, invitations, strict=True):
        note(
            PeopleChange.INVITED,
            f"{invitation.full_name} ({invitation.email}) invited (import): "
            + "; ".join(person.role_labels),
            invitation=invitation,
            after={"ward_roles": invitation.ward_roles, "trust_roles": invitation.trust_roles},
        )
    _send_invitation_emails(list(zip(invitations, tokens, strict=True)), base_url=base_url)
