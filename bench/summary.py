#!/usr/bin/env python3
"""One table from the benchmark results of this run (bench-results/*.md), with ratios against
the reference measured in the same run and the target each figure must meet.

Prints the table, writes bench-results/summary.md, and with --readme FILE replaces the block
between `<!-- bench:begin -->` and `<!-- bench:end -->` in FILE with it.
Exits 1 when a figure is missing or a target is not met (the table is still written)."""
import os
import re
import sys
from datetime import datetime, timezone

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench-results")


def table_rows(name):
    """{first cell: [other cells]} of every markdown table row in bench-results/NAME."""
    path = os.path.join(RESULTS, name)
    rows = {}
    if not os.path.exists(path):
        return rows
    for line in open(path, encoding="utf-8"):
        if line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.setdefault(cells[0], cells[1:])
    return rows


def text(name):
    path = os.path.join(RESULTS, name)
    return open(path, encoding="utf-8").read() if os.path.exists(path) else ""


def number(cell):
    m = re.match(r"\s*([0-9.]+)", cell or "")
    return float(m.group(1)) if m else None


def find(rows, prefix):
    for key, cells in rows.items():
        if key.startswith(prefix):
            return cells
    return None


lines = []  # (figure, portico, reference, ratio, target, met)


def add(figure, portico, reference="—", ratio="—", target="", met=None):
    lines.append((figure, portico, reference, ratio, target, {True: "yes", False: "**no**", None: "—"}[met]))


missing = []

# Portal throughput: bench/http.sh (Portico and nginx in the same run).
http = {}
for line in text("http.md").splitlines():
    if line.startswith("| 302") or line.startswith("| suspension page"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        http[(cells[0].split(" (")[0], cells[1])] = (float(cells[2]), float(cells[3]))
for answer, goal in (("302 redirect", 1.0), ("suspension page", 0.5)):
    for conns in ("100", "1000"):
        got = http.get((answer, conns))
        figure = "%s, %s keep-alive connections (req/s)" % (answer, conns)
        if not got:
            missing.append(figure)
            add(figure, "not measured")
            continue
        nginx, portico = got
        ratio = portico / nginx
        add(figure, "%.0f" % portico, "nginx %.0f" % nginx, "%.2f×" % ratio, "≥ %.1f× nginx" % goal,
            ratio >= goal)

memory = re.search(r"Portico resident memory: idle ([0-9.]+) MiB, peak under load ([0-9.]+) MiB", text("http.md"))
nginx_memory = re.search(r"nginx resident memory.*?: ([0-9.]+) MiB", text("http.md"))
if memory:
    idle, peak = float(memory.group(1)), float(memory.group(2))
    add("resident memory, idle (MiB)", "%.1f" % idle, "", "", "reported")
    if nginx_memory:
        n = float(nginx_memory.group(1))
        add("resident memory, peak under the load above (MiB)", "%.1f" % peak, "nginx %.1f" % n, "%.1f×" % (peak / n),
            "reported")
    else:
        add("resident memory, peak under the load above (MiB)", "%.1f" % peak, "", "", "reported")
else:
    missing.append("resident memory")
    add("resident memory (MiB)", "not measured")

# Release latency in the lab and netlink work: bench/firewall.sh (root).
release = table_rows("firewall-release.md")
end_to_end = find(release, "release → first 200")
floor = find(release, "the same request from a client not suspended")
if end_to_end:
    p99 = number(end_to_end[1])
    add("release → client's first 200, end to end in the lab, p99 (ms)", "%.2f" % p99,
        "unsuspended client %.2f" % number(floor[1]) if floor else "—",
        "%.2f×" % (p99 / number(floor[1])) if floor else "—", "< 10 ms", p99 < 10)
else:
    missing.append("release latency")
    add("release → client's first 200, end to end, p99 (ms)", "not measured (bench/firewall.sh needs root)")

netlink = table_rows("firewall-netlink.md")
release_p99 = next((c for k, c in netlink.items() if k.startswith("release (set delete") and k.endswith("p99")), None)
if release_p99:
    v = number(release_p99[0])
    add("release, netlink work (set delete + conntrack delete), p99 (µs)", "%.1f" % v, "", "", "< 200 µs", v < 200)
else:
    missing.append("netlink release")
    add("release, netlink work, p99 (µs)", "not measured (bench/firewall.sh needs root)")
rebuild = next((c for k, c in netlink.items() if k.startswith("rebuild with")), None)
nft = next((c for k, c in netlink.items() if k.startswith("nft -f, the same") and "hash set" in k), None)
if rebuild and nft:
    r, n = number(rebuild[0]), number(nft[0])
    add("rebuild of 100,000 addresses (s)", "%.3f" % r, "nft -f %.3f" % n, "%.2f×" % (r / n), "< 0.25 s, ≤ 0.5× nft -f",
        r < 0.25 and r / n <= 0.5)
else:
    missing.append("rebuild")
    add("rebuild of 100,000 addresses (s)", "not measured (bench/firewall.sh needs root)")

# The daily run: portico bench billing.
billing = table_rows("billing.md")
row = next((c for k, c in billing.items() if k.isdigit()), None)
if row:
    seconds, peak_mib = float(row[3]), float(row[4])
    add("daily run, %s services × %s dates, ledger %s (s)" % (next(k for k in billing if k.isdigit()), row[0], row[5]),
        "%.2f" % seconds, "", "", "< 10 s", seconds < 10 and row[5] == "ok")
    add("daily run, peak memory (MiB)", "%.0f" % peak_mib, "", "", "< 200 MiB", peak_mib < 200)
else:
    missing.append("daily run")
    add("daily run (s)", "not measured")

machine = text("machine.txt").strip() or "unknown machine"
out = ["| figure | Portico | reference, same run | ratio | target | met |", "|---|---:|---:|---:|---|---|"]
out += ["| %s | %s | %s | %s | %s | %s |" % line for line in lines]
out.append("")
out.append("Machine: %s. Taken %s." % (machine, datetime.now(timezone.utc).strftime("%Y-%m-%d")))
table = "\n".join(out) + "\n"
print(table)
with open(os.path.join(RESULTS, "summary.md"), "w", encoding="utf-8") as f:
    f.write(table)

if len(sys.argv) == 3 and sys.argv[1] == "--readme":
    readme = open(sys.argv[2], encoding="utf-8").read()
    begin, end = "<!-- bench:begin -->\n", "<!-- bench:end -->"
    if begin in readme and end in readme:
        head, rest = readme.split(begin, 1)
        _, tail = rest.split(end, 1)
        open(sys.argv[2], "w", encoding="utf-8").write(head + begin + table + end + tail)
        print("updated the benchmark table in %s" % sys.argv[2])

failed = [l[0] for l in lines if l[5] == "**no**"]
if missing:
    print("not measured: " + ", ".join(missing), file=sys.stderr)
if failed:
    print("targets not met: " + "; ".join(failed), file=sys.stderr)
sys.exit(1 if missing or failed else 0)
