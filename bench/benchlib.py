"""What the benchmark drivers (bench/scale/scale.py, bench/cluster/cluster.py) share: settings from the environment,
loopback ports and requests, where and on what the run happened, and running a Run to its report whatever happens."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def env_int(name, default):
    return int(os.environ.get(name, default))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, headers=None, timeout=60):
    """(status, headers, body); the body as sent (not decompressed), so its length is the bytes on the wire."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def git_version():
    """The commit the service was built from (the last one that changed src/) and the checkout's own."""
    def git(*args):
        return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True).stdout.strip()
    try:
        src, head = git("log", "-1", "--format=%h", "--", "src"), git("rev-parse", "--short", "HEAD")
        dirty = " + uncommitted changes" if git("status", "--porcelain", "--", "src") else ""
        return f"src at {src}{dirty} (checkout {head})"
    except OSError:
        return "unknown"


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores ({model}), load average {os.getloadavg()[0]:.1f}"


def print_results(results, target_width):
    """The results table (measure, measured, target, met or not or None for a figure without a target); returns how many
    targets were missed."""
    width = max(len(r[0]) for r in results)
    vwidth = max(len(r[1]) for r in results)
    print(f"{'measure':<{width}}  {'measured':<{vwidth}}  {'target':<{target_width}} met")
    for measure, value, target, met in results:
        print(f"{measure:<{width}}  {value:<{vwidth}}  {target:<{target_width}} {'' if met is None else 'yes' if met else 'NO'}")
    return sum(r[3] is False for r in results)


def print_load():
    """The load average at the end, and whether other work shared the cores."""
    load = os.getloadavg()[0]
    print(f"load average at the end {load:.1f}" + (f" (above {os.cpu_count()}: other work shared the cores)" if load > os.cpu_count() else ""))


def run_to_report(run, keep):
    """Runs run.main() and returns run.report()'s exit code. A run stopped by a string SystemExit is reported as stopped
    early; SIGTERM (and Ctrl+C) unwind through the finally, so nothing the run started outlives it."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    code = 1
    try:
        try:
            run.main()
        except SystemExit as stop:
            if not isinstance(stop.code, str):
                raise
            print(stop.code)
            run.result("the run", "stopped early", "completes", False)
        code = run.report()
    finally:
        run.stop_all()
        if keep:
            print(f"kept {run.work}")
        else:
            shutil.rmtree(run.work, ignore_errors=True)
    return code
