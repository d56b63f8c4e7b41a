//! Canned replies: saved answers, per department, with placeholders filled in from
//! the ticket when an agent inserts one (or an automation rule sends one).
//!
//! A placeholder is `{{name}}`, spaces inside the braces allowed (`{{ agent_name }}`). Text
//! between `{{` and the next `}}` that holds no brace and no line break is a placeholder
//! attempt: a known name is filled in; anything else is refused when the reply is saved
//! ([`validate_canned`] names it) and, should one get through, left as it is when rendering
//! so the agent sees it. A `{{` without a `}}` after it is literal text. Filled-in values are
//! never scanned again, so a subject that itself contains `{{agent_name}}` stays as written.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// The longest canned reply title.
pub const TITLE_MAX: usize = 200;
/// The longest canned reply body.
pub const BODY_MAX: usize = 10_000;

/// Placeholders: {{client_name}} (organisation), {{requester_name}}, {{ticket_number}},
/// {{ticket_subject}}, {{agent_name}}, {{csm_name}}. Unknown ones are a validation error when
/// saving; when rendering, a missing value renders as an empty string.
pub const PLACEHOLDERS: &[&str] = &[
    "client_name",
    "requester_name",
    "ticket_number",
    "ticket_subject",
    "agent_name",
    "csm_name",
];

/// The values for one ticket. An empty text is a missing value; so is a ticket number of 0 or
/// less (real numbers start at 1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placeholders {
    /// The client organisation's name.
    pub client_name: String,
    pub requester_name: String,
    pub ticket_number: i64,
    pub ticket_subject: String,
    pub agent_name: String,
    pub csm_name: String,
}

impl Placeholders {
    /// The value of a known placeholder; `None` for an unknown name.
    pub fn value(&self, name: &str) -> Option<String> {
        let v = match name {
            "client_name" => self.client_name.clone(),
            "requester_name" => self.requester_name.clone(),
            "ticket_number" if self.ticket_number > 0 => self.ticket_number.to_string(),
            "ticket_number" => String::new(),
            "ticket_subject" => self.ticket_subject.clone(),
            "agent_name" => self.agent_name.clone(),
            "csm_name" => self.csm_name.clone(),
            _ => return None,
        };
        Some(v)
    }
}

/// A piece of a template: text to copy, or a placeholder attempt (its name trimmed, and the
/// whole `{{ … }}` as written).
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Placeholder { name: &'a str, raw: &'a str },
}

/// Splits a template into pieces, in order; the pieces joined give back the template.
fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let after_open = &rest[open + 2..];
        let Some(close) = after_open.find("}}") else {
            break;
        };
        // `{{ a {{b}}` or `{{{b}}`: only the last `{{` before the `}}` can open a
        // placeholder; what comes before it is text.
        let last_open = rest[open..open + 2 + close].rfind("{{").unwrap_or(0);
        if last_open > 0 {
            let cut = open + last_open;
            out.push(Piece::Text(&rest[..cut]));
            rest = &rest[cut..];
            continue;
        }
        let inner = &after_open[..close];
        let name = inner.trim();
        let end = open + 2 + close + 2;
        if name.is_empty() || inner.contains(['{', '}', '\n', '\r']) {
            // Not a placeholder: keep it as text, up to and including the `}}`.
            out.push(Piece::Text(&rest[..end]));
        } else {
            if open > 0 {
                out.push(Piece::Text(&rest[..open]));
            }
            out.push(Piece::Placeholder {
                name,
                raw: &rest[open..end],
            });
        }
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The template with its known placeholders filled in (missing values as empty text; unknown
/// placeholders left as written).
pub fn render(template: &str, values: &Placeholders) -> String {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder { name, raw } => match values.value(name) {
                Some(v) => out.push_str(&v),
                None => out.push_str(raw),
            },
        }
    }
    out
}

/// The placeholder names a template uses that are not in [`PLACEHOLDERS`], trimmed, each once,
/// in order of first use.
pub fn unknown_placeholders(template: &str) -> Vec<String> {
    let mut unknown: Vec<String> = Vec::new();
    for piece in pieces(template) {
        if let Piece::Placeholder { name, .. } = piece
            && !PLACEHOLDERS.contains(&name)
            && !unknown.iter().any(|u| u == name)
        {
            unknown.push(name.to_string());
        }
    }
    unknown
}

/// Checks a canned reply before it is saved: title required ≤200, body required ≤10,000,
/// unknown placeholders → field "body" rule "unknown_placeholder" naming them.
pub fn validate_canned(title: &str, body: &str) -> Vec<FieldError> {
    let mut errors = crate::validate::Errors::default();
    errors.required_text("title", title, TITLE_MAX);
    errors.required_text("body", body, BODY_MAX);
    let unknown = unknown_placeholders(body);
    if !unknown.is_empty() {
        let named: Vec<String> = unknown.iter().map(|u| format!("{{{{{u}}}}}")).collect();
        let known: Vec<String> = PLACEHOLDERS
            .iter()
            .map(|k| format!("{{{{{k}}}}}"))
            .collect();
        errors.0.push(FieldError::new(
            "body",
            "unknown_placeholder",
            format!(
                "unknown placeholder{} {}; the known ones are {}",
                if unknown.len() == 1 { "" } else { "s" },
                named.join(", "),
                known.join(", ")
            ),
        ));
    }
    errors.0
}

// ---------------------------------------------------------------------------------------
// The API's shapes

/// A canned reply as staff write it. `department_id` left out (or `null`): every department
/// may use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "title": "Password reset",
    "body": "Hello {{requester_name}}, you can reset your password from the sign-in page. {{agent_name}}",
    "department_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e20"
})))]
#[serde(deny_unknown_fields)]
pub struct CannedReplyInput {
    pub title: String,
    /// The text, with placeholders such as `{{requester_name}}` (see [`PLACEHOLDERS`]).
    pub body: String,
    #[serde(default)]
    pub department_id: Option<String>,
}

/// Changes to a canned reply: absent fields stay as they are; `department_id: null` makes it
/// available to every department.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"title": "Password reset (new sign-in)", "department_id": null})))]
#[serde(deny_unknown_fields)]
pub struct CannedReplyPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::identity::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub department_id: Option<Option<String>>,
}

/// A stored canned reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f60", "title": "Password reset",
    "body": "Hello {{requester_name}}, you can reset your password from the sign-in page. {{agent_name}}",
    "department_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e20", "department_name": "Customer care",
    "created_by": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e05", "created_by_name": "Marco Bassi",
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z", "version": 1
})))]
pub struct CannedReply {
    pub id: String,
    pub title: String,
    pub body: String,
    /// `null`: every department may use it.
    pub department_id: Option<String>,
    pub department_name: Option<String>,
    pub created_by: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

/// A canned reply filled in for one ticket, ready for the reply box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "canned_reply_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f60", "title": "Password reset",
    "body": "Hello Luca Neri, you can reset your password from the sign-in page. Marco Bassi"
})))]
pub struct RenderedCannedReply {
    pub canned_reply_id: String,
    pub title: String,
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Placeholders {
        Placeholders {
            client_name: "Acme GmbH".into(),
            requester_name: "Jo Weber".into(),
            ticket_number: 4711,
            ticket_subject: "Checkout fails".into(),
            agent_name: "Sam".into(),
            csm_name: "Ana".into(),
        }
    }

    #[test]
    fn each_placeholder_renders() {
        let cases = [
            ("{{client_name}}", "Acme GmbH"),
            ("{{requester_name}}", "Jo Weber"),
            ("{{ticket_number}}", "4711"),
            ("{{ticket_subject}}", "Checkout fails"),
            ("{{agent_name}}", "Sam"),
            ("{{csm_name}}", "Ana"),
        ];
        assert_eq!(cases.len(), PLACEHOLDERS.len());
        for (template, want) in cases {
            assert_eq!(render(template, &values()), want, "{template}");
            assert!(unknown_placeholders(template).is_empty());
        }
        assert_eq!(
            render(
                "Hello {{requester_name}}, about #{{ticket_number}} ({{ticket_subject}}): \
                 fixed. {{agent_name}}, {{client_name}}'s CSM {{csm_name}} knows.",
                &values()
            ),
            "Hello Jo Weber, about #4711 (Checkout fails): fixed. Sam, Acme GmbH's CSM Ana knows."
        );
    }

    #[test]
    fn spacing_and_edges() {
        let v = values();
        let cases = [
            ("{{ agent_name }}", "Sam"),
            ("{{\tagent_name  }}", "Sam"),
            ("{{agent_name}}{{agent_name}}", "SamSam"),
            ("no placeholders", "no placeholders"),
            ("", ""),
            ("{{", "{{"),
            ("Hi {{agent_name", "Hi {{agent_name"),
            ("}} {{agent_name}}", "}} Sam"),
            ("{{}}", "{{}}"),
            ("{{   }}", "{{   }}"),
            ("{agent_name}", "{agent_name}"),
            ("{{{agent_name}}}", "{Sam}"),
            ("{{ a {{agent_name}}", "{{ a Sam"),
            ("{{ {{ {{csm_name}} }}", "{{ {{ Ana }}"),
            ("{{agent_\nname}}", "{{agent_\nname}}"),
            ("{{a}b}}", "{{a}b}}"),
            ("{{agent_name}} {{", "Sam {{"),
            ("Grüße, {{agent_name}} — ✓", "Grüße, Sam — ✓"),
        ];
        for (template, want) in cases {
            assert_eq!(render(template, &v), want, "{template:?}");
        }
    }

    #[test]
    fn missing_values_render_empty() {
        let empty = Placeholders::default();
        for name in PLACEHOLDERS {
            assert_eq!(render(&format!("[{{{{{name}}}}}]"), &empty), "[]", "{name}");
        }
        let negative = Placeholders {
            ticket_number: -3,
            ..values()
        };
        assert_eq!(render("#{{ticket_number}}", &negative), "#");
    }

    #[test]
    fn unknown_placeholders_stay_visible() {
        assert_eq!(
            render("Hi {{first_name}}, {{agent_name}}", &values()),
            "Hi {{first_name}}, Sam"
        );
        assert_eq!(render("{{ Agent_Name }}", &values()), "{{ Agent_Name }}");
    }

    #[test]
    fn values_are_not_rendered_again() {
        let sneaky = Placeholders {
            ticket_subject: "{{agent_name}} and {{".into(),
            ..values()
        };
        assert_eq!(
            render("Re: {{ticket_subject}}", &sneaky),
            "Re: {{agent_name}} and {{"
        );
    }

    #[test]
    fn finding_unknown_names() {
        let cases: [(&str, &[&str]); 8] = [
            ("{{agent_name}}", &[]),
            ("{{first_name}}", &["first_name"]),
            ("{{ first_name }} {{first_name}}", &["first_name"]),
            ("{{b}} {{a}} {{b}}", &["b", "a"]),
            ("{{ agent name }}", &["agent name"]),
            ("{{Agent_Name}}", &["Agent_Name"]),
            ("{{ {{x}}", &["x"]),
            ("{{ }} {{ lonely", &[]),
        ];
        for (template, want) in cases {
            assert_eq!(unknown_placeholders(template), want, "{template:?}");
        }
    }

    #[test]
    fn pieces_join_back_to_the_template() {
        for template in [
            "a {{b}} c",
            "{{{{x}}}}",
            "{{ a {{b}}",
            "{{",
            "}}{{}}{{ }}",
            "x{{y\n}}z{{agent_name}}",
        ] {
            let joined: String = pieces(template)
                .into_iter()
                .map(|p| match p {
                    Piece::Text(t) => t,
                    Piece::Placeholder { raw, .. } => raw,
                })
                .collect();
            assert_eq!(joined, template);
        }
    }

    #[test]
    fn long_runs_of_braces_are_cheap() {
        let template = "{{".repeat(5_000);
        assert_eq!(render(&template, &values()), template);
        let template = format!("{}{{{{agent_name}}}}", "{{".repeat(5_000));
        assert!(render(&template, &values()).ends_with("{{Sam"));
    }

    #[test]
    fn validation() {
        assert!(validate_canned("Password reset", "Hi {{ requester_name }}").is_empty());
        assert!(validate_canned(&"t".repeat(200), &"b".repeat(10_000)).is_empty());

        let errs = validate_canned(" ", "");
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.rule.as_str()))
            .collect();
        assert_eq!(got, vec![("title", "required"), ("body", "required")]);

        let errs = validate_canned(&"t".repeat(201), &"b".repeat(10_001));
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.rule.as_str()))
            .collect();
        assert_eq!(got, vec![("title", "too_long"), ("body", "too_long")]);

        let errs = validate_canned("t", "Dear {{first_name}}, {{agent_name}} {{ order }}");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "body");
        assert_eq!(errs[0].rule, "unknown_placeholder");
        assert_eq!(
            errs[0].message,
            "unknown placeholders {{first_name}}, {{order}}; the known ones are \
             {{client_name}}, {{requester_name}}, {{ticket_number}}, {{ticket_subject}}, \
             {{agent_name}}, {{csm_name}}"
        );
        let one = validate_canned("t", "{{x}}");
        assert!(one[0].message.starts_with("unknown placeholder {{x}};"));
    }

    #[test]
    fn patches_tell_absent_from_null() {
        let absent: CannedReplyPatch = serde_json::from_str(r#"{"title":"T"}"#).expect("parse");
        assert_eq!(absent.department_id, None);
        let cleared: CannedReplyPatch =
            serde_json::from_str(r#"{"department_id":null}"#).expect("parse");
        assert_eq!(cleared.department_id, Some(None));
        assert!(serde_json::from_str::<CannedReplyPatch>(r#"{"colour":"red"}"#).is_err());
        assert!(serde_json::from_str::<CannedReplyInput>(r#"{"title":"T"}"#).is_err());
    }
}
