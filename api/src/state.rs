//! What every handler can reach: the database, the settings, the token keys, the login
//! throttle and the real-time bus.

use std::sync::Arc;

use crate::auth::session_cache::SessionCache;
use crate::auth::throttle::Throttle;
use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::db::Db;
use crate::realtime::Bus;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub keys: Arc<TokenKeys>,
    pub throttle: Arc<Throttle>,
    pub sessions: Arc<SessionCache>,
    pub bus: Bus,
}
