#!/usr/bin/env python3
"""The scale benchmark's driver (issue 17, item 6), started by bench/scale/run.sh once everything is built.

The real service, on default settings except the loopback allowlist and the per-host limits, polls SOURCES loopback
sources (the Feeds.Bench.Scale server, its own process) of ITEMS news items each in SECTIONS sections, and is measured
from outside only — its HTTP surface and /proc — so the benchmark keeps working whatever the service's insides become:

  1. cold ingest: from the service's start until every source was fetched and every poll saved;
  2. idle CPU of the service process over IDLE_SECONDS, after the ingest settled, with nothing due;
  3. working set (VmRSS) at start, after ingest, after SOAK_SECONDS of polling (every 10 s into samples.csv);
  4. wrk on /, a section page, /status (HTML and JSON), the status summary and a section feed, beside nginx serving
     the same bytes of /, the section page and the feed as static files;
  5. how late a due poll starts (a probe source on a 1-minute schedule).

Prints a table against the issue's targets; exits 0 when every target is met, 1 otherwise.
Loopback only; everything started here is stopped, and the work folder removed, on the way out.
"""
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import ROOT, env_int, free_port, git_version, http_get, machine, print_load, print_results, run_to_report  # noqa: E402
SERVICE_DLL = os.path.join(ROOT, "src/Feeds.Service/bin/Release/net10.0/feeds.dll")
SOURCES_DLL = os.path.join(ROOT, "bench/scale/bin/Release/net10.0/Feeds.Bench.Scale.dll")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def positional(index, default):
    return int(sys.argv[index]) if len(sys.argv) > index else default


SOURCES = positional(1, 20000)
ITEMS = positional(2, 20)
SECTIONS = positional(3, 10)
SOAK_SECONDS = positional(4, 0)
HOSTS = env_int("HOSTS", 200)
IDLE_SECONDS = env_int("IDLE_SECONDS", 20)
SETTLE_SECONDS = env_int("SETTLE_SECONDS", 10)
INGEST_TIMEOUT = env_int("INGEST_TIMEOUT", 1800)
WRK_THREADS = env_int("WRK_THREADS", 2)
WRK_CONNECTIONS = env_int("WRK_CONNECTIONS", 8)
WRK_SECONDS = env_int("WRK_SECONDS", 5)
WRK_TIMEOUT = env_int("WRK_TIMEOUT", 5)
PROBE_POLLS = env_int("PROBE_POLLS", 2)
STATUS_SUMMARY = os.environ.get("STATUS_SUMMARY", "/status/summary")
KEEP = os.environ.get("SCALE_KEEP") == "1"
# Polls every source every CHURN_SECONDS, each publishing an item every 1 to 5 times that: the pages are measured while
# polls keep changing them (0: the real-time catalogue, where re-polls begin half an hour after the ingest).
CHURN_SECONDS = env_int("CHURN_SECONDS", 0)

# The targets.
INGEST_ITEMS_PER_SECOND = 40000 / 10  # 2,000 x 20 items in 10 s, the same rate for any size
IDLE_CPU_PERCENT = 1.0
WORKING_SET_MB = 300
GROWTH_MB_PER_HOUR = 10  # "no growth trend": 10 MB/h would be 240 MB a day
MIN_SOAK_FOR_TREND = 1800  # judged after the soak's first quarter, which gives back what the ingest took
PAGE_RATIO = 0.5
STATUS_P99_MS = 100
SUMMARY_RPS = 500
DUE_LATENESS_S = 1.0


class Proc:
    """What /proc says about the service process."""

    def __init__(self, pid):
        self.pid = pid

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime

    def status(self, key):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def rss_mb(self):
        return self.status("VmRSS") / 1024

    def peak_mb(self):
        return self.status("VmHWM") / 1024

    def alive(self):
        return os.path.exists(f"/proc/{self.pid}")


class Sampler(threading.Thread):
    """Working set, CPU time and threads every 10 s into samples.csv, tagged with the phase of the run."""

    def __init__(self, proc, path, started):
        super().__init__(daemon=True)
        self.proc, self.path, self.started = proc, path, started
        self.phase = "start"
        self.rows = []
        self.stopped = threading.Event()

    def run(self):
        with open(self.path, "w") as out:
            out.write("seconds,phase,rss_mb,cpu_seconds,threads\n")
            while not self.stopped.is_set() and self.proc.alive():
                try:
                    row = (round(time.time() - self.started, 1), self.phase, round(self.proc.rss_mb(), 1),
                           round(self.proc.cpu_seconds(), 2), self.proc.status("Threads"))
                except OSError:
                    break
                self.rows.append(row)
                out.write(",".join(map(str, row)) + "\n")
                out.flush()
                self.stopped.wait(10)


def slope_mb_per_hour(rows):
    """Least-squares slope of the working set over time."""
    if len(rows) < 3:
        return None
    xs = [r[0] / 3600 for r in rows]
    ys = [r[2] for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else None


class Metrics:
    """Counters from the service's /metrics (Prometheus text): cheap at any number of sources, unlike /status."""

    def __init__(self, base):
        self.url = base + "/metrics"

    def read(self):
        status, _, body = http_get(self.url, timeout=30)
        totals = {}
        jobs = {}
        for line in body.decode("utf-8", "replace").splitlines():
            m = re.match(r'^(feeds_polls_total|feeds_items_new_total|feeds_job_runs_total|feeds_schedule_reads_total|feeds_store_writer_busy_seconds_total|feeds_store_commit_polls_sum|feeds_store_commit_polls_count)(\{[^}]*\})?\s+([0-9.eE+-]+)', line)
            if not m:
                continue
            name = m.group(1)
            if name == "feeds_polls_total":
                outcome = re.search(r'outcome="([^"]*)"', m.group(2) or "")
                name = "polls_" + (outcome.group(1) if outcome else "")
            elif name == "feeds_job_runs_total":
                job = re.search(r'job="([^"]*)"', m.group(2) or "")
                jobs[job.group(1) if job else ""] = float(m.group(3))
                continue
            totals[name] = totals.get(name, 0) + float(m.group(3))
        polls = sum(v for k, v in totals.items() if k.startswith("polls_") and k != "polls_not_due")
        return {"polls": polls, "failed": totals.get("polls_failed", 0), "items": totals.get("feeds_items_new_total", 0),
                "jobs": jobs, "schedule_reads": totals.get("feeds_schedule_reads_total", 0),
                "writer_busy": totals.get("feeds_store_writer_busy_seconds_total", 0),
                "commits": totals.get("feeds_store_commit_polls_count", 0), "polls_committed": totals.get("feeds_store_commit_polls_sum", 0)}


def parse_wrk(text):
    def ms(value):
        number = float(re.match(r"[0-9.]+", value).group(0))
        return number / 1000 if value.endswith("us") else number * 1000 if re.search(r"[0-9]s$", value) else \
            number * 60000 if value.endswith("m") else number

    result = {"rps": 0.0, "requests": 0, "mean_ms": None, "p99_ms": None, "errors": 0, "timeouts": 0}
    if m := re.search(r"^\s*(\d+) requests in", text, re.M):
        result["requests"] = int(m.group(1))
    if m := re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M):
        result["rps"] = float(m.group(1))
    if result["requests"] > 0:
        if m := re.search(r"^\s+Latency\s+(\S+)", text, re.M):
            result["mean_ms"] = ms(m.group(1))
        if m := re.search(r"^\s+99%\s+(\S+)", text, re.M):
            result["p99_ms"] = ms(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        result["errors"] += sum(int(g) for g in m.groups()[:3])
        result["timeouts"] = int(m.group(4))
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        result["errors"] += int(m.group(1))
    return result


class Run:
    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="feeds-scale-")
        os.chmod(self.work, 0o755)  # nginx workers read the static copies as another user
        self.children = []
        self.results = []  # (measure, value, target, met: True/False/None)
        self.wrk_rows = []

    # ----- processes

    def start(self, name, argv):
        log = open(os.path.join(self.work, name + ".log"), "w")
        child = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)
        self.children.append(child)
        return child

    def stop_all(self):
        for child in reversed(self.children):
            if child.poll() is None:
                child.terminate()
        for child in reversed(self.children):
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        nginx_pid = os.path.join(self.work, "nginx.pid")
        if os.path.exists(nginx_pid):
            try:
                os.kill(int(open(nginx_pid).read().strip()), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
            time.sleep(0.5)

    def wait_for(self, what, condition, timeout, every=0.5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if value := condition():
                    return value
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(every)
        raise SystemExit(f"gave up waiting for {what} after {timeout} s; logs in {self.work}" if KEEP else
                         f"gave up waiting for {what} after {timeout} s (SCALE_KEEP=1 keeps the logs)")

    def result(self, measure, value, target, met):
        self.results.append((measure, value, target, met))

    # ----- the run

    def main(self):
        churn = f", every source polled every {CHURN_SECONDS} s" if CHURN_SECONDS else ""
        print(f"scale: {SOURCES:,} sources x {ITEMS} items in {SECTIONS} sections on {HOSTS} loopback hosts{churn}; "
              f"feeds {git_version()}; {machine()}")
        self.sources_port, self.feeds_port, self.nginx_port = free_port(), free_port(), free_port()
        self.feeds = f"http://127.0.0.1:{self.feeds_port}"
        layout = [str(self.sources_port), str(HOSTS), str(SOURCES), str(ITEMS), str(SECTIONS), str(CHURN_SECONDS)]
        config = os.path.join(self.work, "feeds.json")
        with open(config, "w") as out:
            subprocess.run(["dotnet", SOURCES_DLL, "config", *layout], stdout=out, check=True)

        self.start("sources", ["dotnet", SOURCES_DLL, "serve", *layout])
        self.stats_url = f"http://127.1.0.1:{self.sources_port}/_stats"
        self.wait_for("the source server", lambda: http_get(self.stats_url, timeout=5)[0] == 200, 60)

        started = time.time()
        service = self.start("feeds", ["dotnet", SERVICE_DLL, "serve", "--config", config,
                                       "--db", os.path.join(self.work, "feeds.db"), "--urls", self.feeds])
        self.proc = Proc(service.pid)
        self.metrics = Metrics(self.feeds)
        self.sampler = Sampler(self.proc, os.path.join(self.work, "samples.csv"), started)
        self.sampler.start()
        self.wait_for("the service to answer HTTP", lambda: http_get(self.feeds + "/healthz/live", timeout=5)[0] == 200, 120, 0.1)
        up = time.time() - started
        rss_start = self.proc.rss_mb()
        print(f"service answers HTTP after {up:.1f} s, working set {rss_start:.0f} MB")
        self.result("working set at start", f"{rss_start:.0f} MB", "", None)

        self.sampler.phase = "ingest"
        self.ingest(started)
        self.sampler.phase = "idle"
        self.idle()
        if SOAK_SECONDS > 0:
            self.sampler.phase = "soak"
            self.soak()
        self.sampler.phase = "pages"
        self.pages()
        if PROBE_POLLS > 0:
            self.sampler.phase = "probe"
            self.probe()
        else:
            self.result("due poll starts late by", "not measured (PROBE_POLLS=0)", f"<= {DUE_LATENESS_S:g} s", None)
        self.result("peak working set (VmHWM)", f"{self.proc.peak_mb():.0f} MB", "", None)
        if not self.proc.alive():
            self.result("service still running", "no: it exited", "yes", False)

    def ingest(self, started):
        timeout_at = started + INGEST_TIMEOUT
        last_report = 0
        # The service's own CPU time over the ingest: on a shared machine the wall time says how busy the others were,
        # this says what the ingest cost.
        cpu_at_start = self.proc.cpu_seconds()
        while True:
            if not self.proc.alive():
                raise SystemExit("the service exited during the ingest; see feeds.log")
            stats = json.loads(http_get(self.stats_url, timeout=10)[2])
            counts = self.metrics.read()
            now = time.time()
            # Done when every source was fetched and the service saved as many polls as the sources answered requests.
            if stats["fetched"] >= SOURCES and counts["polls"] >= stats["requests"]:
                break
            if now > timeout_at:
                print(f"ingest not done after {INGEST_TIMEOUT} s: {stats['fetched']:,} of {SOURCES:,} fetched, {counts['polls']:,.0f} polls saved")
                self.result("cold ingest", f"not done in {INGEST_TIMEOUT} s ({stats['fetched']:,} fetched)",
                            f"<= {seconds_text(SOURCES * ITEMS / INGEST_ITEMS_PER_SECOND)} s", False)
                return
            if now - last_report >= 15:
                last_report = now
                print(f"  ingest {now - started:6.0f} s: {stats['fetched']:>6,} of {SOURCES:,} sources fetched, "
                      f"{counts['polls']:>7,.0f} polls and {counts['items']:>9,.0f} items saved, working set {self.proc.rss_mb():.0f} MB")
            time.sleep(0.5)
        seconds = now - started
        cpu = self.proc.cpu_seconds() - cpu_at_start
        rss = self.proc.rss_mb()
        all_fetched = (stats["allFetchedAt"] / 1000 - started) if stats["allFetchedAt"] else float("nan")
        first = (stats["firstRequestAt"] / 1000 - started) if stats["firstRequestAt"] else float("nan")
        print(f"ingest done after {seconds:.1f} s (first fetch at {first:.1f} s, every source fetched at {all_fetched:.1f} s): "
              f"{counts['polls']:,.0f} polls ({counts['failed']:,.0f} failed), {counts['items']:,.0f} items, working set {rss:.0f} MB, "
              f"service CPU {cpu:.1f} s, the store's writer busy {counts['writer_busy']:.1f} s, {counts['commits']:,.0f} commits; load average {os.getloadavg()[0]:.1f}")
        target = SOURCES * ITEMS / INGEST_ITEMS_PER_SECOND
        self.result(f"cold ingest, {SOURCES:,} x {ITEMS} items", f"{seconds:.1f} s ({counts['items'] / seconds:,.0f} items/s)",
                    f"<= {seconds_text(target)} s", seconds <= target)
        self.result("service CPU during the cold ingest", f"{cpu:.1f} s ({cpu / seconds / os.cpu_count():.0%} of {os.cpu_count()} cores)", "", None)
        # The saves' turns in the single writer: the part of the ingest that cannot use a second core.
        self.result("store writer busy during the cold ingest", f"{counts['writer_busy']:.1f} s ({counts['writer_busy'] / seconds:.0%} of the wall time), "
                    f"{counts['polls_committed'] / max(counts['commits'], 1):.1f} polls a commit", "", None)
        if counts["failed"]:
            self.result("polls failed during ingest", f"{counts['failed']:,.0f}", "0", False)
        self.result("working set at the end of ingest", f"{rss:.0f} MB", "", None)

    def idle(self):
        self.settle()
        # Counters are read outside the window, so reading them costs the window nothing.
        before = self.metrics.read()
        cpu0, t0 = self.proc.cpu_seconds(), time.time()
        time.sleep(IDLE_SECONDS)
        cpu1, t1 = self.proc.cpu_seconds(), time.time()
        after = self.metrics.read()
        polls = after["polls"] - before["polls"]
        probe = sum(1 for t in self.probe_times() if t0 <= t / 1000 <= t1)
        percent = 100 * (cpu1 - cpu0) / (t1 - t0)
        others = polls - probe
        note = f"; {others:.0f} other polls fell in it, so it was not idle" if others > 0 else ""
        rss = self.proc.rss_mb()
        print(f"idle: {percent:.2f}% of a core over {t1 - t0:.0f} s ({probe} probe poll(s){note}), working set {rss:.0f} MB")
        # What the schedule did in the window, from the service's own counters: the job runs and reads of due times.
        runs = {job: n - before["jobs"].get(job, 0) for job, n in after["jobs"].items() if n > before["jobs"].get(job, 0)}
        print(f"  in it: job runs {', '.join(f'{job} {n:.0f}' for job, n in sorted(runs.items())) or 'none'}; "
              f"reads of due times {after['schedule_reads'] - before['schedule_reads']:.0f}")
        self.result("working set after ingest, settled", f"{rss:.0f} MB", f"< {WORKING_SET_MB} MB", rss < WORKING_SET_MB)
        self.result(f"idle CPU ({IDLE_SECONDS} s, nothing due)", f"{percent:.2f}% of a core{' (polls ran)' if others > 0 else ''}",
                    f"< {IDLE_CPU_PERCENT:g}%", percent < IDLE_CPU_PERCENT)

    def settle(self):
        """
        Waits for the work an ingest leaves behind (the last saves, feeds rendered anew, the JIT's second pass) to end:
        at least SETTLE_SECONDS, then until a 5 s window costs under 5% of a core or no less than the window before it
        (the service's own steady state, whatever it is), for at most a minute more.
        """
        time.sleep(SETTLE_SECONDS)
        previous = None
        for _ in range(12):
            cpu0 = self.proc.cpu_seconds()
            time.sleep(5)
            percent = 100 * (self.proc.cpu_seconds() - cpu0) / 5
            if percent < 5 or (previous is not None and percent >= previous * 0.8):
                return
            print(f"  settling: {percent:.1f}% of a core over 5 s")
            previous = percent

    def soak(self):
        print(f"soak: {SOAK_SECONDS} s of polling, working set every 10 s")
        begin = time.time()
        counts0 = self.metrics.read()
        while (left := begin + SOAK_SECONDS - time.time()) > 0:
            time.sleep(min(60, left))
            counts = self.metrics.read()
            print(f"  soak {time.time() - begin:6.0f} s: {counts['polls'] - counts0['polls']:>6,.0f} polls, "
                  f"{counts['items'] - counts0['items']:>6,.0f} new items, working set {self.proc.rss_mb():.0f} MB")
        rss = self.proc.rss_mb()
        # The trend after the first quarter: in it, the collector gives back what the ingest left (460 -> 237 MB two
        # minutes into a 2,000-source soak), a fall that would hide any growth behind it. Three quarters, not the second
        # half: the working set climbs 20-30 MB between two trims 15-20 minutes apart once the re-polls run, and a half
        # hour that ends near the top of a climb read +14 MB/h on an hour whose quarters were flat (bench/README.md).
        rows = [r for r in self.sampler.rows if r[1] == "soak"]
        slope = slope_mb_per_hour(rows[len(rows) // 4:])
        quarters = [rows[len(rows) * q // 4:len(rows) * (q + 1) // 4] for q in range(4)]
        if all(quarters):
            print("working set by quarter of the soak, mean (max) MB: "
                  + ", ".join(f"{sum(r[2] for r in q) / len(q):.0f} ({max(r[2] for r in q):.0f})" for q in quarters))
        self.result(f"working set after {SOAK_SECONDS} s of polling", f"{rss:.0f} MB", f"< {WORKING_SET_MB} MB", rss < WORKING_SET_MB)
        judged = SOAK_SECONDS >= MIN_SOAK_FOR_TREND and slope is not None
        self.result("working set trend after the soak's 1st quarter", "n/a" if slope is None else f"{slope:+.1f} MB/h",
                    f"< {GROWTH_MB_PER_HOUR} MB/h" + ("" if judged else f" (judged from {MIN_SOAK_FOR_TREND} s)"),
                    slope < GROWTH_MB_PER_HOUR if judged else None)

    # ----- pages

    def wait_quiet(self):
        """Lets the service finish what the last run left (answers wrk gave up on) before the next run starts."""
        if CHURN_SECONDS > 0:
            return  # the polls never let it be quiet: each run measures the pages under them
        deadline = time.time() + 60
        while time.time() < deadline:
            cpu0 = self.proc.cpu_seconds()
            time.sleep(1)
            if self.proc.cpu_seconds() - cpu0 < 0.5:
                return

    def wrk(self, name, url, headers, feeds=True):
        if feeds:
            self.wait_quiet()
        argv = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", f"--timeout", f"{WRK_TIMEOUT}s", "--latency"]
        for key, value in headers.items():
            argv += ["-H", f"{key}: {value}"]
        out = subprocess.run(argv + [url], capture_output=True, text=True, timeout=WRK_SECONDS + WRK_TIMEOUT + 60).stdout
        result = parse_wrk(out)
        status, response_headers, body = http_get(url, headers, timeout=120)
        result.update(name=name, bytes=len(body), status=status, encoding=response_headers.get("Content-Encoding", ""))
        with open(os.path.join(self.work, "wrk.txt"), "a") as log:
            log.write(f"== {name} {url} {headers}\n{out}\n")
        self.wrk_rows.append(result)
        latency = "no complete answer" if result["requests"] == 0 else f"mean {result['mean_ms']:8.2f} ms  p99 {result['p99_ms']:8.2f} ms"
        errors = f"  errors {result['errors']}" if result["errors"] else ""
        timeouts = f"  timeouts {result['timeouts']}" if result["timeouts"] else ""
        print(f"  {name:<30} {result['rps']:>10,.0f} req/s  {latency}  {result['bytes']:>9,} B {result['encoding']:<4}{errors}{timeouts}")
        return result

    def pages(self):
        www = os.path.join(self.work, "www")
        os.makedirs(www)
        pages = {"index.html": "/", "section.html": "/sections/sec0", "feed.rss": "/sections/sec0/rss"}
        for file, path in pages.items():
            status, _, body = http_get(self.feeds + path, timeout=120)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            with open(os.path.join(www, file), "wb") as out:
                out.write(body)
            with open(os.path.join(www, file + ".gz"), "wb") as out:
                out.write(gzip.compress(body, compresslevel=9, mtime=0))
        for file in os.listdir(www):
            os.chmod(os.path.join(www, file), 0o644)
        os.chmod(www, 0o755)
        self.start_nginx(www)
        nginx = f"http://127.0.0.1:{self.nginx_port}"

        print(f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s --timeout {WRK_TIMEOUT}s (Feeds, then nginx serving the same bytes)")
        plain, gz = {}, {"Accept-Encoding": "gzip"}
        for label, path, file in (("/", "/", "index.html"), ("section page", "/sections/sec0", "section.html")):
            for encoding, headers in (("plain", plain), ("gzip", gz)):
                ours = self.wrk(f"{label} {encoding}", self.feeds + path, headers)
                theirs = self.wrk(f"  nginx {encoding}", f"{nginx}/{file}", headers, feeds=False)
                self.ratio(f"{label} ({encoding}) vs nginx", ours, theirs)
            self.conditional(label, path)

        # The first request after a quiet spell waits for a snapshot of every source (O(sources), once): timed on its own,
        # so the wrk runs measure serving the status as the feeds' runs measure serving kept feeds.
        self.wait_quiet()
        started = time.monotonic()
        http_get(self.feeds + "/status", gz, timeout=120)
        print(f"  /status first request (builds the snapshot of every source): {time.monotonic() - started:.2f} s")
        for label, headers in (("/status HTML", gz), ("/status JSON", {**gz, "Accept": "application/json"})):
            ours = self.wrk(label, self.feeds + "/status", headers)
            ok = ours["requests"] > 0 and ours["p99_ms"] < STATUS_P99_MS
            self.result(f"{label} p99", self.latency_text(ours), f"< {STATUS_P99_MS} ms", ok)

        self.wait_quiet()
        status, _, _ = http_get(self.feeds + STATUS_SUMMARY, gz, timeout=60)
        if status == 200:
            ours = self.wrk("status summary", self.feeds + STATUS_SUMMARY, gz)
            self.result(f"status summary ({STATUS_SUMMARY})", f"{ours['rps']:,.0f} req/s", f">= {SUMMARY_RPS} req/s", ours["rps"] >= SUMMARY_RPS)
        else:
            print(f"  status summary: {STATUS_SUMMARY} answered {status} (STATUS_SUMMARY=PATH names another)")
            self.result(f"status summary ({STATUS_SUMMARY})", f"not served ({status})", f">= {SUMMARY_RPS} req/s", False)

        ours = self.wrk("section feed (RSS) gzip", self.feeds + "/sections/sec0/rss", gz)
        theirs = self.wrk("  nginx gzip", f"{nginx}/feed.rss", gz, feeds=False)
        self.ratio("section feed (gzip) vs nginx", ours, theirs)

    @staticmethod
    def latency_text(result):
        if result["requests"] == 0:
            return f"no complete answer in {min(WRK_SECONDS, WRK_TIMEOUT)} s"
        return f"{result['p99_ms']:,.1f} ms ({result['rps']:,.1f} req/s)"

    def ratio(self, label, ours, theirs):
        ratio = ours["rps"] / theirs["rps"] if theirs["rps"] else 0
        self.result(label, f"{100 * ratio:.0f}% ({ours['rps']:,.0f} / {theirs['rps']:,.0f} req/s)", f">= {100 * PAGE_RATIO:.0f}%",
                    ratio >= PAGE_RATIO)

    def conditional(self, label, path):
        """The page's validators: a strong ETag, Last-Modified, and 304 to If-None-Match."""
        _, headers, _ = http_get(self.feeds + path)
        etag, last_modified = headers.get("ETag"), headers.get("Last-Modified")
        answer = http_get(self.feeds + path, {"If-None-Match": etag})[0] if etag else None
        met = bool(etag and not etag.startswith("W/") and last_modified and answer == 304)
        value = f"ETag {'strong' if etag and not etag.startswith('W/') else 'weak' if etag else 'none'}, " \
                f"Last-Modified {'yes' if last_modified else 'none'}, If-None-Match -> {answer or 'n/a'}"
        self.result(f"{label}: validators, 304", value, "strong ETag, 304", met)

    def start_nginx(self, www):
        conf = os.path.join(self.work, "nginx.conf")
        with open(conf, "w") as out:
            out.write(f"""worker_processes auto;
pid {self.work}/nginx.pid;
error_log {self.work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  types {{ text/html html; application/rss+xml rss; }}
  server {{
    listen 127.0.0.1:{self.nginx_port};
    root {www};
    gzip_static on;
    etag on;
  }}
}}
""")
        subprocess.run(["nginx", "-c", conf, "-p", self.work], check=True)
        self.wait_for("nginx", lambda: http_get(f"http://127.0.0.1:{self.nginx_port}/index.html", timeout=5)[0] == 200, 10, 0.1)

    # ----- the due-time probe

    def probe_times(self):
        return json.loads(http_get(self.stats_url, timeout=10)[2])["probeRequests"]

    def probe_due_at(self):
        """The probe source's next due time as /status JSON states it (after the poll just made was saved)."""
        _, _, body = http_get(self.feeds + "/status", {"Accept": "application/json"}, timeout=120)

        def find(node):
            if isinstance(node, dict):
                if node.get("id") == "probe":
                    dues = [node[k] for k in ("nextDueAt", "retryNotBefore") if isinstance(node.get(k), str)]
                    if dues:
                        return max(parse_time(v) for v in dues)
                return next((found for v in node.values() if (found := find(v)) is not None), None)
            if isinstance(node, list):
                return next((found for v in node if (found := find(v)) is not None), None)
            return None

        return find(json.loads(body))

    def probe(self):
        """A due poll starts within 1 s of its time: the probe's request times against the due time /status gave before."""
        print(f"probe: {PROBE_POLLS} poll(s) of a source on a 1-minute schedule, request time against its due time on /status")
        self.wait_quiet()
        lateness = []
        last = max(self.probe_times(), default=0)
        last = self.wait_for("a probe poll", lambda: max((t for t in self.probe_times() if t > last), default=None), 150)
        for _ in range(PROBE_POLLS):
            time.sleep(1)  # the poll is saved
            due = self.probe_due_at()
            if due is None:
                self.result("due poll starts late by", "not measured (no probe due time in /status JSON)", f"<= {DUE_LATENESS_S:g} s", None)
                return
            # The first request at or after the due time read (less a margin for a poll that starts early): if /status was
            # slow to answer, that poll may already have been made.
            last = self.wait_for("the next probe poll", lambda: min((t for t in self.probe_times() if t / 1000 >= due - 5), default=None), 150)
            lateness.append(last / 1000 - due)
            print(f"  due {time.strftime('%H:%M:%S', time.gmtime(due))}.{int(due % 1 * 1000):03d}, asked {lateness[-1]:+.3f} s from it")
        worst = max(lateness)
        self.result("due poll starts late by", f"{worst:.3f} s at most ({len(lateness)} polls)", f"<= {DUE_LATENESS_S:g} s",
                    -0.05 <= min(lateness) and worst <= DUE_LATENESS_S)

    # ----- report

    def report(self):
        print()
        if not self.results:
            return 1
        missed = print_results(self.results, 22)
        minutes = self.sampler.rows[::6] if hasattr(self, "sampler") else []
        print("\nworking set every minute (MB): " + " ".join(f"{r[2]:.0f}" for r in minutes))
        print_load()
        print(f"\n{missed} of {sum(r[3] is not None for r in self.results)} targets missed; samples every 10 s in "
              + (os.path.join(self.work, "samples.csv") if KEEP else "samples.csv (SCALE_KEEP=1 keeps the work folder)"))
        return 1 if missed else 0


def seconds_text(seconds):
    return f"{seconds:,.0f}" if seconds >= 10 else f"{seconds:.1f}"


def parse_time(text):
    """An ISO 8601 time as /status writes it, to seconds since the epoch."""
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


if __name__ == "__main__":
    sys.exit(run_to_report(Run(), KEEP))
