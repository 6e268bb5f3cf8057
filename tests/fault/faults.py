"""The fault suite: the built binary against a PostgreSQL cluster of its own, under the faults a
public service meets. Each scenario prints its figures and fails the run when a promise breaks:

1. PostgreSQL killed (`pg_ctl stop -m immediate`) and restarted under concurrent writes that carry
   Idempotency-Keys: no acknowledged write lost, none duplicated, only 503 while it is down, the
   first success within 5 s of its return.
2. Abandoned expensive queries (clients that give up after 0.5 s) while reads go on: the reads keep
   answering, and PostgreSQL stops the abandoned queries.
3. Stalled exports (readers that stop reading): bounded by their slots, reads go on, and their
   connections are closed after the stall timeout.
4. Starting while PostgreSQL is down: the service waits with backoff and serves once it returns;
   with no PostgreSQL at all it exits after its wait with a message naming the server.

Standard library only; every loop is bounded in count and time; traffic goes to 127.0.0.1 only.
"""

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BINARY = os.path.join(TARGET, "debug", "alliance-kb")
WORK = os.path.join(TARGET, "fault")
FAILURES = []
CHECKS = [0]


def say(text):
    print(f"fault: {text}", flush=True)


def check(ok, text):
    CHECKS[0] += 1
    say(("ok: " if ok else "FAILED: ") + text)
    if not ok:
        FAILURES.append(text)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster under target/fault/pg, run as the postgres user when root."""

    def __init__(self):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        self.bin = shutil.which("pg_ctl") and os.path.dirname(shutil.which("pg_ctl")) or versions[-1]
        self.dir = os.path.join(WORK, "pg")
        self.port = free_port()
        self.socket_dir = os.path.join(WORK, "sock")
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(self.socket_dir)
        self.as_root = os.geteuid() == 0
        if self.as_root:
            subprocess.run(["chown", "-R", "postgres:postgres", WORK], check=True)
        self.run("initdb", "-D", self.dir, "-A", "trust", "-U", "postgres", "--no-sync", quiet=True)

    def run(self, program, *args, quiet=False, check=True):
        command = [os.path.join(self.bin, program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        out = subprocess.DEVNULL if quiet else None
        return subprocess.run(command, stdout=out, stderr=out, check=check)

    def start(self):
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=60"
        self.run("pg_ctl", "-D", self.dir, "-o", options, "-l", os.path.join(WORK, "pg.log"), "-w", "start", quiet=True)

    def stop(self, mode="fast"):
        self.run("pg_ctl", "-D", self.dir, "-m", mode, "-w", "stop", quiet=True, check=False)

    def url(self, database="alliance_kb"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, query):
        psql = shutil.which("psql") or os.path.join(self.bin, "psql")
        command = [psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                   "-d", "alliance_kb", "-AtX", "-c", query]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout


class Service:
    """The binary serving on a free port, its log in target/fault."""

    def __init__(self, cluster, name, **settings):
        self.log_path = os.path.join(WORK, f"{name}.log")
        env = dict(os.environ, DATABASE_URL=cluster.url(), ALLIANCE_KB_LISTEN="127.0.0.1:0", RUST_LOG="debug")
        env.update({k: str(v) for k, v in settings.items()})
        self.env = env
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([BINARY, "serve"], env=env, stdout=self.log, stderr=self.log)
        self.base = None

    def wait_serving(self, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline and self.process.poll() is None:
            with open(self.log_path) as f:
                found = re.search(r"serving the knowledge base at (http://[0-9.:]+)", f.read())
            if found:
                self.base = found.group(1)
                return True
            time.sleep(0.1)
        return False

    def key(self):
        out = subprocess.run([BINARY, "keys", "create", "--name", "fault", "--role", "admin"], env=self.env,
                             capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def request(base, method, path, body=None, headers=None, timeout=10):
    """(status, body bytes, headers); status 0 when the HTTP connection itself failed."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, res.read(), dict(res.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)
    except (urllib.error.URLError, OSError):
        return 0, b"", {}


def crash_under_writes(cluster, service, key):
    say("1. PostgreSQL killed and restarted under concurrent writes with Idempotency-Keys")
    auth = {"Authorization": f"Bearer {key}"}
    stop = threading.Event()
    lock = threading.Lock()
    sent, acknowledged, statuses, successes = [0], [], {}, []
    down = {"from": None, "until": None}

    def writer(n):
        i = 0
        while not stop.is_set() and i < 2000:
            name = f"fault-{n}-{i}"
            started = time.time()
            # Retry the same write with the same key until it is acknowledged (at most 60 s).
            while time.time() - started < 60:
                status, _, _ = request(service.base, "POST", "/v1/people", {"name": name},
                                       dict(auth, **{"Idempotency-Key": name}), timeout=15)
                with lock:
                    sent[0] += 1
                    statuses[status] = statuses.get(status, 0) + 1
                    if down["from"] and not down["until"] and status not in (503,):
                        statuses.setdefault("while down, not 503", []).append(status)
                if status == 201:
                    with lock:
                        acknowledged.append(name)
                        successes.append(time.time())
                    break
                time.sleep(0.05)
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(2)
    down["from"] = time.time()
    cluster.stop("immediate")
    time.sleep(3)
    cluster.start()
    down["until"] = time.time()
    time.sleep(4)
    stop.set()
    for t in threads:
        t.join(90)
    stored = dict(line.split("|") for line in cluster.sql(
        "SELECT name, count(*) FROM people WHERE name LIKE 'fault-%' GROUP BY name").split())
    lost = [n for n in acknowledged if n not in stored]
    duplicated = [n for n, c in stored.items() if int(c) > 1]
    after = [t for t in successes if t >= down["until"]]
    first = (min(after) - down["until"]) if after else None
    wrong = statuses.pop("while down, not 503", [])
    returned = f"first success {first:.2f}s after PostgreSQL returned" if first is not None else "no success after the return"
    say(f"   requests sent {sent[0]}, acknowledged {len(acknowledged)}, lost {len(lost)}, duplicated {len(duplicated)}, "
        f"statuses {dict(sorted((str(k), v) for k, v in statuses.items()))}, {returned}")
    check(not lost, f"no acknowledged write lost ({lost[:3]})")
    check(not duplicated, f"no write duplicated ({duplicated[:3]})")
    check(not any(isinstance(k, int) and 500 <= k < 600 and k != 503 for k in statuses), "no 5xx but 503")
    check(not [s for s in wrong if s not in (0, 201)], f"only 503 while PostgreSQL was down (others: {sorted(set(wrong))})")
    check(first is not None and first <= 5.0, "the first success within 5 s of PostgreSQL's return")


def abandoned_queries(cluster, service, key):
    say("2. abandoned expensive queries while reads go on")
    auth = {"Authorization": f"Bearer {key}"}
    text = ("The minister said the brigade would be ready by spring. " * 4400)[:250_000]
    for i in range(60):
        status, body, _ = request(service.base, "POST", "/v1/sources",
                                  {"kind": "report", "title": f"Long report {i}", "reliability": "unverified",
                                   "text": f"{i} {text}"}, auth, timeout=30)
        if status != 201:
            check(False, f"loading long sources: {status} {body[:200]}")
            return
    # A search that finds every long source: each hit's snippet is cut from its 250 KB text.
    expensive = "/v1/search?q=minister%20brigade%20spring&type=source&limit=60"
    started = time.time()
    status, _, _ = request(service.base, "GET", expensive, timeout=60)
    alone = time.time() - started
    say(f"   one such request, waited for: {status} after {alone:.2f}s (the statement timeout is 5 s)")
    check(alone > 1.0, "the expensive request is expensive enough for the scenario to mean something")
    stop = threading.Event()
    reads = {}

    def reader():
        while not stop.is_set():
            status, _, _ = request(service.base, "GET", "/v1/commitments/1", timeout=10)
            reads[status] = reads.get(status, 0) + 1

    def abandoner():
        for _ in range(3):
            request(service.base, "GET", expensive, timeout=0.5)

    r = threading.Thread(target=reader)
    r.start()
    started = time.time()
    threads = [threading.Thread(target=abandoner) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    abandoned_for = time.time() - started
    time.sleep(3)
    stop.set()
    r.join(30)
    running = int(cluster.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%ts_headline%' AND pid <> pg_backend_pid()").strip() or 0)
    say(f"   48 expensive requests abandoned over {abandoned_for:.1f}s; reads meanwhile {reads}; "
        f"abandoned queries still running 3 s later: {running}")
    check(set(reads) == {200}, "every read answered 200 while expensive requests were abandoned")
    check(running == 0, "PostgreSQL stopped the abandoned queries")


def stalled_exports(cluster, service):
    say("3. stalled exports bounded by their slots")
    host, port = service.base.replace("http://", "").split(":")
    sockets, answers = [], {}
    for _ in range(10):
        s = socket.create_connection((host, int(port)), timeout=10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(f"GET /v1/export HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        head = s.recv(64).decode(errors="replace")
        status = int(head.split(" ")[1]) if head.startswith("HTTP/1.1") else 0
        answers[status] = answers.get(status, 0) + 1
        sockets.append(s)  # kept open, never read again
    statuses = {}
    for _ in range(20):
        status, _, _ = request(service.base, "GET", "/v1/commitments?limit=5", timeout=10)
        statuses[status] = statuses.get(status, 0) + 1
    in_transaction = lambda: int(cluster.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'alliance_kb' AND state LIKE 'idle in transaction%'").strip() or 0)
    connections = int(cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'alliance_kb' AND pid <> pg_backend_pid()").strip())
    holding = in_transaction()
    time.sleep(6)
    after = in_transaction()
    for s in sockets:
        s.close()
    say(f"   10 exports opened and left unread: answers {answers}; reads meanwhile {statuses}; "
        f"service connections {connections}; exports holding a snapshot {holding}, 6 s later {after}")
    check(answers.get(200, 0) <= 4 and answers.get(200, 0) + answers.get(503, 0) == 10,
          "exports beyond their slots are told to come back (503)")
    check(set(statuses) == {200}, "reads go on beside stalled exports")
    check(connections <= 16, "the service holds no more connections than its pool")
    # Each worker draws from a pool of its own: their bounds add up to the one configured.
    _, metrics, _ = request(service.base, "GET", "/metrics")
    bound = re.search(rb'alliance_kb_pool_connections\{server="primary",state="max"\} (\d+)', metrics)
    say(f"   the primary's pools' bounds summed in /metrics: {bound and int(bound.group(1))}")
    check(bound is not None and int(bound.group(1)) == 16, "the workers' pools add up to ALLIANCE_KB_POOL_SIZE")
    check(after == 0, "a stalled export's snapshot is closed after the stall timeout")


def start_while_down(cluster):
    say("4. starting while PostgreSQL is down")
    cluster.stop("fast")
    port = free_port()
    service = Service(cluster, "start-down", ALLIANCE_KB_DATABASE_WAIT_S=30, ALLIANCE_KB_LISTEN=f"127.0.0.1:{port}")
    time.sleep(2)
    base = f"http://127.0.0.1:{port}"
    health, _, _ = request(base, "GET", "/healthz", timeout=5)
    ready, body, _ = request(base, "GET", "/readyz", timeout=5)
    say(f"   while waiting: /healthz {health}, /readyz {ready}")
    check(health == 200 and ready == 503 and b"problem" in body, "while it waits, /healthz answers 200 and /readyz 503")
    time.sleep(1)
    cluster.start()
    returned = time.time()
    serving = service.wait_serving(30)
    waited = time.time() - returned
    with open(service.log_path) as f:
        log = f.read()
    service.stop()
    check("waiting for PostgreSQL at 127.0.0.1:" in log, "the wait names the server and the cause")
    check(serving, f"the service serves {waited:.1f}s after PostgreSQL came up")
    cluster.stop("fast")
    started = time.time()
    gone = Service(cluster, "no-database", ALLIANCE_KB_DATABASE_WAIT_S=2)
    code = gone.process.wait(30)
    took = time.time() - started
    with open(gone.log_path) as f:
        log = f.read()
    gone.stop()
    say(f"   with no PostgreSQL: exit code {code} after {took:.1f}s")
    check(code != 0 and "did not answer" in log and f"127.0.0.1:{cluster.port}" in log,
          "with no PostgreSQL it exits with a message naming the server")
    cluster.start()


def main():
    if not os.path.exists(BINARY):
        say(f"no binary at {BINARY}; build it with `cargo build`")
        return 1
    cluster = Cluster()
    cluster.start()
    service = Service(cluster, "service", ALLIANCE_KB_TRANSFER_TIMEOUT_S=30, ALLIANCE_KB_POOL_SIZE=16)
    try:
        if not service.wait_serving(60):
            say("the service did not start; its log:")
            print(open(service.log_path).read())
            return 1
        key = service.key()
        crash_under_writes(cluster, service, key)
        with open(service.log_path) as f:
            log = f.read()
        # akb_<id>_<secret>: the secret is base64url and may itself hold "_"
        secret = key.split("_", 2)[2]
        leaks = [what for what, found in (("the key's secret", secret in log),
                                          ("a bound SQL value", "parameters:" in log)) if found]
        check(len(secret) == 43 and not leaks,
              f"at RUST_LOG=debug the log holds no key secret and no bound SQL value (found: {leaks or 'none'})")
        abandoned_queries(cluster, service, key)
        stalled_exports(cluster, service)
        service.stop()
        start_while_down(cluster)
    finally:
        service.stop()
        cluster.stop("fast")
    for f in FAILURES:
        say(f"   failed: {f}")
    say(f"{CHECKS[0] - len(FAILURES)} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
