"""Latency figures for one window of a writer run, from pgbench --log files (or mysql_writer.py's, same format).

A log line: client_id transaction_no time_us script_no epoch_s epoch_us [lag_us] [retries]; time_us is measured
from the scheduled start under -R and is `failed`, `serialization` or `deadlock` for a failed transaction
(--failures-detailed). epoch_s.epoch_us is when the transaction ended.

A transaction belongs to the window [--from, --to] if it ended at or after --from and was scheduled at or before
--to (so a write queued during the migration and released after it counts). The longest stall is the longest
time in the window during which no writer transaction completed (from --from to the first completion, and between
consecutive completions); at RATE 200 the idle gap is a few ms.

Prints: transactions p50_ms p99_ms max_ms failed stall_ms (tab-separated).
usage: stats.py --from EPOCH --to EPOCH LOGFILE...
"""

import argparse
import math


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="t0", type=float, required=True)
    ap.add_argument("--to", dest="t1", type=float, required=True)
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    lats, ends, failed = [], [], 0
    for path in a.logs:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 6:
                    continue
                end = int(parts[4]) + int(parts[5]) / 1e6
                if end < a.t0:
                    continue
                if parts[2].isdigit():
                    lat = int(parts[2]) / 1e6
                    if end - lat > a.t1:
                        continue
                    lats.append(lat)
                    ends.append(end)
                elif parts[2] != "skipped":
                    if end <= a.t1 + 60:
                        failed += 1
                        ends.append(end)
    lats.sort()
    ends.sort()

    def pct(p):
        if not lats:
            return float("nan")
        return lats[max(0, math.ceil(p / 100 * len(lats)) - 1)] * 1000

    stall, prev = 0.0, a.t0
    for e in ends:
        stall = max(stall, e - prev)
        prev = e
    if not ends:
        stall = a.t1 - a.t0
    print(f"{len(lats)}\t{pct(50):.1f}\t{pct(99):.1f}\t{(lats[-1] * 1000 if lats else float('nan')):.1f}\t{failed}\t{stall * 1000:.0f}")


if __name__ == "__main__":
    main()
