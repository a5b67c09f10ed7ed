#!/usr/bin/env python3
"""A real Prometheus scrapes docdbd (docs/observability.md).

Starts docdbd with its HTTP endpoint on a free loopback port, writes documents through
docdbsh, starts Prometheus (Debian's package) on a temporary directory with a config that
scrapes docdbd every second, and reads docdb_operations_total back through Prometheus's
HTTP API. Both servers are stopped at the end, whatever happens.

Usage: prometheus_scrape_test.py DOCDBD DOCDBSH
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

DEADLINE_S = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check):
    """Polls check() until it returns a value, or fails after the deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        value = check()
        if value is not None:
            return value
        time.sleep(0.2)
    sys.exit(f"prometheus_scrape_test: timed out waiting for {what}")


def main():
    docdbd, docdbsh = sys.argv[1], sys.argv[2]
    if shutil.which("prometheus") is None:
        sys.exit("prometheus_scrape_test: prometheus is not installed (scripts/install-deps.sh)")
    work = tempfile.mkdtemp(prefix="docdb-prometheus-")
    processes = []
    try:
        log_path = os.path.join(work, "docdbd.log")
        data = os.path.join(work, "data")
        sock = os.path.join(work, "docdb.sock")
        with open(log_path, "w") as log:
            processes.append(subprocess.Popen(
                [docdbd, "--data-dir", data, "--socket", sock,
                 "--set", "server.metrics_listen=127.0.0.1:0"], stderr=log))

        def docdbd_port():
            with open(log_path) as log:
                m = re.search(r"/readyz on 127\.0\.0\.1:0 \(port (\d+)\)", log.read())
            return int(m.group(1)) if m and os.path.exists(sock) else None

        port = wait_for("docdbd", docdbd_port)
        subprocess.run([docdbsh, "--socket", sock, "-c", '.put a {"n":1}',
                        "-c", '.put b {"n":2}', "-c", ".get a"],
                       check=True, stdout=subprocess.DEVNULL)

        web = free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n"
                    "scrape_configs:\n  - job_name: docdbd\n"
                    f"    static_configs:\n      - targets: ['127.0.0.1:{port}']\n")
        with open(os.path.join(work, "prometheus.log"), "w") as log:
            processes.append(subprocess.Popen(
                ["prometheus", f"--config.file={config}",
                 f"--storage.tsdb.path={os.path.join(work, 'tsdb')}",
                 f"--web.listen-address=127.0.0.1:{web}"], stdout=log, stderr=log))

        query = 'docdb_operations_total{db="default",operation="put",status="ok"}'
        url = f"http://127.0.0.1:{web}/api/v1/query?" + urllib.parse.urlencode({"query": query})

        def scraped_value():
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    answer = json.load(reply)
            except OSError:
                return None  # not up yet
            results = answer.get("data", {}).get("result", [])
            return float(results[0]["value"][1]) if results else None

        value = wait_for("Prometheus to scrape docdbd", scraped_value)
        if value != 2:
            sys.exit(f"prometheus_scrape_test: Prometheus read {query} = {value}, expected 2")
        print(f"prometheus_scrape_test: Prometheus read {query} = {value}")
    finally:
        for p in reversed(processes):
            p.terminate()
        for p in processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
