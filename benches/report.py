#!/usr/bin/env python3
"""Writes BENCHMARKS.md and benches/throughput.svg from benches/results.json (made by
benches/bench.py): per endpoint and size, req/s, p50, p99, HTTP / pgbench of the same SQL, HTTP /
`pgbench -S`, the growth from the smallest size to the largest, and the targets of the
performance work, each marked met or not with its figure."""

import json
import math
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fmt(value, digits=0):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def kb(value):
    if value is None:
        return "–"
    return f"{value / 1000:,.1f} KB" if value >= 1000 else f"{value} B"


def mb(value):
    return f"{value / 1e6:,.1f} MB" if value else "–"


def cpu(endpoint, side, part):
    """Microseconds of CPU per request (HTTP) or transaction (pgbench) spent by `part`, or None."""
    return (endpoint.get("cpu_us") or {}).get(side, {}).get(part)


def predicted(endpoint):
    """HTTP ÷ pgbench as the CPU per request says it would be on cores shared by every side."""
    http = [cpu(endpoint, "http", p) for p in ("service", "postgres", "wrk")]
    sql = [cpu(endpoint, "pgbench", p) for p in ("postgres", "pgbench")]
    if None in http or None in sql or not sum(http):
        return None
    return sum(sql) / sum(http)


def cpu_section(sizes):
    """Where each request's CPU goes: per side, at the largest size and as the tables grow."""
    last = sizes[-1]
    if not any(e.get("cpu_us") for e in last["endpoints"]):
        return []
    lines = ["## Where the CPU goes", "",
             f"CPU time per request in microseconds, at {last['commitments']:,} commitments, over the same runs as",
             "above (medians): the service's process, PostgreSQL's processes (sessions and background work),",
             "and the load generator, wrk or pgbench. Every side shares the machine's cores, so a run's rate",
             "follows the CPU its requests take, and `÷pgbench` is close to pgbench's sum over HTTP's.", "",
             "| endpoint | HTTP: service · PostgreSQL · wrk | pgbench: PostgreSQL · pgbench | ÷pgbench: measured · from CPU |",
             "| --- | --- | --- | --- |"]
    for e in last["endpoints"]:
        lines.append(f"| {e['endpoint']} | {fmt(cpu(e, 'http', 'service'))} · {fmt(cpu(e, 'http', 'postgres'))} · "
                     f"{fmt(cpu(e, 'http', 'wrk'))} | {fmt(cpu(e, 'pgbench', 'postgres'))} · {fmt(cpu(e, 'pgbench', 'pgbench'))} | "
                     f"{fmt(e['http_over_pgbench'], 2)} · {fmt(predicted(e), 2)} |")
    lines += ["", "The service's and PostgreSQL's CPU per HTTP request at each size (µs):", "",
              "| endpoint | " + " | ".join(f"{s['commitments']:,}: service · PostgreSQL" for s in sizes) + " |",
              "|" + " --- |" * (len(sizes) + 1)]
    for e in sizes[0]["endpoints"]:
        cells = []
        for s in sizes:
            found = [f for f in s["endpoints"] if f["endpoint"] == e["endpoint"]]
            cells.append(f"{fmt(cpu(found[0], 'http', 'service'))} · {fmt(cpu(found[0], 'http', 'postgres'))}" if found else "–")
        lines.append(f"| {e['endpoint']} | " + " | ".join(cells) + " |")
    w = last.get("writes", {})
    if w.get("cpu_us"):
        post, tpcb = w["cpu_us"]["post"], w["cpu_us"]["tpcb"]
        wal = w["wal_bytes"]
        lines += ["", f"Writes at {last['commitments']:,}: a POST /v1/commitments (ten nations, 8 connections) took "
                  f"{fmt(post.get('service'))} µs of the service's CPU, {fmt(post.get('postgres'))} µs of PostgreSQL's and "
                  f"{fmt(wal.get('post'))} bytes of WAL; a TPC-B transaction (8 clients) {fmt(tpcb.get('postgres'))} µs of "
                  f"PostgreSQL's and {fmt(wal.get('tpcb'))} bytes of WAL."]
    return lines + [""]


def why_growth(small, large, names):
    """What the CPU per request says of the reads that slowed from one size to another."""
    parts = []
    for name in names:
        a = [e for e in small["endpoints"] if e["endpoint"] == name]
        b = [e for e in large["endpoints"] if e["endpoint"] == name]
        if not a or not b or cpu(a[0], "http", "postgres") is None or cpu(b[0], "http", "postgres") is None:
            continue
        a, b = a[0], b[0]
        grew = (b.get("answer_bytes") or 0) / max(1, a.get("answer_bytes") or 1)
        part = (f"{name}: service {fmt(cpu(a, 'http', 'service'))} → {fmt(cpu(b, 'http', 'service'))} µs, "
                f"PostgreSQL {fmt(cpu(a, 'http', 'postgres'))} → {fmt(cpu(b, 'http', 'postgres'))} µs")
        parts.append(part + (f" (answer ×{grew:.0f})" if grew >= 2 else ""))
    if not parts:
        return ""
    return "CPU per request, " + f"{small['commitments']:,} → {large['commitments']:,}: " + "; ".join(parts)


def why_tail(sizes, name):
    """The slow tail of a read beside its median, in every size and run of this benchmark."""
    parts = []
    for s in sizes:
        found = [e for e in s["endpoints"] if e["endpoint"] == name]
        if found:
            e = found[0]
            runs = e.get("p99_runs_ms")
            parts.append(f"{s['commitments']:,}: p50 {fmt(e['p50_ms'], 1)}, p99 "
                         + (" / ".join(fmt(v, 1) for v in runs) if runs else fmt(e["p99_ms"], 1)) + " ms")
    return ("the tail, not the typical request, and it moves from run to run (" + "; ".join(parts)
            + "): 32 connections, the service's sessions and wrk share two cores")


def why_own_sql(endpoint):
    """Why HTTP is slower than pgbench running the same SQL, in CPU per request."""
    if cpu(endpoint, "http", "service") is None:
        return ""
    return (f"per request the service spends {fmt(cpu(endpoint, 'http', 'service'))} µs of CPU, PostgreSQL "
            f"{fmt(cpu(endpoint, 'http', 'postgres'))} and wrk {fmt(cpu(endpoint, 'http', 'wrk'))}; pgbench's runs "
            f"{fmt(cpu(endpoint, 'pgbench', 'postgres'))} and {fmt(cpu(endpoint, 'pgbench', 'pgbench'))}: on shared cores "
            f"that is a ratio of {fmt(predicted(endpoint), 2)}; the HTTP side's CPU would have to fall to "
            f"{fmt(sum(cpu(endpoint, 'pgbench', p) or 0 for p in ('postgres', 'pgbench')) / 0.8)} µs for 0.8")


def why_writes(w):
    """Why a POST is slower than a TPC-B transaction: the database's own work per write."""
    if not w.get("cpu_us"):
        return ""
    post, tpcb, wal = w["cpu_us"]["post"], w["cpu_us"]["tpcb"], w["wal_bytes"]
    if not post.get("postgres") or not tpcb.get("postgres"):
        return ""
    return (f"PostgreSQL spends {fmt(post['postgres'])} µs of CPU and {fmt(wal.get('post'))} bytes of WAL on a POST "
            f"(its checks, history, tallies and words), {fmt(tpcb['postgres'])} µs and {fmt(wal.get('tpcb'))} bytes on a "
            f"TPC-B transaction: {post['postgres'] / tpcb['postgres']:.1f}× the database's work, before the service's "
            f"{fmt(post.get('service'))} µs")


def svg(results, path):
    """req/s against size (log scale), one line per endpoint."""
    sizes = [s["commitments"] for s in results["sizes"]]
    names = [e["endpoint"] for e in results["sizes"][0]["endpoints"]]
    width, height, left, right, top, bottom = 900, 520, 70, 250, 30, 50
    xs = [math.log10(s) for s in sizes]
    values = [e["rps"] or 1 for s in results["sizes"] for e in s["endpoints"]]
    y_max = math.ceil(math.log10(max(values)))
    y_min = math.floor(math.log10(max(1, min(values))))
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1

    def px(x):
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def py(y):
        return top + (y_max - y) / max(1, y_max - y_min) * (height - top - bottom)

    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="18" font-size="14">Requests per second against size (32 connections, log scales)</text>']
    for y in range(y_min, y_max + 1):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{py(y)}" y2="{py(y)}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 8}" y="{py(y) + 4}" text-anchor="end">{10 ** y:,}</text>')
    for size, x in zip(sizes, xs):
        out.append(f'<line x1="{px(x)}" x2="{px(x)}" y1="{top}" y2="{height - bottom}" stroke="#eee"/>')
        out.append(f'<text x="{px(x)}" y="{height - bottom + 18}" text-anchor="middle">{size:,} commitments</text>')
    for i, name in enumerate(names):
        colour = colours[i % len(colours)]
        points = []
        for s, x in zip(results["sizes"], xs):
            found = [e for e in s["endpoints"] if e["endpoint"] == name]
            if found and found[0]["rps"]:
                points.append((px(x), py(math.log10(found[0]["rps"]))))
        if points:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in points)}"/>')
            for a, b in points:
                out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{colour}"/>')
        out.append(f'<rect x="{width - right + 15}" y="{top + i * 18}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{width - right + 32}" y="{top + i * 18 + 10}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    with open(os.path.join(ROOT, "benches", "results.json")) as f:
        results = json.load(f)
    sizes = results["sizes"]
    first, last = sizes[0], sizes[-1]
    lines = [
        "# Benchmarks",
        "",
        "Written by `benches/run` (see the README's Benchmarks section) from `benches/results.json`; do not edit by hand.",
        f"Machine: {results['machine']['cores']} cores, PostgreSQL {results['machine']['postgres']} (a cluster of the",
        f"benchmark's own, on a Unix socket, shared_buffers {results['machine'].get('shared_buffers', '512MB')}), release build, one service",
        f"process with a pool of {results['machine'].get('pool', 32)}. Every figure is",
        f"the median of three runs of {results['machine']['seconds_per_run']} s, HTTP and pgbench interleaved back to back",
        "(each pgbench run followed by a pause of 3 s once its sessions have ended: without it, those ending sessions",
        "raised the next HTTP run's p99 by id from 4-7 ms to 22-96 ms at a million commitments);",
        "HTTP load from `wrk` (32 connections, 2 threads), SQL load from `pgbench -M prepared` (32 clients) running the",
        "statements the endpoint sent for one request, captured from PostgreSQL's log with their parameters.",
        "The machine is shared: compare the ratios, measured in the same minute, rather than single figures.",
        "",
        "![req/s against size](benches/throughput.svg)",
        "",
        "## Reads",
        "",
    ]
    header = "| endpoint | statements | " + " | ".join(
        f"{s['commitments']:,}: req/s · p50 · p99 ms · ÷pgbench · ÷`-S` · answer" for s in sizes) + f" | growth {last['commitments']:,} ÷ {first['commitments']:,} |"
    # The growth between the two largest sizes, whose answers are the same size (a full page, full
    # cells): the cost of the same answer as the tables grow tenfold.
    middle = sizes[-2] if len(sizes) >= 3 else None
    if middle:
        header += f" growth {last['commitments']:,} ÷ {middle['commitments']:,} |"
    lines += [header, "|" + " --- |" * (len(sizes) + 3 + bool(middle))]
    growth_failures = []
    equal_growths = []
    for i, endpoint in enumerate(first["endpoints"]):
        row = [endpoint["endpoint"], str(endpoint["round_trips"])]
        for s in sizes:
            found = [e for e in s["endpoints"] if e["endpoint"] == endpoint["endpoint"]]
            if not found:
                row.append("–")
                continue
            e = found[0]
            row.append(f"{fmt(e['rps'])} · {fmt(e['p50_ms'], 1)} · {fmt(e['p99_ms'], 1)} · "
                       f"{fmt(e['http_over_pgbench'], 2)} · {fmt(e['http_over_select_only'], 3)} · {kb(e.get('answer_bytes'))}")
        end = [e for e in last["endpoints"] if e["endpoint"] == endpoint["endpoint"]]
        growth = end[0]["rps"] / endpoint["rps"] if end and endpoint["rps"] else None
        if growth is not None and growth < 0.8:
            answers = f"{kb(endpoint.get('answer_bytes'))} → {kb(end[0].get('answer_bytes'))}"
            growth_failures.append((endpoint["endpoint"], growth, answers))
        row.append(fmt(growth, 2))
        if middle:
            before = [e for e in middle["endpoints"] if e["endpoint"] == endpoint["endpoint"]]
            growth = end[0]["rps"] / before[0]["rps"] if end and before and before[0]["rps"] else None
            if growth is not None:
                equal_growths.append((endpoint["endpoint"], growth,
                                      f"{kb(before[0].get('answer_bytes'))} → {kb(end[0].get('answer_bytes'))}"))
            row.append(fmt(growth, 2))
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "`÷pgbench`: HTTP req/s over pgbench's tps running the same statements; `÷-S`: over `pgbench -S`",
              "(one primary-key select); `answer`: the size of the JSON answered (a filtered list of a database of",
              "1,000 commitments spread over 249 nations holds a few records, a million's a full page; so the",
              "last column compares two sizes whose answers are alike);",
              "both on the same cluster in the same run; `pgbench -S`: "
              + ", ".join(f"{fmt(s['pgbench_select_only_tps'])} tps at {s['commitments']:,}" for s in sizes) + ".", ""]

    lines += cpu_section(sizes)

    lines += ["## Writes, revalidation, memory, start", "",
              "| size | POST /v1/commitments, ten nations (8 conn) | one nation, kind and status | TPC-B (8 clients) | ratio: ten · one | 304 ÷ 200, detail | 304 ÷ 200, list | peak RSS under reads | RSS with 8 exports |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in sizes:
        w, r = s["writes"], s["revalidation"]
        peak = max(e["peak_rss"] for e in s["endpoints"])
        lines.append(
            f"| {s['commitments']:,} | {fmt(w['post_commitments']['rps'])} req/s | "
            f"{fmt(w.get('post_commitments_one_cell', {}).get('rps'))} req/s | {fmt(w['tpcb_tps_8'])} tps | "
            f"{fmt(w['ratio'], 3)} · {fmt(w.get('ratio_one_cell'), 3)} | "
            f"{fmt(r['detail_304']['rps'] / r['detail_200']['rps'] if r['detail_200']['rps'] else None, 2)} | "
            f"{fmt(r['list_304']['rps'] / r['list_200']['rps'] if r['list_200']['rps'] else None, 2)} | "
            f"{mb(peak)} | {mb(s['exports']['rss_peak_8_exports'])} |")
    cold = results.get("cold_start", {})
    lines += ["", f"Cold start (exec to `/readyz` 200): {fmt(cold.get('existing_database_s', 0) * 1000)} ms on the existing database "
              f"of {last['commitments']:,} commitments, {fmt(cold.get('empty_database_s', 0) * 1000)} ms on an empty one "
              "(migrations and the seed included).", ""]
    generated = [s for s in sizes if s.get("generate_s")]
    empty = results.get("generate_from_empty")
    if generated:
        lines += ["Generating: " + "; ".join(
            f"{s['added']:,} commitments added in {fmt(s['generate_s'])} s (to {s['commitments']:,}; database {mb(s['database_bytes'])})"
            for s in generated) + "."
            + (f" From a new database holding the seed: {empty['commitments']:,} commitments in {fmt(empty['seconds'])} s." if empty else ""), ""]

    lines += ["## Against Datasette", "",
              "The same commitments and statements in SQLite (with an index on the filtered columns), served by Datasette",
              "(`--immutable`), measured with the same wrk settings in the same run.", "",
              "| size | commitment by id: ours · Datasette · ratio | filtered list: ours · Datasette · ratio | statement by id: ours · Datasette · ratio |",
              "| --- | --- | --- | --- |"]
    for s in sizes:
        ours = {e["endpoint"]: e["rps"] for e in s["endpoints"]}
        d = s["datasette"]

        def pair(name, theirs):
            mine = ours.get(name)
            return f"{fmt(mine)} · {fmt(theirs['rps'])} · {fmt(mine / theirs['rps'] if mine and theirs['rps'] else None, 2)}"

        lines.append(f"| {s['commitments']:,} | {pair('commitment by id', d['commitment_by_id'])} | "
                     f"{pair('commitments, nation + kind', d['commitments_filtered'])} | {pair('statement by id', d['statement_by_id'])} |")

    # The targets.
    by_id = [e for e in last["endpoints"] if e["endpoint"] == "commitment by id"]
    w = last["writes"]
    r = last["revalidation"]
    peak = max(e["peak_rss"] for e in last["endpoints"])
    targets = [
        ("growth: req/s at the largest size ≥ 0.8 × at the smallest, every read",
         not growth_failures, "; ".join(f"{n} {g:.2f} (answer {a})" for n, g, a in growth_failures) or "all hold",
         why_growth(first, last, [n for n, _, _ in growth_failures])),
    ]
    if equal_growths:
        least = min(equal_growths, key=lambda g: g[1])
        targets.append((f"growth at answers of one size: req/s at {last['commitments']:,} ≥ 0.8 × at {middle['commitments']:,}, every read",
                        least[1] >= 0.8, f"least: {least[0]} {least[1]:.2f} (answer {least[2]})",
                        why_growth(middle, last, [n for n, g, _ in equal_growths if g < 0.8])))
    targets += [
        ("by id: HTTP ≥ 0.8 × pgbench of its own SQL", bool(by_id) and (by_id[0]["http_over_pgbench"] or 0) >= 0.8,
         fmt(by_id[0]["http_over_pgbench"], 2) if by_id else "–", why_own_sql(by_id[0]) if by_id else ""),
        ("by id: HTTP ≥ 0.25 × `pgbench -S`", bool(by_id) and (by_id[0]["http_over_select_only"] or 0) >= 0.25,
         fmt(by_id[0]["http_over_select_only"], 3) if by_id else "–"),
        ("by id: p99 ≤ 10 ms at 32 connections", bool(by_id) and (by_id[0]["p99_ms"] or 1e9) <= 10,
         f"{fmt(by_id[0]['p99_ms'], 1)} ms" if by_id else "–", why_tail(sizes, "commitment by id")),
        ("writes: POST ≥ 0.25 × TPC-B at 8 (ten nations, as TPC-B's ten branches)", (w["ratio"] or 0) >= 0.25,
         f"{fmt(w['ratio'], 3)} (one nation, kind and status: {fmt(w.get('ratio_one_cell'), 3)})", why_writes(w)),
        ("304 ≥ 2 × the 200 of the same request (detail)",
         r["detail_200"]["rps"] and r["detail_304"]["rps"] / r["detail_200"]["rps"] >= 2,
         fmt(r["detail_304"]["rps"] / r["detail_200"]["rps"] if r["detail_200"]["rps"] else None, 2)),
        ("peak RSS ≤ 64 MB under 32-connection reads", peak <= 64e6, mb(peak)),
        ("RSS ≤ 128 MB with 8 concurrent exports", last["exports"]["rss_peak_8_exports"] <= 128e6,
         mb(last["exports"]["rss_peak_8_exports"])),
        ("cold start ≤ 100 ms on an existing database", cold.get("existing_database_s", 1) <= 0.1,
         f"{fmt(cold.get('existing_database_s', 0) * 1000)} ms"),
        ("cold start ≤ 500 ms on an empty one", cold.get("empty_database_s", 1) <= 0.5,
         f"{fmt(cold.get('empty_database_s', 0) * 1000)} ms"),
        ("generate: 1M commitments in under 3 minutes (a new database holding the seed)",
         bool(empty) and empty["seconds"] < 180,
         f"{fmt(empty['seconds'])} s" if empty else "not measured (sizes below 1M)"),
    ]
    ours_vs = [(s["commitments"], s) for s in sizes]
    ahead = all(
        (([e["rps"] for e in s["endpoints"] if e["endpoint"] == "commitment by id"] or [0])[0] >= s["datasette"]["commitment_by_id"]["rps"])
        and (([e["rps"] for e in s["endpoints"] if e["endpoint"] == "commitments, nation + kind"] or [0])[0] >= s["datasette"]["commitments_filtered"]["rps"])
        for _, s in ours_vs)
    targets.append(("ahead of Datasette by id and filtered, every size", ahead, "see the table above"))
    if last["commitments"] < 10_000_000:
        gigabytes = (last.get("database_bytes") or 0) / 1e9 * 10_000_000 / last["commitments"]
        targets.append(("growth at 10,000,000: req/s ≥ 0.7 × at the smallest, every read", False, "not measured",
                        f"ten million commitments would take about {gigabytes:,.0f} GB (this run's "
                        f"{last['commitments']:,} took {mb(last.get('database_bytes'))}) and a generation ten times "
                        "as long: `benches/run --sizes 1000,10000000` on a machine with the room"))
    scale_path = os.path.join(ROOT, "benches", "scale.json")
    if os.path.exists(scale_path):
        with open(scale_path) as f:
            scale = json.load(f)
        setups = scale["setups"]
        lines += ["", "## Two instances and a replica", "",
                  f"Written by `benches/run --scale` into `benches/scale.json`: {scale['commitments']:,} commitments, one machine of "
                  f"{scale['cores']} cores running everything (the primary, a streaming replica made with `pg_basebackup -R`, the",
                  "instances, HAProxy with `deploy/haproxy.cfg`, and wrk), 32 connections, medians of three interleaved runs of "
                  f"{scale['seconds_per_run']} s.",
                  "Each server process here shares the same two cores, so this shows what the topology costs and that reads move",
                  "to the replica; on separate machines each added instance and replica brings its own cores.", "",
                  "| endpoint | " + " | ".join(f"{s}: req/s · p99 ms" for s in setups) + f" | {setups[-1]} ÷ {setups[0]} |",
                  "|" + " --- |" * (len(setups) + 2)]
        for row in scale["endpoints"]:
            cells = [f"{fmt(row[s]['rps'])} · {fmt(row[s]['p99_ms'], 1)}" for s in setups]
            ratio = row[setups[-1]]["rps"] / row[setups[0]]["rps"] if row[setups[0]]["rps"] else 0
            lines.append(f"| {row['endpoint']} | " + " | ".join(cells) + f" | {ratio:.2f} |")
    lines += ["", "## Targets", "",
              "Where a target is not met, the last column says what the figures of this run show of the cause.", "",
              "| target | met | figure | why, where not met |", "| --- | --- | --- | --- |"]
    for name, met, figure, *why in targets:
        lines.append(f"| {name} | {'yes' if met else '**no**'} | {figure} | {'' if met or not why else why[0]} |")
    lines.append("")
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))
    svg(results, os.path.join(ROOT, "benches", "throughput.svg"))
    print("bench: wrote BENCHMARKS.md and benches/throughput.svg")


if __name__ == "__main__":
    main()
