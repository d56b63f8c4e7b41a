//! The signed-in user's notifications as the header shows them: the unread count, kept
//! current from the WebSocket, and the short-lived pop-ups ("toasts") for new ones.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::Event;

use crate::{api, live};

/// How long a pop-up stays, in milliseconds.
const TOAST_MS: u32 = 8_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub seq: i64,
    pub title: String,
    pub link: Option<String>,
}

#[derive(Clone, Copy)]
pub struct Inbox {
    pub unread: RwSignal<i64>,
    pub toasts: RwSignal<Vec<Toast>>,
    /// Bumped when notifications arrive or are read, so an open list reloads.
    pub changed: RwSignal<u32>,
}

thread_local! {
    static INBOX: Inbox = Inbox {
        unread: RwSignal::new(0),
        toasts: RwSignal::new(Vec::new()),
        changed: RwSignal::new(0),
    };
}

pub fn init() {
    INBOX.with(|_| ());
}

pub fn get() -> Inbox {
    INBOX.with(|i| *i)
}

/// Asks the server for the unread count.
pub fn refresh() {
    spawn_local(async {
        if let Ok(page) = api::notifications::list(true, None, Some(1)).await {
            get().unread.set(page.unread_count);
        }
    });
}

/// The project section a kind of notification is about (`""` for the checklist).
fn section_of(kind: &str) -> Option<&'static str> {
    match kind {
        k if k.starts_with("item_") => Some(""),
        k if k.starts_with("appointment_") => Some("agenda"),
        k if k.starts_with("board_") => Some("board"),
        "chat_message" => Some("chat"),
        _ => None,
    }
}

/// Whether the page at `path` already shows what the notification `e` is about (its
/// project's section), so it needs no pop-up: the page itself changes live.
pub fn on_screen(e: &Event, path: &str) -> bool {
    let (Some(project), Some(section)) = (
        live::field(e, "project_id"),
        live::field(e, "kind").and_then(section_of),
    ) else {
        return false;
    };
    let base = format!("/projects/{project}");
    let here = path.trim_end_matches('/');
    if section.is_empty() {
        here == base || here == format!("{base}/activities")
    } else {
        here == format!("{base}/{section}")
    }
}

/// Follows the live stream for as long as the calling view lives: new notifications raise
/// the count and pop up (unless `seen` says the page already shows them); reads in another
/// tab (`notification.read`) lower it.
pub fn follow(seen: impl Fn(&Event) -> bool + 'static) {
    refresh();
    live::on("notification.", move |events: Vec<Event>| {
        let inbox = get();
        for e in events
            .iter()
            .filter(|e| e.kind == "notification.created" && !seen(e))
        {
            let title = live::field(e, "title").unwrap_or("New notification");
            let link = live::field(e, "link")
                .map(str::to_string)
                .or_else(|| live::field(e, "project_id").map(|p| format!("/projects/{p}")));
            push_toast(Toast {
                seq: e.seq,
                title: title.to_string(),
                link,
            });
        }
        inbox.changed.update(|c| *c += 1);
        refresh();
    });
}

fn push_toast(toast: Toast) {
    let seq = toast.seq;
    get().toasts.update(|t| {
        t.push(toast);
        // Never more than three at once on a phone screen.
        while t.len() > 3 {
            t.remove(0);
        }
    });
    gloo_timers::callback::Timeout::new(TOAST_MS, move || dismiss(seq)).forget();
}

pub fn dismiss(seq: i64) {
    get().toasts.update(|t| t.retain(|x| x.seq != seq));
}

/// Records that notifications were read here.
pub fn read_locally(unread: Option<i64>) {
    let inbox = get();
    match unread {
        Some(n) => inbox.unread.set(n),
        None => inbox.unread.update(|n| *n = (*n - 1).max(0)),
    }
    inbox.changed.update(|c| *c += 1);
}
