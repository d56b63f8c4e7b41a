//! Building the state and starting the HTTP server (used by `tandem serve` and the tests).

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::session_cache::SessionCache;
use crate::auth::throttle::Throttle;
use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::db::Db;
use crate::http::{extract, headers, input, request_id};
use crate::realtime::Bus;
use crate::state::AppState;
use crate::{openapi, routes, setup, spa};

/// Connects, migrates and loads the signing secret.
pub async fn prepare(config: Config) -> Result<AppState, String> {
    let db = Db::connect(&config.database_url, config.database_pool_size)?;
    let migrator = db.clone();
    let ran = tokio::task::spawn_blocking(move || migrator.migrate())
        .await
        .map_err(|e| e.to_string())??;
    if ran > 0 {
        tracing::info!(migrations = ran, "database migrated");
    }
    let configured = config.jwt_secret.clone();
    let secret = db
        .run(move |conn| setup::token_secret(conn, &configured))
        .await
        .map_err(|e| e.to_string())?;
    db.run(crate::resources::templates::ensure_builtin)
        .await
        .map_err(|e| e.to_string())?;
    db.tx(crate::desk::setup::ensure_routes)
        .await
        .map_err(|e| e.to_string())?;
    if config.jobs_enabled {
        // The reminder sweep re-queues itself; this starts the chain once per database.
        let reminders = config.clone();
        db.tx(move |conn| {
            crate::reminders::ensure_scheduled(conn, &reminders)?;
            crate::desk::sweep::ensure_scheduled(conn, &reminders)?;
            crate::desk::search_merge::ensure_scheduled(conn, &reminders)
        })
        .await
        .map_err(|e| e.to_string())?;
    }
    let keys = TokenKeys::new(&secret, config.access_token_ttl_secs);
    let throttle = Throttle::new(
        config.login_window_secs,
        config.login_max_failures_per_account,
        config.login_max_attempts_per_ip,
    );
    let bus = Bus::new(&db);
    let sessions = Arc::new(SessionCache::new(config.session_cache_ms));
    Ok(AppState {
        db,
        config: Arc::new(config),
        keys: Arc::new(keys),
        throttle: Arc::new(throttle),
        sessions,
        bus,
    })
}

pub struct Running {
    pub addr: SocketAddr,
    pub handle: ServerHandle,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The event dispatcher and job worker, for callers (tests) that stop the server early.
    pub background: Vec<tokio::task::AbortHandle>,
}

/// Starts the background parts (event dispatcher, job worker, the open sockets' session
/// check, SQLite checkpointer) and the HTTP server.
pub fn start(state: AppState) -> Result<Running, String> {
    let config = state.config.clone();
    let listener = TcpListener::bind(&config.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let mut background: Vec<_> = state
        .bus
        .start(state.db.clone())
        .iter()
        .map(|t| t.abort_handle())
        .collect();
    if config.jobs_enabled {
        background.push(tokio::spawn(crate::jobs::worker::run(state.clone())).abort_handle());
    }
    background
        .push(tokio::spawn(state.sessions.clone().watch_sockets(state.db.clone())).abort_handle());
    if let Some(task) = state.db.start_checkpointer() {
        background.push(task.abort_handle());
    }
    let data = web::Data::new(state);
    let dist = config.web_dist.clone();
    let has_web = std::path::Path::new(&dist).join("index.html").is_file();
    if !has_web {
        tracing::warn!(web_dist = %dist, "web app not built; `/` explains how to build it");
    }
    let limit = config.body_limit_bytes;
    let mut server = HttpServer::new(move || {
        let app = App::new()
            .app_data(data.clone())
            .app_data(extract::json_config(limit))
            .app_data(extract::query_config())
            .app_data(extract::path_config())
            .wrap(from_fn(input::middleware))
            .wrap(Compress::default())
            .wrap(from_fn(headers::middleware))
            .wrap(from_fn(request_id::middleware))
            .service(
                web::scope("/api/v1")
                    .configure(routes::api)
                    .default_service(web::to(routes::api_not_found)),
            )
            .service(web::redirect("/api/docs", "/api/docs/"))
            .service(
                SwaggerUi::new("/api/docs/{_:.*}")
                    .url("/api/docs/openapi.json", openapi::document()),
            );
        if has_web {
            app.service(spa::service(&dist))
        } else {
            app.default_service(web::to(|req: actix_web::HttpRequest| async move {
                if req.path().starts_with("/api/") {
                    routes::api_not_found(req).await
                } else {
                    Ok::<HttpResponse, crate::error::ApiError>(spa::not_built())
                }
            }))
        }
    })
    .listen(listener)
    .map_err(|e| e.to_string())?
    .shutdown_timeout(10);
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    let server = server.run();
    let handle = server.handle();
    let server = tokio::spawn(server);
    Ok(Running {
        addr,
        handle,
        server,
        background,
    })
}
