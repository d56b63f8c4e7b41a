//! SQLite's single writer, with group commit.
//!
//! SQLite has one writer at a time. Writers of this process queue here, in order, instead of
//! sleeping in SQLite's busy handler (whose back-off of up to 100 ms made the slowest writes
//! wait for nothing), and whoever has the turn runs every write queued so far in one
//! transaction, each in a savepoint of its own: a write that fails is rolled back alone and
//! answered at once; the others are answered after the one commit. One commit writes each
//! changed page once for the whole group — the hot index pages a burst of new tickets shares
//! — where one transaction each wrote them again and again.
//!
//! All writes go through one connection, opened on first use: as the last writer its page
//! cache stays valid from one transaction to the next, where a pooled connection would find
//! its cache stale and read the pages again.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::r2d2::ManageConnection;
use tokio::sync::oneshot;

use super::{Backend, DbConn, Manager, write_tx};
use crate::error::ApiError;

/// The writer's page cache (64 MiB; SQLite's default is 2 MiB): the hot parts of the ticket
/// indexes of a large desk.
const CACHE_KIB: u32 = 64 * 1024;
/// At most this many writes share a commit, which bounds how long the first of them waits.
const MAX_GROUP: usize = 64;

/// What a queued write tells its caller once the group's fate is known.
type Answer = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A queued write: runs in its savepoint (or learns there is no connection) and answers how
/// to tell the caller.
type Job = Box<dyn FnOnce(Result<&mut DbConn, &str>) -> Answer + Send>;

#[derive(Clone)]
pub struct Writer {
    url: String,
    queue: Arc<Mutex<VecDeque<Job>>>,
    /// The turn to run the queue, with the writer's connection.
    turn: Arc<tokio::sync::Mutex<Option<DbConn>>>,
}

impl Writer {
    pub fn new(url: &str) -> Writer {
        Writer {
            url: url.to_string(),
            queue: Default::default(),
            turn: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    /// Runs `f` in a savepoint of the next group's transaction; answers after the commit.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let (tell, answer) = oneshot::channel::<Result<T, ApiError>>();
        let job: Job = Box::new(move |conn| {
            match conn
                .map_err(|e| ApiError::unavailable(e.to_string()))
                .and_then(|conn| in_savepoint(conn, f))
            {
                Ok(value) => Box::new(move |committed: Result<(), String>| {
                    let _ = tell.send(committed.map(|()| value).map_err(ApiError::unavailable));
                }),
                Err(e) => {
                    let _ = tell.send(Err(e));
                    Box::new(|_| {})
                }
            }
        });
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(job);
        // Whoever gets the turn runs what is queued, ours included unless an earlier turn
        // already took it. The turn is taken by a task of its own, so a caller that stops
        // waiting (a client gone) never leaves its write queued for the next one.
        let (turn, queue, url) = (self.turn.clone(), self.queue.clone(), self.url.clone());
        tokio::spawn(async move {
            let mut turn = turn.lock_owned().await;
            let ran = tokio::task::spawn_blocking(move || run_queued(&mut turn, &queue, url));
            if let Err(e) = ran.await {
                tracing::error!(error = %e, "SQLite writer task failed");
            }
        });
        answer
            .await
            .map_err(|_| ApiError::internal("the write was dropped before it was answered"))?
    }
}

/// Runs the queued writes, a group per transaction, until the queue is empty.
fn run_queued(turn: &mut Option<DbConn>, queue: &Mutex<VecDeque<Job>>, url: String) {
    loop {
        let group: Vec<Job> = {
            let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
            let n = q.len().min(MAX_GROUP);
            q.drain(..n).collect()
        };
        if group.is_empty() {
            return;
        }
        let conn = match turn.as_mut() {
            Some(conn) => conn,
            None => match open(url.clone()) {
                Ok(conn) => turn.insert(conn),
                Err(e) => {
                    tracing::error!(error = %e, "SQLite writer cannot connect");
                    for job in group {
                        // Told there is no connection, the job answers its caller itself.
                        let _nothing_to_tell_after_a_commit = job(Err(&e));
                    }
                    continue;
                }
            },
        };
        let mut answers = Vec::with_capacity(group.len());
        let committed = write_tx(conn, |conn| {
            for job in group {
                answers.push(job(Ok(conn)));
            }
            Ok(())
        })
        .map_err(|e| format!("the write could not be committed: {e}"));
        for answer in answers {
            answer(committed.clone());
        }
        if diesel::r2d2::R2D2Connection::is_broken(conn) {
            *turn = None;
        }
    }
}

/// `f` in a savepoint: its writes are undone alone when it fails (or panics).
fn in_savepoint<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    conn.transaction(|conn| {
        catch_unwind(AssertUnwindSafe(|| f(conn)))
            .unwrap_or_else(|_| Err(ApiError::internal("a database write panicked")))
    })
}

fn open(url: String) -> Result<DbConn, String> {
    let mut conn = Manager {
        url,
        backend: Backend::Sqlite,
    }
    .connect()
    .map_err(|e| e.to_string())?;
    conn.batch_execute(&format!("PRAGMA cache_size = -{CACHE_KIB}"))
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;

    use crate::db::Db;
    use crate::error::ApiError;

    fn count(conn: &mut crate::db::DbConn, sql: &str) -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        crate::on_driver!(conn, |c| diesel::sql_query(sql).get_result::<N>(c))
            .expect("count")
            .n
    }

    /// Writes queued together share a commit, yet each lands whole or not at all: the ones
    /// that fail (or panic) after writing leave nothing, the others all land.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_failed_write_in_a_group_is_undone_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let db = Db::connect(&url, 4).expect("connect");
        db.tx(|c| Ok(c.batch_execute("CREATE TABLE w (x INTEGER PRIMARY KEY)")?))
            .await
            .expect("create the table");
        let writes = (0..60).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.tx(move |c| {
                    c.batch_execute(&format!("INSERT INTO w VALUES ({i})"))?;
                    match i % 5 {
                        1 => Err(ApiError::field("x", "rule", "refused after writing")),
                        2 if i == 7 => panic!("a write that panics"),
                        _ => Ok(i),
                    }
                })
                .await
            })
        });
        let answers = futures_util::future::join_all(writes).await;
        let landed: Vec<i64> = answers
            .into_iter()
            .filter_map(|a| a.expect("the task ends").ok())
            .collect();
        assert_eq!(landed.len(), 60 - 12 - 1);
        let mut conn = db.get().expect("a connection");
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM w"), 47);
        assert_eq!(
            count(
                &mut conn,
                "SELECT COUNT(*) AS n FROM w WHERE x % 5 = 1 OR x = 7"
            ),
            0
        );
    }
}
