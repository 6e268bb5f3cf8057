#!/usr/bin/env python3
"""The scale-out benchmark: read throughput of one instance on the primary against two instances
behind HAProxy (deploy/haproxy.cfg) reading from a streaming replica, on one knowledge base.

On the benchmark's own cluster (target/bench, as benches/bench.py makes it) it grows the knowledge
base to --size commitments with `alliance-kb generate`, makes a replica with `pg_basebackup -R`,
and starts, at once:

  one      one instance on the primary (pool 32)
  replica  one instance reading from the replica (pool 32 on each server)
  two      two such instances behind HAProxy

For each read endpoint it runs wrk (32 connections) against each setup in turn, three times
interleaved, and keeps the medians. It writes benches/scale.json; benches/report.py adds it to
BENCHMARKS.md.

Usage: benches/run --scale [--size 100000] [--seconds 5]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from bench import BIN, ROOT, SOCKET, WORK, as_postgres, pg_bin, psql, say, url, wrk  # noqa: E402

REPLICA_PORT = bench.PORT + 1
PORTS = {"one": 18201, "replica": 18202, "replica2": 18203, "two": 18204}


def replica_url():
    return f"postgres://postgres@/{bench.DB}?host={SOCKET}&port={REPLICA_PORT}"


class Replica:
    def __init__(self):
        self.data = os.path.join(WORK, "replica")
        shutil.rmtree(self.data, ignore_errors=True)
        subprocess.run(as_postgres([pg_bin("pg_basebackup"), "-h", SOCKET, "-p", str(bench.PORT), "-U", "postgres",
                                    "-D", self.data, "-R", "-X", "stream", "-c", "fast"]), check=True)
        options = (f"-p {REPLICA_PORT} -k {SOCKET} -c listen_addresses='' -c max_connections=200 "
                   "-c shared_buffers=512MB -c hot_standby=on")
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", self.data, "-l", os.path.join(WORK, "replica.log"),
                                    "-o", options, "-w", "start"]), check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", self.data, "-m", "fast", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Instance:
    def __init__(self, port, replicas):
        env = dict(os.environ, DATABASE_URL=url(), ALLIANCE_KB_LISTEN=f"127.0.0.1:{port}",
                   ALLIANCE_KB_POOL_SIZE="32", RUST_LOG="warn")
        if replicas:
            env["DATABASE_REPLICA_URLS"] = replica_url()
        self.port = port
        self.process = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(WORK, f"scale-{port}.log"), "w"))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                status, _, body = bench.http("/readyz", port=port)
                if status == 200 and (not replicas or json.loads(body)["replicas"][0]["serving"]):
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                sys.exit(f"scale: the instance on {port} stopped; see target/bench/scale-{port}.log")
            time.sleep(0.05)
        sys.exit(f"scale: the instance on {port} did not become ready")

    def stop(self):
        self.process.terminate()
        self.process.wait(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    os.makedirs(WORK, exist_ok=True)
    cluster = bench.Cluster()
    fresh = not os.path.exists(os.path.join(cluster.data, "PG_VERSION"))
    cluster.start()
    parts = []
    try:
        if fresh or psql("SELECT 1 FROM pg_database WHERE datname = 'alliance_kb_bench'", db="postgres") != "1":
            psql(f"CREATE DATABASE {bench.DB}", db="postgres")
        one = Instance(PORTS["one"], replicas=False)
        parts.append(one)
        loaded = int(psql("SELECT count(*) FROM commitments"))
        if loaded < args.size:
            say(f"generating {args.size - loaded} commitments (to {args.size})")
            subprocess.run([BIN, "generate", "--commitments", str(args.size - loaded), "--seed", str(args.size)],
                           env=dict(os.environ, DATABASE_URL=url(), RUST_LOG="warn"), check=True)
        psql("VACUUM ANALYZE")
        size = int(psql("SELECT count(*) FROM commitments"))
        replica = Replica()
        parts.append(replica)
        for name in ("replica", "replica2"):
            parts.append(Instance(PORTS[name], replicas=True))
        env = dict(os.environ, LISTEN=f"127.0.0.1:{PORTS['two']}", API1=f"127.0.0.1:{PORTS['replica']}",
                   API2=f"127.0.0.1:{PORTS['replica2']}")
        haproxy = subprocess.Popen(["haproxy", "-db", "-f", os.path.join(ROOT, "deploy", "haproxy.cfg")], env=env,
                                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "haproxy.log"), "w"))
        time.sleep(3)  # HAProxy's first health checks
        top = int(psql("SELECT max(id) FROM commitments"))
        endpoints = [
            ("commitment by id", "/v1/commitments/{id}", top),
            ("commitments, page 1", "/v1/commitments?limit=50", None),
            ("commitments, nation + kind", "/v1/commitments?nation=FR&kind=troops&limit=50", None),
            ("search", "/v1/search?q=ammunition&limit=20", None),
        ]
        setups = [("one instance, primary", PORTS["one"]), ("one instance, replica", PORTS["replica"]),
                  ("two instances + replica, HAProxy", PORTS["two"])]
        results = {"commitments": size, "cores": os.cpu_count(), "seconds_per_run": args.seconds, "endpoints": []}
        for name, path, top_id in endpoints:
            runs = {setup: [] for setup, _ in setups}
            for _ in range(3):
                for setup, port in setups:
                    if top_id:
                        lua = bench.random_id_lua(path.split("{id}")[0], top_id, path.split("{id}")[1])
                        runs[setup].append(wrk("/", 32, args.seconds, lua=lua, port=port))
                    else:
                        runs[setup].append(wrk(path, 32, args.seconds, port=port))
            row = {"endpoint": name}
            for setup, _ in setups:
                row[setup] = {"rps": statistics.median(r["rps"] for r in runs[setup]),
                              "p99_ms": statistics.median(r["p99_ms"] or 0 for r in runs[setup]),
                              "non_2xx": sum(r["non_2xx"] for r in runs[setup])}
            say(f"{name}: " + ", ".join(f"{s} {row[s]['rps']:.0f} req/s" for s, _ in setups))
            results["endpoints"].append(row)
        results["setups"] = [s for s, _ in setups]
        with open(os.path.join(ROOT, "benches", "scale.json"), "w") as f:
            json.dump(results, f, indent=1)
        haproxy.terminate()
        haproxy.wait(10)
    finally:
        for part in reversed(parts):
            part.stop()
        cluster.stop()
    subprocess.run([sys.executable, os.path.join(ROOT, "benches", "report.py")], check=True)


if __name__ == "__main__":
    main()
