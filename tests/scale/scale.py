"""The scale-out suite: the built binary in the topology compose.yaml describes, started from
Debian's packages on loopback, each part on a free port under target/scale:

    primary  <- streaming replica (pg_basebackup -R)
    primary  <- PgBouncer 1.18, pool_mode = transaction (deploy/pgbouncer.ini)
    api1, api2: DATABASE_URL through PgBouncer, DATABASE_DIRECT_URL the primary,
                DATABASE_REPLICA_URLS the replica, ALLIANCE_KB_POOLER=transaction
    HAProxy (deploy/haproxy.cfg) in front of api1 and api2

It checks what instances must agree on (a write through one read through the other, If-Match,
Idempotency-Key replays, cursors), that reads reach the replica, read-your-writes with the
Consistency-Token, that a lagging replica is skipped, that stopping the replica under load loses no
request, that /metrics scrapes,
and that compose.yaml describes this same topology.

Run by tests/scale/run (which installs HAProxy, PgBouncer and PyYAML); every loop is bounded.
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fault"))
import faults  # noqa: E402  (the fault suite's cluster, service and request helpers)
from faults import check, free_port, request  # noqa: E402

import yaml  # noqa: E402

ROOT = faults.ROOT
WORK = os.path.join(faults.TARGET, "scale")
faults.WORK = WORK
DEPLOY = os.path.join(ROOT, "deploy")
# PostgreSQL's own programs (pg_basebackup, createdb), of the newest installed version.
PGBIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))[-1]


def say(text):
    print(f"scale: {text}", flush=True)


faults.say = say  # the fault suite's check() reports through it

# The topology: service name -> what it is. compose.yaml must describe the same.
TOPOLOGY = {
    "primary": "postgres",
    "replica": "postgres standby",
    "pgbouncer": "pgbouncer",
    "api1": "alliance-kb",
    "api2": "alliance-kb",
    "haproxy": "haproxy",
}
# What each API instance is given, as addresses of the other services.
API_SETTINGS = {
    "DATABASE_URL": "pgbouncer",
    "DATABASE_DIRECT_URL": "primary",
    "DATABASE_REPLICA_URLS": "replica",
    "ALLIANCE_KB_POOLER": "transaction",
}


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def psql(port, database, query):
    """What psql prints for `query` on 127.0.0.1:`port` (unaligned, `|` between fields)."""
    command = ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database, "-AtX", "-F", "|",
               "-c", query]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def end(process):
    """Stops `process`: SIGTERM, then SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def as_postgres(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Replica:
    """A streaming replica of `primary`, made with pg_basebackup -R."""

    def __init__(self, primary):
        self.primary = primary
        self.dir = os.path.join(WORK, "replica")
        self.port = free_port()
        basebackup = os.path.join(PGBIN, "pg_basebackup")
        subprocess.run(as_postgres([basebackup, "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                                    "-D", self.dir, "-R", "-X", "stream", "-c", "fast", "--no-sync"]), check=True)

    def start(self):
        options = f"-p {self.port} -k {self.primary.socket_dir} -c listen_addresses=127.0.0.1 -c hot_standby=on"
        subprocess.run(as_postgres([os.path.join(PGBIN, "pg_ctl"), "-D", self.dir, "-o", options,
                                    "-l", os.path.join(WORK, "replica.log"), "-w", "start"]),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self, mode="fast"):
        subprocess.run(as_postgres([os.path.join(PGBIN, "pg_ctl"), "-D", self.dir, "-m", mode, "-w",
                                    "stop"]), check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/alliance_kb"

    def sql(self, query):
        return psql(self.port, "alliance_kb", query)


class Bouncer:
    """PgBouncer with deploy/pgbouncer.ini, its primary and port put in."""

    def __init__(self, primary):
        self.port = free_port()
        with open(os.path.join(DEPLOY, "pgbouncer.ini")) as f:
            ini = f.read()
        ini = ini.replace("host=primary port=5432", f"host=127.0.0.1 port={primary.port}")
        ini = re.sub(r"(?m)^listen_port = .*$", f"listen_port = {self.port}", ini)
        ini = re.sub(r"(?m)^listen_addr = .*$", "listen_addr = 127.0.0.1", ini)
        # Copied beside the configuration, where the postgres user can read it.
        shutil.copy(os.path.join(DEPLOY, "userlist.txt"), os.path.join(WORK, "userlist.txt"))
        ini = ini.replace("/etc/alliance-kb/userlist.txt", os.path.join(WORK, "userlist.txt"))
        ini += f"\nlogfile = {os.path.join(WORK, 'pgbouncer.log')}\npidfile = {os.path.join(WORK, 'pgbouncer.pid')}\n"
        self.config = os.path.join(WORK, "pgbouncer.ini")
        with open(self.config, "w") as f:
            f.write(ini)
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres", self.config, os.path.join(WORK, "userlist.txt")], check=True)
        self.process = subprocess.Popen(as_postgres(["pgbouncer", self.config]),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline and not port_open(self.port):
            time.sleep(0.1)

    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/alliance_kb"

    def show(self, what):
        return psql(self.port, "pgbouncer", f"SHOW {what}")

    def stop(self):
        end(self.process)


class Balancer:
    """HAProxy with deploy/haproxy.cfg in front of the two instances."""

    def __init__(self, api1, api2):
        self.port = free_port()
        env = dict(os.environ, LISTEN=f"127.0.0.1:{self.port}", API1=api1.base[len("http://"):],
                   API2=api2.base[len("http://"):])
        self.log = open(os.path.join(WORK, "haproxy.log"), "w")
        self.process = subprocess.Popen(["haproxy", "-db", "-f", os.path.join(DEPLOY, "haproxy.cfg")], env=env,
                                        stdout=self.log, stderr=self.log)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 10
        while time.time() < deadline and not port_open(self.port):
            time.sleep(0.1)

    def stop(self):
        end(self.process)
        self.log.close()


def metric(base, name, **labels):
    """The sum of a metric's samples whose labels include `labels`."""
    status, body, _ = request(base, "GET", "/metrics")
    if status != 200:
        return None
    total = 0.0
    for line in body.decode().splitlines():
        found = re.match(r"^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$", line)
        if not found or found.group(1) != name:
            continue
        have = dict(re.findall(r'([a-z_]+)="([^"]*)"', found.group(2) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(found.group(3))
    return total


def header(headers, name):
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def instances_agree(api1, api2, key):
    say("1. two instances on one database agree")
    auth = {"Authorization": f"Bearer {key}"}
    status, body, headers = request(api1.base, "POST", "/v1/people", {"name": "Scale Person One"}, auth)
    check(status == 201 and header(headers, "Consistency-Token"),
          f"a write through api1 answers 201 with a Consistency-Token (got {status}, {header(headers, 'Consistency-Token')})")
    person = json.loads(body) if status == 201 else {}
    token = header(headers, "Consistency-Token") or ""
    status, body, headers = request(api2.base, "GET", f"/v1/people/{person.get('id')}", headers={"Consistency-Token": token})
    check(status == 200 and json.loads(body)["name"] == "Scale Person One",
          f"it is read through api2 with its token (got {status})")
    etag = header(headers, "ETag")
    patch = {"Authorization": f"Bearer {key}", "If-Match": '"0"'}
    status, _, _ = request(api2.base, "PATCH", f"/v1/people/{person.get('id')}", {"name": "Scale Person 1"}, patch)
    check(status == 412, f"a stale If-Match through api2 is refused 412 (got {status})")
    patch["If-Match"] = etag or ""
    status, _, headers = request(api2.base, "PATCH", f"/v1/people/{person.get('id')}", {"name": "Scale Person 1"}, patch)
    check(status == 200, f"api1's ETag {etag} is honoured by api2 as If-Match (got {status})")
    token = header(headers, "Consistency-Token") or ""
    status, body, _ = request(api1.base, "GET", f"/v1/people/{person.get('id')}", headers={"Consistency-Token": token})
    check(status == 200 and json.loads(body)["name"] == "Scale Person 1", "api1 reads api2's correction with its token")
    keyed = dict(auth, **{"Idempotency-Key": "scale-idempotent-1"})
    first = request(api1.base, "POST", "/v1/people", {"name": "Scale Person Two"}, keyed)
    again = request(api2.base, "POST", "/v1/people", {"name": "Scale Person Two"}, keyed)
    check(first[0] == 201 and again[0] == 201 and json.loads(first[1])["id"] == json.loads(again[1])["id"]
          and header(again[2], "Idempotent-Replayed") == "true",
          f"an Idempotency-Key retried on api2 replays api1's answer ({first[0]}, {again[0]}, "
          f"replayed={header(again[2], 'Idempotent-Replayed')})")
    status, body, _ = request(api1.base, "GET", "/v1/nations?limit=7")
    page1 = json.loads(body)
    status2, body2, _ = request(api2.base, "GET", f"/v1/nations?limit=7&cursor={page1['next_cursor']}")
    status3, body3, _ = request(api1.base, "GET", f"/v1/nations?limit=7&cursor={page1['next_cursor']}")
    check(status == status2 == status3 == 200 and json.loads(body2)["items"] == json.loads(body3)["items"]
          and json.loads(body2)["items"][0]["code"] > page1["items"][-1]["code"],
          "a cursor from api1 pages on through api2 as through api1")


def balanced_reads(balancer, api1, api2, replica):
    say("2. reads through HAProxy reach both instances and the replica")
    name = f"127.0.0.1:{replica.port}"
    before = [metric(api.base, "alliance_kb_http_requests_total") or 0 for api in (api1, api2)]
    on_replica = sum(metric(api.base, "alliance_kb_database_reads_total", server=name) or 0 for api in (api1, api2))
    statuses = [request(balancer.base, "GET", "/v1/commitments?limit=5")[0] for _ in range(40)]
    after = [metric(api.base, "alliance_kb_http_requests_total") or 0 for api in (api1, api2)]
    on_replica_after = sum(metric(api.base, "alliance_kb_database_reads_total", server=name) or 0
                           for api in (api1, api2))
    check(statuses.count(200) == 40, f"40 reads through HAProxy answer 200 ({statuses.count(200)})")
    grown = [a - b for a, b in zip(after, before)]
    check(all(g >= 15 for g in grown), f"both instances served them (requests counted: {grown})")
    check(on_replica_after - on_replica >= 30,
          f"the replica served the reads ({on_replica_after - on_replica:.0f} read sessions on {name})")
    status, body, _ = request(api1.base, "GET", "/readyz")
    ready = json.loads(body) if status == 200 else {}
    check(ready.get("replicas") and ready["replicas"][0]["serving"] and ready["replicas"][0]["server"] == name,
          f"/readyz lists the replica as serving ({ready.get('replicas')})")


def read_your_writes(balancer, key):
    say("3. read-your-writes: a read with the write's token sees the write, on any instance")
    auth = {"Authorization": f"Bearer {key}"}
    misses, writes = [], 0
    for i in range(40):
        status, body, headers = request(balancer.base, "POST", "/v1/people", {"name": f"Scale Reader {i}"}, auth)
        if status != 201:
            misses.append(f"write {i}: {status}")
            continue
        writes += 1
        person = json.loads(body)
        token = header(headers, "Consistency-Token") or ""
        status, body, _ = request(balancer.base, "GET", f"/v1/people/{person['id']}", headers={"Consistency-Token": token})
        if status != 200:
            misses.append(f"read {i}: {status}")
    check(writes == 40 and not misses, f"40 writes, each read right after with its token: {misses or 'all seen'}")
    status, body, _ = request(balancer.base, "GET", "/v1/people/1", headers={"Consistency-Token": "yesterday"})
    check(status == 400 and b"Consistency-Token" in body,
          f"a token that is not one is a 400 naming the header (got {status})")


def replica_serves_again(api, seconds=15):
    """Whether `api`'s /readyz shows its replica serving within `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        time.sleep(0.25)
        status, body, _ = request(api.base, "GET", "/readyz")
        if status == 200 and json.loads(body)["replicas"][0]["serving"]:
            return True
    return False


def lagging_replica(balancer, api1, replica, key):
    say("4. a replica that lags is skipped, and a token read goes to the primary")
    auth = {"Authorization": f"Bearer {key}"}
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        status, body, headers = request(balancer.base, "POST", "/v1/people", {"name": "Scale Paused"}, auth)
        person = json.loads(body) if status == 201 else {}
        token = header(headers, "Consistency-Token") or ""
        status, _, _ = request(balancer.base, "GET", f"/v1/people/{person.get('id')}",
                               headers={"Consistency-Token": token})
        check(status == 200, f"with replay paused, a read with the write's token still sees it (got {status})")
        deadline = time.time() + 10
        problem = None
        while time.time() < deadline and not problem:
            time.sleep(0.25)
            # Writes keep coming while replay is paused, so the replica falls further behind.
            request(balancer.base, "POST", "/v1/people", {"name": "Scale Paused More"}, auth)
            status, body, _ = request(api1.base, "GET", "/readyz")
            seen = json.loads(body)["replicas"][0] if status == 200 else {}
            problem = not seen.get("serving") and seen.get("problem")
        check(bool(problem) and "behind" in problem,
              f"past ALLIANCE_KB_REPLICA_MAX_LAG_MS the replica is skipped, and /readyz says why ({problem})")
        name = f"127.0.0.1:{replica.port}"
        on_replica = metric(api1.base, "alliance_kb_database_reads_total", server=name)
        statuses = [request(api1.base, "GET", "/v1/commitments?limit=5")[0] for _ in range(10)]
        after = metric(api1.base, "alliance_kb_database_reads_total", server=name)
        check(statuses == [200] * 10 and after == on_replica,
              f"reads meanwhile go to the primary ({after - on_replica:.0f} on the replica)")
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    check(replica_serves_again(api1), "once it has caught up it serves reads again")


def replica_stopped_under_load(balancer, api1, replica):
    say("5. stopping the replica under load loses no request")
    stop = threading.Event()
    lock = threading.Lock()
    statuses = {}

    def reader():
        n = 0
        while not stop.is_set() and n < 5000:
            status = request(balancer.base, "GET", "/v1/commitments?limit=5", timeout=15)[0]
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
            n += 1

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    replica.stop("fast")
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join(30)
    total = sum(statuses.values())
    check(total > 50 and set(statuses) == {200}, f"{total} reads while the replica stopped, every one 200: {statuses}")
    status, body, _ = request(api1.base, "GET", "/readyz")
    ready = json.loads(body) if status == 200 else {}
    replicas = ready.get("replicas") or [{}]
    check(status == 200 and not replicas[0].get("serving") and replicas[0].get("problem"),
          f"/readyz is 200 and names the stopped replica's problem ({replicas[0].get('problem')})")
    replica.start()
    check(replica_serves_again(api1), "the restarted replica serves reads again within 15 s")


def through_the_pooler(bouncer, primary):
    say("6. PgBouncer in transaction mode carries the instances' work")
    pools = bouncer.show("POOLS")
    mode = [line.split("|") for line in pools.splitlines() if line.startswith("alliance_kb|")]
    check(mode and mode[0][-1] == "transaction", f"PgBouncer pools alliance_kb in transaction mode ({pools.strip()})")
    stats = bouncer.show("STATS")
    row = next((line.split("|") for line in stats.splitlines() if line.startswith("alliance_kb|")), None)
    check(row is not None and int(row[1]) > 100, f"it carried the instances' transactions ({row and row[1]})")
    waiting = [line.split("|")[3] for line in pools.splitlines() if line.startswith("alliance_kb|")]
    check(waiting == ["0"], f"no client is left waiting for a server connection ({waiting})")


def metrics_scrape(api1):
    say("7. /metrics scrapes")
    status, body, headers = request(api1.base, "GET", "/metrics")
    text = body.decode()
    names = ["alliance_kb_http_requests_total", "alliance_kb_http_requests_duration_seconds_bucket",
             "alliance_kb_pool_connections", "alliance_kb_replica_up", "alliance_kb_replica_lag_milliseconds",
             "alliance_kb_database_reads_total", "alliance_kb_database_failures_total", "alliance_kb_transfers_total"]
    missing = [n for n in names if f"\n{n}" not in "\n" + text]
    check(status == 200 and header(headers, "Content-Type").startswith("text/plain") and not missing,
          f"/metrics answers Prometheus text with every metric (missing: {missing or 'none'})")
    malformed = [line for line in text.splitlines()
                 if line and not line.startswith("#") and not re.match(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+$", line)]
    check(not malformed, f"every sample line is name{{labels}} value ({malformed[:3]})")
    status, _, headers = request(api1.base, "GET", "/v1/", headers={"X-Request-Id": "scale-check-42"})
    check(header(headers, "X-Request-Id") == "scale-check-42", "X-Request-Id from the client is answered back")
    with open(os.path.join(WORK, "api1.log")) as f:
        logged = [line for line in f if "scale-check-42" in line]
    check(logged and json.loads(logged[-1])["message"].endswith("request=scale-check-42"),
          "the access-log line (JSON, ALLIANCE_KB_LOG_FORMAT=json) names the request id")


def compose_matches():
    say("0. compose.yaml describes the tested topology")
    with open(os.path.join(ROOT, "compose.yaml")) as f:
        compose = yaml.safe_load(f)
    services = compose.get("services", {})
    check(set(services) == set(TOPOLOGY), f"its services are {sorted(TOPOLOGY)} ({sorted(services)})")
    for api in ("api1", "api2"):
        env = services.get(api, {}).get("environment", {})
        wrong = {k: env.get(k) for k, target in API_SETTINGS.items()
                 if not (env.get(k) == target or re.match(rf"^postgres://[^@]+@{target}:\d+/alliance_kb$", env.get(k, "")))}
        check(not wrong and "build" in services.get(api, {}), f"{api} is built here and set as the test sets it ({wrong or 'same'})")
    mounts = {s: " ".join(services.get(s, {}).get("volumes", [])) for s in ("pgbouncer", "haproxy")}
    check("./deploy/pgbouncer.ini" in mounts["pgbouncer"] and "./deploy/haproxy.cfg" in mounts["haproxy"],
          "PgBouncer and HAProxy run on the same deploy/ files as the test")
    haproxy_env = services.get("haproxy", {}).get("environment", {})
    check(haproxy_env.get("API1", "").startswith("api1:") and haproxy_env.get("API2", "").startswith("api2:"),
          "HAProxy balances api1 and api2")
    replica = " ".join(services.get("replica", {}).get("command", []))
    check("pg_basebackup" in replica and " -R " in replica and "-h primary" in replica,
          "the replica is made from the primary with pg_basebackup -R, as in the test")


def main():
    if not os.path.exists(faults.BINARY):
        say(f"no binary at {faults.BINARY}; build it with `cargo build`")
        return 1
    compose_matches()
    primary = faults.Cluster()
    primary.start()
    subprocess.run(as_postgres([os.path.join(PGBIN, "createdb"), "-h", "127.0.0.1", "-p", str(primary.port),
                                "-U", "postgres", "alliance_kb"]), check=True)
    replica = Replica(primary)
    replica.start()
    bouncer = Bouncer(primary)
    settings = dict(DATABASE_URL=bouncer.url(), DATABASE_DIRECT_URL=primary.url(),
                    DATABASE_REPLICA_URLS=replica.url(), ALLIANCE_KB_POOLER="transaction",
                    ALLIANCE_KB_POOL_SIZE=8, ALLIANCE_KB_LOG_FORMAT="json", RUST_LOG="info",
                    ALLIANCE_KB_REPLICA_MAX_LAG_MS=1000)
    api1 = faults.Service(primary, "api1", **settings)
    api2 = None
    balancer = None
    try:
        if not api1.wait_serving(60):
            say("api1 did not start; its log:")
            print(open(api1.log_path).read())
            return 1
        api2 = faults.Service(primary, "api2", **settings)
        if not api2.wait_serving(60):
            say("api2 did not start; its log:")
            print(open(api2.log_path).read())
            return 1
        balancer = Balancer(api1, api2)
        time.sleep(2)  # HAProxy's first health checks
        key = api1.key()
        instances_agree(api1, api2, key)
        balanced_reads(balancer, api1, api2, replica)
        read_your_writes(balancer, key)
        lagging_replica(balancer, api1, replica, key)
        replica_stopped_under_load(balancer, api1, replica)
        through_the_pooler(bouncer, primary)
        metrics_scrape(api1)
    finally:
        for part in (balancer, api2, api1, bouncer):
            if part is not None:
                part.stop()
        replica.stop("fast")
        primary.stop("fast")
    for f in faults.FAILURES:
        say(f"   failed: {f}")
    say(f"{faults.CHECKS[0] - len(faults.FAILURES)} passed, {len(faults.FAILURES)} failed")
    return 1 if faults.FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
