//! Inbound e-mail: what a mail service posts to Tandem for each message it receives, and what
//! Tandem did with it.

use serde::{Deserialize, Serialize};

/// One received e-mail, already parsed by the mail service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "from": "Filippo Ferri <member@fashop.test>", "subject": "Checkout shows an error",
    "text": "Since this morning customers cannot pay by card.",
    "message_id": "<CAF1234@mail.fashop.test>", "in_reply_to": null, "references": []
})))]
#[serde(deny_unknown_fields)]
pub struct InboundEmail {
    /// `Name <address>` or a bare address.
    pub from: String,
    pub subject: String,
    /// The plain-text body (quoted history may follow; it is kept as sent).
    pub text: String,
    /// The message's `Message-ID`; later replies that reference it land in the same ticket.
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InboundAction {
    /// A new ticket was opened.
    Created,
    /// The message was added to an existing ticket.
    Replied,
    /// The sender is not a known, active client user: nothing was stored and the sender was
    /// told how to reach support.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "action": "created", "ticket_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f01", "number": 1042,
    "detail": "Opened ticket #1042 for Filippo Ferri"
})))]
pub struct InboundOutcome {
    pub action: InboundAction,
    pub ticket_id: Option<String>,
    pub number: Option<i64>,
    pub detail: String,
}

/// The address in a `From` header: `Name <a@b>` → `a@b`, lower-cased.
pub fn sender_address(from: &str) -> String {
    let from = from.trim();
    let inner = match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &from[a + 1..b],
        _ => from,
    };
    inner.trim().to_lowercase()
}

/// The display name in a `From` header, if any (quotes removed).
pub fn sender_name(from: &str) -> Option<String> {
    let from = from.trim();
    let name = from[..from.rfind('<')?].trim().trim_matches('"').trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// The ticket number tagged in a subject as `[#1042]`.
pub fn ticket_number(subject: &str) -> Option<i64> {
    let start = subject.find("[#")? + 2;
    let len = subject[start..].find(']')?;
    subject[start..start + len].trim().parse().ok()
}

/// Automatic senders get no automatic answer (that is how mail loops start).
pub fn is_automatic(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or_default();
    [
        "mailer-daemon",
        "postmaster",
        "noreply",
        "no-reply",
        "do-not-reply",
        "donotreply",
    ]
    .iter()
    .any(|a| local.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_numbers_and_robots() {
        assert_eq!(
            sender_address("Filippo Ferri <Member@FaShop.test>"),
            "member@fashop.test"
        );
        assert_eq!(sender_address(" member@fashop.test "), "member@fashop.test");
        assert_eq!(
            sender_name("\"Ferri, Filippo\" <m@f.test>").as_deref(),
            Some("Ferri, Filippo")
        );
        assert_eq!(sender_name("m@f.test"), None);
        assert_eq!(ticket_number("Re: [#1042] Checkout"), Some(1042));
        assert_eq!(ticket_number("Re: [# 7 ] x"), Some(7));
        assert_eq!(ticket_number("Re: [#abc] x"), None);
        assert_eq!(ticket_number("no tag"), None);
        assert!(is_automatic("mailer-daemon@x.test") && is_automatic("no-reply@x.test"));
        assert!(!is_automatic("member@fashop.test"));
    }
}
