#!/usr/bin/env python3
"""The benchmark: how the service's reads and writes cost as the knowledge base grows, against
PostgreSQL running the very same SQL, and against Datasette serving the same records.

On a PostgreSQL cluster of its own (under target/bench) and a release build, it grows one
knowledge base to each size in turn with `alliance-kb generate` (1k, 100k and 1M commitments by
default; `--sizes` for others, 10M included). At each size, for each endpoint:

  1. it captures the statements the endpoint sends for one request, from PostgreSQL's own log
     (`log_statement = all`, with their parameters), never retyped by hand;
  2. it runs them with `pgbench -M prepared` (32 clients), then the endpoint with `wrk` (32
     connections), back to back (with a pause of a few seconds after each pgbench run, whose
     ending sessions otherwise weigh on the next run's tail), three times interleaved, and keeps
     the medians;
  3. it records req/s, p50 and p99, HTTP / pgbench-of-the-same-SQL, and HTTP / `pgbench -S`;
  4. it counts the CPU time each side spent per request in those same runs (PostgreSQL's processes,
     the service, wrk; PostgreSQL and pgbench), which says where a ratio's difference goes: on a
     machine whose cores all of them share, req/s follow CPU time per request.

Besides: POST /v1/commitments at 8 connections against pgbench's TPC-B at 8 clients; 304
revalidation against the full 200; the server's peak memory under the read load and while eight
exports run; cold start (exec to /readyz 200) on the existing database and on an empty one; and
Datasette (SQLite) serving the same commitments and statements, by id and filtered.

It writes benches/results.json, BENCHMARKS.md and benches/throughput.svg.

Usage: benches/run [--sizes 1000,100000,1000000] [--seconds 5]
"""

import argparse
import base64
import csv
import glob
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "bench")
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "alliance-kb")
PORT = 55433
HTTP_PORT = 18191
DATASETTE_PORT = 18192
SOCKET = os.path.join(WORK, "socket")
DB = "alliance_kb_bench"
TICK = os.sysconf("SC_CLK_TCK")


def proc_times(pid):
    """Of process `pid`: its parent's pid, the CPU seconds of it and its threads, and those of its
    children it has waited for (`/proc/PID/stat` fields 4 and 14 to 17)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def children_cpu():
    """CPU seconds of this script's children it has waited for (a load generator once it exits)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def say(message):
    print(f"bench: {message}", flush=True)


def pg_bin(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        sys.exit(f"bench: {name} is not installed (PostgreSQL's programs)")
    return candidates[-1]


def as_postgres(command):
    """Runs PostgreSQL's server programs as the postgres user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + command
    return command


class Cluster:
    """A PostgreSQL cluster of the benchmark's own, on a Unix socket and a port of its own."""

    def __init__(self):
        self.data = os.path.join(WORK, "pg")
        self.log = os.path.join(WORK, "pg.log")

    def start(self):
        os.makedirs(SOCKET, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(WORK, "postgres")
            shutil.chown(SOCKET, "postgres")
        if not os.path.exists(os.path.join(self.data, "PG_VERSION")):
            subprocess.run(as_postgres([pg_bin("initdb"), "-D", self.data, "-U", "postgres", "-A", "trust"]),
                           check=True, stdout=subprocess.DEVNULL)
        options = (f"-p {PORT} -k {SOCKET} -c listen_addresses='' -c max_connections=200 "
                   # A quarter of the machine's memory, PostgreSQL's advice for a dedicated server: the
                   # current revisions of a million commitments (about 1.5 GB) stay in its cache.
                   "-c shared_buffers=4GB -c log_line_prefix='%m [%p] ' -c log_parameter_max_length=-1 "
                   # PostgreSQL's advice for bulk loads: checkpoints far apart while the
                   # generator writes gigabytes.
                   "-c max_wal_size=8GB -c checkpoint_timeout=30min")
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", self.data, "-l", self.log, "-o", options, "-w", "start"]),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", self.data, "-m", "fast", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def cpu(self):
        """CPU seconds PostgreSQL has spent so far: the postmaster, its live processes (sessions,
        background workers) and those it has reaped (the sessions of a pgbench run once it ends)."""
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            postmaster = int(f.readline())
        total = 0.0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                parent, own, reaped = proc_times(entry)
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile
            if int(entry) == postmaster:
                total += own + reaped
            elif parent == postmaster:
                total += own
        return total


def url(db=DB):
    return f"postgres://postgres@/{db}?host={SOCKET}&port={PORT}"


def psql(sql, db=DB):
    out = subprocess.run([pg_bin("psql"), "-h", SOCKET, "-p", str(PORT), "-U", "postgres", "-d", db,
                          "-AtqX", "-c", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def http(path, headers=None, method="GET", body=None, port=HTTP_PORT):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=body,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# The service's default pool. A pool of 32 (one connection per wrk connection) answered by id 5 to
# 8 % more at a million, but with 32 backends taking turns on two cores its p99 went from 7 to
# 277 ms between runs (the default's: 5 ms).
POOL = 16


class Server:
    """The service, release build, on the benchmark's database."""

    def __init__(self, db=DB, extra=None):
        env = dict(os.environ, DATABASE_URL=url(db), ALLIANCE_KB_LISTEN=f"127.0.0.1:{HTTP_PORT}",
                   ALLIANCE_KB_POOL_SIZE=str(POOL), RUST_LOG="warn")
        env.update(extra or {})
        self.started = time.monotonic()
        self.process = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(WORK, "server.log"), "a"))
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if http("/readyz")[0] == 200:
                    self.ready_after = time.monotonic() - self.started
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                sys.exit("bench: the server stopped; see target/bench/server.log")
            time.sleep(0.005)
        sys.exit("bench: the server did not become ready")

    def memory(self, field):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        return 0

    def cpu(self):
        """CPU seconds the service has spent so far, all its threads."""
        return proc_times(self.process.pid)[1]

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def log_size(cluster):
    return os.path.getsize(cluster.log)


PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def captured(cluster, since):
    """The statements logged since an offset, with their parameters written in as literals."""
    with open(cluster.log, errors="replace") as log:
        log.seek(since)
        text = log.read()
    # A log entry starts with the timestamp prefix; continuation lines are the statement's.
    entries = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \w+ \[\d+\] )", text)
    statements = []
    for entry in entries:
        body = re.sub(r"^\S+ \S+ \S+ \[\d+\] ", "", entry, count=1)
        match = re.match(r"LOG:\s+(?:execute [^:]+|statement): (.*)", body, re.S)
        if match:
            statements.append([match.group(1).strip(), {}])
            continue
        match = re.match(r"DETAIL:\s+parameters: (.*)", body, re.S)
        if match and statements:
            for number, value in PARAMETER.findall(match.group(1)):
                statements[-1][1][int(number)] = value
    out = []
    for sql, parameters in statements:
        for number in sorted(parameters, reverse=True):
            sql = re.sub(rf"\${number}(?!\d)", lambda _: parameters[number], sql)
        out.append(sql)
    return out


def capture(cluster, path, headers=None):
    """The statements one request to `path` sends, and the size of its answer."""
    # Each worker draws from a pool of its own, and HTTP connections are spread over the workers:
    # a few requests first, so that the one captured finds its worker's connection open and does
    # not log that connection's setup as its own statements.
    for _ in range(4):
        http(path, headers)
    before = log_size(cluster)
    status, _, body = http(path, headers)
    time.sleep(0.3)
    statements = [s for s in captured(cluster, before) if not s.startswith("SELECT pg_current")]
    return status, statements, len(body)


# How long the machine is left alone after a pgbench run, once its sessions are gone, before the
# next measurement starts. Measured at a million commitments: wrk's p99 by id right after 32
# pgbench sessions ended was 22 to 96 ms in five runs, 4 to 7 ms in five runs after a pause of 3 s
# (1 s was not enough: 6 to 190 ms); the throughput moved little either way.
SETTLE_S = 3


def settle():
    """Waits until the sessions of the last pgbench run have ended, then SETTLE_S more."""
    for _ in range(200):
        if psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgbench'", db="postgres") == "0":
            break
        time.sleep(0.05)
    time.sleep(SETTLE_S)


def pgbench(script, clients, seconds, db=DB, builtin=None, variables=None):
    """pgbench's transactions a second (0 if it failed)."""
    return pgbench_run(script, clients, seconds, db, builtin, variables)["tps"]


def pgbench_run(script, clients, seconds, db=DB, builtin=None, variables=None):
    """One pgbench run: transactions a second, transactions done, and the CPU seconds pgbench
    itself spent."""
    command = [pg_bin("pgbench"), "-h", SOCKET, "-p", str(PORT), "-U", "postgres", "-n", "-M", "prepared",
               "-c", str(clients), "-j", "2", "-T", str(seconds)]
    if builtin:
        command += ["-b", builtin]
    else:
        path = os.path.join(WORK, "script.sql")
        with open(path, "w") as f:
            for name, value in (variables or {}).items():
                f.write(f"\\set {name} {value}\n")
            for statement in script:
                f.write(" ".join(statement.split()) + ";\n")
        command += ["-f", path]
    client = children_cpu()
    out = subprocess.run(command + [db], capture_output=True, text=True)
    client = children_cpu() - client
    settle()
    match = re.search(r"tps = ([\d.]+) \(without initial connection", out.stdout)
    done = re.search(r"number of transactions actually processed: (\d+)", out.stdout)
    if not match or not done:
        say(f"pgbench failed: {out.stdout[-500:]} {out.stderr[-500:]}")
        return {"tps": 0.0, "transactions": 0, "client_cpu_s": client}
    return {"tps": float(match.group(1)), "transactions": int(done.group(1)), "client_cpu_s": client}


def wrk(path, connections, seconds, lua=None, headers=None, port=HTTP_PORT):
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if lua:
        script = os.path.join(WORK, "wrk.lua")
        with open(script, "w") as f:
            f.write(lua)
        command += ["-s", script]
    client = children_cpu()
    out = subprocess.run(command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True).stdout
    client = children_cpu() - client
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    done = re.search(r"(\d+) requests in", out)

    def latency(percent):
        match = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)\b", out)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(rate.group(1)) if rate else 0.0, "p50_ms": latency(50), "p99_ms": latency(99),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "requests": int(done.group(1)) if done else 0, "client_cpu_s": client}


def cursor(position):
    return base64.urlsafe_b64encode(struct.pack(">q", position)).decode().rstrip("=")


def random_id_lua(prefix, top, suffix=""):
    return ("math.randomseed(os.time())\n"
            f"request = function() return wrk.format('GET', '{prefix}' .. math.random(1, {top}) .. '{suffix}') end\n")


def endpoints(size_total, at):
    """The read endpoints measured: name, path (with {id} for a random record), and the range of ids."""
    top = int(psql("SELECT max(id) FROM commitments"))
    statements = int(psql("SELECT max(id) FROM statements"))
    page_1000 = int(psql("SELECT id FROM commitments ORDER BY id OFFSET 49950 LIMIT 1") or 0)
    out = [
        ("commitment by id", "/v1/commitments/{id}", top),
        ("commitments, nation + kind", "/v1/commitments?nation=FR&kind=troops&limit=50", None),
        ("commitments, page 1", "/v1/commitments?limit=50", None),
    ]
    if page_1000:
        out.append(("commitments, page 1000", f"/v1/commitments?limit=50&cursor={cursor(page_1000)}", None))
    out += [
        ("commitments as_of", f"/v1/commitments?as_of={at}&limit=50", None),
        ("statement by id", "/v1/statements/{id}", statements),
        ("statements, nation", "/v1/statements?nation=FR&limit=50", None),
        ("search", "/v1/search?q=ammunition&limit=20", None),
        ("divisions", "/v1/divisions?kinds=troops,naval_support,air_support", None),
        ("nation profile", "/v1/nations/FR/profile", None),
        ("timeline, nation", "/v1/timeline?nation=FR&limit=50", None),
        ("changes feed", "/v1/changes?since=2000-01-01T00:00:00Z&limit=50", None),
    ]
    return out


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def medians(dicts):
    """The median of each key over a list of dicts of figures."""
    return {key: median([d.get(key) for d in dicts]) for key in dicts[0]} if dicts else {}


def per_unit(seconds, count):
    """CPU seconds of each side over a run, as microseconds per request or transaction."""
    return {side: (spent * 1e6 / count if count else None) for side, spent in seconds.items()}


def wal_position():
    return psql("SELECT pg_current_wal_insert_lsn()", db="postgres")


def wal_since(position):
    """Bytes of WAL written since `position`."""
    return int(psql(f"SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '{position}')", db="postgres"))


def measure_endpoint(cluster, name, path, top, seconds, select_only):
    sample = path.replace("{id}", str(max(1, (top or 1) // 2)))
    # Capture on a fresh server whose sessions log every statement; without its watch of the
    # count of writes (ALLIANCE_KB_STATE_POLL_MS=0), whose readings a few times a second are not
    # the request's.
    psql(f"ALTER DATABASE {DB} SET log_statement = 'all'")
    server = Server(extra={"ALLIANCE_KB_STATE_POLL_MS": "0"})
    status, statements, answer_bytes = capture(cluster, sample)
    server.stop()
    psql(f"ALTER DATABASE {DB} RESET log_statement")
    variables = None
    if top:
        sample_id = str(max(1, top // 2))
        statements = [re.sub(rf"'{sample_id}'", ":id", s) for s in statements]
        variables = {"id": f"random(1, {top})"}
    server = Server()
    lua = random_id_lua(path.split("{id}")[0], top, path.split("{id}")[1]) if top else None
    runs, costs = [], []
    for _ in range(3):
        before = cluster.cpu()
        sql_run = pgbench_run(statements, 32, seconds, variables=variables)
        sql_cost = per_unit({"postgres": cluster.cpu() - before, "pgbench": sql_run["client_cpu_s"]},
                            sql_run["transactions"])
        before = (cluster.cpu(), server.cpu())
        http_run = wrk(path if not top else "/", 32, seconds, lua=lua)
        http_cost = per_unit({"service": server.cpu() - before[1], "postgres": cluster.cpu() - before[0],
                              "wrk": http_run["client_cpu_s"]}, http_run["requests"])
        runs.append((sql_run["tps"], http_run))
        costs.append((sql_cost, http_cost))
    peak = server.memory("VmHWM")
    server.stop()
    tps = median([r[0] for r in runs])
    rps = median([r[1]["rps"] for r in runs])
    result = {
        "endpoint": name, "path": path, "status": status, "statements": statements, "answer_bytes": answer_bytes,
        "round_trips": len(statements),
        "rps": rps, "p50_ms": median([r[1]["p50_ms"] for r in runs]),
        "p99_ms": median([r[1]["p99_ms"] for r in runs]),
        "p99_runs_ms": [r[1]["p99_ms"] for r in runs],
        "pgbench_tps": tps, "http_over_pgbench": rps / tps if tps else None,
        "http_over_select_only": rps / select_only if select_only else None,
        "non_2xx": sum(r[1]["non_2xx"] for r in runs), "peak_rss": peak,
        "cpu_us": {"pgbench": medians([c[0] for c in costs]), "http": medians([c[1] for c in costs])},
    }
    say(f"  {name}: {rps:.0f} req/s (p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms), "
        f"pgbench same SQL {tps:.0f} tps, {len(statements)} statements")
    return result


def measure_extras(cluster, seconds, select_only):
    """304 against 200, writes against TPC-B, memory under exports."""
    extras = {}
    server = Server()
    status, headers, _ = http("/v1/commitments/1")
    tag = headers.get("ETag") or headers.get("etag")
    full = wrk("/v1/commitments/1", 32, seconds)
    revalidated = wrk("/v1/commitments/1", 32, seconds, headers={"If-None-Match": tag})
    list_headers = http("/v1/commitments?nation=FR&limit=50")[1]
    list_tag = list_headers.get("ETag") or list_headers.get("etag")
    list_full = wrk("/v1/commitments?nation=FR&limit=50", 32, seconds)
    list_revalidated = wrk("/v1/commitments?nation=FR&limit=50", 32, seconds, headers={"If-None-Match": list_tag})
    extras["revalidation"] = {"detail_200": full, "detail_304": revalidated,
                              "list_200": list_full, "list_304": list_revalidated}
    server.stop()

    key = subprocess.run([BIN, "keys", "create", "--name", "bench", "--role", "editor"],
                         env=dict(os.environ, DATABASE_URL=url(), RUST_LOG="error"),
                         capture_output=True, text=True, check=True).stdout.strip()
    server = Server()
    body = json.dumps({"nation": "BE", "kind": "naval_support", "status": "pledged",
                       "summary": "Belgium pledged a frigate.",
                       "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}]})
    lua = (f"wrk.method = 'POST'\nwrk.body = {json.dumps(body)}\n"
           f"wrk.headers['Content-Type'] = 'application/json'\nwrk.headers['Authorization'] = 'Bearer {key}'\n")
    same_cell = wrk("/v1/commitments", 8, seconds, lua=lua)
    # Ten nations, as TPC-B's rows are spread over the ten branches of its scale 10: writes of one
    # nation, kind and status take turns on their tally rows at commit; others do not wait.
    nations = ["BE", "FR", "GB", "DE", "PL", "NL", "DK", "SE", "NO", "FI"]
    spread_lua = (f"local nations = {{{', '.join(repr(n) for n in nations)}}}\n"
                  f"wrk.method = 'POST'\nwrk.headers['Content-Type'] = 'application/json'\n"
                  f"wrk.headers['Authorization'] = 'Bearer {key}'\n"
                  "request = function()\n"
                  "  local body = (" + json.dumps(body.replace('"BE"', '"NATION"')) + "):gsub('NATION', nations[math.random(1, 10)])\n"
                  "  return wrk.format(nil, nil, nil, body)\nend\n")
    before = (cluster.cpu(), server.cpu(), wal_position())
    writes = wrk("/v1/commitments", 8, seconds, lua=spread_lua)
    post_cost = per_unit({"service": server.cpu() - before[1], "postgres": cluster.cpu() - before[0],
                          "wrk": writes["client_cpu_s"]}, writes["requests"])
    post_wal = wal_since(before[2]) / writes["requests"] if writes["requests"] else None
    server.stop()
    before = (cluster.cpu(), wal_position())
    tpcb_run = pgbench_run(None, 8, seconds, db="pgbench_db", builtin="tpcb-like")
    tpcb = tpcb_run["tps"]
    tpcb_cost = per_unit({"postgres": cluster.cpu() - before[0], "pgbench": tpcb_run["client_cpu_s"]},
                         tpcb_run["transactions"])
    tpcb_wal = wal_since(before[1]) / tpcb_run["transactions"] if tpcb_run["transactions"] else None
    extras["writes"] = {"post_commitments": writes, "post_commitments_one_cell": same_cell, "tpcb_tps_8": tpcb,
                        "ratio": writes["rps"] / tpcb if tpcb else None,
                        "ratio_one_cell": same_cell["rps"] / tpcb if tpcb else None,
                        # Per POST of ten nations and per TPC-B transaction: CPU microseconds of each
                        # side, and bytes of WAL.
                        "cpu_us": {"post": post_cost, "tpcb": tpcb_cost},
                        "wal_bytes": {"post": post_wal, "tpcb": tpcb_wal}}

    server = Server()
    threads, stop = [], threading.Event()
    peak = [0]

    def export():
        try:
            request = urllib.request.urlopen(f"http://127.0.0.1:{HTTP_PORT}/v1/export", timeout=60)
            while not stop.is_set() and request.read(1 << 16):
                pass
        except OSError:
            pass

    baseline = server.memory("VmRSS")
    for _ in range(8):
        thread = threading.Thread(target=export, daemon=True)
        thread.start()
        threads.append(thread)
    until = time.monotonic() + min(20, seconds * 4)
    while time.monotonic() < until:
        peak[0] = max(peak[0], server.memory("VmRSS"))
        time.sleep(0.1)
    stop.set()
    server.stop()
    extras["exports"] = {"rss_before": baseline, "rss_peak_8_exports": peak[0]}
    return extras


def cold_starts():
    out = {}
    server = Server()
    out["existing_database_s"] = server.ready_after
    server.stop()
    psql("DROP DATABASE IF EXISTS alliance_kb_cold", db="postgres")
    psql("CREATE DATABASE alliance_kb_cold", db="postgres")
    server = Server(db="alliance_kb_cold")
    out["empty_database_s"] = server.ready_after
    server.stop()
    psql("DROP DATABASE alliance_kb_cold WITH (FORCE)", db="postgres")
    return out


def generate_from_empty(count):
    """`alliance-kb generate --commitments COUNT` on a new database holding only the seed, as a new
    user would run it: seconds from exec to exit."""
    db = "alliance_kb_generate"
    psql(f"DROP DATABASE IF EXISTS {db}", db="postgres")
    psql(f"CREATE DATABASE {db}", db="postgres")
    Server(db=db).stop()
    say(f"generating {count} commitments on a new database")
    started = time.monotonic()
    subprocess.run([BIN, "generate", "--commitments", str(count)],
                   env=dict(os.environ, DATABASE_URL=url(db), RUST_LOG="warn"), check=True)
    seconds = time.monotonic() - started
    say(f"  {count} commitments in {seconds:.0f} s")
    psql(f"DROP DATABASE {db} WITH (FORCE)", db="postgres")
    return {"commitments": count, "seconds": seconds}


def datasette(seconds, top, statements_top):
    """The same commitments and statements in SQLite, served by Datasette."""
    venv = os.path.join(WORK, "venv")
    path = os.path.join(WORK, "datasette.sqlite")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE commitments (id INTEGER PRIMARY KEY, nation_code TEXT, kind TEXT, status TEXT, summary TEXT, "
               "quantity_text TEXT, announced_on TEXT, event_id INTEGER)")
    db.execute("CREATE TABLE statements (id INTEGER PRIMARY KEY, nation_code TEXT, stance TEXT, summary TEXT, quote TEXT, said_on TEXT)")
    for table, columns in [("commitments", "id, nation_code, kind, status, summary, quantity_text, announced_on, event_id"),
                           ("statements", "id, nation_code, stance, summary, quote, said_on")]:
        proc = subprocess.Popen([pg_bin("psql"), "-h", SOCKET, "-p", str(PORT), "-U", "postgres", "-d", DB, "-qX", "-c",
                                 f"COPY (SELECT {columns} FROM {table} ORDER BY id) TO STDOUT WITH CSV"],
                                stdout=subprocess.PIPE, text=True)
        marks = ",".join("?" * len(columns.split(",")))
        db.executemany(f"INSERT INTO {table} VALUES ({marks})",
                       ([v if v != "" else None for v in row] for row in csv.reader(proc.stdout)))
        proc.wait()
    db.execute("CREATE INDEX commitments_nation_kind ON commitments (nation_code, kind, id)")
    db.execute("CREATE INDEX statements_nation ON statements (nation_code, id)")
    db.commit()
    db.close()
    server = subprocess.Popen([os.path.join(venv, "bin", "datasette"), "serve", path, "--port", str(DATASETTE_PORT),
                               "--setting", "sql_time_limit_ms", "10000", "--immutable", path],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if http("/-/versions.json", port=DATASETTE_PORT)[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    name = "datasette"
    by_id = wrk("/", 32, seconds, port=DATASETTE_PORT,
                lua=random_id_lua(f"/{name}/commitments/", top, ".json"))
    filtered = wrk(f"/{name}/commitments.json?nation_code=FR&kind=troops&_size=50", 32, seconds, port=DATASETTE_PORT)
    statement = wrk("/", 32, seconds, port=DATASETTE_PORT,
                    lua=random_id_lua(f"/{name}/statements/", statements_top, ".json"))
    server.terminate()
    server.wait()
    return {"commitment_by_id": by_id, "commitments_filtered": filtered, "statement_by_id": statement}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.makedirs(WORK, exist_ok=True)
    cluster = Cluster()
    if os.path.exists(cluster.data):
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", cluster.data, "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(cluster.data)
    cluster.start()
    results = {"machine": {"cores": os.cpu_count(), "seconds_per_run": args.seconds,
                           "postgres": psql("SHOW server_version", db="postgres"),
                           "shared_buffers": psql("SHOW shared_buffers", db="postgres"), "pool": POOL},
               "sizes": []}
    try:
        psql(f"CREATE DATABASE {DB}", db="postgres")
        # pgbench's own tables (scale 10), for `pgbench -S` and TPC-B.
        psql("CREATE DATABASE pgbench_db", db="postgres")
        subprocess.run([pg_bin("pgbench"), "-h", SOCKET, "-p", str(PORT), "-U", "postgres", "-i", "-q", "-s", "10",
                        "pgbench_db"], capture_output=True, check=True)
        # The seed first, as a new user's service would have it.
        Server().stop()
        loaded = int(psql("SELECT count(*) FROM commitments"))
        for size in sizes:
            started = time.monotonic()
            add = size - loaded
            if add > 0:
                say(f"generating {add} commitments (to {size})")
                subprocess.run([BIN, "generate", "--commitments", str(add), "--seed", str(size)],
                               env=dict(os.environ, DATABASE_URL=url(), RUST_LOG="warn"), check=True)
                loaded = size
            generated_s = time.monotonic() - started
            psql("VACUUM ANALYZE")
            # The load's dirty pages written out now, not by a checkpoint in the middle of a run.
            psql("CHECKPOINT")
            select_only = pgbench(None, 32, args.seconds, db="pgbench_db", builtin="select-only")
            at = psql("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
            say(f"size {size}: generated in {generated_s:.0f} s; pgbench -S {select_only:.0f} tps")
            entry = {"commitments": size, "generate_s": generated_s if add > 0 else None,
                     "added": add, "pgbench_select_only_tps": select_only, "endpoints": []}
            for name, path, top in endpoints(size, at):
                entry["endpoints"].append(measure_endpoint(cluster, name, path, top, args.seconds, select_only))
            entry.update(measure_extras(cluster, args.seconds, select_only))
            top = int(psql("SELECT max(id) FROM commitments"))
            statements_top = int(psql("SELECT max(id) FROM statements"))
            entry["datasette"] = datasette(args.seconds, top, statements_top)
            entry["database_bytes"] = int(psql(f"SELECT pg_database_size('{DB}')"))
            results["sizes"].append(entry)
            with open(os.path.join(ROOT, "benches", "results.json"), "w") as f:
                json.dump(results, f, indent=1)
        results["cold_start"] = cold_starts()
        if max(sizes) >= 1_000_000:
            results["generate_from_empty"] = generate_from_empty(1_000_000)
        with open(os.path.join(ROOT, "benches", "results.json"), "w") as f:
            json.dump(results, f, indent=1)
    finally:
        cluster.stop()
    subprocess.run([sys.executable, os.path.join(ROOT, "benches", "report.py")], check=True)


if __name__ == "__main__":
    main()
