-- pgbench writer for bench/online_stall.sh: one UPDATE of a random row's amount (the column the type change
-- touches) and one INSERT, in one transaction. The first statement is the stop switch: when the harness sets
-- this writer's bench_stop.stop, it fails (division by zero) before the transaction begins, ending the client
-- cleanly with its log flushed (pgbench 15 has no other way to end a -T run early).
-- Variables: -D maxid=<rows> -D customers=<n> -D writer=<row of public.bench_stop>.
\set id random(1, :maxid)
\set cid random(1, :customers)
\set amt random(1, 10000)
SELECT 1 / (1 - stop::int) FROM public.bench_stop WHERE writer = :writer;
BEGIN;
UPDATE orders SET amount = :amt WHERE id = :id;
INSERT INTO orders (customer_id, amount, note) VALUES (:cid, :amt, 'writer');
END;
