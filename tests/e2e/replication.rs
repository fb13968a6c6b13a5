//! Backfills and replication, against a real primary and replica that each test starts on free ports in
//! private data directories. MariaDB (`mariadb-install-db`, `mariadbd`, row-based binary log): the replica is
//! found through the primary's `SHOW REPLICA HOSTS`, a backfill waits while it lags or while its SQL thread is
//! stopped, and a `--replica` that is not a replica stops the run before its first phase. PostgreSQL
//! (`initdb`, `pg_basebackup -R`, as the `postgres` user when run as root): a backfill waits while the
//! standby's replay is paused, and goes on once it has caught up.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ai_shell::connection::Database;

use crate::support::{ai_shell_cmd, block_on};

/// A MariaDB primary and its replica, stopped and deleted when dropped.
struct Pair {
    dir: tempfile::TempDir,
    servers: Vec<Child>,
    primary: u16,
    replica: u16,
}

impl Pair {
    fn start() -> Pair {
        let dir = tempfile::tempdir().unwrap();
        let (primary, replica) = (free_port(), free_port());
        let mut pair = Pair {
            dir,
            servers: Vec::new(),
            primary,
            replica,
        };
        for (name, port, id) in [("primary", primary, 1), ("replica", replica, 2)] {
            let data = pair.dir.path().join(name);
            let out = Command::new("mariadb-install-db")
                .args(["--no-defaults", "--auth-root-authentication-method=normal"])
                .arg(format!("--datadir={}", data.display()))
                .output()
                .expect("mariadb-install-db (Debian package mariadb-server) must be installed");
            assert!(
                out.status.success(),
                "mariadb-install-db failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut cmd = Command::new("/usr/sbin/mariadbd");
            cmd.arg("--no-defaults")
                .arg(format!("--datadir={}", data.display()))
                .arg(format!("--port={port}"))
                .arg("--bind-address=127.0.0.1")
                .arg(format!(
                    "--socket={}",
                    data.with_extension("sock").display()
                ))
                .arg(format!(
                    "--pid-file={}",
                    data.with_extension("pid").display()
                ))
                .arg(format!(
                    "--log-error={}",
                    data.with_extension("err").display()
                ))
                .arg(format!("--server-id={id}"))
                .args(["--innodb-buffer-pool-size=32M", "--user=root"])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if name == "primary" {
                cmd.arg(format!("--log-bin={}", data.join("bin").display()))
                    .arg("--binlog-format=ROW");
            } else {
                cmd.args(["--report-host=127.0.0.1", "--read-only"])
                    .arg(format!("--report-port={port}"));
            }
            pair.servers.push(cmd.spawn().expect("starting mariadbd"));
            wait_for_port(port, &data.with_extension("err"));
        }
        pair.sql(
            pair.replica,
            &format!(
                "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = {}, MASTER_USER = 'root', \
                 MASTER_USE_GTID = slave_pos; START SLAVE",
                pair.primary
            ),
        );
        pair
    }

    fn url(&self, port: u16, database: &str) -> String {
        format!("mysql://root@127.0.0.1:{port}/{database}")
    }

    fn sql(&self, port: u16, script: &str) {
        run_sql(&self.url(port, "mysql"), script);
    }

    /// The first value of `query` on the server at `port`, as text.
    fn value(&self, port: u16, query: &str) -> String {
        first_value(&self.url(port, "mysql"), query)
    }

    /// Waits until the replica returns what the primary returns for `query`.
    fn wait_replica_agrees(&self, query: &str) -> String {
        let want = self.value(self.primary, query);
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.value(self.replica, query);
            if got == want {
                return got;
            }
            assert!(
                Instant::now() < until,
                "the replica still returns {got} for {query}, the primary {want}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Holds a global read lock on the replica for `hold` (its SQL thread stops applying), from a thread.
    fn block_replica(&self, hold: Duration) -> std::thread::JoinHandle<()> {
        let url = self.url(self.replica, "mysql");
        let (locked, wait) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(move || {
            block_on(async {
                let db = Database::connect(&url).await.unwrap();
                let mut s = db.session().await.unwrap();
                s.execute_script("FLUSH TABLES WITH READ LOCK")
                    .await
                    .unwrap();
                locked.send(()).unwrap();
                tokio::time::sleep(hold).await;
                s.execute_script("UNLOCK TABLES").await.unwrap();
                s.close().await;
                db.close().await;
            })
        });
        wait.recv().unwrap();
        handle
    }

    /// `ai-shell migrate REQUEST --zero-downtime` on the primary's `shop`, with `extra` options.
    fn migrate(&self, project: &Path, request: &str, extra: &[&str]) -> std::process::Output {
        ai_shell_cmd()
            .current_dir(project)
            .args([
                "--database",
                &self.url(self.primary, "shop"),
                "migrate",
                request,
            ])
            .args(["--zero-downtime", "--yes", "--confirm-gates"])
            .args(extra)
            .output()
            .unwrap()
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for server in &mut self.servers {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// A PostgreSQL primary and a streaming standby, stopped and deleted when dropped.
struct PgPair {
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    primary: u16,
    standby: u16,
}

impl PgPair {
    fn start() -> PgPair {
        let out = Command::new("pg_config")
            .arg("--bindir")
            .output()
            .expect("pg_config (Debian package postgresql) must be installed");
        let bin = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let dir = tempfile::tempdir().unwrap();
        let pair = PgPair {
            dir,
            bin,
            primary: free_port(),
            standby: free_port(),
        };
        if is_root() {
            // PostgreSQL refuses to run as root: the clusters belong to postgres.
            pg_run(Command::new("chown").arg("postgres").arg(pair.dir.path()));
        }
        let (p, r) = (pair.dir.path().join("p"), pair.dir.path().join("r"));
        pg_run(
            pair.tool("initdb")
                .arg("-D")
                .arg(&p)
                .args(["-A", "trust", "-U", "postgres"]),
        );
        pair.start_cluster(&p, pair.primary, "primary");
        pg_run(
            pair.tool("pg_basebackup")
                .args(["-h", "127.0.0.1", "-U", "postgres", "-R", "-D"])
                .arg(&r)
                .arg(format!("--port={}", pair.primary)),
        );
        pair.start_cluster(&r, pair.standby, "standby1");
        pair
    }

    fn tool(&self, name: &str) -> Command {
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(name));
            c
        } else {
            Command::new(self.bin.join(name))
        };
        cmd.stdout(Stdio::null());
        cmd
    }

    fn start_cluster(&self, data: &Path, port: u16, name: &str) {
        pg_run(
            self.tool("pg_ctl")
                .arg("-D")
                .arg(data)
                .arg("-l")
                .arg(data.with_extension("log"))
                .arg("-o")
                .arg(format!(
                    "-p {port} -k {} -c listen_addresses=127.0.0.1 -c shared_buffers=16MB -c cluster_name={name}",
                    self.dir.path().display()
                ))
                .args(["-w", "start"]),
        );
    }

    fn url(&self, port: u16, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/{database}")
    }

    fn sql(&self, port: u16, database: &str, script: &str) {
        run_sql(&self.url(port, database), script);
    }
}

impl Drop for PgPair {
    fn drop(&mut self) {
        for data in ["r", "p"] {
            let _ = self
                .tool("pg_ctl")
                .arg("-D")
                .arg(self.dir.path().join(data))
                .args(["-m", "immediate", "stop"])
                .status();
        }
    }
}

/// Runs `script` on the database at `url`.
fn run_sql(url: &str, script: &str) {
    block_on(async {
        let db = Database::connect(url).await.unwrap();
        db.execute_script(script)
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"));
        db.close().await;
    });
}

/// The first value of `query` on the database at `url`, as text.
fn first_value(url: &str, query: &str) -> String {
    block_on(async {
        let db = Database::connect(url).await.unwrap();
        let mut s = db.session().await.unwrap();
        let r = s.query(query, &[]).await.unwrap();
        s.close().await;
        db.close().await;
        match r.rows.first().and_then(|row| row.first()) {
            Some(ai_shell::model::SqlValue::Text(t)) => t.clone(),
            Some(ai_shell::model::SqlValue::Integer(n)) => n.to_string(),
            Some(ai_shell::model::SqlValue::Float(f)) => f.to_string(),
            other => format!("{other:?}"),
        }
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn pg_run(cmd: &mut Command) {
    let out = cmd.output().expect("running a PostgreSQL tool");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, log: &Path) {
    let until = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < until,
            "mariadbd did not listen on {port}: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn mysql_backfill_waits_for_a_stopped_or_lagging_replica() {
    let pair = Pair::start();
    pair.sql(
        pair.primary,
        "CREATE DATABASE shop; USE shop;
         CREATE TABLE orders (id bigint AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, amount int NOT NULL);
         INSERT INTO orders (customer_id, amount) SELECT seq % 100, seq FROM seq_1_to_30000;",
    );
    pair.wait_replica_agrees("SELECT COUNT(*) FROM shop.orders");
    let project = tempfile::tempdir().unwrap();
    let replica = format!("127.0.0.1:{}", pair.replica);

    // A --replica that is not a replica: refused before the first phase, nothing changed.
    let out = pair.migrate(
        project.path(),
        "change amount in orders to bigint",
        &["--replica", &pair.url(pair.primary, "shop")],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("is not a replica"), "{}", text(&out));
    let tables = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'shop' AND table_name LIKE '%aish%'";
    assert_eq!(pair.value(pair.primary, tables), "0");
    std::fs::remove_dir_all(project.path().join("migrations")).unwrap();

    // The replica's SQL thread is stopped: the copy waits until it runs again.
    pair.sql(pair.replica, "STOP SLAVE SQL_THREAD");
    let restart = {
        let url = pair.url(pair.replica, "mysql");
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(2500));
            run_sql(&url, "START SLAVE SQL_THREAD");
        })
    };
    let started = Instant::now();
    let out = pair.migrate(
        project.path(),
        "change amount in orders to bigint",
        &["--max-replica-lag-ms", "500"],
    );
    let took = started.elapsed();
    restart.join().unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains(&format!("watching the lag of replica(s) {replica}")),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "replica {replica}: its replication SQL thread is not running"
        )) && log.contains("throttling"),
        "{log}"
    );
    assert!(log.contains("replica lag back under the limit"), "{log}");
    assert!(took >= Duration::from_millis(2500), "{took:?}\n{log}");
    let amount = "SELECT CONCAT(data_type, ' ', (SELECT SUM(amount) FROM shop.orders)) FROM information_schema.columns \
                  WHERE table_schema = 'shop' AND table_name = 'orders' AND column_name = 'amount'";
    assert_eq!(pair.wait_replica_agrees(amount), "bigint 450015000");

    // The replica applies 2 s behind (its SQL thread waits for a read lock): the next copy waits too.
    let unlock = pair.block_replica(Duration::from_secs(4));
    pair.sql(
        pair.primary,
        "INSERT INTO shop.orders (customer_id, amount) VALUES (7, 7)",
    );
    std::thread::sleep(Duration::from_millis(2100));
    let out = pair.migrate(
        project.path(),
        "change customer_id in orders to bigint",
        &["--max-replica-lag-ms", "1000"],
    );
    unlock.join().unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains(&format!("replica {replica}: "))
            && log.contains("ms behind (limit 1000 ms): throttling"),
        "{log}"
    );
    let customer = "SELECT CONCAT(data_type, ' ', (SELECT COUNT(*) FROM shop.orders)) FROM information_schema.columns \
                    WHERE table_schema = 'shop' AND table_name = 'orders' AND column_name = 'customer_id'";
    assert_eq!(pair.wait_replica_agrees(customer), "bigint 30001");
}

#[test]
fn postgres_backfill_waits_while_a_standby_does_not_replay() {
    let pair = PgPair::start();
    pair.sql(pair.primary, "postgres", "CREATE DATABASE shop");
    pair.sql(
        pair.primary,
        "shop",
        "CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id integer NOT NULL, amount integer NOT NULL);
         INSERT INTO orders (customer_id, amount) SELECT g % 100, g FROM generate_series(1, 30000) g;",
    );
    // The standby stops replaying; it resumes 2.5 s later, from another thread.
    pair.sql(pair.standby, "postgres", "SELECT pg_wal_replay_pause()");
    let resume = {
        let url = pair.url(pair.standby, "postgres");
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(2500));
            run_sql(&url, "SELECT pg_wal_replay_resume()");
        })
    };
    let project = tempfile::tempdir().unwrap();
    let started = Instant::now();
    // 30 batches at 10,000 rows/s: the backfill would take 3 s with a standby keeping up.
    let out = ai_shell_cmd()
        .current_dir(project.path())
        .args(["--database", &pair.url(pair.primary, "shop"), "migrate"])
        .args([
            "change amount in orders to bigint",
            "--zero-downtime",
            "--yes",
        ])
        .args([
            "--confirm-gates",
            "--batch-size",
            "1000",
            "--max-rows-per-second",
            "10000",
        ])
        .args(["--max-replica-lag-ms", "500"])
        .output()
        .unwrap();
    let took = started.elapsed();
    resume.join().unwrap();
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("replica standby1 (127.0.0.1): ")
            && log.contains("ms behind (limit 500 ms): throttling"),
        "{log}"
    );
    assert!(log.contains("replica lag back under the limit"), "{log}");
    assert!(took >= Duration::from_millis(3000), "{took:?}\n{log}");
    // The standby has the change and every row.
    let url = pair.url(pair.standby, "shop");
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let got = first_value(
            &url,
            "SELECT (SELECT data_type FROM information_schema.columns WHERE table_name = 'orders' \
             AND column_name = 'amount') || ' ' || (SELECT sum(amount) FROM orders)",
        );
        if got == "bigint 450015000" {
            break;
        }
        assert!(Instant::now() < until, "the standby has {got}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
