//! Command-line interface: the clap types, global options, and `run()`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU8, Ordering};

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The database used when neither `--database`, `DATABASE_URL`, `--env` nor a default connection names one.
pub const DEFAULT_DATABASE: &str = "sqlite://ai-shell.db";

static VERBOSITY: AtomicU8 = AtomicU8::new(1);

/// Messages up to this level are shown: 0 errors, 1 warnings, 2 info, 3 debug, 4 trace.
pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// Describe a database schema change in plain English; review, apply and roll it back safely.
#[derive(Debug, Parser)]
#[command(name = "ai-shell", version, about, propagate_version = true)]
#[command(after_help = "Exit codes: 0 success, 1 failure, 2 invalid usage.")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// Database URL: sqlite://FILE (created on demand), postgres://... or mysql://... (also read from
    /// DATABASE_URL and from a .env file). Without it: the url of `--env NAME`, then the connection
    /// `ai-shell connect` recorded, then sqlite://ai-shell.db.
    #[arg(
        long,
        short = 'd',
        env = "DATABASE_URL",
        global = true,
        default_value = "",
        hide_default_value = true,
        hide_env_values = true
    )]
    pub database: String,
    /// More output on stderr (repeat for more).
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Folder of migration files (default: `migrations`, or `[migrations] dir` in ai-shell.toml).
    #[arg(
        long,
        global = true,
        env = "AI_SHELL_MIGRATIONS_DIR",
        value_name = "DIR"
    )]
    pub migrations_dir: Option<PathBuf>,
    /// The environment: its `[environments.NAME]` url is the database (unless --database or DATABASE_URL
    /// gives one) and its `[migrations.NAME]` settings apply (e.g. `production`).
    #[arg(
        long = "env",
        visible_alias = "environment",
        global = true,
        env = "AI_SHELL_ENV",
        value_name = "NAME"
    )]
    pub environment: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect and export the live schema.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Describe a schema change in plain English, or create, apply, inspect and roll back migrations.
    Migrate(Box<MigrateArgs>),
    /// List, install and remove plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Connect to a database, report its server version, and record it in ai-shell.toml as the project's
    /// default connection (used when no --env, --database or DATABASE_URL is given).
    Connect(ConnectArgs),
    /// The named database connections (environments) in ai-shell.toml: list, add, add a group, remove.
    #[command(subcommand)]
    Connections(ConnectionsCommand),
    /// Check migration files against the policies (the built-in rules, installed policy plugins and the
    /// project's `[policy]`); exits with 1 when an error-level finding is not allowed by an override.
    Lint(LintArgs),
    /// Read and change settings: the project's (ai-shell.toml) or, with --global, your own (read under every
    /// project's). `ai-shell config list --all` shows every setting.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Back up the database with the engine's own tools, list, verify and restore backups.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Check what ai-shell can do here.
    #[command(subcommand)]
    Features(FeaturesCommand),
    /// Check what the database account may do, read from the engine's grants.
    CheckPermissions {
        /// The feature whose needs are checked.
        #[arg(long, value_enum, default_value = "migrations")]
        feature: Feature,
        #[arg(long)]
        json: bool,
    },
    /// Notification channels: list them and the outbox, send a test event, deliver what is pending.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Print a shell completion script: `ai-shell completions bash > /etc/bash_completion.d/ai-shell`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// The channels, their sinks and events, and the outbox's pending and failed deliveries.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Send a `notify.test` event through one channel now and show the answer.
    Test { channel: String },
    /// Deliver every pending event now (retries included).
    Flush {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FeaturesCommand {
    /// The database (reachable, server version), history, plugins, planners and backup tools; exits with 1
    /// when something the feature needs is missing.
    Check {
        #[arg(value_enum, default_value = "migrations")]
        feature: Feature,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Feature {
    /// Planning, applying and rolling back migrations, with backups and online strategies.
    Migrations,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Back up the target database (SQLite: the online backup API; PostgreSQL: pg_dump --format=custom;
    /// MariaDB: mariadb-dump --single-transaction), recorded with its checksum, row counts and schema version.
    Create {
        /// The backup's name (default: backup-YYYYMMDD-HHMMSS).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The backups of this project, oldest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Replace the target database's content with a backup's (a backup of what is there is taken first).
    Restore {
        /// The backup's name, or the path of its file.
        backup: String,
        /// Restore into this database instead of the target (it must exist; on PostgreSQL, ownership and
        /// privileges are left out).
        #[arg(long, value_name = "URL")]
        to: Option<String>,
        /// Consent to replacing the data that is there now (otherwise refused without a terminal, or asked
        /// for with a typed `yes`).
        #[arg(long)]
        allow_destructive: bool,
        /// Also go back when the database is at a newer schema version than the backup (undoing the
        /// migrations applied since).
        #[arg(long)]
        force: bool,
        /// Do not back up what is there now first.
        #[arg(long)]
        no_safety_backup: bool,
    },
    /// Check a backup: its checksum, and a trial restore where nothing is kept (a scratch database on the
    /// target's server, dropped afterwards) whose row counts must match those recorded.
    Verify {
        backup: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Set a setting, e.g. `migrations.safety.requireBackup true` or `migrations.backup.retention 7d`.
    Set {
        /// The setting (`migrations.safety.require-backup`; camelCase and snake_case are read too).
        key: String,
        value: String,
        /// In your user configuration instead of the project's ai-shell.toml.
        #[arg(long)]
        global: bool,
    },
    /// Print a setting's value: the project's, else yours, else the default.
    Get {
        key: String,
        /// Print the key, value and where it comes from as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a setting (its default applies again).
    Unset {
        key: String,
        /// From your user configuration instead of the project's ai-shell.toml.
        #[arg(long)]
        global: bool,
    },
    /// The settings that are set, and where (project or global).
    List {
        /// Every known setting, with its default when it is not set.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Migration files to check (default: every file in the migrations folder).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Only the migration files changed since this git revision (for a pull request: the base branch).
    #[arg(long, value_name = "REF", conflicts_with = "files")]
    pub git_base: Option<String>,
    /// Output: findings for people, JSON, GitHub Actions annotations, or SARIF 2.1.0.
    #[arg(long, value_enum, default_value = "human")]
    pub format: LintFormat,
    /// The engine whose rules apply (default: the target database's, read from its URL without connecting).
    #[arg(long, value_enum)]
    pub dialect: Option<DialectName>,
    /// Read the live schema and table sizes from the target database, so rules about big tables, existing
    /// columns and indexes know them (without it, a table's size is unknown and counts as big).
    #[arg(long)]
    pub live: bool,
    /// List every rule (id, severity after the configuration, engines, policy) and exit.
    #[arg(long)]
    pub rules: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LintFormat {
    Human,
    Json,
    Github,
    Sarif,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DialectName {
    Postgres,
    Mysql,
    Sqlite,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// A database URL (`${VAR}` in it is read from the environment each time it is used), or the name of a
    /// connection already in ai-shell.toml.
    #[arg(value_name = "URL|NAME")]
    pub target: String,
    /// The name to record the URL under, `[environments.NAME]` (default: `default`).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Point an existing connection of that name to this URL (without it, a different URL is refused).
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionsCommand {
    /// The named connections: name, engine, URL (passwords hidden), group, and which one is the default.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record a named connection (`--env NAME` then uses it); nothing is connected to.
    Add {
        /// The connection's name, e.g. `staging`.
        name: String,
        /// Its database URL; write a password as `${VAR}` to keep it out of the file.
        url: String,
        /// Tag it with a group.
        #[arg(long)]
        group: Option<String>,
        /// Replace the URL of an existing connection of that name.
        #[arg(long)]
        replace: bool,
    },
    /// Record several named connections tagged with one group: GROUP NAME URL [NAME URL...].
    AddGroup {
        /// The group's name, e.g. `environments`.
        group: String,
        /// Pairs of a connection name and its URL.
        #[arg(value_names = ["NAME", "URL"], required = true, num_args = 2..)]
        connections: Vec<String>,
        /// Replace the URLs of existing connections of those names.
        #[arg(long)]
        replace: bool,
    },
    /// Remove a named connection (its `[migrations.NAME]` settings stay).
    Remove {
        /// The connection's name, as `connections list` shows it.
        name: String,
        /// Remove it even when it is the default connection (commands then use sqlite://ai-shell.db).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Print the live schema as SQL (the script that recreates it) or as JSON (the schema model).
    Export(ExportArgs),
    /// Show the tables of the live schema, or one table's columns, constraints, indexes and foreign keys.
    Show(ShowArgs),
    /// The live schema checked against the policies' schema rules (missing timestamps, foreign keys without
    /// an index, unbounded text, enum-like columns without a check, keys near their limit...): issues with
    /// counts, and recommendations.
    Analyze {
        /// Also the legacy patterns reported as advice (severity info), not only warnings and errors.
        #[arg(long)]
        legacy_patterns: bool,
        /// Print every finding as JSON.
        #[arg(long)]
        json: bool,
    },
    /// What turns one schema into another (FROM into TO; TO is `current` when left out): the changes, their
    /// SQL (up and down), or a reversible migration that makes them.
    Diff(DiffArgs),
    /// Each database's version, last migration and when, and how many migrations it is ahead of or behind
    /// the others: the current database, or every environment of ai-shell.toml.
    Versions {
        /// Every environment of ai-shell.toml, compared with each other.
        #[arg(long)]
        all_environments: bool,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The schema version recorded in the migration history ("Not initialized" before `migrate init`).
    Version {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Changes made outside the migrations: the live schema against the schema the applied migrations
    /// produced (the snapshot kept at the history's version, or its migrations replayed in a scratch
    /// database). Exit code 0 without drift, 3 with drift. `[drift] ignore` in ai-shell.toml leaves objects out.
    DetectDrift {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Whether the live schema equals the one the migration history expects: exit code 0 when it does, 3
    /// when it does not (for CI).
    Verify {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record the drift as a migration (up: the changes made outside the migrations; down: their undoing),
    /// marked applied in the history without running anything.
    CaptureDrift(CaptureDriftArgs),
    /// Show the changes that remove the drift; with --force, apply them (drops of data need
    /// --allow-destructive).
    ResetToMigrations(ResetToMigrationsArgs),
}

#[derive(Debug, Args)]
pub struct CaptureDriftArgs {
    /// Write the migration and record it as applied (without it, only show what it would record).
    #[arg(long)]
    pub generate_migration: bool,
    /// The new migration's name.
    #[arg(long, default_value = "capture drift")]
    pub name: String,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ResetToMigrationsArgs {
    /// Apply the changes (without it, only show them).
    #[arg(long)]
    pub force: bool,
    /// Consent to changes that drop data (tables, columns, narrowed types).
    #[arg(long)]
    pub allow_destructive: bool,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Sql,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "sql")]
    pub format: ExportFormat,
    /// Write to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Include ai-shell's own bookkeeping tables (the migration history, its log and phases).
    #[arg(long)]
    pub include_internal: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The schema to start from: `current` (the --database), an environment of ai-shell.toml, or a URL.
    pub from: String,
    /// The schema to reach, named the same ways (default `current`).
    #[arg(conflicts_with_all = ["to_file", "to_version"])]
    pub to: Option<String>,
    /// Reach the schema a SQL file describes: it is loaded into a scratch database of FROM's engine (on
    /// FROM's server, or --dev-url's; SQLite: a temporary file) and read back as the engine reads it.
    #[arg(long, value_name = "FILE", conflicts_with = "to_version")]
    pub to_file: Option<std::path::PathBuf>,
    /// Reach the schema FROM's history had at version N: its applied migrations up to N, replayed into a
    /// scratch database.
    #[arg(long, value_name = "N")]
    pub to_version: Option<u64>,
    /// The server to create scratch databases on, instead of FROM's (a URL of the same engine).
    #[arg(long, value_name = "URL")]
    pub dev_url: Option<String>,
    /// Print the SQL of the changes (up) and of their undoing (down).
    #[arg(long)]
    pub sql: bool,
    /// Write a reversible migration that turns FROM into TO into the migrations folder.
    #[arg(long)]
    pub generate_migration: bool,
    /// The new migration's name (with --generate-migration).
    #[arg(long, default_value = "schema diff", value_name = "NAME")]
    pub name: String,
    /// A dropped and an added column (`TABLE.OLD=NEW`) or table (`table OLD=NEW`) are one renamed: keep its
    /// data. Repeatable.
    #[arg(long = "rename", value_name = "RENAME")]
    pub renames: Vec<String>,
    /// Consent to a migration that drops tables or columns (with --generate-migration).
    #[arg(long)]
    pub allow_destructive: bool,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A table name (`name` or `namespace.name`); all tables when absent.
    pub table: Option<String>,
    /// Print the schema model of the table (or of everything) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Include ai-shell's own bookkeeping tables (the migration history, its log and phases).
    #[arg(long)]
    pub include_internal: bool,
}

/// A migration named by its id (`002_add_email_to_users`), its version (`002` or `2`) or its slug.
pub type MigrationRef = String;

/// `migrate "<request>"` plans a change from plain English; `migrate <verb>` manages migration files.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_required = false)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: Option<MigrateCommand>,
    #[command(flatten)]
    pub request: RequestArgs,
}

/// Which planner turns a request into changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlannerChoice {
    /// The built-in deterministic planner: no network.
    Offline,
    /// The configured LLM (Anthropic, or an OpenAI-compatible endpoint).
    Llm,
}

/// A schema change described in plain English, and what to do with the plan.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The change in plain English, e.g. "add email field to users table".
    #[arg(value_name = "REQUEST")]
    pub request: Option<String>,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Write the migration file; apply nothing.
    #[arg(long)]
    pub generate_only: bool,
    /// Show the plan and its SQL; write and apply nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The planner: offline (default) or llm.
    #[arg(long, value_enum)]
    pub planner: Option<PlannerChoice>,
    /// Allow changes that can lose data (drops, narrowing type changes).
    #[arg(long)]
    pub allow_destructive: bool,
    /// Print the plan (and the result) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Show how the offline planner read the request (each word's slot, the names matched and why, the
    /// plan or the words it could not place); write and apply nothing.
    #[arg(long)]
    pub explain: bool,
    /// Write the migration as awaiting approval: `migrate apply` runs it only after `migrate approve ID`.
    #[arg(long)]
    pub require_approval: bool,
    #[command(flatten)]
    pub rollout: RolloutArgs,
}

/// How changes to big, busy tables are rolled out, and how phased migrations run.
#[derive(Debug, Clone, Args)]
pub struct RolloutArgs {
    /// Use the online (zero-downtime) strategy for every change that has one, whatever the table's size
    /// (default: only for tables over the online threshold, or as `[migrations.ENV] zero-downtime` says).
    #[arg(long)]
    pub zero_downtime: bool,
    /// Rows per backfill batch.
    #[arg(long, value_name = "ROWS")]
    pub batch_size: Option<u64>,
    /// How long a DDL statement may wait for a lock before it backs off and retries, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub lock_timeout_ms: Option<u64>,
    /// Backfill rate limit, in rows per second.
    #[arg(long, value_name = "ROWS")]
    pub max_rows_per_second: Option<u64>,
    /// Pause backfills while a replica is more than this behind, in milliseconds (PostgreSQL: every
    /// standby in pg_stat_replication; MySQL/MariaDB: the replicas the primary lists and --replica).
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub max_replica_lag_ms: u64,
    /// A MySQL/MariaDB replica whose lag to watch besides the ones the primary lists (repeatable).
    #[arg(long = "replica", value_name = "URL")]
    pub replicas: Vec<String>,
    /// Confirm every gate without asking (the application is already deployed).
    #[arg(long)]
    pub confirm_gates: bool,
    /// When a phase fails, undo the phases that ran.
    #[arg(long)]
    pub auto_rollback_on_error: bool,
    /// Sample lock waits and blocked sessions while the migration runs, and report them.
    #[arg(long)]
    pub monitor_performance: bool,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Create the history table and the migrations folder.
    Init,
    /// Show a migration file: its metadata, up and down SQL, validation findings and state.
    Review {
        id: MigrationRef,
        /// Accept a draft (a request that was not applied): `migrate apply` runs it from now on.
        #[arg(long)]
        accept: bool,
        #[arg(long)]
        json: bool,
    },
    /// Approve a migration for an environment (recorded in its file's header with who, when and why). The
    /// approval holds for this SQL, this environment, the target's schema as it is now and the policies in
    /// force; `migrate apply` refuses migrations that need one and have none that holds.
    Approve {
        id: MigrationRef,
        /// Why it is safe to run (required).
        #[arg(long)]
        reason: String,
        /// Also let this rule's error-level findings through for this migration (repeatable).
        #[arg(long = "override", value_name = "RULE")]
        overrides: Vec<String>,
    },
    /// Open a migration file in $EDITOR, then re-validate and re-checksum it.
    Edit { id: MigrationRef },
    /// The steps a migration (or every pending one) runs, one statement each.
    Preview {
        /// Only this migration; every pending one when absent.
        id: Option<MigrationRef>,
        /// Number each statement with what it does and how it runs.
        #[arg(long)]
        show_steps: bool,
        #[arg(long)]
        json: bool,
    },
    /// What a request would do to the live database: tables touched, row counts, locks, duration, risk.
    Impact {
        /// The change in plain English.
        request: String,
        /// The planner: offline (default) or llm.
        #[arg(long, value_enum)]
        planner: Option<PlannerChoice>,
        #[arg(long)]
        json: bool,
    },
    /// Create an empty migration file to write SQL in by hand.
    New {
        /// What the migration does, in words (becomes the file's slug and description).
        name: String,
    },
    /// Apply pending migrations (all, one, or up to a version).
    Apply {
        /// Only this migration.
        id: Option<MigrationRef>,
        /// Apply pending migrations up to and including this version.
        #[arg(long, value_name = "N", conflicts_with = "id")]
        to_version: Option<u64>,
        /// Show the SQL that would run; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Accept that an applied migration's file was edited: record its new checksum (repeatable).
        #[arg(long, value_name = "VERSION")]
        accept_checksum: Vec<u64>,
        /// Consent to statements that drop, empty or narrow data that exists (otherwise refused, with the
        /// rows at stake, unless `yes` is typed at a terminal).
        #[arg(long)]
        allow_destructive: bool,
        /// Run a migration again when it fails on a deadlock, a lock timeout or a serialization failure
        /// (up to 5 times, with back-off).
        #[arg(long = "with-retry", alias = "fix-deadlock")]
        with_retry: bool,
        /// Back up the database before applying anything (`ai-shell backup restore` puts it back).
        #[arg(long)]
        backup_first: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        rollout: RolloutArgs,
    },
    /// List migrations not yet applied.
    Pending {
        #[arg(long)]
        json: bool,
    },
    /// Every migration with its state: applied, pending, failed, rolled back, changed since applied.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// The history of applied migrations.
    History {
        /// Also write the full history (with SQL) to this JSON file.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Details of one migration: SQL, duration, who applied it, rollback availability.
    Info {
        id: MigrationRef,
        #[arg(long)]
        json: bool,
    },
    /// Undo the last migration, one migration, or everything above a version (also `revert`).
    #[command(alias = "revert")]
    Rollback {
        /// Only this migration.
        id: Option<MigrationRef>,
        /// Roll back every migration above this version.
        #[arg(long, value_name = "N", conflicts_with = "id")]
        to_version: Option<u64>,
        /// Show the SQL that would run; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation (a rollback that destroys data also needs --allow-destructive).
        #[arg(long, short = 'y')]
        yes: bool,
        /// Consent to down statements that drop data that exists now (tables or columns that hold rows).
        #[arg(long)]
        allow_destructive: bool,
        /// Roll back first the later migrations that use what this one created.
        #[arg(long)]
        cascade: bool,
        /// Use the down section of the migration's file instead of the copy recorded when it was applied (the
        /// file's up section must be the one applied; a rollback that stopped part-way keeps the statements
        /// that already ran).
        #[arg(long)]
        down_from_file: bool,
        /// Back up the database before rolling anything back.
        #[arg(long)]
        backup_first: bool,
        #[arg(long)]
        json: bool,
    },
    /// Why a rollback of a migration is or is not available.
    RollbackStatus {
        id: MigrationRef,
        #[arg(long)]
        json: bool,
    },
    /// Parse migration files, check checksums, and (PostgreSQL, SQLite) run pending migrations in a transaction
    /// that is rolled back.
    Validate {
        /// Only this migration.
        id: Option<MigrationRef>,
        #[arg(long)]
        json: bool,
    },
    /// Attach a note to a migration's history.
    Note { id: MigrationRef, text: String },
    /// The event log of a migration: applied, failed, resumed, rolled back, notes.
    Logs {
        id: MigrationRef,
        #[arg(long)]
        json: bool,
    },
    /// The migrations environment FROM has applied and ENV has not, in the order `migrate sync` applies them.
    SyncPlan {
        /// The environment to bring up to date.
        env: String,
        /// The environment whose applied migrations it gets.
        #[arg(long)]
        from: String,
        #[arg(long)]
        json: bool,
    },
    /// Apply to ENV, in order, the migrations FROM has applied and ENV has not (their files, or the SQL FROM's
    /// history stored), then check that the two schemas are equal: a difference is reported, never fixed.
    Sync {
        /// The environment to bring up to date.
        env: String,
        /// The environment whose applied migrations it gets.
        #[arg(long)]
        from: String,
        /// Consent to migrations that drop data that exists in ENV.
        #[arg(long)]
        allow_destructive: bool,
        #[arg(long)]
        json: bool,
    },
    /// Continue a failed migration (from the failed statement where earlier ones are committed).
    Retry {
        id: MigrationRef,
        /// Run it again when it fails on a deadlock, a lock timeout or a serialization failure (up to 5
        /// times, with back-off).
        #[arg(long = "with-retry", alias = "fix-deadlock")]
        with_retry: bool,
        /// The run that executed statement K died and nothing tells whether it ran: it did, record it as run
        /// without running it.
        #[arg(long, value_name = "K", conflicts_with = "rerun_statement")]
        skip_statement: Option<usize>,
        /// The run that executed statement K died and nothing tells whether it ran: it did not, run it.
        #[arg(long, value_name = "K")]
        rerun_statement: Option<usize>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        rollout: RolloutArgs,
    },
    /// Confirm the gate a phased migration waits at, and continue it.
    Confirm {
        id: MigrationRef,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        rollout: RolloutArgs,
    },
    /// Stop a running phased migration from another terminal (it keeps its checkpoint; `retry` resumes).
    Cancel { id: MigrationRef },
    /// Follow a phased migration's progress from another terminal: phase, batch, rows, lock waits.
    Monitor {
        id: MigrationRef,
        /// Print the state once instead of following it.
        #[arg(long)]
        once: bool,
        #[arg(long)]
        json: bool,
    },
    /// Convert another tool's migrations folder into ai-shell migration files.
    Import {
        /// The tool the folder comes from.
        #[arg(long, value_enum)]
        from: ImportFrom,
        /// The folder to read.
        dir: PathBuf,
    },
    /// Mark an existing database as being at version N: migrations up to N are recorded, not run.
    Baseline {
        /// The version the database is already at.
        #[arg(value_name = "VERSION")]
        at: u64,
    },
    /// Renumber migrations that share a version (two branches both created version N).
    Renumber {
        /// Rename the files without asking.
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportFrom {
    Sqlx,
    Dbmate,
    GolangMigrate,
    Flyway,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// List built-in and installed plugins: name, kind, version, WIT version, source, sha256.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Validate a plugin `.wasm` file and install it (an installed dialect overrides the built-in one for its
    /// URL schemes).
    Install {
        /// The component file.
        file: PathBuf,
        /// Replace an installed plugin of the same name (without this, installing a name that is already
        /// installed is refused).
        #[arg(long)]
        force: bool,
        /// Install only if the file's sha256 is this one (hex), as published by the plugin's author.
        #[arg(long, value_name = "HEX")]
        sha256: Option<String>,
    },
    /// Remove an installed plugin.
    Remove {
        /// The plugin's name, as `plugin list` shows it.
        name: String,
    },
    /// Start a plugin of your own: a crate (outside this repository) with the WIT contract, a working example,
    /// tests and a README on building and installing it.
    New {
        /// What the plugin is.
        #[arg(value_enum)]
        kind: NewPluginKind,
        /// Its name (lower case, digits and `-`), e.g. `acme`.
        name: String,
        /// The folder to create (default: ./NAME).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum NewPluginKind {
    /// Rules about migrations and schemas (world `policy`).
    Policy,
    /// A rollout strategy (world `strategy`).
    Strategy,
    /// A notification sink (world `notify`).
    Sink,
}

/// Parses the command line, runs the command, prints any error, and returns the exit code.
pub fn run() -> ExitCode {
    // A .env file may provide DATABASE_URL; a missing file is fine.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let level = if cli.global.quiet {
        0
    } else {
        1 + cli.global.verbose
    };
    VERBOSITY.store(level, Ordering::Relaxed);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(crate::commands::dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // A result the command already printed, told by its documented exit code (drift: 3).
        Err(e) if e.downcast_ref::<crate::commands::Exit>().is_some() => {
            ExitCode::from(e.downcast_ref::<crate::commands::Exit>().map_or(1, |x| x.0))
        }
        Err(e) => {
            eprintln!("error: {}", render_error(&e));
            // A database URL that cannot be read is invalid usage, like a bad flag.
            let invalid_url = e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<crate::connection::ConnectionError>(),
                    Some(crate::connection::ConnectionError::InvalidUrl { .. })
                )
            });
            if invalid_url {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// The error and its causes, one per line, hints kept on their own lines.
fn render_error(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !out.contains(&cause) {
            out.push_str(&format!("\n  caused by: {cause}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
