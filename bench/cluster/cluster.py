#!/usr/bin/env python3
"""The cluster benchmark's driver (issue 13, part 6), started by bench/cluster/run.sh once everything is built.

A throwaway PostgreSQL, the scale benchmark's loopback source server (SOURCES sources of ITEMS items), and the real
service as `feeds serve --store postgres` nodes sharing one database, measured from outside — the source server's
request log, the nodes' HTTP surface and the database — in three runs, each on a fresh database and a fresh source server:

  1. one node: cold ingest time, polls per second, double polls (a source asked twice: nothing is due again for
     30 minutes after the ingest, so any second request during the run is a second poll for the same due time);
  2. two nodes: the same, and the same section feed from both nodes (same bytes, same ETag, 304 across);
  3. two nodes, one SIGKILLed mid-ingest: the polls it held (Quartz's fired triggers, read while it is stopped) are
     redone by the other within the failover target, every item is stored once (SOURCES x ITEMS, no duplicates), and no
     source but the ones it held is asked twice.

Prints a table against the targets; exits 0 when every target is met, 1 otherwise.
Loopback only; everything started here is stopped, and the work folder (the database's included) removed, on the way out.
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import ROOT, env_int, free_port, git_version, http_get, machine, print_load, print_results, run_to_report  # noqa: E402
SERVICE_DLL = os.path.join(ROOT, "src/Feeds.Service/bin/Release/net10.0/feeds.dll")
SOURCES_DLL = os.path.join(ROOT, "bench/scale/bin/Release/net10.0/Feeds.Bench.Scale.dll")
PG_USER = "postgres"


SOURCES = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
ITEMS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
SECTIONS = int(sys.argv[3]) if len(sys.argv) > 3 else 10
HOSTS = env_int("HOSTS", 200)
INGEST_TIMEOUT = env_int("INGEST_TIMEOUT", 600)  # per run: a loaded 2-core machine took 229 s for 2,000 sources
KILL_AT_FRACTION = float(os.environ.get("KILL_AT_FRACTION", "0.3"))  # of the sources fetched when a node is killed
KEEP = os.environ.get("CLUSTER_KEEP") == "1"

# The targets.
DOUBLE_POLLS = 0
FAILOVER_S = 20


def find_postgres_program(name):
    """On PATH or in Debian's /usr/lib/postgresql/*/bin (newest first), as the tests' PostgresServer looks."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]), reverse=True)
    return candidates[0] if candidates else None


class Postgres:
    """initdb and pg_ctl in a folder of the work folder, on a free loopback port, trust authentication; as root, run as postgres."""

    def __init__(self, work):
        self.folder = os.path.join(work, "postgres")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self.as_user = os.geteuid() == 0
        self.initdb, self.pg_ctl, self.psql = (find_postgres_program(p) for p in ("initdb", "pg_ctl", "psql"))
        if not (self.initdb and self.pg_ctl and self.psql):
            raise SystemExit("PostgreSQL's programs (initdb, pg_ctl, psql) are not on PATH or in /usr/lib/postgresql/*/bin: "
                             "apt-get install -y postgresql")
        self.started = False

    def run_as_server(self, argv):
        argv = ["runuser", "-u", PG_USER, "--", *argv] if self.as_user else argv
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")

    def start(self):
        os.makedirs(self.folder)
        if self.as_user:
            os.chmod(os.path.dirname(self.folder), 0o755)
            shutil.chown(self.folder, PG_USER)
        self.run_as_server([self.initdb, "-D", self.data, "-U", PG_USER, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"])
        # Durability is not what is measured here, and the tests' server runs the same way.
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self.run_as_server([self.pg_ctl, "start", "-D", self.data, "-w", "-t", "60", "-l", os.path.join(self.folder, "server.log"), "-o", options])
        self.started = True

    def stop(self):
        if self.started:
            self.run_as_server([self.pg_ctl, "stop", "-D", self.data, "-m", "immediate", "-w"])
            self.started = False

    def connection(self, database):
        return f"Host=127.0.0.1;Port={self.port};Username={PG_USER};Database={database}"

    def query(self, database, sql):
        """Rows of the answer, each a list of text fields."""
        out = subprocess.run([self.psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, "-d", database, "-AtF", "\t", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def scalar(self, database, sql):
        return int(self.query(database, sql)[0][0])


class Node:
    def __init__(self, name, process, url, log):
        self.name, self.process, self.url, self.log = name, process, url, log

    def node_id(self):
        with open(self.log, errors="replace") as f:
            m = re.search(r"Scheduling as cluster node (\S+):", f.read())
        return m.group(1) if m else None


class Run:
    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="feeds-cluster-")
        self.children = []
        self.results = []  # (measure, value, target, met: True/False/None)
        self.postgres = Postgres(self.work)
        self.databases = 0

    # ----- processes

    def start(self, name, argv):
        log_path = os.path.join(self.work, name + ".log")
        child = subprocess.Popen(argv, stdout=open(log_path, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)
        self.children.append(child)
        return child, log_path

    def stop(self, child):
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def stop_all(self):
        for child in reversed(self.children):
            self.stop(child)
        self.postgres.stop()

    def wait_for(self, what, condition, timeout, every=0.2):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if value := condition():
                    return value
            except (OSError, urllib.error.URLError, subprocess.CalledProcessError):
                pass
            time.sleep(every)
        raise SystemExit(f"gave up waiting for {what} after {timeout} s" + (f"; logs in {self.work}" if KEEP else " (CLUSTER_KEEP=1 keeps the logs)"))

    def result(self, measure, value, target, met):
        self.results.append((measure, value, target, met))

    # ----- one run's setting: a fresh database, a fresh source server, the nodes

    def setting(self, label, nodes):
        self.databases += 1
        self.database = f"feeds_{self.databases}"
        self.postgres.query("postgres", f"CREATE DATABASE {self.database}")
        port = free_port()
        layout = [str(port), str(HOSTS), str(SOURCES), str(ITEMS), str(SECTIONS)]
        config_text = subprocess.run(["dotnet", SOURCES_DLL, "config", *layout], capture_output=True, text=True, check=True).stdout
        config = json.loads(config_text)
        # Every node writes the same links whichever host name it is asked by, so the same data is the same bytes everywhere.
        config["publishing"] = {"baseUrl": "https://news.example.org/"}
        self.config = os.path.join(self.work, f"feeds-{self.databases}.json")
        with open(self.config, "w") as out:
            json.dump(config, out)
        self.sources, _ = self.start(f"sources-{self.databases}", ["dotnet", SOURCES_DLL, "serve", *layout])
        self.stats_url = f"http://127.1.0.1:{port}/_stats"
        self.requests_url = f"http://127.1.0.1:{port}/_requests"
        self.wait_for("the source server", lambda: http_get(self.stats_url, timeout=5)[0] == 200, 60)
        print(f"{label}: database {self.database}, {nodes} node(s)")
        started = time.time()
        self.nodes = [self.start_node(f"{self.databases}-{n + 1}") for n in range(nodes)]
        return started

    def start_node(self, name):
        url = f"http://127.0.0.1:{free_port()}"
        process, log = self.start(f"node-{name}", ["dotnet", SERVICE_DLL, "serve", "--config", self.config, "--store", "postgres",
                                                   "--connection", self.postgres.connection(self.database), "--urls", url])
        return Node(name, process, url, log)

    def end_setting(self):
        for node in self.nodes:
            self.stop(node.process)
        self.stop(self.sources)

    def stats(self):
        return json.loads(http_get(self.stats_url, timeout=10)[2])

    def request_times(self):
        """Each source's request times, in seconds since the epoch."""
        return [[t / 1000 for t in times] for times in json.loads(http_get(self.requests_url, timeout=30)[2])]

    def stored_items(self):
        return self.postgres.scalar(self.database, "SELECT count(*) FROM items WHERE source_id <> 'probe'")

    def duplicates(self):
        return self.postgres.scalar(self.database, "SELECT count(*) FROM (SELECT source_id, guid FROM items GROUP BY source_id, guid HAVING count(*) > 1) AS twice")

    def held_polls(self):
        """The source polls each node holds (fired triggers: running, or waiting for a fetch slot), by node id."""
        held = {}
        for node, source in self.postgres.query(self.database, "SELECT instance_name, job_name FROM qrtz_fired_triggers WHERE job_group = 'sources'"):
            held.setdefault(node, []).append(source)
        return held

    def wait_ingested(self, started):
        """Until every source was asked and every item is in the database; the seconds from the nodes' start."""
        expected = SOURCES * ITEMS
        deadline = started + INGEST_TIMEOUT
        last_report = time.time()
        while True:
            for node in self.nodes:
                if node.process.poll() is not None and not getattr(node, "killed", False):
                    raise SystemExit(f"node {node.name} exited during the ingest")
            stats = self.stats()
            stored = self.stored_items() if stats["fetched"] >= SOURCES else None
            now = time.time()
            if stored is not None and stored >= expected:
                return now - started, stats
            if now > deadline:
                raise SystemExit(f"ingest not done after {INGEST_TIMEOUT} s: {stats['fetched']:,} of {SOURCES:,} sources asked")
            if now - last_report >= 10:
                last_report = now
                print(f"  {now - started:5.0f} s: {stats['fetched']:>6,} of {SOURCES:,} sources asked, {stats['requests']:,} requests")
            time.sleep(0.3)

    def ingest_results(self, label, started):
        seconds, stats = self.wait_ingested(started)
        times = self.request_times()
        first = min(t[0] for t in times if t)
        last = max(t[0] for t in times if t)
        polls_per_second = SOURCES / (last - first) if last > first else float("inf")
        doubles = sum(1 for t in times if len(t) > 1)
        up = min(t[0] for t in times if t) - started
        print(f"  done after {seconds:.1f} s (first source asked {up:.1f} s after start, the last {last - started:.1f} s), "
              f"{polls_per_second:,.0f} polls/s, {doubles} source(s) asked more than once, {self.duplicates()} duplicate items")
        self.result(f"{label}: cold ingest {SOURCES:,} x {ITEMS}", f"{seconds:.1f} s from start", "", None)
        self.result(f"{label}: polls per second", f"{polls_per_second:,.0f} (first to last first request)", "", None)
        self.result(f"{label}: double polls", f"{doubles}", f"{DOUBLE_POLLS}", doubles == DOUBLE_POLLS)
        self.result(f"{label}: items stored once", f"{self.stored_items():,}, {self.duplicates()} duplicated", f"{SOURCES * ITEMS:,}, 0",
                    self.stored_items() == SOURCES * ITEMS and self.duplicates() == 0)

    # ----- the runs

    def main(self):
        print(f"cluster: {SOURCES:,} sources x {ITEMS} items in {SECTIONS} sections on {HOSTS} loopback hosts; "
              f"feeds {git_version()}; {machine()}")
        self.postgres.start()
        print(f"PostgreSQL on 127.0.0.1:{self.postgres.port} ({self.postgres.pg_ctl})")

        started = self.setting("1 node", 1)
        self.ingest_results("1 node", started)
        self.end_setting()

        started = self.setting("2 nodes", 2)
        self.ingest_results("2 nodes", started)
        self.same_feed()
        self.end_setting()

        started = self.setting("2 nodes, one SIGKILLed mid-ingest", 2)
        self.failover(started)
        self.end_setting()

    def same_feed(self):
        path = "/sections/sec0/rss"
        a, b = self.nodes
        status_a, headers_a, body_a = http_get(a.url + path)
        status_b, headers_b, body_b = http_get(b.url + path)
        etag_a, etag_b = headers_a.get("ETag"), headers_b.get("ETag")
        across = http_get(b.url + path, {"If-None-Match": etag_a})[0] if etag_a else None
        back = http_get(a.url + path, {"If-None-Match": etag_b})[0] if etag_b else None
        met = status_a == status_b == 200 and etag_a is not None and etag_a == etag_b and body_a == body_b and across == back == 304
        print(f"  {path}: node 1 {status_a} {etag_a}, node 2 {status_b} {etag_b}, same bytes {body_a == body_b}; "
              f"node 1's ETag on node 2 -> {across}, node 2's on node 1 -> {back}")
        self.result("2 nodes: same section feed", f"ETag {'same' if etag_a == etag_b else 'differs'}, bytes {'same' if body_a == body_b else 'differ'}, "
                    f"304 across {across}/{back}", "same ETag, 304", met)

    def failover(self, started):
        label = "failover"
        ids = {node.name: self.wait_for(f"node {node.name}'s cluster id", node.node_id, 60) for node in self.nodes}
        self.wait_for("the ingest under way", lambda: self.stats()["fetched"] >= SOURCES * KILL_AT_FRACTION, INGEST_TIMEOUT)
        # Stop the node holding the most polls where it stands, read what it holds, then kill it.
        held = self.held_polls()
        victim = max(self.nodes, key=lambda n: len(held.get(ids[n.name], [])))
        victim.process.send_signal(signal.SIGSTOP)
        victim_held = set(self.held_polls().get(ids[victim.name], []))
        killed_at = time.time()
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        victim.killed = True
        fetched = self.stats()["fetched"]
        print(f"  SIGKILLed node {victim.name} ({ids[victim.name]}) {killed_at - started:.1f} s after start, "
              f"{fetched:,} of {SOURCES:,} sources asked, holding {len(victim_held)} polls")

        seconds, _ = self.wait_ingested(started)
        times = self.request_times()
        index = {f"s{n:05d}": n for n in range(SOURCES)}
        held_numbers = {index[s] for s in victim_held if s in index}  # the probe source's poll aside
        redone, not_redone, doubles = [], [], 0
        for n, t in enumerate(times):
            before = [x for x in t if x < killed_at]
            after = [x for x in t if x >= killed_at]
            if n in held_numbers:
                # Held by the dead node: asked once after the kill (redone, or asked for the first time), never more.
                if after:
                    redone.append(after[0] - killed_at)
                else:
                    not_redone.append(n)
                doubles += max(0, len(before) - 1) + max(0, len(after) - 1)
            else:
                doubles += max(0, len(t) - 1)
        # A held poll the dead node had saved before it stopped (its fired trigger not yet removed) needs no redo: the
        # survivor's recovered job finds the source not due. Only one with no request after the kill and items missing is lost.
        stored_by_source = dict((source, int(count)) for source, count in self.postgres.query(
            self.database, "SELECT source_id, count(*) FROM items GROUP BY source_id"))
        saved_before = [n for n in not_redone if stored_by_source.get(f"s{n:05d}", 0) == ITEMS and len(times[n]) == 1]
        lost = [n for n in not_redone if n not in saved_before]
        for n in lost[:10]:
            asked = ", ".join(f"{t - killed_at:+.1f} s" for t in times[n]) or "never"
            print(f"    s{n:05d}, held by the dead node, not asked after the kill: asked {asked} from the kill, "
                  f"{stored_by_source.get(f's{n:05d}', 0)} items stored")
        stored, duplicates = self.stored_items(), self.duplicates()
        worst = max(redone) if redone else float("nan")
        print(f"  done after {seconds:.1f} s; the dead node's {len(held_numbers)} source polls redone "
              + (f"{min(redone):.1f} to {worst:.1f} s after the kill" if redone else "never")
              + f", {len(saved_before)} saved by it before the kill, {len(lost)} lost; {doubles} other double poll(s); {stored:,} items, {duplicates} duplicated")
        self.result(f"{label}: dead node's polls redone after", f"{worst:.1f} s at most ({len(redone)} of {len(held_numbers)}; {len(saved_before)} saved before the kill)",
                    f"< {FAILOVER_S} s", bool(redone) and not lost and worst < FAILOVER_S)
        self.result(f"{label}: double polls beyond the redone", f"{doubles}", f"{DOUBLE_POLLS}", doubles == DOUBLE_POLLS)
        self.result(f"{label}: items stored once", f"{stored:,}, {duplicates} duplicated", f"{SOURCES * ITEMS:,}, 0",
                    stored == SOURCES * ITEMS and duplicates == 0)

    # ----- report

    def report(self):
        print()
        if not self.results:
            return 1
        missed = print_results(self.results, 16)
        print_load()
        print(f"{missed} of {sum(r[3] is not None for r in self.results)} targets missed")
        return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(run_to_report(Run(), KEEP))
