//! Backfills and MySQL replication, against a real MariaDB primary and replica that each test starts on
//! free ports (`mariadb-install-db` and `mariadbd`, private data directories, row-based binary log): the
//! replica is found through the primary's `SHOW REPLICA HOSTS`, a backfill waits while it lags or while its
//! SQL thread is stopped, and a `--replica` that is not a replica stops the run before its first phase.

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
        let url = self.url(port, "mysql");
        block_on(async {
            let db = Database::connect(&url).await.unwrap();
            db.execute_script(script)
                .await
                .unwrap_or_else(|e| panic!("{script}: {e}"));
            db.close().await;
        });
    }

    /// The first value of `query` on the server at `port`, as text.
    fn value(&self, port: u16, query: &str) -> String {
        let url = self.url(port, "mysql");
        block_on(async {
            let db = Database::connect(&url).await.unwrap();
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
            block_on(async {
                let db = Database::connect(&url).await.unwrap();
                db.execute_script("START SLAVE SQL_THREAD").await.unwrap();
                db.close().await;
            })
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
