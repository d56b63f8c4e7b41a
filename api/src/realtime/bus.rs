//! The in-process fan-out and the dispatcher that feeds it from the `events` table.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use shared::events::Event;
use tokio::sync::{Notify, broadcast};

use super::events::{self, Audience};
use crate::db::{Backend, Db};

/// How many events a slow WebSocket may fall behind before it is told to catch up by seq.
const BUFFER: usize = 1024;

/// One channel per connected user, so an event wakes only that user's connections (with
/// thousands connected, one shared channel would wake every socket for every event).
type Channels = Arc<Mutex<HashMap<String, broadcast::Sender<Arc<Event>>>>>;
/// A safety net: the dispatcher also looks for new events this often without a wake-up.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// After a round that found events the dispatcher lets commits gather this long before the
/// next: under load one round then carries many writers' events, instead of each commit
/// paying for a round of its own (on PostgreSQL a sequencing transaction with its own WAL
/// flush). Live delivery waits at most this much longer.
const GATHER: Duration = Duration::from_millis(4);

/// The departments of the users connected here, by department: where a department's event
/// goes. Filled when a user subscribes (their memberships then); emptied as they leave.
type Members = Arc<Mutex<HashMap<String, HashSet<String>>>>;

#[derive(Clone)]
pub struct Bus {
    channels: Channels,
    members: Members,
    wake: Arc<Notify>,
    /// This process's open WebSockets per user (for presence).
    pub connections: super::presence::Connections,
}

impl Bus {
    /// A bus woken by every write transaction committed through `db`.
    pub fn new(db: &Db) -> Bus {
        Bus {
            channels: Default::default(),
            members: Default::default(),
            wake: db.committed(),
            connections: Default::default(),
        }
    }

    /// The events of one user (and of the departments they are a member of) that this
    /// process learns about from now on.
    pub fn subscribe(
        &self,
        user_id: &str,
        departments: &[String],
    ) -> broadcast::Receiver<Arc<Event>> {
        let receiver = {
            let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
            channels
                .entry(user_id.to_string())
                .or_insert_with(|| broadcast::channel(BUFFER).0)
                .subscribe()
        };
        let mut members = self.members.lock().unwrap_or_else(|e| e.into_inner());
        for dept in departments {
            members
                .entry(dept.clone())
                .or_default()
                .insert(user_id.to_string());
        }
        receiver
    }

    /// Hands an event to its audience's connections here, if any; forgets users who left.
    fn deliver(&self, audience: Audience, event: Event) {
        let event = Arc::new(event);
        match audience {
            Audience::User(user) => {
                self.send(&user, &event);
            }
            Audience::Department(dept) => {
                let users: Vec<String> = {
                    let members = self.members.lock().unwrap_or_else(|e| e.into_inner());
                    members
                        .get(&dept)
                        .map(|m| m.iter().cloned().collect())
                        .unwrap_or_default()
                };
                for user in users {
                    if !self.send(&user, &event) {
                        let mut members = self.members.lock().unwrap_or_else(|e| e.into_inner());
                        if let Some(m) = members.get_mut(&dept) {
                            m.remove(&user);
                        }
                    }
                }
            }
        }
    }

    /// Sends to a user's connections here; false when none is left.
    fn send(&self, user: &str, event: &Arc<Event>) -> bool {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        match channels.get(user) {
            Some(tx) if tx.receiver_count() > 0 => {
                let _ = tx.send(event.clone());
                true
            }
            Some(_) => {
                channels.remove(user);
                false
            }
            None => false,
        }
    }

    /// Tells the dispatcher that new events may have been committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts the dispatcher (and, on PostgreSQL, the listener) for this process.
    pub fn start(&self, db: Db) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        // The newest seq this process has read: a NOTIFY naming nothing newer (such as the
        // one our own dispatcher just sent) wakes nobody.
        let seen = Arc::new(AtomicI64::new(0));
        if db.backend() == Backend::Postgres {
            tasks.push(tokio::spawn(listen(
                db.url().to_string(),
                self.wake.clone(),
                seen.clone(),
            )));
        }
        let bus = self.clone();
        tasks.push(tokio::spawn(async move { bus.dispatch(db, seen).await }));
        tasks
    }

    async fn dispatch(self, db: Db, seen: Arc<AtomicI64>) {
        let mut last = loop {
            match db.run(|conn| events::latest_seq(conn, None)).await {
                Ok(seq) => break seq,
                Err(e) => {
                    tracing::warn!(error = %e, "event dispatcher waiting for the database");
                    tokio::time::sleep(IDLE_POLL).await;
                }
            }
        };
        loop {
            let _ = tokio::time::timeout(IDLE_POLL, self.wake.notified()).await;
            let before = last;
            let mut first = true;
            loop {
                let after = last;
                let sequence = std::mem::take(&mut first);
                match db
                    .run(move |conn| {
                        // PostgreSQL: first number what writers staged (a no-op on SQLite),
                        // in a transaction of its own. Not through `Db::tx`, whose commit
                        // signal would wake this loop again for nothing.
                        if sequence
                            && let Err(e) = crate::db::write_tx(conn, events::sequence)
                        {
                            tracing::warn!(error = %e, "event dispatcher could not sequence events");
                        }
                        events::all_after(conn, after, 500)
                    })
                    .await
                {
                    Ok(batch) => {
                        let full = batch.len() == 500;
                        for (audience, event) in batch {
                            last = last.max(event.seq);
                            self.deliver(audience, event);
                        }
                        seen.store(last, Ordering::Relaxed);
                        if !full {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "event dispatcher could not read events");
                        break;
                    }
                }
            }
            if last > before {
                tokio::time::sleep(GATHER).await;
            }
        }
    }
}

/// A dedicated connection that LISTENs and wakes the dispatcher on every NOTIFY; it
/// reconnects when the database goes away. The connection lives in an async task (each
/// poll is a short blocking call), so stopping the task closes it cleanly.
async fn listen(url: String, wake: Arc<Notify>, seen: Arc<AtomicI64>) {
    loop {
        let target = url.clone();
        let connected = tokio::task::spawn_blocking(move || {
            let mut conn = PgConnection::establish(&target).map_err(|e| e.to_string())?;
            conn.batch_execute(&format!("LISTEN {}", events::CHANNEL))
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(conn)
        })
        .await;
        match connected {
            Ok(Ok(mut conn)) => {
                // Anything committed while we were away is picked up by this first wake.
                wake.notify_one();
                loop {
                    let seen = seen.clone();
                    let polled = tokio::task::spawn_blocking(move || {
                        let mut heard = false;
                        for n in conn.notifications_iter() {
                            let n = n.map_err(|e| e.to_string())?;
                            let newest = n.payload.parse::<i64>().unwrap_or(i64::MAX);
                            heard |= newest > seen.load(Ordering::Relaxed);
                        }
                        Ok::<_, String>((conn, heard))
                    })
                    .await;
                    match polled {
                        Ok(Ok((back, heard))) => {
                            conn = back;
                            if heard {
                                wake.notify_one();
                            }
                        }
                        Ok(Err(e)) => {
                            tracing::warn!(error = %e, "notification stream broke; reconnecting");
                            break;
                        }
                        Err(_) => return,
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "LISTEN connection failed; retrying"),
            Err(_) => return,
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
