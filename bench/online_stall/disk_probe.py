"""How steady this machine's disk is: 8 kB write + fdatasync every 5 ms for a few seconds, the way a committing
writer syncs its WAL. A disk that stalls now and then (a shared virtual disk does) stalls every committing writer
with it, migration or not; this line says how much of the writer's tail is the disk's own.

Prints one line: syncs, p50, p99 and max milliseconds, and how many syncs took over 5 ms.
usage: disk_probe.py DIRECTORY SECONDS
"""

import os
import sys
import time


def main():
    directory, seconds = sys.argv[1], float(sys.argv[2])
    path = os.path.join(directory, "disk_probe.tmp")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    block = b"\0" * 8192
    took = []
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            os.pwrite(fd, block, 0)
            t = time.perf_counter()
            os.fdatasync(fd)
            took.append((time.perf_counter() - t) * 1000)
            time.sleep(0.005)
    finally:
        os.close(fd)
        os.unlink(path)
    took.sort()
    n = len(took)
    slow = sum(1 for d in took if d > 5)
    print(
        f"disk ({seconds:.0f} s of 8 kB fdatasync every 5 ms): {n} syncs, p50 {took[n // 2]:.2f} ms, "
        f"p99 {took[min(n - 1, int(n * 0.99))]:.2f} ms, max {took[-1]:.1f} ms, {slow} over 5 ms"
    )


if __name__ == "__main__":
    main()
