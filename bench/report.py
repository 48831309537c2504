#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The table and the JSON of bench/run: reads the records of one run (one line of key=value pairs per
figure), takes the median of the repetitions, works out each figure's ratio to the baseline measured in
the same run, and marks the targets of the performance issue.

    report.py RECORDS JSON_OUT
"""

import json
import statistics
import sys
from collections import defaultdict

OP_LABEL = {
    "ping": "Peer.Ping",
    "get": "Get",
    "set": "Set",
    "set-ttl": "SetWithTTL",
    "set-all": "SetAll (1000 entries)",
    "get-all": "GetAll (10 000 keys)",
}


def parse(path):
    records = []
    with open(path) as f:
        for line in f:
            fields = {}
            for token in line.split():
                if "=" in token:
                    k, v = token.split("=", 1)
                    fields[k] = v
            if fields:
                records.append(fields)
    return records


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def median_record(recs, key="calls_per_sec"):
    """The repetition whose figure is the median (its own latencies go with it)."""
    recs = sorted(recs, key=lambda r: num(r.get(key)) or 0)
    return recs[(len(recs) - 1) // 2]


class Run:
    def __init__(self, records):
        self.meta = next((r for r in records if r.get("kind") == "meta"), {})
        self.skips = [r for r in records if r.get("kind") == "skip"]
        groups = defaultdict(list)
        paired = defaultdict(list)
        for r in records:
            if r.get("kind") != "call" or "calls_per_sec" not in r:
                continue
            key = (r["bus"], int(r["size"]), r["durability"], r.get("transport", "bus"), r["op"], int(r["clients"]))
            if r.get("series") == "paired":
                paired[key].append(r)
            else:
                groups[key].append(r)
        self.calls = {k: median_record(v) for k, v in groups.items()}
        self.reps = {k: len(v) for k, v in groups.items()}
        self.paired = {k: median_record(v) for k, v in paired.items()}

        base = defaultdict(list)
        for r in records:
            if r.get("kind") == "baseline":
                base[(int(r["size"]), r["op"])].append(r)
        self.baseline = {k: median_record(v) for k, v in base.items()}

        alt = defaultdict(list)
        for r in records:
            if r.get("kind") == "alt":
                alt[(r["what"], r["op"], r.get("keys", ""), int(r["clients"]), r.get("series", "main"))].append(r)
        self.alt = {k: median_record(v) for k, v in alt.items()}

        self.startup = [r for r in records if r.get("kind") == "startup"]
        self.rss = [r for r in records if r.get("kind") == "rss"]
        self.fill = [r for r in records if r.get("kind") == "fill"]
        self.buses = sorted({k[0] for k in self.calls}, key=lambda b: (b != "dbus-daemon", b))
        self.sizes = sorted({k[1] for k in self.calls})
        self.clients = sorted({k[5] for k in self.calls})

    def rate(self, bus, size, durability, op, clients, transport="bus"):
        r = self.calls.get((bus, size, durability, transport, op, clients))
        return num(r["calls_per_sec"]) if r else None

    def paired_rate(self, size, clients):
        r = self.paired.get(("dbus-daemon", size, "full", "bus", "set", clients))
        return num(r["calls_per_sec"]) if r else None

    def base_rate(self, size, op):
        r = self.baseline.get((size, op))
        return num(r["calls_per_sec"]) if r else None

    def alt_rate(self, what, op, clients, keys="", series=None):
        """series None: the figure measured beside the daemon's if there is one, else the alternative's own."""
        for sr in ([series] if series else ["adjacent", "main"]):
            r = self.alt.get((what, op, keys, clients, sr))
            if r:
                return num(r["calls_per_sec"])
        return None

    def alt_best(self, what, op, keys="", series=None):
        for sr in ([series] if series else ["adjacent", "main"]):
            rates = [(num(r["calls_per_sec"]), c) for (w, o, k, c, x), r in self.alt.items() if w == what and o == op and k == keys and x == sr]
            if rates:
                return max(rates) + (sr,)
        return (None, None, None)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt(x, digits=0):
    if x is None:
        return "—"
    return f"{x:,.{digits}f}".replace(",", " ")


def fmt_size(n):
    return f"{n:,}".replace(",", " ")


def build_rows(run):
    """Every figure with its ratio to the baseline of the same run."""
    rows = []
    for size in run.sizes:
        for bus in run.buses:
            for (b, s, dur, transport, op, c), r in sorted(
                run.calls.items(),
                key=lambda kv: (
                    kv[0][3],
                    ["ping", "get", "set", "set-ttl", "set-all", "get-all"].index(kv[0][4]) if kv[0][4] in OP_LABEL else 9,
                    kv[0][2] != "full",
                    kv[0][5],
                ),
            ):
                if b != bus or s != size:
                    continue
                if op == "ping" and dur == "normal":
                    continue  # the normal run's Ping is only the baseline of its Set
                value = num(r["calls_per_sec"])
                unit = "calls/s"
                base, to = None, ""
                if op == "ping" and transport == "bus":
                    base, to = None, ""
                elif op == "ping" and transport == "direct":
                    base, to = run.rate(bus, size, dur, "ping", c), f"Ping {c} (bus)"
                elif op in ("get", "set", "set-ttl") and transport == "bus":
                    base, to = run.rate(bus, size, dur, "ping", c), f"Ping {c}"
                elif op == "get" and transport == "direct":
                    redis = run.alt_rate("redis", "redis-get", c) if size == run.sizes[0] and bus == "dbus-daemon" else run.alt_rate("redis", "redis-get", c, series="main")
                    if redis:
                        base, to = redis, f"Redis GET {c}"
                    else:
                        base, to = run.rate(bus, size, dur, "ping", c, "direct"), f"Ping {c} (direct)"
                elif op == "set-all":
                    value = num(r["entries_per_sec"])
                    unit = "entries/s"
                    b1000 = run.base_rate(size, "sqlite-commit-1000")
                    base, to = (b1000 * 1000 if b1000 else None), "SQLite txn of 1000"
                elif op == "get-all":
                    base, to = run.base_rate(size, "sqlite-get-all"), "SQLite read 10k"
                label = OP_LABEL.get(op, op)
                if op in ("set", "set-ttl", "set-all"):
                    label += f" [{dur}]"
                if transport == "direct":
                    label += " direct"
                rows.append(
                    {
                        "bus": bus,
                        "store": size,
                        "op": op,
                        "label": label,
                        "durability": dur,
                        "transport": transport,
                        "clients": c,
                        "value": value,
                        "unit": unit,
                        "calls_per_sec": num(r["calls_per_sec"]),
                        "p50_us": num(r.get("p50_us")),
                        "p99_us": num(r.get("p99_us")),
                        "errors": int(r.get("errors", "0")),
                        "reps": run.reps[(b, s, dur, transport, op, c)],
                        "ratio": ratio(value, base),
                        "baseline": to or None,
                        "baseline_value": base,
                    }
                )
    return rows


def build_targets(run):
    small, large = (run.sizes[0], run.sizes[-1]) if run.sizes else (None, None)
    big_note = "" if large == 1000000 else f"measured at {fmt_size(large)}; the issue's figure is at 1 000 000" if large else ""
    targets = []

    def target(name, value, goal, met, shown=None, note=""):
        targets.append(
            {
                "target": name,
                "value": value,
                "shown": shown if shown is not None else (fmt(value, 2) if value is not None else "not measured"),
                "goal": goal,
                "met": met if value is not None else None,
                "note": note,
            }
        )

    def at_least(name, value, goal, note=""):
        target(name, value, f"≥ {goal:.2f}", value is not None and value >= goal, note=note)

    d = "dbus-daemon"
    at_least("Get, 1 client ÷ Peer.Ping, 1 client (dbus-daemon)", ratio(run.rate(d, small, "full", "get", 1), run.rate(d, small, "full", "ping", 1)), 0.85)
    at_least("Get, 8 clients ÷ Peer.Ping, 8 clients (dbus-daemon)", ratio(run.rate(d, small, "full", "get", 8), run.rate(d, small, "full", "ping", 8)), 0.85)
    for bus in ("dbus-daemon", "dbus-broker"):
        at_least(
            f"durable Set, 32 clients ÷ Peer.Ping, 32 clients ({bus})",
            ratio(run.rate(bus, small, "full", "set", 32), run.rate(bus, small, "full", "ping", 32)),
            0.80,
            note="" if bus in run.buses else "dbus-broker not run",
        )
    dconf, dconf_c, dconf_series = run.alt_best("dconf", "dconf-write", "100")
    at_least(
        "durable Set aggregate (32 clients) ÷ dconf-service writes/s, 100 keys (best of its writer counts)",
        ratio(run.rate(d, small, "full", "set", 32), dconf),
        50.0,
        note=(f"dconf best at {dconf_c} writers" + (", measured beside the Set figures" if dconf_series == "adjacent" else ""))
        if dconf_c
        else "dconf not run",
    )
    dconf10k, dconf10k_c, _ = run.alt_best("dconf", "dconf-write", "10000", "main")
    at_least(
        "durable Set aggregate (32 clients) ÷ dconf-service writes/s, 10 000 keys",
        ratio(run.rate(d, small, "full", "set", 32), dconf10k),
        50.0,
        note=f"dconf best at {dconf10k_c} writers" if dconf10k_c else "not measured in a quick run",
    )
    for c in (1, 32):
        cost = ratio(run.paired_rate(small, c), run.paired_rate(large, c)) if large != small else None
        target(
            f"durable Set per-write cost at {fmt_size(large)} ÷ at {fmt_size(small)} entries, {c} client{'s' if c > 1 else ''} (measured alternately)",
            cost,
            "≤ 1.20",
            cost is not None and cost <= 1.2,
            note=big_note,
        )
    cost = ratio(run.base_rate(small, "sqlite-get-all"), run.rate(d, small, "full", "get-all", 1))
    target("GetAll of 10 000 keys, 1 client, cost ÷ in-process SQLite reading the rows", cost, "≤ 4.00", cost is not None and cost <= 4.0)
    at_least(
        "direct socket Get, 1 client ÷ Redis GET, 1 client",
        ratio(run.rate(d, small, "full", "get", 1, "direct"), run.alt_rate("redis", "redis-get", 1)),
        0.80,
        note="" if run.rate(d, small, "full", "get", 1, "direct") else "this stored has no direct socket",
    )
    rss = [int(r["kib"]) for r in run.rss if int(r.get("size", 0)) == large and r.get("phase") != "fill"]
    peak = max(rss) / 1024 if rss else None
    target(f"peak RSS with {fmt_size(large)} entries (MiB)", peak, "≤ 64", peak is not None and peak <= 64, fmt(peak, 1) if peak else None, big_note)
    starts = [int(r["usec"]) / 1e6 for r in run.startup if int(r.get("size", 0)) == large and r.get("phase") != "fill"]
    start = statistics.median_high(starts) if starts else None
    target(
        f"start-up with {fmt_size(large)} entries, exec → name on the bus (s; median of {len(starts)})",
        start,
        "≤ 0.50",
        start is not None and start <= 0.5,
        fmt(start, 3) if start is not None else None,
        big_note,
    )
    bt = run.meta.get("buildtype", "?")
    san = run.meta.get("sanitize", "none")
    targets.append(
        {
            "target": "build is optimized (buildtype debugoptimized or release, no sanitizer)",
            "value": bt,
            "shown": bt + ("" if san in ("none", "") else f" +{san}"),
            "goal": "debugoptimized|release",
            "met": bt in ("debugoptimized", "release") and san in ("none", ""),
            "note": "",
        }
    )
    return targets


def print_report(run, rows, targets):
    m = run.meta
    print(
        f"stored bench/run ({m.get('mode', '?')}): {m.get('cpus', '?')} CPUs, build {m.get('buildtype', '?')}, "
        f"databases on {m.get('fstype', '?')}, {m.get('seconds_each', '?')} s per figure, median of {m.get('reps', '?')}, "
        f"revision {m.get('revision', '?')}, took {m.get('elapsed_s', '?')} s; "
        f"load average {m.get('load_start', '?')} at the start, {m.get('load_end', '?')} at the end"
    )
    print("ratio = figure ÷ the baseline named in the last column, measured in the same run (same bus, same daemon run)")
    print()
    header = f"{'bus':<12} {'store':>9} {'what':<28} {'clients':>7} {'figure':>11} {'unit':<9} {'p50 µs':>8} {'p99 µs':>8} {'ratio':>6}  to"
    print(header)
    print("-" * len(header))
    last = None
    for r in rows:
        group = (r["bus"], r["store"])
        if last and group != last:
            print()
        last = group
        print(
            f"{r['bus']:<12} {fmt_size(r['store']):>9} {r['label']:<28} {r['clients']:>7} {fmt(r['value']):>11} {r['unit']:<9} "
            f"{fmt(r['p50_us']):>8} {fmt(r['p99_us']):>8} {fmt(r['ratio'], 2):>6}  {r['baseline'] or ''}"
            + (f"  ({r['errors']} errors)" if r["errors"] else "")
        )

    if run.paired:
        print()
        print("durable Set against store size: one daemon on each store, on a bus each, both running, the runs alternating")
        sizes = sorted({k[1] for k in run.paired})
        for c in sorted({k[5] for k in run.paired}):
            rates = [run.paired_rate(s, c) for s in sizes]
            line = "   ".join(f"{fmt_size(s)} entries {fmt(r):>8} calls/s" for s, r in zip(sizes, rates))
            cost = ratio(rates[0], rates[-1]) if len(rates) > 1 else None
            print(f"  {c:>3} client{'s' if c > 1 else ' '}  {line}   per-write cost ratio {fmt(cost, 2)}")

    print()
    print("daemon start-up (exec → name on the bus) and peak RSS (VmHWM at the end of each daemon run)")
    for bus in run.buses:
        for size in run.sizes:
            starts = [int(r["usec"]) for r in run.startup if r.get("bus") == bus and int(r.get("size", 0)) == size and r.get("phase") != "fill"]
            rss = {r.get("durability"): int(r["kib"]) for r in run.rss if r.get("bus") == bus and int(r.get("size", 0)) == size and r.get("phase") != "fill"}
            if not starts and not rss:
                continue
            print(
                f"  {bus:<12} {fmt_size(size):>9} entries: start-up "
                + ", ".join(f"{u / 1000:.1f} ms" for u in starts)
                + "; peak RSS "
                + ", ".join(f"{k} {v / 1024:.1f} MiB" for k, v in rss.items())
            )
    for r in run.fill:
        print(f"  filling {fmt_size(int(r['size']))} entries through SetAll: {fmt(num(r.get('entries_per_sec')))} entries/s")

    print()
    print("in-process SQLite on the daemon's database file (no bus, no daemon)")
    labels = {
        "sqlite-get": "Get of one row",
        "sqlite-get-all": "GetAll: 10 000 rows read",
        "sqlite-commit": "durable commit of one row (FULL)",
        "sqlite-commit-normal": "commit of one row (NORMAL)",
        "sqlite-commit-1000": "commit of 1000 rows (FULL)",
    }
    order = list(labels)
    for (size, op), r in sorted(run.baseline.items(), key=lambda kv: (kv[0][0], order.index(kv[0][1]) if kv[0][1] in order else 9)):
        print(f"  {fmt_size(size):>9} entries  {labels.get(op, op):<34} {fmt(num(r['calls_per_sec'])):>11} /s  {num(r['us_per_call']):10.2f} µs each")

    print()
    print("the alternatives, same machine, same run")
    for (what, op, keys, c, series), r in sorted(run.alt.items(), key=lambda kv: (kv[0][4] != "main", kv[0])):
        what_label = {"dconf": f"dconf-service Change, {keys} keys", "redis": "Redis, unix socket"}.get(what, what)
        opl = {"dconf-write": "write", "redis-get": "GET", "redis-set": "SET", "redis-set-always": "SET appendfsync always"}.get(op, op)
        if series == "adjacent":
            opl += " (beside stored)"
        print(f"  {what_label:<34} {opl:<24} {c:>3} client{'s' if c > 1 else ' '} {fmt(num(r['calls_per_sec'])):>11} /s  p50 {fmt(num(r.get('p50_us'))):>7} µs")
    if any(k[4] == "adjacent" for k in run.alt):
        print("  (beside stored: measured right after the daemon's figures with as many clients, dbus-daemon, smallest store;")
        print("   the targets and the 'Get direct' ratios use these)")
    for s in run.skips:
        print(f"  skipped: {s.get('what')}: {s.get('reason', '').replace('_', ' ')}")

    print()
    print("targets of the performance issue (dbus-daemon unless said; store of the smallest size unless said)")
    for t in targets:
        mark = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        print(f"  [{mark:^12}] {t['target']}: {t['shown']} (goal {t['goal']}){' — ' + t['note'] if t['note'] else ''}")


def clean(r, drop=("kind",)):
    """A record for the JSON: numbers as numbers."""
    out = {}
    for k, v in r.items():
        if k in drop:
            continue
        if k in ("revision", "broker_version"):
            out[k] = v
            continue
        try:
            out[k] = int(v)
        except (TypeError, ValueError):
            try:
                out[k] = float(v)
            except (TypeError, ValueError):
                out[k] = v
    return out


def main():
    records = parse(sys.argv[1])
    run = Run(records)
    rows = build_rows(run)
    targets = build_targets(run)
    print_report(run, rows, targets)
    doc = {
        "meta": clean(run.meta),
        "figures": rows,
        "set_by_store_size": [
            {"store": k[1], "clients": k[5], "calls_per_sec": num(r["calls_per_sec"]), "p50_us": num(r.get("p50_us")), "p99_us": num(r.get("p99_us"))}
            for k, r in sorted(run.paired.items())
        ],
        "startup": [clean(r) for r in run.startup],
        "rss": [clean(r) for r in run.rss],
        "fill": [clean(r) for r in run.fill],
        "sqlite_in_process": [clean(r) for r in run.baseline.values()],
        "alternatives": [clean(r) for r in run.alt.values()],
        "skipped": [clean(r) for r in run.skips],
        "targets": targets,
    }
    with open(sys.argv[2], "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print()
    print(f"JSON: {sys.argv[2]}")


if __name__ == "__main__":
    main()
