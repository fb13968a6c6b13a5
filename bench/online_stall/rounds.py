"""Summary of a ROUNDS=N run of bench/online_stall.sh for one engine: per change and tool, the median and range
of the migration time, the writer's window p99, its p99 in the seconds just before the change ("before") and the
ratio of the two, its ratio to the idle writer's p99 of the same round ("x idle": each round starts with the
writer alone, measured the same way), and the longest stall of any round.

Input: the TSV the script writes (round, engine, change, tool, migration_s, p99_ms, before_p99_ms, stall_ms per
line); the writer-alone rows have the tool "(writer alone)".
usage: rounds.py ENGINE FILE
"""

import statistics
import sys

IDLE = "(writer alone)"


def fmt(values, unit=""):
    values = sorted(values)
    if not values:
        return "-"
    mid = statistics.median(values)
    if len(values) == 1:
        return f"{mid:.1f}{unit}"
    return f"{mid:.1f}{unit} ({values[0]:.1f}-{values[-1]:.1f})"


def main():
    engine, path = sys.argv[1], sys.argv[2]
    groups = {}
    rows = []
    with open(path) as f:
        for line in f:
            rnd, e, change, tool, mig, p99, before, stall = line.rstrip("\n").split("\t")
            if e == engine:
                rows.append((rnd, change, tool, mig, p99, before, stall))
    idle = {rnd: float(p99) for rnd, _, tool, _, p99, _, _ in rows if tool == IDLE}
    for rnd, change, tool, mig, p99, before, stall in rows:
        g = groups.setdefault(
            (change, tool), {"mig": [], "p99": [], "before": [], "ratio": [], "idle": [], "stall": []}
        )
        if tool != IDLE and idle.get(rnd, 0) > 0:
            g["idle"].append(float(p99) / idle[rnd])
        g["mig"].append(float(mig))
        g["p99"].append(float(p99))
        g["stall"].append(float(stall))
        try:
            b = float(before)
        except ValueError:
            continue
        g["before"].append(b)
        if b > 0:
            g["ratio"].append(float(p99) / b)
    rounds = max((len(g["mig"]) for g in groups.values()), default=0)
    print(f"{engine}, {rounds} rounds: median (min-max)")
    print()
    print(
        "| change | tool | migration s | writer p99 ms | p99 before ms | x before | x idle (same round) "
        "| longest stall, worst round |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for (change, tool), g in groups.items():
        print(
            f"| {change} | {tool} | {fmt(g['mig'])} | {fmt(g['p99'])} | {fmt(g['before'])} | "
            f"{fmt(g['ratio'], 'x')} | {fmt(g['idle'], 'x')} | {max(g['stall']):.0f} ms |"
        )


if __name__ == "__main__":
    main()
