//! The live connection: one WebSocket per signed-in tab, reconnected with backoff. After a
//! reconnect the events missed meanwhile are fetched from `/events?after=<last seq>`, so every
//! event reaches [`Live::last_event`] once and in order.

use std::cell::{Cell, RefCell};

use futures::channel::oneshot;
use futures::future::{Either, Shared, select};
use futures::{FutureExt, StreamExt};
use gloo_net::websocket::Message;
use gloo_net::websocket::futures::WebSocket;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::{Event, WsMessage};

use crate::api;
use crate::api::client::fresh_access_token;

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
    /// The newest event received; pages watch it to refresh what they show.
    pub last_event: RwSignal<Option<Event>>,
}

type Cancel = Shared<oneshot::Receiver<()>>;

thread_local! {
    static LIVE: Live = Live {
        status: RwSignal::new(Status::Off),
        last_event: RwSignal::new(None),
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

async fn run(cancel: Cancel) {
    let live = get();
    live.status.set(Status::Connecting);
    let mut backoff = BACKOFF_START_MS;
    loop {
        match fresh_access_token().await {
            // Signed out meanwhile.
            Ok(None) => return,
            Ok(Some(token)) => {
                if let Ok(ws) = WebSocket::open(&ws_url(&token))
                    && connection(ws, &cancel, &mut backoff).await.is_break()
                {
                    return;
                }
            }
            Err(_) => {}
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

/// Reads one connection until it ends. `Break` when the loop was cancelled.
async fn connection(
    mut ws: WebSocket,
    cancel: &Cancel,
    backoff: &mut u32,
) -> std::ops::ControlFlow<()> {
    use std::ops::ControlFlow;
    loop {
        let next = match select(ws.next(), cancel.clone()).await {
            Either::Left((next, _)) => next,
            Either::Right(_) => return ControlFlow::Break(()),
        };
        let text = match next {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Bytes(_))) => continue,
            Some(Err(_)) | None => return ControlFlow::Continue(()),
        };
        match serde_json::from_str::<WsMessage>(&text) {
            Ok(WsMessage::Hello { latest_seq }) => {
                match LAST_SEQ.with(Cell::get) {
                    // Back after a gap: fetch what was missed before reading on.
                    Some(last) if latest_seq > last => {
                        if catch_up(last).await.is_err() {
                            return ControlFlow::Continue(());
                        }
                    }
                    Some(_) => {}
                    None => LAST_SEQ.with(|s| s.set(Some(latest_seq))),
                }
                *backoff = BACKOFF_START_MS;
                get().status.set(Status::Live);
            }
            Ok(WsMessage::Event { event }) => deliver(event),
            // A frame from a newer server this page does not know; ignore it.
            Err(_) => {}
        }
    }
}

async fn catch_up(mut after: i64) -> Result<(), shared::Problem> {
    loop {
        let list = api::events::after(after).await?;
        for event in list.items {
            deliver(event);
        }
        if !list.has_more || list.last_seq <= after {
            return Ok(());
        }
        after = list.last_seq;
    }
}

fn deliver(event: Event) {
    let last = LAST_SEQ.with(Cell::get);
    if last.is_some_and(|last| event.seq <= last) {
        return;
    }
    LAST_SEQ.with(|s| s.set(Some(event.seq)));
    get().last_event.set(Some(event));
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
