"""Fixed-rate writer for MariaDB/MySQL, the counterpart of writer.sql under pgbench.

CLIENTS connections each run transactions at RATE/CLIENTS per second on a Poisson schedule (as pgbench -R does):
UPDATE orders SET amount = <random> WHERE id = <random>; INSERT INTO orders (...); COMMIT. A transaction's
latency is measured from its scheduled start, so time spent queued behind a blocked one counts (no coordinated
omission). Runs until SIGTERM/SIGINT, lets in-flight transactions finish, then writes one log line per
transaction in pgbench's --log format (client_id transaction_no time_us script_no epoch_s epoch_us lag_us;
`failed` in place of time_us for a transaction that raised), so stats.py reads both writers' logs alike.

usage: mysql_writer.py --host H --port P --user U --database D --rate 200 --clients 4 --maxid N --customers N LOG
"""

import argparse
import random
import signal
import sys
import threading
import time

import pymysql


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3306)
    ap.add_argument("--user", default="root")
    ap.add_argument("--password", default="")
    ap.add_argument("--database", required=True)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--maxid", type=int, required=True)
    ap.add_argument("--customers", type=int, required=True)
    ap.add_argument("log")
    a = ap.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    logs = [[] for _ in range(a.clients)]
    errors = []

    def connect():
        return pymysql.connect(host=a.host, port=a.port, user=a.user, password=a.password,
                               database=a.database, autocommit=False)

    def client(cid):
        rng = random.Random(cid)
        per_client = a.rate / a.clients
        conn = connect()
        n = 0
        sched = time.time()
        while not stop.is_set():
            sched += rng.expovariate(per_client)
            delay = sched - time.time()
            if delay > 0:
                if stop.wait(delay):
                    break
            begin = time.time()
            ok = True
            try:
                with conn.cursor() as cur:
                    amt = rng.randint(1, 10000)
                    cur.execute("UPDATE orders SET amount = %s WHERE id = %s", (amt, rng.randint(1, a.maxid)))
                    cur.execute("INSERT INTO orders (customer_id, amount, note) VALUES (%s, %s, 'writer')",
                                (rng.randint(1, a.customers), amt))
                conn.commit()
            except Exception as e:  # counted as a failed transaction, like pgbench's `failed`
                ok = False
                errors.append(f"client {cid}: {e}")
                try:
                    conn.rollback()
                except Exception:
                    try:
                        conn.close()
                    except Exception:
                        pass
                    try:
                        conn = connect()
                    except Exception as e2:
                        errors.append(f"client {cid} reconnect: {e2}")
            end = time.time()
            lat = int((end - sched) * 1e6)
            lag = int((begin - sched) * 1e6)
            logs[cid].append((n, lat if ok else "failed", int(end), int((end % 1) * 1e6), lag))
            n += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        time.sleep(0.1)
    with open(a.log, "w") as f:
        for cid, rows in enumerate(logs):
            for n, lat, es, eus, lag in rows:
                f.write(f"{cid} {n} {lat} 0 {es} {eus} {lag}\n")
    total = sum(len(r) for r in logs)
    print(f"number of transactions actually processed: {total}")
    failed = sum(1 for r in logs for row in r if row[1] == "failed")
    print(f"number of failed transactions: {failed}")
    for e in errors[:5]:
        print(e, file=sys.stderr)


if __name__ == "__main__":
    main()
