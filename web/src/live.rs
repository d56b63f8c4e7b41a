//! The live connection: one WebSocket per signed-in tab, reconnected with backoff. After a
//! reconnect the events missed meanwhile are fetched from `/events?after=<last seq>`, so every
//! event reaches [`Live::latest`] once and in order. When the server closes it because the
//! session ended, or will not let it in again, the session is checked through the API, whose
//! refusal signs the user out (and stops this loop) instead of reconnecting forever.

use std::cell::{Cell, RefCell};

use futures::channel::oneshot;
use futures::future::{Either, Shared, select};
use futures::{FutureExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, WebSocketError};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::{Event, WS_CLOSE_SESSION_ENDED, WsMessage};

use crate::api::client::fresh_access_token;
use crate::{api, session};

const BACKOFF_START_MS: u32 = 1_000;
const BACKOFF_MAX_MS: u32 = 30_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not signed in.
    Off,
    /// First connection under way.
    Connecting,
    /// Connected and caught up.
    Live,
    /// Lost; trying again.
    Reconnecting,
}

/// The reactive face of the connection.
#[derive(Clone, Copy)]
pub struct Live {
    pub status: RwSignal<Status>,
    /// The events of the latest delivery (one from the socket, or a page of catch-up), in
    /// order; pages watch it to refresh what they show.
    pub latest: RwSignal<Vec<Event>>,
}

type Cancel = Shared<oneshot::Receiver<()>>;

thread_local! {
    static LIVE: Live = Live {
        status: RwSignal::new(Status::Off),
        latest: RwSignal::new(Vec::new()),
    };
    /// Dropping the sender stops the running connection loop.
    static STOP: RefCell<Option<oneshot::Sender<()>>> = const { RefCell::new(None) };
    /// The highest sequence number seen, kept across reconnects (not across reloads).
    static LAST_SEQ: Cell<Option<i64>> = const { Cell::new(None) };
}

/// Creates the global signals. Called from `main` before mounting.
pub fn init() {
    LIVE.with(|_| ());
}

pub fn get() -> Live {
    LIVE.with(|l| *l)
}

/// Starts the connection loop unless it is already running.
pub fn start() {
    let running = STOP.with(|s| s.borrow().is_some());
    if running {
        return;
    }
    let (tx, rx) = oneshot::channel();
    STOP.with(|s| *s.borrow_mut() = Some(tx));
    spawn_local(run(rx.shared()));
}

/// Stops the loop and closes the socket (on sign-out).
pub fn stop() {
    STOP.with(|s| *s.borrow_mut() = None);
    LAST_SEQ.with(|s| s.set(None));
    get().status.set(Status::Off);
}

/// True once `stop` was called (the sender was dropped).
fn cancelled(cancel: &Cancel) -> bool {
    cancel.peek().is_some()
}

/// How a connection ended.
enum Closed {
    /// `stop` was called.
    Cancelled,
    /// The server closed it with [`WS_CLOSE_SESSION_ENDED`].
    SessionEnded,
    /// Anything else; `greeted` when the hello had come (so the upgrade was accepted).
    Lost { greeted: bool },
}

async fn run(cancel: Cancel) {
    let live = get();
    live.status.set(Status::Connecting);
    let mut backoff = BACKOFF_START_MS;
    loop {
        match fresh_access_token().await {
            // Signed out meanwhile.
            Ok(None) => return,
            Ok(Some(token)) => {
                let ended = match WebSocket::open(&ws_url(&token)) {
                    Ok(ws) => connection(ws, &cancel, &mut backoff).await,
                    Err(_) => Closed::Lost { greeted: false },
                };
                match ended {
                    Closed::Cancelled => return,
                    // A page cannot see why an upgrade was refused, so a socket that never
                    // said hello may mean a dead session too. Asking the API settles it: a
                    // dead session is cleared (see `api::client`), which stops this loop;
                    // a pair another tab obtained meanwhile is taken over.
                    Closed::SessionEnded | Closed::Lost { greeted: false } => {
                        if session::get().signed_out_by_user.get_untracked() {
                            return;
                        }
                        let _ = api::auth::me().await;
                    }
                    Closed::Lost { greeted: true } => {}
                }
            }
            Err(_) => {}
        }
        if cancelled(&cancel) {
            return;
        }
        live.status.set(Status::Reconnecting);
        // Wait, with jitter so that many tabs do not return at the same instant.
        let jitter = (js_sys::Math::random() * f64::from(backoff) / 4.0) as u32;
        let wait = TimeoutFuture::new(backoff + jitter);
        if let Either::Right(_) = select(wait, cancel.clone()).await {
            return;
        }
        backoff = (backoff * 2).min(BACKOFF_MAX_MS);
    }
}

/// Reads one connection until it ends.
async fn connection(mut ws: WebSocket, cancel: &Cancel, backoff: &mut u32) -> Closed {
    let mut greeted = false;
    loop {
        let next = match select(ws.next(), cancel.clone()).await {
            Either::Left((next, _)) => next,
            Either::Right(_) => return Closed::Cancelled,
        };
        let text = match next {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Bytes(_))) => continue,
            Some(Err(WebSocketError::ConnectionClose(e))) if e.code == WS_CLOSE_SESSION_ENDED => {
                return Closed::SessionEnded;
            }
            Some(Err(_)) | None => return Closed::Lost { greeted },
        };
        match serde_json::from_str::<WsMessage>(&text) {
            Ok(WsMessage::Hello { latest_seq }) => {
                greeted = true;
                match LAST_SEQ.with(Cell::get) {
                    // Back after a gap: fetch what was missed before reading on.
                    Some(last) if latest_seq > last => {
                        if catch_up(last).await.is_err() {
                            return Closed::Lost { greeted };
                        }
                    }
                    Some(_) => {}
                    None => LAST_SEQ.with(|s| s.set(Some(latest_seq))),
                }
                if cancelled(cancel) {
                    return Closed::Cancelled;
                }
                *backoff = BACKOFF_START_MS;
                get().status.set(Status::Live);
            }
            Ok(WsMessage::Event { event }) => deliver(vec![event]),
            // A frame from a newer server this page does not know; ignore it.
            Err(_) => {}
        }
    }
}

async fn catch_up(mut after: i64) -> Result<(), shared::Problem> {
    loop {
        let list = api::events::after(after).await?;
        deliver(list.items);
        if !list.has_more || list.last_seq <= after {
            return Ok(());
        }
        after = list.last_seq;
    }
}

/// Passes on the events not seen yet and remembers the highest sequence number.
fn deliver(events: Vec<Event>) {
    let mut last = LAST_SEQ.with(Cell::get);
    let fresh: Vec<Event> = events
        .into_iter()
        .filter(|e| {
            let new = last.is_none_or(|l| e.seq > l);
            if new {
                last = Some(e.seq);
            }
            new
        })
        .collect();
    if fresh.is_empty() {
        return;
    }
    LAST_SEQ.with(|s| s.set(last));
    get().latest.set(fresh);
}

/// True when the latest delivery has an event whose kind starts with `prefix`.
pub fn touched(prefix: &str) -> bool {
    get()
        .latest
        .with(|events| events.iter().any(|e| e.kind.starts_with(prefix)))
}

/// `ws://` or `wss://` to this page's host, per the page's own protocol.
fn ws_url(token: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let secure = location
        .as_ref()
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:");
    let host = location.and_then(|l| l.host().ok()).unwrap_or_default();
    format!(
        "{}://{host}{}/ws?access_token={}",
        if secure { "wss" } else { "ws" },
        api::client::BASE,
        js_sys::encode_uri_component(token)
    )
}

/// The events of the latest delivery whose kind starts with `prefix` (tracked).
pub fn matching(prefix: &str) -> Vec<Event> {
    get().latest.with(|events| {
        events
            .iter()
            .filter(|e| e.kind.starts_with(prefix))
            .cloned()
            .collect()
    })
}

/// From now on, calls `f` with the events of each delivery whose kind starts with `prefix`
/// (not with the delivery already there when called). Lives as long as the calling view.
pub fn on(prefix: &'static str, f: impl Fn(Vec<Event>) + 'static) {
    Effect::new(move |first: Option<()>| {
        let hits = matching(prefix);
        if first.is_some() && !hits.is_empty() {
            untrack(|| f(hits));
        }
    });
}

/// A text field of an event's payload, such as `project_id`.
pub fn field<'a>(event: &'a Event, key: &str) -> Option<&'a str> {
    event.payload.get(key).and_then(|v| v.as_str())
}

/// True when one of `events` concerns the project `project_id`.
pub fn for_project(events: &[Event], project_id: &str) -> bool {
    events
        .iter()
        .any(|e| field(e, "project_id") == Some(project_id))
}
