"""`make bench`: build 100 wards with 20 signed rounds each, then measure the dashboards (time and
SQL queries, at 10, 100 and 300 wards, as a ratio to the sign-in page), the trust exports made as
the worker makes them, a single-ward PDF and the board pack (time and peak memory).

Run against its own database (see the Makefile's `bench` target): with --fresh it empties that
database first, and refuses to unless the database's name contains "bench".
"""

import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.models import Count, Q
from django.db.utils import OperationalError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import measures

RESULTS = Path(settings.BASE_DIR) / "bench-results"
BOARD_USER = "demo.board"
SMALL_WARD = "Willow Ward"  # one signed round (from seed_demo)
LARGE_WARD = "Oak Ward"  # a full history; the fallback when no such ward has open actions
WARD_PDF_SECONDS = 5
BOARD_PACK_SECONDS = 60
BOARD_PACK_MB = 1536
EXPORT_SECONDS = 15
EXPORT_MB = 500
# The trust dashboard at the largest size, as a multiple of the sign-in page's time.
FLOOR_RATIO = 10
SUBPROCESS_TIMEOUT = 900
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@dataclass
class Row:
    measure: str
    value: str
    bar: str = "-"
    result: str = "-"  # "pass", "fail" or "-" (information only)


def _pages(result: dict) -> str:
    # Page objects may sit in compressed object streams, where they cannot be counted.
    return f" ({result['pages']} pages)" if result.get("pages") else ""


def _mb(kilobytes: int) -> float:
    return kilobytes / 1024  # ru_maxrss is in kilobytes on Linux


class Command(BaseCommand):
    help = "Benchmark dashboards, exports and PDFs on 100 wards x 20 signed rounds."

    def add_arguments(self, parser):
        parser.add_argument("--wards", type=int, default=100)
        parser.add_argument(
            "--most-wards", type=int, default=300, help="The largest trust dashboard measured"
        )
        parser.add_argument("--dataset", default="ratings")
        parser.add_argument("--format", default="xlsx")
        parser.add_argument("--small-wards", type=int, default=10)
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument("--repeat", type=int, default=5, help="Requests per timing (median)")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="Empty the bench database first (name must say bench)",
        )
        parser.add_argument(
            "--only",
            choices=["ward-pdf", "board-pack", "trust-export"],
            help="Internal: render one PDF in this process and print its time and peak memory",
        )
        parser.add_argument("--round-id", type=int)
        parser.add_argument("--trust-id", type=int)
        parser.add_argument("--skip-pdfs", action="store_true")

    def handle(self, *args, **options):
        if options["only"]:
            return self._render_one(options)
        RESULTS.mkdir(exist_ok=True)
        # Measure as production would run: no debug query log, no template debugging.
        settings.DEBUG = False
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        if options["fresh"]:
            self._empty_database()
        rows: list[Row] = []
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("loaddata", "culture-of-care-standards", "ward-measures", verbosity=0)
        self.stdout.write("Database ready; seeding the demo trust and history...")
        call_command("seed_demo", stdout=io.StringIO())

        small = self._seed(options["small_wards"], options["rounds"], rows)
        at_small = self._dashboards(rows, options["repeat"], size=small, timed=True)
        large = self._seed(options["wards"], options["rounds"], rows)
        at_large = self._dashboards(rows, options["repeat"], size=large, timed=True)
        self._compare(rows, at_small, at_large, small, large)
        self._months_flat(rows, large)
        self._exports(rows)
        if not options["skip_pdfs"]:
            self._pdfs(rows)
        if options["most_wards"] > large:
            most = self._seed(options["most_wards"], options["rounds"], rows)
            at_most = self._dashboards(rows, options["repeat"], size=most, timed=True)
            self._flat(rows, at_small, at_most, small, most)
        rows.append(Row("Whole benchmark", f"{time.perf_counter() - started:.0f} s"))
        self._report(rows, options)

    # Setting up ------------------------------------------------------------------------------

    def _empty_database(self) -> None:
        db = settings.DATABASES["default"]
        name = str(db["NAME"])
        if "bench" not in Path(name).name.lower():
            raise CommandError(
                f"Refusing to empty database {name!r}: its name must contain 'bench'. "
                "Run `make bench`, or set BENCH_DATABASE_URL to a dedicated database."
            )
        if connection.vendor == "sqlite":
            connections.close_all()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(name + suffix).unlink(missing_ok=True)
            return
        try:
            connection.ensure_connection()
        except OperationalError:
            with connection._nodb_cursor() as cursor:  # the server's maintenance database
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        call_command("migrate", interactive=False, verbosity=0)
        # TRUNCATE, so the triggers guarding signed rounds (row deletes) do not fire.
        call_command("flush", interactive=False, verbosity=0)

    def _seed(self, wards: int, rounds: int, rows: list[Row]) -> int:
        from reports.demo_history import build_history
        from standards.demo import DEMO_TRUST
        from standards.models import Ward

        seeded = time.perf_counter()
        result = build_history(wards=wards, rounds=rounds)
        seconds = time.perf_counter() - seeded
        rows.append(
            Row(
                f"Seed {result.wards} wards x {rounds} rounds",
                f"{seconds:.1f} s ({result.wards_built} wards built, {result.rounds} rounds, "
                f"{result.agreed:,} agreed, {result.ratings:,} ratings)",
            )
        )
        self.stdout.write(f"  {rows[-1].measure}: {rows[-1].value}")
        measured = self._seed_measures()
        rows.append(
            Row(
                f"Seed ward measures, {result.wards} wards",
                f"{measured.seconds:.1f} s ({measured.rows:,} monthly figures added, "
                f"{measures.CHART_MONTHS} months a ward)",
            )
        )
        self.stdout.write(f"  {rows[-1].measure}: {rows[-1].value}")
        # The trust's real size: more than asked for when the database was not fresh.
        return Ward.objects.filter(site__trust__name=DEMO_TRUST).count()

    def _seed_measures(self):
        from reports.demo_measures import seed_measures
        from standards.demo import DEMO_TRUST
        from standards.models import Trust

        return seed_measures(trust=Trust.objects.get(name=DEMO_TRUST))

    def _months_flat(self, rows: list[Row], wards: int) -> None:
        """The trust dashboard's queries with 12 months of ward measures and with 36."""
        from reports.models import MeasureMonth

        url = self._dashboard_urls()["trust"]
        client = self._client()
        with_all = self._measure(client, url, 1)[0]
        cutoff = measures.add_months(
            measures.month_start(timezone.localdate()), -measures.CHART_MONTHS // 3
        )
        MeasureMonth.objects.filter(month__lt=cutoff).delete()
        with_fewer = self._measure(client, url, 1)[0]
        self._seed_measures()  # back to 36 months
        rows.append(
            Row(
                f"Trust dashboard with measures, {wards} wards: SQL queries",
                f"{with_fewer} with 12 months, {with_all} with {measures.CHART_MONTHS} months",
                "same",
                "pass" if with_fewer == with_all else "fail",
            )
        )

    # Measuring -------------------------------------------------------------------------------

    def _client(self) -> Client:
        from standards.models import User

        client = Client()
        client.force_login(User.objects.get(username=BOARD_USER))
        return client

    def _dashboard_urls(self) -> dict[str, str]:
        from standards.demo import DEMO_TRUST
        from standards.models import Trust, Ward

        trust = Trust.objects.get(name=DEMO_TRUST)
        small = Ward.objects.get(site__trust=trust, name=SMALL_WARD)
        large = self._large_ward(trust)
        return {
            "trust": reverse("reports:trust_dashboard", args=[trust.pk]),
            "ward-small": reverse("reports:ward_dashboard", args=[small.pk]),
            "ward-large": reverse("reports:ward_dashboard", args=[large.pk]),
        }

    def _large_ward(self, trust):
        """A ward with a full history and, like Willow Ward, open actions: like for like."""
        from assessments.models import Action
        from standards.models import Ward

        with_actions = Action.objects.open().values("ward_id")
        return (
            Ward.objects.filter(site__trust=trust, pk__in=with_actions)
            .exclude(name=SMALL_WARD)
            .annotate(signed=Count("rounds", filter=Q(rounds__status="signed")))
            .order_by("-signed", "pk")
            .first()
        ) or Ward.objects.get(site__trust=trust, name=LARGE_WARD)

    def _forget_kept_reads(self) -> None:
        """As after someone signs a round: nothing kept from earlier requests."""
        from django.core.cache import cache

        from assessments.models import RoundScore

        cache.clear()
        RoundScore.objects.update(ward_variation=None)

    def _measure(self, client: Client, url: str, repeat: int) -> tuple[int, float, int, float]:
        """(queries, median seconds, status, seconds with nothing kept) for GET url. Queries
        are counted with nothing kept, so that they compare like with like."""
        client.get(url)
        self._forget_kept_reads()
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url)
            cold = time.perf_counter() - began
        # Read now: the captured list is a view on a log the next request clears.
        count = len(queries)
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - began)
        return count, statistics.median(times), response.status_code, cold

    def _floor(self, repeat: int) -> float:
        """The sign-in page's median time, in the same process: the floor every page is
        compared with."""
        client = Client()
        url = reverse("account_login")
        client.get(url)
        times = []
        for _ in range(max(repeat, 5) * 2):
            began = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - began)
        return statistics.median(times)

    def _dashboards(self, rows: list[Row], repeat: int, *, size: int, timed: bool) -> dict:
        client = self._client()
        found = {}
        for key, url in self._dashboard_urls().items():
            if key == "ward-small" and timed:
                found[key] = self._measure(client, url, 1)
                continue
            found[key] = self._measure(client, url, repeat if timed else 1)
        floor = self._floor(repeat)
        found["floor"] = floor
        rows.append(Row(f"Sign-in page (the floor), {size} wards", f"{floor * 1000:.1f} ms"))
        if timed:
            for key, title in (("trust", "Trust dashboard"), ("ward-large", "Ward dashboard")):
                queries, seconds, status, cold = found[key]
                note = "" if status == 200 else f" (HTTP {status})"
                rows.append(
                    Row(
                        f"{title}, {size} wards: time (median of {repeat})",
                        f"{seconds * 1000:.0f} ms = {seconds / floor:.0f}x the floor{note}; "
                        f"{cold * 1000:.0f} ms = {cold / floor:.0f}x with nothing kept",
                        "-",
                        "-" if status == 200 else "fail",
                    )
                )
        return found

    def _flat(self, rows: list[Row], small: dict, most: dict, n_small: int, n_most: int) -> None:
        """The trust dashboard at the largest size: its queries as at the smallest, and its time
        within FLOOR_RATIO times the sign-in page's."""
        (q_small, *_), (q_most, seconds, *_) = small["trust"], most["trust"]
        rows.append(
            Row(
                "Trust dashboard: SQL queries (nothing kept)",
                f"{q_small} at {n_small} wards, {q_most} at {n_most} wards",
                "same at both sizes",
                "pass" if q_small == q_most else "fail",
            )
        )
        ratio = seconds / most["floor"]
        rows.append(
            Row(
                f"Trust dashboard, {n_most} wards: time / sign-in page",
                f"{ratio:.1f}x ({seconds * 1000:.0f} ms; {small['trust'][1] * 1000:.0f} ms at "
                f"{n_small} wards)",
                f"<= {FLOOR_RATIO}x",
                "pass" if ratio <= FLOOR_RATIO else "fail",
            )
        )

    def _compare(self, rows: list[Row], small: dict, large: dict, n_small: int, n_large: int):
        trust_small, trust_large = small["trust"][0], large["trust"][0]
        rows.append(
            Row(
                "Trust dashboard: SQL queries",
                f"{trust_small} at {n_small} wards, {trust_large} at {n_large} wards",
                "same at both sizes",
                "pass" if trust_small == trust_large else "fail",
            )
        )
        ward_small, ward_large = large["ward-small"][0], large["ward-large"][0]
        rows.append(
            Row(
                "Ward dashboard: SQL queries",
                f"{ward_small} with 1 signed round, {ward_large} with many, "
                f"{small['ward-large'][0]} at {n_small} wards",
                "same at both sizes",
                "pass" if ward_small == ward_large == small["ward-large"][0] else "fail",
            )
        )

    def _exports(self, rows: list[Row]) -> None:
        """Each trust export made as the worker makes it (a report job run by
        reports.services.run_job), in a process of its own for its peak memory."""
        from standards.demo import DEMO_TRUST
        from standards.models import Trust

        trust = Trust.objects.get(name=DEMO_TRUST)
        for fmt in ("xlsx", "csv"):
            made = self._subprocess(
                ["--only", "trust-export", "--trust-id", str(trust.pk), "--format", fmt]
            )
            title = f"Trust ratings export ({fmt.upper()}), made by the worker"
            if "error" in made:
                rows.append(Row(title, made["error"], f"< {EXPORT_SECONDS} s", "fail"))
                continue
            rows.append(
                Row(
                    f"{title}: time",
                    f"{made['seconds']:.1f} s, {made['bytes'] / 1e6:.1f} MB file, "
                    f"{made['rows']:,} rows",
                    f"< {EXPORT_SECONDS} s",
                    "pass" if made["seconds"] < EXPORT_SECONDS else "fail",
                )
            )
            rows.append(
                Row(
                    f"{title}: peak memory",
                    f"{made['peak_mb']:.0f} MB",
                    f"< {EXPORT_MB} MB",
                    "pass" if made["peak_mb"] < EXPORT_MB else "fail",
                )
            )

    def _pdfs(self, rows: list[Row]) -> None:
        from assessments.models import Round, RoundStatus
        from standards.demo import DEMO_TRUST
        from standards.models import Trust

        trust = Trust.objects.get(name=DEMO_TRUST)
        latest = (
            Round.objects.filter(ward__name=LARGE_WARD, ward__site__trust=trust)
            .filter(status=RoundStatus.SIGNED)
            .order_by("-signed_at")
            .first()
        )
        ward = self._subprocess(["--only", "ward-pdf", "--round-id", str(latest.pk)])
        if "error" in ward:
            rows.append(Row("Single-ward PDF: time", ward["error"], f"< {WARD_PDF_SECONDS} s", "-"))
        else:
            rows.append(
                Row(
                    "Single-ward PDF: time",
                    f"{ward['seconds']:.2f} s{_pages(ward)}",
                    f"< {WARD_PDF_SECONDS} s",
                    "pass" if ward["seconds"] < WARD_PDF_SECONDS else "fail",
                )
            )
            rows.append(Row("Single-ward PDF: peak memory", f"{ward['peak_mb']:.0f} MB"))
        pack = self._subprocess(["--only", "board-pack", "--trust-id", str(trust.pk)])
        if "error" in pack:
            rows.append(Row("Board pack: time", pack["error"], f"< {BOARD_PACK_SECONDS} s", "-"))
            rows.append(Row("Board pack: peak memory", pack["error"], "< 1.5 GB", "-"))
            return
        rows.append(
            Row(
                f"Board pack ({pack['wards']} wards, with ward measures): time",
                f"{pack['seconds']:.1f} s{_pages(pack)}",
                f"< {BOARD_PACK_SECONDS} s",
                "pass" if pack["seconds"] < BOARD_PACK_SECONDS else "fail",
            )
        )
        rows.append(
            Row(
                f"Board pack ({pack['wards']} wards, with ward measures): peak memory",
                f"{pack['peak_mb']:.0f} MB",
                "< 1.5 GB",
                "pass" if pack["peak_mb"] < BOARD_PACK_MB else "fail",
            )
        )

    def _subprocess(self, arguments: list[str]) -> dict:
        """Each PDF in a fresh process, so its peak memory is its own."""
        self.stdout.write(f"  rendering: {' '.join(arguments)}")
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench", *arguments]
        try:
            done = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
                command,
                capture_output=True,
                text=True,
                timeout=SUBPROCESS_TIMEOUT,
                check=False,
                env={**os.environ, "DJANGO_DEBUG": "false"},
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {SUBPROCESS_TIMEOUT} s"}
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if not lines:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return {"error": f"failed: {tail[:120]}"}
        return json.loads(lines[-1])

    def _export_one(self, options) -> None:
        """Runs in the child process: one trust export as a report job, made by the worker's
        own code, then its time, this process's peak memory and the file's size."""
        from assessments.models import AgreedRating, RoundStatus
        from reports import services
        from reports.models import JobStatus, ReportJob, ReportKind
        from standards.models import Trust

        trust = Trust.objects.get(pk=options["trust_id"])
        ReportJob.objects.filter(kind=ReportKind.TRUST_EXPORT, trust=trust).delete()
        job = ReportJob.objects.create(
            kind=ReportKind.TRUST_EXPORT,
            trust=trust,
            dataset=options["dataset"],
            file_format=options["format"],
            key=services.report_key(
                kind=ReportKind.TRUST_EXPORT,
                trust=trust,
                dataset=options["dataset"],
                file_format=options["format"],
            ),
        )
        began = time.perf_counter()
        services.run_job(job_id=job.pk)
        seconds = time.perf_counter() - began
        job.refresh_from_db()
        if job.status != JobStatus.DONE:
            self.stdout.write(json.dumps({"error": job.error or job.status}))
            return
        result = {
            "seconds": seconds,
            "peak_mb": _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
            "bytes": job.file.size,
            "rows": AgreedRating.objects.filter(
                round__ward__site__trust=trust, round__status=RoundStatus.SIGNED
            ).count(),
        }
        job.file.delete(save=False)
        job.delete()
        self.stdout.write(json.dumps(result))

    def _render_one(self, options) -> None:
        """Runs in the child process: render, then report time and this process's peak memory."""
        if options["only"] == "trust-export":
            return self._export_one(options)
        try:
            from reports import pdf
        except ImportError:
            self.stdout.write(json.dumps({"error": "not available yet"}))
            return
        from assessments.models import Round
        from standards.models import Trust, Ward

        result: dict = {}
        began = time.perf_counter()
        if options["only"] == "ward-pdf":
            render = getattr(pdf, "render_ward_assessment", None)
            if render is None:
                self.stdout.write(json.dumps({"error": "not available yet"}))
                return
            content = render(Round.objects.get(pk=options["round_id"]))
        else:
            render = getattr(pdf, "render_board_pack", None)
            if render is None:
                self.stdout.write(json.dumps({"error": "not available yet"}))
                return
            trust = Trust.objects.get(pk=options["trust_id"])
            result["wards"] = Ward.objects.filter(site__trust=trust).count()
            content = render(trust)
        result["seconds"] = time.perf_counter() - began
        result["peak_mb"] = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        result["bytes"] = len(content)
        result["pages"] = len(PAGE.findall(content))
        self.stdout.write(json.dumps(result))

    # Reporting -------------------------------------------------------------------------------

    def _report(self, rows: list[Row], options) -> None:
        db = connection.vendor
        header = (
            f"Culture of Care benchmark, {time.strftime('%Y-%m-%d %H:%M')}: {db}, "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"{options['wards']} wards x {options['rounds']} signed rounds"
        )
        widths = [
            max(len(getattr(r, f)) for r in [Row("Measure", "Value", "Bar", "Result"), *rows])
            for f in ("measure", "value", "bar", "result")
        ]
        titles = Row("Measure", "Value", "Bar", "Result")

        def line(row: Row) -> str:
            cells = (row.measure, row.value, row.bar, row.result)
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("")
        self.stdout.write(header)
        self.stdout.write(line(titles))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write(line(row))
        failed = [r for r in rows if r.result == "fail"]
        markdown = [
            f"# {header}",
            "",
            "| Measure | Value | Bar | Result |",
            "| --- | --- | --- | --- |",
            *(f"| {r.measure} | {r.value} | {r.bar} | {r.result} |" for r in rows),
            "",
        ]
        (RESULTS / "bench.md").write_text("\n".join(markdown))
        self.stdout.write(f"\nWritten to {RESULTS / 'bench.md'}")
        if failed:
            self.stdout.write(self.style.WARNING(f"{len(failed)} measure(s) missed their bar."))
