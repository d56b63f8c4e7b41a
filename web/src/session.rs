//! Who is signed in: the current user as a signal for the views, and the token pair as plain
//! data for the API client. Tokens are mirrored to `localStorage` so a reload stays signed in,
//! and the access token is refreshed shortly before it expires.

use std::cell::RefCell;

use gloo_storage::{LocalStorage, Storage};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use shared::Role;
use shared::auth::TokenResponse;
use shared::identity::User;

use crate::{api, live};

const STORAGE_KEY: &str = "tandem.session";
/// Refresh this long before the access token expires (see `Tokens::refresh_due_ms`).
const REFRESH_MARGIN_MS: f64 = 60_000.0;
/// When a proactive refresh fails for a reason other than a dead session, try again after this.
const REFRESH_RETRY_MS: f64 = 30_000.0;

/// The token pair, with the access token's expiry as a wall-clock time in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at_ms: f64,
    /// How long the access token was valid for when issued.
    #[serde(default)]
    pub lifetime_ms: f64,
}

impl Tokens {
    fn from_response(tr: &TokenResponse) -> Self {
        let lifetime_ms = tr.expires_in.max(0) as f64 * 1000.0;
        Tokens {
            access_token: tr.access_token.clone(),
            refresh_token: tr.refresh_token.clone(),
            expires_at_ms: now_ms() + lifetime_ms,
            lifetime_ms,
        }
    }

    /// When to refresh: a minute before expiry, or halfway for tokens shorter than two
    /// minutes (so a short lifetime never makes the refreshes run back to back).
    pub fn refresh_due_ms(&self) -> f64 {
        let margin = if self.lifetime_ms > 0.0 {
            REFRESH_MARGIN_MS.min(self.lifetime_ms / 2.0)
        } else {
            REFRESH_MARGIN_MS
        };
        self.expires_at_ms - margin
    }

    /// True when the access token is expired or about to be.
    pub fn expiring(&self) -> bool {
        self.refresh_due_ms() <= now_ms()
    }
}

/// The reactive part of the session. Copy it freely.
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in user, `None` when signed out.
    pub user: RwSignal<Option<User>>,
    /// False while a stored session is being checked at start-up.
    pub ready: RwSignal<bool>,
    /// The signed-in user's role; changes only when the role does, so views keyed on it are
    /// not rebuilt when a token refresh hands back the same user.
    pub role: Memo<Option<Role>>,
    /// True after the user signed out themselves (rather than the session expiring), so the
    /// login page is shown without a "come back here" link.
    pub signed_out_by_user: RwSignal<bool>,
}

thread_local! {
    static SESSION: Session = {
        let user = RwSignal::new(None::<User>);
        Session {
            user,
            ready: RwSignal::new(false),
            role: Memo::new(move |_| user.with(|u| u.as_ref().map(|u| u.role))),
            signed_out_by_user: RwSignal::new(false),
        }
    };
    static TOKENS: RefCell<Option<Tokens>> = const { RefCell::new(None) };
    static REFRESH_TIMER: RefCell<Option<Timeout>> = const { RefCell::new(None) };
}

/// Creates the global signals. Called from `main` before mounting, so no component owns them.
pub fn init() {
    SESSION.with(|_| ());
}

pub fn get() -> Session {
    SESSION.with(|s| *s)
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Where each role lands after signing in.
pub fn home_for(role: Role) -> &'static str {
    match role {
        Role::Admin => "/admin/organizations",
        Role::Csm => "/projects",
        Role::AccountManager | Role::Sales => "/clients",
        Role::SupportAgent => "/tickets",
        Role::ClientAdmin | Role::ClientMember => "/my-project",
    }
}

pub fn tokens() -> Option<Tokens> {
    TOKENS.with(|t| t.borrow().clone())
}

/// The pair saved by this or another tab.
pub fn stored_tokens() -> Option<Tokens> {
    LocalStorage::get(STORAGE_KEY).ok()
}

fn set_tokens(tokens: Tokens) {
    // Storage can be full or disabled (private mode); the session then lasts until reload.
    let _ = LocalStorage::set(STORAGE_KEY, &tokens);
    schedule_refresh(tokens.refresh_due_ms() - now_ms());
    TOKENS.with(|t| *t.borrow_mut() = Some(tokens));
}

/// Takes over a pair another tab obtained (it rotated the refresh token we held).
pub fn adopt(tokens: Tokens) {
    set_tokens(tokens);
}

/// Records a fresh sign-in or refresh: tokens, user, and the live connection.
pub fn signed_in(tr: TokenResponse) {
    set_tokens(Tokens::from_response(&tr));
    let s = get();
    if s.user.with_untracked(|u| u.as_ref() != Some(&tr.user)) {
        s.user.set(Some(tr.user));
    }
    s.ready.set(true);
    s.signed_out_by_user.set(false);
    live::start();
}

/// Updates the user after `/me` or an edit of one's own account.
pub fn set_user(user: User) {
    let s = get();
    if s.user.with_untracked(|u| u.as_ref() != Some(&user)) {
        s.user.set(Some(user));
    }
}

/// Takes a newer copy of the signed-in user (after changing one's own account); dropped if
/// by the time it arrives someone else, or nobody, is signed in.
pub fn user_changed(user: User) {
    let same = get()
        .user
        .with_untracked(|u| u.as_ref().is_some_and(|u| u.id == user.id));
    if same {
        set_user(user);
    }
}

/// Forgets the session locally (the server side is handled by `api::auth::logout`).
pub fn clear() {
    TOKENS.with(|t| *t.borrow_mut() = None);
    REFRESH_TIMER.with(|t| *t.borrow_mut() = None);
    LocalStorage::delete(STORAGE_KEY);
    live::stop();
    let s = get();
    if s.user.with_untracked(Option::is_some) {
        s.user.set(None);
    }
    s.ready.set(true);
}

/// At start-up: picks up a stored session and checks it with `/me`.
pub fn restore() {
    let Some(tokens) = stored_tokens() else {
        get().ready.set(true);
        return;
    };
    TOKENS.with(|t| *t.borrow_mut() = Some(tokens.clone()));
    schedule_refresh(tokens.refresh_due_ms() - now_ms());
    spawn_local(async {
        // A dead session is cleared by the client; after a network failure the tokens stay,
        // and the login page shows until the server answers again.
        if let Ok(user) = api::auth::me().await {
            set_user(user);
            live::start();
        }
        get().ready.set(true);
    });
}

/// Refreshes the token pair after `delay_ms` (at once if negative).
fn schedule_refresh(delay_ms: f64) {
    let delay = delay_ms.clamp(0.0, i32::MAX as f64) as u32;
    let timer = Timeout::new(delay, || {
        spawn_local(async {
            if let Err(problem) = api::auth::refresh().await {
                // The session is gone when the refresh was refused; otherwise the server was
                // unreachable, so try again a little later.
                if tokens().is_some() && problem.status != 401 {
                    schedule_refresh(REFRESH_RETRY_MS);
                }
            }
        });
    });
    REFRESH_TIMER.with(|t| *t.borrow_mut() = Some(timer));
}
