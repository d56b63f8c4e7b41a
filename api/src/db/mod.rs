//! The database: one connection type over SQLite (the embedded default) and PostgreSQL (the
//! production engine), a pool, migrations, and the one way handlers touch it — on the
//! blocking pool, so database work never stalls the async workers.

pub mod schema;
mod writer;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// How often the server folds SQLite's write-ahead log back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The backend named by a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Backend, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(format!(
                "database URL must start with sqlite:// or postgres:// (got {:?})",
                url.split(':').next().unwrap_or_default()
            ))
        }
    }
}

/// The file path inside a `sqlite://` URL (`sqlite://./data/tandem.db`, `sqlite:///abs.db`).
pub fn sqlite_path(url: &str) -> &str {
    url.trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
}

/// Connects with the driver the URL names, so the real connection error reaches the operator.
#[derive(Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(String);

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConn, ConnectError> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url)
                .map(DbConn::Pg)
                .map_err(|e| ConnectError(format!("PostgreSQL: {e}"))),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(sqlite_path(&self.url))
                    .map_err(|e| ConnectError(format!("SQLite: {e}")))?;
                // Per-connection settings: enforce foreign keys, wait for a writer instead of
                // failing at once, and let readers run beside the writer.
                // The WAL is folded back into the database by the server's checkpointer
                // (`Db::start_checkpointer`), not by whichever writer happens to cross the
                // threshold while holding the write lock (a stall of tens of ms for every
                // writer queued behind it); the high threshold still bounds the WAL of
                // commands that run without a server, such as the seeders.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA wal_autocheckpoint = 20000;",
                )
                .map_err(|e| ConnectError(format!("SQLite settings: {e}")))?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectError(e.to_string()))
    }

    /// Checked when a connection returns to the pool: a broken one (lost server, failed
    /// transaction) is dropped instead of being handed out again.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

pub type Conn = PooledConnection<Manager>;

#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    url: String,
    /// Notified after every committed write transaction (wakes the event dispatcher).
    committed: Arc<Notify>,
    /// One permit per pooled connection: requests wait here, asynchronously, rather than
    /// as blocked threads queueing on the pool.
    slots: Arc<Semaphore>,
    /// SQLite's one writer (group commit on one connection; see `writer`).
    writer: writer::Writer,
}

impl Db {
    /// Opens the pool and checks one connection, so a wrong URL fails at start with the
    /// driver's own message.
    pub fn connect(url: &str, pool_size: u32) -> Result<Db, String> {
        let backend = Backend::from_url(url)?;
        if backend == Backend::Sqlite {
            let path = Path::new(sqlite_path(url));
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
        let manager = Manager {
            url: url.to_string(),
            backend,
        };
        // Fail fast with the real error rather than r2d2's generic time-out.
        let first = manager.connect().map_err(|e| e.to_string())?;
        drop(first);
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(Duration::from_secs(10))
            // No `SELECT 1` before every use (it doubled the queries of small requests);
            // broken connections are caught by `has_broken` when they come back.
            .test_on_check_out(false)
            .build(manager)
            .map_err(|e| e.to_string())?;
        Ok(Db {
            pool,
            backend,
            url: url.to_string(),
            committed: Arc::new(Notify::new()),
            slots: Arc::new(Semaphore::new(pool_size.max(1) as usize)),
            writer: writer::Writer::new(url),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn committed(&self) -> Arc<Notify> {
        self.committed.clone()
    }

    pub fn get(&self) -> Result<Conn, ApiError> {
        self.pool
            .get()
            .map_err(|e| ApiError::unavailable(e.to_string()))
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, String> {
        let mut conn = self.get().map_err(|e| e.to_string())?;
        let ran = match &mut *conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
            DbConn::Pg(c) => c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len()),
        };
        ran.map_err(|e| format!("migration failed: {e}"))
    }

    /// Runs `f` with a connection on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| ApiError::unavailable(e.to_string()))?;
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = db.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| ApiError::internal(format!("database task failed: {e}")))?
    }

    /// SQLite: folds the WAL back into the database every second, beside the writers
    /// (a passive checkpoint never waits for them nor makes them wait); `None` on PostgreSQL.
    pub fn start_checkpointer(&self) -> Option<tokio::task::JoinHandle<()>> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let db = self.clone();
        Some(tokio::spawn(async move {
            let mut every = tokio::time::interval(CHECKPOINT_EVERY);
            loop {
                every.tick().await;
                let done = db
                    .run(|conn| {
                        conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")
                            .map_err(ApiError::from)
                    })
                    .await;
                if let Err(e) = done {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        }))
    }

    /// Runs `f` in one write transaction on the blocking pool: all of it lands or none (on
    /// SQLite in a savepoint of a transaction shared with the writes queued beside it).
    pub async fn tx<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let value = match self.backend {
            Backend::Postgres => self.run(move |conn| write_tx(conn, f)).await?,
            Backend::Sqlite => self.writer.write(f).await?,
        };
        self.committed.notify_one();
        Ok(value)
    }
}

/// Locks the row `id` of `table` until this write transaction ends, before the caller reads
/// it. On PostgreSQL two transactions may otherwise both read version 1 and both write: with
/// the lock, a concurrent writer of the same row waits, then reads what the first wrote, so an
/// `If-Match`, a status move or a decision is judged against the latest state and exactly one
/// of concurrent writers wins. SQLite's writes already run one at a time.
pub fn lock_row(conn: &mut DbConn, table: &'static str, id: &str) -> Result<(), ApiError> {
    use diesel::RunQueryDsl as _;
    if let DbConn::Pg(c) = conn {
        diesel::sql_query(format!(
            "SELECT 1 FROM {table} WHERE id = $1 FOR NO KEY UPDATE"
        ))
        .bind::<diesel::sql_types::Text, _>(id)
        .execute(c)?;
    }
    Ok(())
}

/// [`lock_row`] for what has no row of its own (a setting kept as a set of rows): concurrent
/// writers of the same `key` take turns until their transactions end.
pub fn lock_key(conn: &mut DbConn, key: &str) -> Result<(), ApiError> {
    use diesel::RunQueryDsl as _;
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<diesel::sql_types::Text, _>(key)
            .execute(c)?;
    }
    Ok(())
}

/// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write lock up
/// front: two deferred transactions that read and then write would otherwise fail at once
/// with "database is locked" instead of waiting their turn.
pub fn write_tx<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    if !matches!(conn, DbConn::Sqlite(_)) {
        return conn.transaction(f);
    }
    with_sqlite(conn, |c| {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
    })?;
    let result = f(conn);
    match result {
        Ok(value) => {
            with_sqlite(conn, AnsiTransactionManager::commit_transaction)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = with_sqlite(conn, AnsiTransactionManager::rollback_transaction) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

fn with_sqlite(
    conn: &mut DbConn,
    f: impl FnOnce(&mut SqliteConnection) -> diesel::QueryResult<()>,
) -> Result<(), ApiError> {
    match conn {
        DbConn::Sqlite(c) => f(c).map_err(ApiError::from),
        DbConn::Pg(_) => Err(ApiError::internal("expected an SQLite connection")),
    }
}

/// Runs the same diesel expression on whichever driver the connection holds. Hot paths use
/// it because a query through the multi-backend wrapper is rebuilt as SQL on every call,
/// while the driver's own connection keeps it prepared.
#[macro_export]
macro_rules! on_driver {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// Inserts `rows` (a `Vec` of value tuples) into `table` the way each engine does it fastest:
/// PostgreSQL in one statement (one round trip); SQLite, in-process, one cached prepared
/// statement per row (a many-row `VALUES` list would be parsed afresh on every call).
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        use diesel::RunQueryDsl as _;
        let rows = $rows;
        match $conn {
            $crate::db::DbConn::Pg(c) => diesel::insert_into($table)
                .values(rows)
                .execute(c)
                .map(|_| ()),
            $crate::db::DbConn::Sqlite(c) => rows.iter().try_for_each(|row| {
                diesel::insert_into($table)
                    .values(row)
                    .execute(c)
                    .map(|_| ())
            }),
        }
    }};
}

/// A new application-generated id (UUIDv7: time-ordered, so ids sort by creation).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Now, in UTC, at microsecond precision (what both backends store).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::Duration::microseconds(1)).unwrap_or(now)
}

pub fn to_utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}
