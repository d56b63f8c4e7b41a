//! Typed configuration: defaults that work on a laptop, overridden by a TOML file
//! (`tandem.toml` in the working directory, or the path in `TANDEM_CONFIG`) and then by
//! `TANDEM_<KEY>` environment variables. Unknown keys are errors, so a typo never passes
//! silently. Every key is listed in the README.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `sqlite://path` (embedded default) or `postgres://user@host/db`.
    pub database_url: String,
    /// Connections in the database pool.
    pub database_pool_size: u32,
    /// Address the server listens on.
    pub bind: String,
    /// The address people use to reach Tandem; links in e-mails start with it.
    pub public_url: String,
    /// The built web app (`scripts/build-web.sh` writes it).
    pub web_dist: String,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter such as `info` or `api=debug,info`.
    pub log_level: String,
    /// Largest accepted JSON body, in bytes.
    pub body_limit_bytes: usize,
    /// Secret for signing access tokens. Empty: a random one is made once and kept in the
    /// database, so every process on the same database shares it.
    pub jwt_secret: String,
    /// Access-token lifetime in seconds (at most 900).
    pub access_token_ttl_secs: i64,
    /// Refresh-token lifetime in days.
    pub refresh_token_ttl_days: i64,
    /// How long a checked session is trusted without asking the database again, in
    /// milliseconds (changes made through this process apply at once; 0 turns it off).
    pub session_cache_ms: u64,
    /// Failed logins allowed per account within `login_window_secs`.
    pub login_max_failures_per_account: u32,
    /// Login attempts allowed per client IP within `login_window_secs`.
    pub login_max_attempts_per_ip: u32,
    pub login_window_secs: u64,
    /// How long an invitation link stays valid.
    pub invitation_ttl_hours: i64,
    /// `file` (writes each message to `mail_outbox_dir`) or `smtp`.
    pub mail_transport: String,
    pub mail_outbox_dir: String,
    pub mail_from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `none` (plain, for a local relay), `starttls` (usually port 587) or `tls` (port 465).
    pub smtp_tls: String,
    pub smtp_username: String,
    pub smtp_password: String,
    /// How often idle job workers look for due jobs, in milliseconds.
    pub job_poll_ms: u64,
    /// Attempts before a job is marked failed.
    pub job_max_attempts: i32,
    /// Whether this process runs background jobs (turn off on API-only replicas).
    pub jobs_enabled: bool,
    /// Notification e-mails wait this long so that several become one message, in seconds.
    pub notification_batch_secs: i64,
    /// A user counts as online this long after their open WebSocket last checked in, in seconds.
    pub presence_timeout_secs: i64,
    /// How often due-date and appointment reminders are looked for, in seconds.
    pub reminder_interval_secs: i64,
    /// "Due soon" reminders go out this many days before an item's due date.
    pub due_soon_days: i64,
    /// Appointment reminders go out this many minutes before the start.
    pub appointment_reminder_minutes: i64,
    /// How often the desk looks for SLA warnings and breaches and hands waiting tickets to
    /// agents who became free, in seconds.
    pub desk_sweep_secs: i64,
    /// The hour (UTC, 0–23) at which SQLite's search index is rewritten as one segment each
    /// night; -1 never.
    pub search_optimize_hour: i64,
    /// The secret a mail service sends (header `X-Tandem-Inbound-Secret`) when it posts
    /// received e-mail to `/api/v1/inbound/email`; empty turns the endpoint off.
    pub inbound_email_secret: String,
    /// Largest file a ticket accepts as an attachment, in bytes.
    pub attachment_max_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://./data/tandem.db".into(),
            database_pool_size: 8,
            bind: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            web_dist: "./web/dist".into(),
            workers: 0,
            log_format: "text".into(),
            log_level: "info".into(),
            body_limit_bytes: 64 * 1024,
            jwt_secret: String::new(),
            access_token_ttl_secs: 900,
            refresh_token_ttl_days: 30,
            session_cache_ms: 1000,
            login_max_failures_per_account: 5,
            login_max_attempts_per_ip: 30,
            login_window_secs: 300,
            invitation_ttl_hours: 72,
            mail_transport: "file".into(),
            mail_outbox_dir: "./data/outbox".into(),
            mail_from: "Tandem <no-reply@tandem.local>".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 25,
            smtp_tls: "none".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            job_poll_ms: 500,
            job_max_attempts: 5,
            jobs_enabled: true,
            notification_batch_secs: 300,
            presence_timeout_secs: 90,
            reminder_interval_secs: 300,
            due_soon_days: 2,
            appointment_reminder_minutes: 60,
            desk_sweep_secs: 60,
            search_optimize_hour: 3,
            inbound_email_secret: String::new(),
            attachment_max_bytes: 10 * 1024 * 1024,
        }
    }
}

impl Config {
    /// Defaults, then the file, then the environment.
    pub fn load() -> Result<Config, String> {
        // TANDEM_CONFIG names the file and TANDEM_ADMIN_PASSWORD feeds `create-admin`: inputs
        // of commands, not settings.
        let file = std::env::var("TANDEM_CONFIG").unwrap_or_else(|_| "tandem.toml".into());
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("TANDEM_").ignore(&["config", "admin_password"]))
            .extract()
            .map_err(|e| format!("configuration: {e}"))?;
        config.check()?;
        Ok(config)
    }

    pub fn check(&self) -> Result<(), String> {
        crate::db::Backend::from_url(&self.database_url)?;
        if !(60..=900).contains(&self.access_token_ttl_secs) {
            return Err("access_token_ttl_secs must be between 60 and 900".into());
        }
        if !["file", "smtp"].contains(&self.mail_transport.as_str()) {
            return Err("mail_transport must be `file` or `smtp`".into());
        }
        if !["none", "starttls", "tls"].contains(&self.smtp_tls.as_str()) {
            return Err("smtp_tls must be `none`, `starttls` or `tls`".into());
        }
        if !["text", "json"].contains(&self.log_format.as_str()) {
            return Err("log_format must be `text` or `json`".into());
        }
        if !(-1..=23).contains(&self.search_optimize_hour) {
            return Err(
                "search_optimize_hour must be an hour from 0 to 23 (UTC), or -1 for never".into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail decides the closure's error type
    fn file_then_environment_and_unknown_keys_are_refused() {
        Jail::expect_with(|jail| {
            // The test runner's own TANDEM_TEST_* variables are not configuration keys.
            jail.clear_env();
            jail.create_file(
                "tandem.toml",
                "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\n",
            )?;
            jail.set_env("TANDEM_BIND", "127.0.0.1:9001");
            let c = Config::load().map_err(figment::Error::from)?;
            assert_eq!(c.bind, "127.0.0.1:9001");
            assert_eq!(c.log_format, "json");
            assert_eq!(c.database_url, "sqlite://./data/tandem.db");
            jail.set_env("TANDEM_DATABSE_URL", "sqlite://typo.db");
            let err = Config::load().err().unwrap_or_default();
            assert!(err.contains("databse_url"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_explained() {
        let c = Config {
            database_url: "mysql://x".into(),
            ..Config::default()
        };
        assert!(c.check().is_err_and(|e| e.contains("sqlite://")));
        let c = Config {
            access_token_ttl_secs: 3600,
            ..Config::default()
        };
        assert!(c.check().is_err_and(|e| e.contains("900")));
        let c = Config {
            search_optimize_hour: 24,
            ..Config::default()
        };
        assert!(c.check().is_err_and(|e| e.contains("search_optimize_hour")));
    }
}
