//! Tickets as the API speaks them: the ticket, its thread, its history, and the inputs that
//! create and change them, with their field rules.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::sla::ClockState;
use super::{Channel, Cluster, MessageKind, Priority, ProductUrgency, TicketStatus};
use crate::FieldError;
use crate::identity::double_option;
use crate::validate::Errors;

pub const SUBJECT_MAX: usize = 200;
/// Longest message body, in characters.
pub const BODY_MAX: usize = 20_000;
pub const TAG_MAX: usize = 50;
pub const TAGS_MAX: usize = 20;

/// Which side wrote a message: the client's users, or vendor staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Client,
    Staff,
}

/// One SLA target as the agent sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaClock {
    /// When the target is due; absent while the clock is paused and not yet moved.
    pub due_at: Option<DateTime<Utc>>,
    /// 80 % of the target: the agent is warned from here on.
    pub warn_at: Option<DateTime<Utc>>,
    /// When the target was met (first public reply, resolution).
    pub achieved_at: Option<DateTime<Utc>>,
    pub breached: bool,
    pub state: ClockState,
}

/// The ticket's SLA: which policy, and the clocks it runs. Staff only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketSla {
    pub policy_id: Option<String>,
    pub policy_name: String,
    pub first_response: SlaClock,
    pub resolution: Option<SlaClock>,
    /// The clock stops while the ticket waits on the customer.
    pub paused: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f01", "number": 1042,
    "subject": "Checkout fails with card payments", "status": "open", "channel": "portal",
    "cluster": "product_not_working", "priority": "high",
    "priority_reason": "high: product Checkout is critical, plan business",
    "requester_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e07", "requester_name": "Luca Verdi",
    "requester_email": "member@fashop.test",
    "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f", "organization_name": "FaShop Srl",
    "product_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f10", "product_name": "Checkout",
    "department_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f20", "department_name": "Technical support",
    "assignee_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e05", "assignee_name": "Marco Bassi",
    "tags": ["payments"], "purchase_date": null,
    "sla": {"policy_id": null, "policy_name": "Default: first response within 24 hours",
        "first_response": {"due_at": "2026-11-24T09:00:00Z", "warn_at": "2026-11-24T04:12:00Z",
            "achieved_at": null, "breached": false, "state": "running"},
        "resolution": null, "paused": false},
    "allowed_statuses": ["pending_customer", "on_hold", "resolved", "closed"],
    "rating": null,
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:05:00Z",
    "resolved_at": null, "closed_at": null, "version": 2
})))]
pub struct Ticket {
    pub id: String,
    /// Human-friendly number, unique across the desk ("#1042").
    pub number: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub channel: Channel,
    pub cluster: Cluster,
    pub priority: Priority,
    /// Why the priority is what it is, e.g. "high: product Checkout is critical, plan business".
    pub priority_reason: String,
    pub requester_id: Option<String>,
    pub requester_name: String,
    pub requester_email: String,
    pub organization_id: String,
    pub organization_name: String,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    pub department_id: Option<String>,
    pub department_name: Option<String>,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub tags: Vec<String>,
    /// For returns and refunds: when the client bought what they want to return.
    pub purchase_date: Option<NaiveDate>,
    /// SLA clocks; absent for client users.
    pub sla: Option<TicketSla>,
    /// The statuses the caller may move this ticket to (the shared status machine).
    pub allowed_statuses: Vec<TicketStatus>,
    /// The client's satisfaction rating: present once the ticket was first resolved (the
    /// client was asked); its score once they answered.
    pub rating: Option<super::csat::TicketRating>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// A ticket in a queue or list: enough to pick the next one to work on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f01", "number": 1042,
    "subject": "Checkout fails with card payments", "status": "open", "channel": "portal",
    "cluster": "product_not_working", "priority": "high",
    "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f", "organization_name": "FaShop Srl",
    "requester_name": "Luca Verdi", "assignee_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e05",
    "assignee_name": "Marco Bassi", "department_name": "Technical support",
    "next_due_at": "2026-11-24T09:00:00Z", "sla_state": "running",
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:05:00Z"
})))]
pub struct TicketSummary {
    pub id: String,
    pub number: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub channel: Channel,
    pub cluster: Cluster,
    pub priority: Priority,
    pub organization_id: String,
    pub organization_name: String,
    pub requester_name: String,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub department_name: Option<String>,
    /// The nearest unmet SLA deadline (staff only; absent when paused or all met).
    pub next_due_at: Option<DateTime<Utc>>,
    /// The state of that deadline (staff only).
    pub sla_state: Option<ClockState>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "subject": "Checkout fails with card payments",
    "body": "Since this morning every card payment ends with an error page.",
    "cluster": "product_not_working", "product_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f10"
})))]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// 1 to 200 characters.
    pub subject: String,
    /// The first message: 1 to 20,000 characters.
    pub body: String,
    pub cluster: Cluster,
    pub product_id: Option<String>,
    /// Staff only: how the request came in (`phone` for a logged call, `email`, `api`);
    /// client users always open tickets through the portal.
    pub channel: Option<Channel>,
    /// Staff only: the client user the ticket is for (required when staff open a ticket).
    pub requester_id: Option<String>,
    /// For returns, refunds and cancellations: the date of the purchase (or of the order being
    /// cancelled) the policy window counts from. Without it a person decides.
    pub purchase_date: Option<NaiveDate>,
    /// Staff only: up to 20 tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Turning a client's chat message into a ticket (from the CSM chat).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"cluster": "technical_problem", "subject": "Feed import stuck since Monday"})))]
#[serde(deny_unknown_fields)]
pub struct TicketFromChat {
    pub cluster: Cluster,
    pub product_id: Option<String>,
    /// Defaults to the start of the message.
    pub subject: Option<String>,
}

/// Changes to a ticket; absent fields stay as they are. Staff only, except `status`, which
/// client users may set to close or reopen their own ticket (see `allowed_statuses`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "pending_customer", "assignee_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e05"})))]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Cluster>,
    /// `null` clears the product.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    /// `null` puts the ticket back in the unassigned queue.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<Option<String>>,
    /// Replaces the tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f30", "ticket_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f01",
    "kind": "reply", "author_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e05", "author_name": "Marco Bassi",
    "author_side": "staff", "channel": "portal",
    "body": "Hello Luca, we are looking at it now.", "created_at": "2026-11-23T09:05:00Z"
})))]
pub struct TicketMessage {
    pub id: String,
    pub ticket_id: String,
    /// `note` messages are internal and never reach client users.
    pub kind: MessageKind,
    pub author_id: Option<String>,
    pub author_name: String,
    pub author_side: Side,
    pub channel: Channel,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "reply", "body": "Hello Luca, we are looking at it now.", "status": "pending_customer"})))]
#[serde(deny_unknown_fields)]
pub struct NewTicketMessage {
    /// `reply` (default) reaches the requester; `note` stays internal (staff only).
    #[serde(default = "reply")]
    pub kind: MessageKind,
    /// 1 to 20,000 characters.
    pub body: String,
    /// Staff only: move the ticket in the same step ("reply and set pending").
    pub status: Option<TicketStatus>,
}

fn reply() -> MessageKind {
    MessageKind::Reply
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f40", "kind": "assigned",
    "actor_id": null, "actor_name": "Tandem",
    "detail": "Assigned to Marco Bassi: skill checkout, online, 2 of 10 active, round robin",
    "created_at": "2026-11-23T09:00:00Z"
})))]
pub struct TicketHistoryEntry {
    pub id: String,
    /// `created`, `routed`, `prioritized`, `assigned`, `status`, `replied`, `noted`,
    /// `changed`, `rule`, `sla`, …
    pub kind: String,
    /// Absent when the desk itself acted (routing, rules, SLA jobs).
    pub actor_id: Option<String>,
    pub actor_name: String,
    /// What happened and why, in one sentence.
    pub detail: String,
    pub created_at: DateTime<Utc>,
}

/// File types a ticket accepts as attachments: pictures, documents, spreadsheets, logs.
pub const ATTACHMENT_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];
pub const FILENAME_MAX: usize = 200;

/// A file attached to a ticket (staff-only when it belongs to an internal note).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f50", "ticket_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f01",
    "message_id": null, "filename": "error.png", "content_type": "image/png", "size_bytes": 48213,
    "uploaded_by_name": "Filippo Ferri", "created_at": "2026-11-23T09:02:00Z",
    "url": "/api/v1/attachments/01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f50"
})))]
pub struct Attachment {
    pub id: String,
    pub ticket_id: String,
    /// The message it belongs to, if any; attachments of notes are staff-only.
    pub message_id: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by_name: String,
    pub created_at: DateTime<Utc>,
    /// Where to download it (with the same bearer token).
    pub url: String,
}

/// What the desk accepts as an attachment, as this server is configured: read it before
/// uploading, so that a person hears about a file too large before sending it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "max_bytes": 10485760,
    "content_types": ["image/png", "image/jpeg", "application/pdf", "text/plain"]
})))]
pub struct AttachmentLimits {
    /// Largest file accepted, in bytes; a larger upload is answered `413`.
    pub max_bytes: i64,
    /// The accepted types (`Content-Type` of the upload); any other is answered `422`.
    pub content_types: Vec<String>,
}

/// The name an attachment is stored and offered under, made from the name the client sent:
/// each run of control characters (CR, LF, NUL, …) and of line breaks or tabs becomes one
/// space; invisible formatting characters that could disguise a name (bidirectional
/// overrides such as U+202E, zero-width spaces, the byte-order mark) are dropped; the ends
/// are trimmed. Letters, digits and symbols of every script are kept as they are. `None`
/// when nothing is left, when the result is longer than [`FILENAME_MAX`] characters, or when
/// it has a slash or backslash (a path, not a name).
pub fn attachment_filename(sent: &str) -> Option<String> {
    let mut name = String::with_capacity(sent.len());
    for c in sent.chars() {
        if c.is_control() || (c.is_whitespace() && c != ' ') {
            if !name.ends_with(' ') {
                name.push(' ');
            }
        } else if !is_invisible_format(c) {
            name.push(c);
        }
    }
    let name = name.trim();
    let fits = (1..=FILENAME_MAX).contains(&name.chars().count());
    (fits && !name.contains(['/', '\\'])).then(|| name.to_string())
}

/// Unicode format characters (category Cf) and the Mongolian vowel separator: they draw
/// nothing, and some reorder or hide what follows.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// A size as a person reads it: `35 B`, `2.4 KB`, `12.3 MB`, `10 MB` (powers of 1024; a
/// whole number drops its `.0`).
pub fn size_label(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    let text = format!("{size:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", UNITS[unit])
}

/// Why a file of `size` bytes (when known) is refused under the limit `max`, or `None` when it
/// fits: "is 12.3 MB; the limit is 10 MB".
pub fn attachment_too_large(size: Option<u64>, max: u64) -> Option<String> {
    let limit = size_label(max);
    match size {
        Some(s) if s <= max => None,
        Some(s) if size_label(s) != limit => {
            Some(format!("is {}; the limit is {limit}", size_label(s)))
        }
        Some(_) | None => Some(format!("is larger than the limit of {limit}")),
    }
}

/// Whether a file of this type (parameters such as `; charset=` ignored) may be attached.
pub fn attachment_type_allowed(content_type: &str) -> bool {
    let base = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    ATTACHMENT_TYPES.contains(&base.as_str())
}

/// Something the vendor supports: its urgency feeds ticket priority, its skill assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f10", "name": "Checkout and payments",
    "urgency": "critical", "skill": "payments"
})))]
pub struct Product {
    pub id: String,
    pub name: String,
    pub urgency: ProductUrgency,
    /// The skill an agent needs to take this product's tickets first.
    pub skill: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "Marketplace connector", "urgency": "high", "skill": "integrations"})))]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    /// 1 to 200 characters, unique.
    pub name: String,
    pub urgency: ProductUrgency,
    /// Up to 50 characters.
    pub skill: Option<String>,
}

pub fn validate_product(p: &NewProduct) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("name", &p.name, crate::validate::NAME_MAX);
    if let Some(skill) = &p.skill {
        e.required_text("skill", skill, crate::validate::SKILL_MAX);
    }
    if e.0.is_empty() { Ok(()) } else { Err(e.0) }
}

fn tags(errors: &mut Vec<FieldError>, field: &str, tags: &[String]) {
    if tags.len() > TAGS_MAX {
        errors.push(FieldError::new(
            field,
            "too_many",
            format!("must have at most {TAGS_MAX} tags"),
        ));
    }
    for (i, t) in tags.iter().enumerate() {
        let t = t.trim();
        if t.is_empty() {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "required",
                "must not be blank",
            ));
        } else if t.chars().count() > TAG_MAX {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "too_long",
                format!("must be at most {TAG_MAX} characters"),
            ));
        }
    }
}

/// Tags as stored: trimmed, lower-case, without repeats, in the order given.
pub fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

pub fn validate_new(t: &NewTicket) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("subject", &t.subject, SUBJECT_MAX);
    e.required_text("body", &t.body, BODY_MAX);
    let mut errors = e.0;
    tags(&mut errors, "tags", &t.tags);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

pub fn validate_patch(p: &TicketPatch) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    if let Some(s) = &p.subject {
        e.required_text("subject", s, SUBJECT_MAX);
    }
    let mut errors = e.0;
    if let Some(t) = &p.tags {
        tags(&mut errors, "tags", t);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

pub fn validate_message(m: &NewTicketMessage) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("body", &m.body, BODY_MAX);
    if e.0.is_empty() { Ok(()) } else { Err(e.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(subject: &str, body: &str, tags: &[&str]) -> NewTicket {
        NewTicket {
            subject: subject.into(),
            body: body.into(),
            cluster: Cluster::UsageHelp,
            product_id: None,
            channel: None,
            requester_id: None,
            purchase_date: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn rules(r: Result<(), Vec<FieldError>>) -> Vec<(String, String)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect()
    }

    #[test]
    fn new_tickets_need_subject_and_body_within_limits() {
        assert!(rules(validate_new(&new("Help", "How do I export?", &[]))).is_empty());
        let long = "x".repeat(SUBJECT_MAX + 1);
        let got = rules(validate_new(&new(" ", &long, &["", "ok"])));
        assert!(
            got.contains(&("subject".into(), "required".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&("tags[0]".into(), "required".into())),
            "{got:?}"
        );
        assert!(!got.iter().any(|(f, _)| f == "body"), "{got:?}");
        let got = rules(validate_new(&new(&long, "b", &[])));
        assert_eq!(got, vec![("subject".into(), "too_long".into())]);
        let many: Vec<String> = (0..=TAGS_MAX).map(|i| format!("t{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            rules(validate_new(&new("s", "b", &refs))),
            vec![("tags".into(), "too_many".into())]
        );
    }

    #[test]
    fn tags_are_trimmed_lowercased_and_deduplicated() {
        let t = normalize_tags(&[
            " Payments ".into(),
            "payments".into(),
            "".into(),
            "VIP".into(),
        ]);
        assert_eq!(t, vec!["payments".to_string(), "vip".to_string()]);
    }

    #[test]
    fn a_patch_sends_only_what_it_changes() {
        let p = TicketPatch {
            status: Some(TicketStatus::Resolved),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&p).expect("json"),
            r#"{"status":"resolved"}"#
        );
        let clear = TicketPatch {
            assignee_id: Some(None),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&clear).expect("json"),
            r#"{"assignee_id":null}"#
        );
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_label(0), "0 B");
        assert_eq!(size_label(1023), "1023 B");
        assert_eq!(size_label(1024), "1 KB");
        assert_eq!(size_label(2458), "2.4 KB");
        assert_eq!(size_label(10 * 1024 * 1024), "10 MB");
        assert_eq!(size_label(12_897_485), "12.3 MB");
        assert_eq!(size_label(3 * 1024 * 1024 * 1024), "3 GB");
        let max = 10 * 1024 * 1024;
        assert_eq!(attachment_too_large(Some(max), max), None);
        assert_eq!(attachment_too_large(Some(0), max), None);
        assert_eq!(
            attachment_too_large(Some(12_897_485), max).as_deref(),
            Some("is 12.3 MB; the limit is 10 MB")
        );
        assert_eq!(
            attachment_too_large(Some(max + 1), max).as_deref(),
            Some("is larger than the limit of 10 MB"),
            "a byte over does not read as the limit itself"
        );
        assert_eq!(
            attachment_too_large(None, max).as_deref(),
            Some("is larger than the limit of 10 MB")
        );
    }

    #[test]
    fn attachment_types() {
        assert!(attachment_type_allowed("image/PNG"));
        assert!(attachment_type_allowed("text/plain; charset=utf-8"));
        assert!(!attachment_type_allowed("application/x-msdownload"));
        assert!(!attachment_type_allowed("text/html"));
    }

    #[test]
    fn messages_need_a_body() {
        let m = |b: &str| NewTicketMessage {
            kind: MessageKind::Note,
            body: b.into(),
            status: None,
        };
        assert!(validate_message(&m("ok")).is_ok());
        assert_eq!(
            rules(validate_message(&m("  "))),
            vec![("body".into(), "required".into())]
        );
        let parsed: NewTicketMessage =
            serde_json::from_str(r#"{"body":"hi"}"#).expect("defaults to a reply");
        assert_eq!(parsed.kind, MessageKind::Reply);
    }

    #[test]
    fn attachment_filenames_lose_control_and_invisible_characters() {
        let name = |s: &str| attachment_filename(s);
        assert_eq!(name("error.png").as_deref(), Some("error.png"));
        assert_eq!(name("fattura è €.pdf").as_deref(), Some("fattura è €.pdf"));
        assert_eq!(name("报告 2026.pdf").as_deref(), Some("报告 2026.pdf"));
        assert_eq!(name("two  spaces.txt").as_deref(), Some("two  spaces.txt"));
        assert_eq!(name("a\r\nb.txt").as_deref(), Some("a b.txt"));
        assert_eq!(name("a\0b\u{1}c.txt").as_deref(), Some("a b c.txt"));
        assert_eq!(name("\ttab\u{7f}.txt\n").as_deref(), Some("tab .txt"));
        assert_eq!(name("a\u{85}\u{2028}b.txt").as_deref(), Some("a b.txt"));
        // "photo_[RLO]gnp.exe" would show as "photo_exe.png".
        assert_eq!(
            name("photo_\u{202E}gnp.exe").as_deref(),
            Some("photo_gnp.exe")
        );
        assert_eq!(
            name("\u{FEFF}zero\u{200B}width.txt").as_deref(),
            Some("zerowidth.txt")
        );
        for refused in [
            "",
            "   ",
            "\0",
            "\r\n\u{1}",
            "\u{200B}",
            "../etc.txt",
            "a\\b.txt",
        ] {
            assert_eq!(name(refused), None, "{refused:?}");
        }
        let longest = "é".repeat(FILENAME_MAX);
        assert_eq!(name(&longest).as_deref(), Some(longest.as_str()));
        assert_eq!(name(&format!("{longest}x")), None);
        assert_eq!(
            name(&format!("\r{longest}\n")).as_deref(),
            Some(longest.as_str())
        );
        for sent in ["\0\0a\0", "x\u{0}y", "\u{0}.pdf"] {
            let kept = name(sent).expect("a name");
            assert!(!kept.chars().any(char::is_control), "{kept:?}");
        }
    }
}
