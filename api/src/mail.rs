//! Outgoing mail. Messages are queued as `send_mail` jobs (so a mail server that is down
//! delays mail but loses none) and sent by the job worker through SMTP, or — the laptop
//! default — written as `.eml` files to the outbox folder.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::db::DbConn;
use crate::error::ApiResult;

pub const JOB_KIND: &str = "send_mail";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Queues a message inside the caller's transaction.
pub fn queue(conn: &mut DbConn, config: &Config, mail: &Mail) -> ApiResult<String> {
    crate::jobs::enqueue(
        conn,
        JOB_KIND,
        &serde_json::to_value(mail)?,
        config.job_max_attempts,
    )
}

fn build(config: &Config, mail: &Mail) -> Result<Message, String> {
    let from: Mailbox = config
        .mail_from
        .parse()
        .map_err(|e| format!("mail_from: {e}"))?;
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| format!("recipient {:?}: {e}", mail.to))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.text.clone())
        .map_err(|e| format!("message: {e}"))
}

pub async fn send(config: &Config, mail: &Mail) -> Result<(), String> {
    let message = build(config, mail)?;
    match config.mail_transport.as_str() {
        "smtp" => {
            let where_ = format!("smtp {}:{}", config.smtp_host, config.smtp_port);
            let mut transport = match config.smtp_tls.as_str() {
                "starttls" => {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.smtp_host)
                }
                "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.smtp_host),
                _ => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                    &config.smtp_host,
                )),
            }
            .map_err(|e| format!("{where_}: {e}"))?
            .port(config.smtp_port);
            if !config.smtp_username.is_empty() {
                transport = transport.credentials(Credentials::new(
                    config.smtp_username.clone(),
                    config.smtp_password.clone(),
                ));
            }
            transport
                .build()
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("{where_}: {e}"))
        }
        _ => {
            tokio::fs::create_dir_all(&config.mail_outbox_dir)
                .await
                .map_err(|e| format!("outbox {}: {e}", config.mail_outbox_dir))?;
            AsyncFileTransport::<Tokio1Executor>::new(&config.mail_outbox_dir)
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("outbox: {e}"))
        }
    }
}
