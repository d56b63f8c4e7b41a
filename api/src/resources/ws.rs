//! The WebSocket: each signed-in browser gets its user's events live, until its session ends
//! (then it is closed with code 4401, `shared::events::WS_CLOSE_SESSION_ENDED`).

use actix_web::{HttpRequest, HttpResponse, get, web};
use actix_ws::{CloseCode, CloseReason};
use futures_util::StreamExt;
use serde::Deserialize;
use shared::ErrorCode;
use shared::events::{WS_CLOSE_SESSION_ENDED, WsMessage};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Actor;
use crate::auth::actor::bearer;
use crate::error::{ApiError, ApiResult};
use crate::realtime::{events, presence};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct WsQuery {
    /// Browsers cannot set headers on a WebSocket, so the token may come here instead.
    pub access_token: Option<String>,
}

/// How often the server pings, so dead connections are noticed and proxies keep it open.
const PING_EVERY: std::time::Duration = std::time::Duration::from_secs(25);

#[utoipa::path(
    get, path = "/api/v1/ws", operation_id = "openWebSocket", tag = "realtime",
    summary = "Open the live event stream (WebSocket)",
    description = "Upgrade to a WebSocket. Authenticate with `Authorization: Bearer` or `?access_token=`. The first frame is `{\"type\":\"hello\",\"latest_seq\":N}`; then each event arrives as `{\"type\":\"event\",\"event\":{…}}`. After a reconnect, call `listEvents` with the last seq seen. When the session ends (signed out, password changed in another session, account deactivated) the server closes the socket with code 4401 (`session ended`) within `session_cache_ms`, and sends no event after the end; sign in again rather than reconnect.",
    params(("access_token" = Option<String>, Query, description = "The access token, for clients that cannot send headers")),
    responses((status = 101, description = "Switching to the WebSocket protocol; then a stream of WsMessage frames", body = WsMessage)),
    security(("bearer" = [])),
)]
#[get("/ws")]
pub async fn connect(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<WsQuery>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    let token = bearer(&req)
        .or_else(|| query.into_inner().access_token)
        .ok_or_else(|| ApiError::unauthenticated("send an access token"))?;
    let actor = Actor::from_token(&state, &token).await?;
    let uid = actor.user_id.clone();
    let departments = state
        .db
        .run(move |conn| events::departments_of(conn, &uid))
        .await?;
    // Subscribe before reading the latest seq: an event dispatched in between would otherwise
    // be newer than the hello's `latest_seq` and yet never sent on this stream.
    let mut feed = state.bus.subscribe(&actor.user_id, &departments);
    let uid = actor.user_id.clone();
    let latest = state
        .db
        .run(move |conn| events::latest_seq(conn, Some((&uid, &departments))))
        .await?;
    let (response, mut session, mut incoming) = actix_ws::handle(&req, body)
        .map_err(|e| ApiError::field("upgrade", "websocket", e.to_string()))?;
    let presence = PresenceGuard::open(&state, &actor.user_id).await;
    let mut watch = state.sessions.watch(&actor.session_id);
    let state = state.get_ref().clone();
    actix_web::rt::spawn(async move {
        let _presence = presence;
        let hello =
            serde_json::to_string(&WsMessage::Hello { latest_seq: latest }).unwrap_or_default();
        if session.text(hello).await.is_err() {
            return;
        }
        let mut ping = tokio::time::interval(PING_EVERY);
        let mut reason = None;
        loop {
            tokio::select! {
                ended = &mut watch.ended => {
                    // An error means the process is stopping, not that the session ended.
                    if ended.is_ok() {
                        reason = Some(session_ended());
                    }
                    break;
                }
                item = feed.recv() => match item {
                    Ok(event) => {
                        if event.seq <= latest {
                            continue;
                        }
                        // Checked like a request (cached for `session_cache_ms`): nothing
                        // reaches a session this process has already ended.
                        match Actor::of_session(&state, actor.session_id.clone(), actor.user_id.clone()).await {
                            Ok(_) => {}
                            Err(e) if e.code == ErrorCode::Unauthenticated => {
                                reason = Some(session_ended());
                                break;
                            }
                            // Unchecked, nothing is sent; the client reconnects and catches up.
                            Err(_) => {
                                reason = Some(CloseCode::Error.into());
                                break;
                            }
                        }
                        let frame = serde_json::to_string(&WsMessage::Event { event: (*event).clone() }).unwrap_or_default();
                        if session.text(frame).await.is_err() {
                            break;
                        }
                    }
                    // Fell behind: close, and the client catches up through `listEvents`.
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => break,
                },
                msg = incoming.next() => match msg {
                    Some(Ok(actix_ws::Message::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() {
                            break;
                        }
                    }
                    Some(Ok(actix_ws::Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                },
                _ = ping.tick() => {
                    if session.ping(b"").await.is_err() {
                        break;
                    }
                    _presence.mark().await;
                }
            }
        }
        let _ = session.close(reason).await;
    });
    Ok(response)
}

/// The close frame of a socket whose session ended: the client signs in again.
fn session_ended() -> CloseReason {
    CloseReason {
        code: CloseCode::Other(WS_CLOSE_SESSION_ENDED),
        description: Some("session ended".into()),
    }
}

/// Keeps the user marked online while the connection lives; the last connection of this
/// process to close clears the mark.
struct PresenceGuard {
    state: AppState,
    user_id: String,
}

impl PresenceGuard {
    async fn open(state: &web::Data<AppState>, user_id: &str) -> PresenceGuard {
        state.bus.connections.opened(user_id);
        let guard = PresenceGuard {
            state: state.get_ref().clone(),
            user_id: user_id.to_string(),
        };
        guard.mark().await;
        guard
    }

    async fn mark(&self) {
        let uid = self.user_id.clone();
        if let Err(e) = self
            .state
            .db
            .run(move |conn| presence::mark(conn, &uid))
            .await
        {
            tracing::warn!(error = %e, "could not record presence");
        }
    }
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        if self.state.bus.connections.closed(&self.user_id) {
            let state = self.state.clone();
            let uid = std::mem::take(&mut self.user_id);
            actix_web::rt::spawn(async move {
                let _ = state.db.run(move |conn| presence::clear(conn, &uid)).await;
            });
        }
    }
}
