//! Notifications: one call records them for each recipient according to their
//! preferences, pushes them live, and arranges an e-mail digest for those who want e-mail.
//! The digest job waits `notification_batch_secs` so several notifications become one
//! message, and sends nothing to a user who is online (they saw them live) or has read them.

use std::collections::HashMap;

use chrono::Duration;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use shared::notification::{Channel, NotificationKind};

use crate::config::Config;
use crate::db::schema::{notification_preferences as np, notifications as n, users as u};
use crate::db::{DbConn, new_id, now};
use crate::error::ApiResult;
use crate::mail::{self, Mail};
use crate::realtime::{events::publish, presence};

pub const DIGEST_JOB: &str = "notification_digest";
pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const SKIPPED: &str = "skipped";

/// What happened, said once for every recipient.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub project_id: Option<String>,
    /// The web app path that shows it, such as `/projects/{id}`.
    pub link: Option<String>,
    /// Who caused it; never notified of their own action.
    pub actor_id: Option<String>,
}

/// Each recipient's channel for `kind` (the default where they chose none).
pub fn channels(
    conn: &mut DbConn,
    recipients: &[String],
    kind: NotificationKind,
) -> ApiResult<HashMap<String, Channel>> {
    let chosen: HashMap<String, String> = crate::on_driver!(conn, |c| np::table
        .filter(np::user_id.eq_any(recipients))
        .filter(np::kind.eq(kind.as_str()))
        .select((np::user_id, np::channel))
        .load::<(String, String)>(c))?
    .into_iter()
    .collect();
    Ok(recipients
        .iter()
        .map(|r| {
            let c = chosen
                .get(r)
                .and_then(|c| Channel::parse(c))
                .unwrap_or(Channel::DEFAULT);
            (r.clone(), c)
        })
        .collect())
}

/// Records the notice for each recipient (except the actor and those who chose `none`),
/// publishes `notification.created` to them, and schedules e-mail digests. Call inside the
/// transaction of the change it reports.
pub fn notify(
    conn: &mut DbConn,
    config: &Config,
    recipients: &[String],
    notice: &Notice,
) -> ApiResult<Vec<String>> {
    let mut recipients: Vec<String> = recipients
        .iter()
        .filter(|r| Some(*r) != notice.actor_id.as_ref())
        .cloned()
        .collect();
    recipients.sort();
    recipients.dedup();
    if recipients.is_empty() {
        return Ok(Vec::new());
    }
    let channels = channels(conn, &recipients, notice.kind)?;
    let at = now();
    let mut told = Vec::new();
    let mut by_mail = Vec::new();
    let mut rows = Vec::new();
    for user in &recipients {
        let channel = channels.get(user).copied().unwrap_or(Channel::DEFAULT);
        if channel == Channel::None {
            continue;
        }
        let email = channel == Channel::Email;
        rows.push((
            n::id.eq(new_id()),
            n::user_id.eq(user),
            n::kind.eq(notice.kind.as_str()),
            n::title.eq(&notice.title),
            n::body.eq(&notice.body),
            n::project_id.eq(&notice.project_id),
            n::link.eq(&notice.link),
            n::actor_id.eq(&notice.actor_id),
            n::created_at.eq(at),
            n::email_state.eq(email.then_some(PENDING)),
        ));
        told.push(user.clone());
        if email {
            by_mail.push(user.clone());
        }
    }
    if !rows.is_empty() {
        crate::insert_rows!(conn, n::table, &rows)?;
    }
    schedule_digests(conn, config, &by_mail)?;
    publish(
        conn,
        &told,
        "notification.created",
        &serde_json::json!({
            "kind": notice.kind.as_str(),
            "title": notice.title,
            "project_id": notice.project_id,
        }),
    )?;
    Ok(told)
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DigestJob {
    pub user_id: String,
}

/// One digest job per user waits at a time; notifications arriving meanwhile join it.
fn schedule_digests(conn: &mut DbConn, config: &Config, users: &[String]) -> ApiResult<()> {
    let payloads = users
        .iter()
        .map(|u| serde_json::to_value(DigestJob { user_id: u.clone() }))
        .collect::<Result<Vec<_>, _>>()?;
    let run_at = now() + Duration::seconds(config.notification_batch_secs.max(0));
    crate::jobs::enqueue_missing(conn, DIGEST_JOB, &payloads, config.job_max_attempts, run_at)
}

/// The digest job: one e-mail listing the user's unread notifications still pending e-mail,
/// unless they are online now. Runs in one transaction, so the mail is queued exactly when
/// the notifications are marked sent.
pub fn send_digest(conn: &mut DbConn, config: &Config, user_id: &str) -> ApiResult<()> {
    type Pending = (String, String, String, Option<String>);
    let pending: Vec<Pending> = n::table
        .filter(n::user_id.eq(user_id))
        .filter(n::email_state.eq(PENDING))
        .order(n::id.asc())
        .select((n::id, n::title, n::body, n::link))
        .load(conn)?;
    if pending.is_empty() {
        return Ok(());
    }
    let ids: Vec<&String> = pending.iter().map(|p| &p.0).collect();
    let unread: Vec<&Pending> = {
        let still_unread: Vec<String> = n::table
            .filter(n::id.eq_any(&ids))
            .filter(n::read_at.is_null())
            .select(n::id)
            .load(conn)?;
        pending
            .iter()
            .filter(|p| still_unread.contains(&p.0))
            .collect()
    };
    let account: Option<(String, String, bool)> = u::table
        .find(user_id)
        .select((u::email, u::name, u::active))
        .first(conn)
        .optional()?;
    let online = presence::is_online(conn, user_id, config.presence_timeout_secs)?;
    let send = !online && !unread.is_empty() && account.as_ref().is_some_and(|a| a.2);
    if let (true, Some((email, name, _))) = (send, &account) {
        mail::queue(conn, config, &digest_mail(config, email, name, &unread))?;
    }
    diesel::update(n::table.filter(n::id.eq_any(&ids)))
        .set(n::email_state.eq(if send { SENT } else { SKIPPED }))
        .execute(conn)?;
    Ok(())
}

fn digest_mail(
    config: &Config,
    to: &str,
    name: &str,
    items: &[&(String, String, String, Option<String>)],
) -> Mail {
    let base = config.public_url.trim_end_matches('/');
    let subject = match items {
        [one] => one.1.clone(),
        many => format!("{} new notifications in Tandem", many.len()),
    };
    let mut text = format!("Hello {name},\n\nwhile you were away:\n\n");
    for (_, title, body, link) in items {
        text.push_str(&format!("• {title}\n"));
        if !body.is_empty() {
            text.push_str(&format!("  {body}\n"));
        }
        if let Some(link) = link {
            text.push_str(&format!("  {base}{link}\n"));
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "Choose which notifications reach you by e-mail: {base}/account\n"
    ));
    Mail {
        to: to.to_string(),
        subject,
        text,
    }
}
