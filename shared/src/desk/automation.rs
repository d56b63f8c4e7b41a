//! Automation vs operator: rules that look at a new ticket and act on it — answer
//! it from a canned reply, set its priority, route it, tag it, or insist that a person takes
//! it. This module decides whether a rule matches and what its actions add up to; the API
//! performs the outcome and records in the ticket's history which rule fired.
//!
//! Matching: every non-empty condition list must hold (an empty list means "any"), and
//! within one list any entry will do. Phrases are compared case-insensitively (Unicode
//! lowercase, with the Greek final sigma folded) and with runs of white space treated as one
//! space, against the subject and the body; a blank phrase matches nothing, so a rule whose
//! only phrases are blank never fires on every ticket by accident.
//!
//! Several rules may fire: the API passes their actions in rule order to [`outcome`], where a
//! later action overrides an earlier one it conflicts with and tags accumulate.

use serde::{Deserialize, Serialize};

use super::{Channel, Cluster, Priority, TicketStatus};
use crate::FieldError;

/// The most actions one rule may have.
pub const ACTIONS_MAX: usize = 20;
/// The longest tag.
pub const TAG_MAX: usize = 50;
/// The longest phrase in `text_contains`.
pub const PHRASE_MAX: usize = 200;

/// When a rule fires. Empty list = any; text_contains: any of the phrases, case-insensitive,
/// in subject or body (Unicode-aware lowercase).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "channels": ["portal", "email"], "clusters": ["usage_help"],
    "text_contains": ["reset my password", "forgot password"]
})))]
#[serde(deny_unknown_fields)]
pub struct RuleConditions {
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub clusters: Vec<Cluster>,
    #[serde(default)]
    pub product_ids: Vec<String>,
    #[serde(default)]
    pub text_contains: Vec<String>,
    /// Plan names, compared without regard to case.
    #[serde(default)]
    pub plans: Vec<String>,
}

impl RuleConditions {
    /// No condition at all (such a rule would fire on every ticket; saving one is refused).
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty()
            && self.clusters.is_empty()
            && self.product_ids.is_empty()
            && self.text_contains.is_empty()
            && self.plans.is_empty()
    }
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleAction {
    /// Answer with this canned reply (rendered with the ticket's placeholders).
    AutoReply {
        canned_reply_id: String,
    },
    SetPriority {
        priority: Priority,
    },
    /// Send to this department (instead of the cluster's route).
    Route {
        department_id: String,
    },
    /// Keep a person on it even when it is answered automatically.
    EscalateToHuman,
    AddTag {
        tag: String,
    },
}

/// The facts about a new ticket that rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketFacts<'a> {
    pub channel: Channel,
    pub cluster: Cluster,
    pub product_id: Option<&'a str>,
    pub subject: &'a str,
    pub body: &'a str,
    /// The client organisation's plan.
    pub plan: Option<&'a str>,
}

/// Lowercase (Unicode), final sigma folded to sigma, white-space runs made one space. Applied
/// to both the phrase and the text, so that "Reset\n  PASSWORD" contains "reset password".
fn normalise(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.to_lowercase().replace('ς', "σ"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether any non-blank phrase occurs in the subject or the body.
fn text_matches(phrases: &[String], subject: &str, body: &str) -> bool {
    let subject = normalise(subject);
    let body = normalise(body);
    phrases
        .iter()
        .map(|p| normalise(p))
        .filter(|p| !p.is_empty())
        .any(|p| subject.contains(&p) || body.contains(&p))
}

/// Whether a ticket meets every condition of a rule.
pub fn matches(c: &RuleConditions, f: &TicketFacts) -> bool {
    let channel = c.channels.is_empty() || c.channels.contains(&f.channel);
    let cluster = c.clusters.is_empty() || c.clusters.contains(&f.cluster);
    let product = c.product_ids.is_empty()
        || f.product_id
            .is_some_and(|id| c.product_ids.iter().any(|p| p.trim() == id.trim()));
    let plan = c.plans.is_empty()
        || f.plan.is_some_and(|plan| {
            let plan = plan.trim().to_lowercase();
            c.plans.iter().any(|p| p.trim().to_lowercase() == plan)
        });
    // The text test is the costly one; it runs last and only when the rest holds.
    channel
        && cluster
        && product
        && plan
        && (c.text_contains.is_empty() || text_matches(&c.text_contains, f.subject, f.body))
}

/// Checks a rule before it is saved: name required ≤200, 1 to 20 actions, tags non-empty ≤50,
/// ids non-empty, phrases non-empty ≤200, lists at most 50 entries, and at least one
/// condition ("conditions": "at least one condition").
pub fn validate_rule(name: &str, c: &RuleConditions, actions: &[RuleAction]) -> Vec<FieldError> {
    use crate::validate::{LIST_MAX, NAME_MAX};
    let mut errors = crate::validate::Errors::default();
    errors.required_text("name", name, NAME_MAX);

    if c.is_empty() {
        errors.0.push(FieldError::new(
            "conditions",
            "required",
            "at least one condition",
        ));
    }
    let lists = [
        ("channels", c.channels.len()),
        ("clusters", c.clusters.len()),
        ("product_ids", c.product_ids.len()),
        ("text_contains", c.text_contains.len()),
        ("plans", c.plans.len()),
    ];
    for (field, len) in lists {
        if len > LIST_MAX {
            errors.0.push(FieldError::new(
                format!("conditions.{field}"),
                "too_many",
                format!("must have at most {LIST_MAX} entries"),
            ));
        }
    }
    for (i, id) in c.product_ids.iter().enumerate() {
        errors.required_text(&format!("conditions.product_ids[{i}]"), id, NAME_MAX);
    }
    for (i, phrase) in c.text_contains.iter().enumerate() {
        errors.required_text(
            &format!("conditions.text_contains[{i}]"),
            phrase,
            PHRASE_MAX,
        );
    }
    for (i, plan) in c.plans.iter().enumerate() {
        errors.required_text(
            &format!("conditions.plans[{i}]"),
            plan,
            crate::validate::SKILL_MAX,
        );
    }

    if actions.is_empty() {
        errors.0.push(FieldError::new(
            "actions",
            "required",
            "at least one action",
        ));
    } else if actions.len() > ACTIONS_MAX {
        errors.0.push(FieldError::new(
            "actions",
            "too_many",
            format!("must have at most {ACTIONS_MAX} actions"),
        ));
    }
    for (i, action) in actions.iter().enumerate() {
        match action {
            RuleAction::AutoReply { canned_reply_id } => errors.required_text(
                &format!("actions[{i}].canned_reply_id"),
                canned_reply_id,
                NAME_MAX,
            ),
            RuleAction::Route { department_id } => errors.required_text(
                &format!("actions[{i}].department_id"),
                department_id,
                NAME_MAX,
            ),
            RuleAction::AddTag { tag } => {
                errors.required_text(&format!("actions[{i}].tag"), tag, TAG_MAX)
            }
            RuleAction::SetPriority { .. } | RuleAction::EscalateToHuman => {}
        }
    }
    errors.0
}

/// What applying a rule's actions yields; the API performs it. AutoReply + EscalateToHuman
/// together is allowed (answer and still keep a human on it); AutoReply alone means the
/// ticket is answered and set to pending_customer without assignment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    /// The canned reply to answer with.
    pub auto_reply: Option<String>,
    pub priority: Option<Priority>,
    pub department_id: Option<String>,
    /// Tags to add, trimmed, without repeats (compared without regard to case; the first
    /// spelling stays).
    pub tags: Vec<String>,
    /// The ticket goes to a person (assignment): always, unless an automatic answer took
    /// care of it and no action asked for a human.
    pub needs_human: bool,
}

impl Outcome {
    /// Answered automatically with nobody needed (wait for the customer's answer).
    pub fn answered_automatically(&self) -> bool {
        self.auto_reply.is_some() && !self.needs_human
    }

    /// The status the ticket moves to after the outcome is applied (None = unchanged):
    /// `pending_customer` when it was answered automatically and needs nobody.
    pub fn status(&self) -> Option<TicketStatus> {
        self.answered_automatically()
            .then_some(TicketStatus::PendingCustomer)
    }
}

/// What the actions add up to; later actions override earlier ones where they conflict,
/// tags accumulate (dedup). No actions at all: nothing changes and a person takes it.
pub fn outcome(actions: &[RuleAction]) -> Outcome {
    let mut out = Outcome::default();
    let mut escalate = false;
    for action in actions {
        match action {
            RuleAction::AutoReply { canned_reply_id } => {
                out.auto_reply = Some(canned_reply_id.clone())
            }
            RuleAction::SetPriority { priority } => out.priority = Some(*priority),
            RuleAction::Route { department_id } => out.department_id = Some(department_id.clone()),
            RuleAction::EscalateToHuman => escalate = true,
            RuleAction::AddTag { tag } => {
                let tag = tag.trim();
                let lower = tag.to_lowercase();
                if !tag.is_empty() && !out.tags.iter().any(|t| t.to_lowercase() == lower) {
                    out.tags.push(tag.to_string());
                }
            }
        }
    }
    out.needs_human = escalate || out.auto_reply.is_none();
    out
}

// ---------------------------------------------------------------------------------------
// The API's shapes

/// The highest `position` a rule may have (rules run lowest first).
pub const POSITION_MAX: i32 = 1_000_000;

fn enabled_by_default() -> bool {
    true
}

/// An automation rule as an administrator writes it. Rules run in `position` order (lowest
/// first; equal positions in the order they were added); left out, the rule goes last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Refund keywords", "position": 10, "enabled": true,
    "conditions": {"text_contains": ["refund", "money back"]},
    "actions": [{"type": "set_priority", "priority": "high"}, {"type": "add_tag", "tag": "refund"}]
})))]
#[serde(deny_unknown_fields)]
pub struct AutomationRuleInput {
    pub name: String,
    #[serde(default)]
    pub position: Option<i32>,
    /// Disabled rules are kept but never fire (default: enabled).
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    pub conditions: RuleConditions,
    pub actions: Vec<RuleAction>,
}

/// Changes to a rule: absent fields stay as they are; `conditions` and `actions` are
/// replaced whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"enabled": false})))]
#[serde(deny_unknown_fields)]
pub struct AutomationRulePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<RuleConditions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<RuleAction>>,
}

/// A stored automation rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9f70", "name": "Refund keywords", "position": 10,
    "enabled": true, "conditions": {"channels": [], "clusters": [], "product_ids": [],
    "text_contains": ["refund", "money back"], "plans": []},
    "actions": [{"type": "set_priority", "priority": "high"}, {"type": "add_tag", "tag": "refund"}],
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z", "version": 1
})))]
pub struct AutomationRule {
    pub id: String,
    pub name: String,
    pub position: i32,
    pub enabled: bool,
    pub conditions: RuleConditions,
    pub actions: Vec<RuleAction>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
}

/// [`validate_rule`] plus the position (0 to [`POSITION_MAX`]).
pub fn validate_rule_input(r: &AutomationRuleInput) -> Vec<FieldError> {
    let mut errors = validate_rule(&r.name, &r.conditions, &r.actions);
    if let Some(p) = r.position
        && !(0..=POSITION_MAX).contains(&p)
    {
        errors.push(FieldError::new(
            "position",
            "range",
            format!("must be between 0 and {POSITION_MAX}"),
        ));
    }
    errors
}

/// One action in words, for the ticket's history and the admin page; `label` is the canned
/// reply's title or the department's name when the caller knows it.
pub fn describe(action: &RuleAction, label: Option<&str>) -> String {
    let named = |id: &str| match label {
        Some(l) => format!("'{l}'"),
        None => id.to_string(),
    };
    match action {
        RuleAction::AutoReply { canned_reply_id } => {
            format!("answer with canned reply {}", named(canned_reply_id))
        }
        RuleAction::SetPriority { priority } => format!("set priority {}", priority.as_str()),
        RuleAction::Route { department_id } => format!("route to {}", named(department_id)),
        RuleAction::EscalateToHuman => "escalate to a person".to_string(),
        RuleAction::AddTag { tag } => format!("tag {}", tag.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Channel as Ch;
    use Cluster as C;

    fn facts<'a>(subject: &'a str, body: &'a str) -> TicketFacts<'a> {
        TicketFacts {
            channel: Ch::Portal,
            cluster: C::UsageHelp,
            product_id: Some("p1"),
            subject,
            body,
            plan: Some("business"),
        }
    }

    fn phrases(p: &[&str]) -> RuleConditions {
        RuleConditions {
            text_contains: p.iter().map(|s| s.to_string()).collect(),
            ..RuleConditions::default()
        }
    }

    #[test]
    fn empty_conditions_match_everything() {
        let any = RuleConditions::default();
        for channel in Ch::ALL {
            for cluster in C::ALL {
                let f = TicketFacts {
                    channel,
                    cluster,
                    product_id: None,
                    subject: "",
                    body: "",
                    plan: None,
                };
                assert!(matches(&any, &f));
            }
        }
    }

    #[test]
    fn channel_and_cluster_lists() {
        let c = RuleConditions {
            channels: vec![Ch::Email, Ch::Chat],
            clusters: vec![C::Billing, C::UsageHelp],
            ..RuleConditions::default()
        };
        for channel in Ch::ALL {
            for cluster in C::ALL {
                let f = TicketFacts {
                    channel,
                    cluster,
                    ..facts("s", "b")
                };
                let want = matches!(channel, Ch::Email | Ch::Chat)
                    && matches!(cluster, C::Billing | C::UsageHelp);
                assert_eq!(matches(&c, &f), want, "{channel:?} {cluster:?}");
            }
        }
    }

    #[test]
    fn products_and_plans() {
        let c = RuleConditions {
            product_ids: vec!["p1".into(), "p2".into()],
            plans: vec!["Business".into()],
            ..RuleConditions::default()
        };
        let cases: [(Option<&str>, Option<&str>, bool); 8] = [
            (Some("p1"), Some("business"), true),
            (Some("p2"), Some("BUSINESS"), true),
            (Some("p2"), Some(" business "), true),
            (Some("p3"), Some("business"), false),
            (None, Some("business"), false),
            (Some("p1"), Some("standard"), false),
            (Some("p1"), None, false),
            (Some("P1"), Some("business"), false),
        ];
        for (product_id, plan, want) in cases {
            let f = TicketFacts {
                product_id,
                plan,
                ..facts("s", "b")
            };
            assert_eq!(matches(&c, &f), want, "{product_id:?} {plan:?}");
        }
    }

    #[test]
    fn phrases_in_subject_or_body() {
        let c = phrases(&["reset password", "Forgot"]);
        let cases = [
            ("Reset Password please", "", true),
            ("hi", "how do I RESET PASSWORD?", true),
            ("hi", "how do I reset\n   password?", true),
            ("I forgot", "", true),
            ("FORGOTTEN login", "", true),
            ("password reset", "reset the password", false),
            ("", "", false),
            ("reset", "password", false),
        ];
        for (subject, body, want) in cases {
            assert_eq!(
                matches(&c, &facts(subject, body)),
                want,
                "{subject:?} {body:?}"
            );
        }
    }

    #[test]
    fn phrases_are_unicode_aware() {
        let cases = [
            (&["PASSWÖRT"][..], "mein passwört ist weg", true),
            (&["straße"], "STRASSE", false), // lowercase, not full case folding
            (&["Straße"], "die STRAßE", true),
            (&["ΟΔΟΣ"], "η οδοσ σας", true), // final sigma folded
            (&["οδος"], "ΟΔΟΣΑ", true),
            (&["İstanbul"], "İSTANBUL office", true),
            (&["ÉCHEC"], "paiement en échec", true),
            (&["échec"], "paiement en echec", false),
        ];
        for (p, body, want) in cases {
            assert_eq!(
                matches(&phrases(p), &facts("", body)),
                want,
                "{p:?} in {body:?}"
            );
        }
    }

    #[test]
    fn blank_phrases_match_nothing() {
        assert!(!matches(&phrases(&[""]), &facts("anything", "at all")));
        assert!(!matches(
            &phrases(&["  ", "\n"]),
            &facts("anything", "at all")
        ));
        assert!(matches(
            &phrases(&["", "all"]),
            &facts("anything", "at all")
        ));
    }

    #[test]
    fn all_conditions_must_hold() {
        let c = RuleConditions {
            channels: vec![Ch::Portal],
            clusters: vec![C::UsageHelp],
            product_ids: vec!["p1".into()],
            text_contains: vec!["invoice".into()],
            plans: vec!["business".into()],
        };
        let base = facts("Invoice copy", "");
        assert!(matches(&c, &base));
        let misses = [
            TicketFacts {
                channel: Ch::Email,
                ..base
            },
            TicketFacts {
                cluster: C::Billing,
                ..base
            },
            TicketFacts {
                product_id: Some("p2"),
                ..base
            },
            TicketFacts {
                subject: "copy",
                ..base
            },
            TicketFacts {
                plan: Some("basic"),
                ..base
            },
        ];
        for f in misses {
            assert!(!matches(&c, &f), "{f:?}");
        }
    }

    fn rules_of(errs: &[FieldError]) -> Vec<(&str, &str)> {
        errs.iter()
            .map(|e| (e.field.as_str(), e.rule.as_str()))
            .collect()
    }

    #[test]
    fn a_good_rule_passes() {
        let c = phrases(&["reset password"]);
        let actions = [
            RuleAction::AutoReply {
                canned_reply_id: "c1".into(),
            },
            RuleAction::AddTag {
                tag: "x".repeat(50),
            },
        ];
        assert!(validate_rule("Password resets", &c, &actions).is_empty());
        let twenty = vec![RuleAction::EscalateToHuman; 20];
        assert!(validate_rule(&"n".repeat(200), &c, &twenty).is_empty());
    }

    #[test]
    fn every_broken_rule_is_reported() {
        let empty = RuleConditions::default();
        let errs = validate_rule(" ", &empty, &[]);
        assert_eq!(
            rules_of(&errs),
            vec![
                ("name", "required"),
                ("conditions", "required"),
                ("actions", "required")
            ]
        );
        assert_eq!(errs[1].message, "at least one condition");

        let c = RuleConditions {
            product_ids: vec!["".into()],
            text_contains: vec!["ok".into(), " ".into(), "p".repeat(201)],
            plans: vec!["".into()],
            ..RuleConditions::default()
        };
        let actions = [
            RuleAction::AddTag { tag: "".into() },
            RuleAction::AddTag {
                tag: "t".repeat(51),
            },
            RuleAction::AutoReply {
                canned_reply_id: " ".into(),
            },
            RuleAction::Route {
                department_id: "".into(),
            },
            RuleAction::SetPriority {
                priority: Priority::Urgent,
            },
        ];
        let errs = validate_rule(&"n".repeat(201), &c, &actions);
        assert_eq!(
            rules_of(&errs),
            vec![
                ("name", "too_long"),
                ("conditions.product_ids[0]", "required"),
                ("conditions.text_contains[1]", "required"),
                ("conditions.text_contains[2]", "too_long"),
                ("conditions.plans[0]", "required"),
                ("actions[0].tag", "required"),
                ("actions[1].tag", "too_long"),
                ("actions[2].canned_reply_id", "required"),
                ("actions[3].department_id", "required"),
            ]
        );

        let too_many = vec![RuleAction::EscalateToHuman; 21];
        let big = RuleConditions {
            channels: vec![Ch::Email; 51],
            ..RuleConditions::default()
        };
        assert_eq!(
            rules_of(&validate_rule("r", &big, &too_many)),
            vec![("conditions.channels", "too_many"), ("actions", "too_many")]
        );
    }

    #[test]
    fn each_single_condition_is_enough() {
        let actions = [RuleAction::EscalateToHuman];
        let singles = [
            RuleConditions {
                channels: vec![Ch::Phone],
                ..RuleConditions::default()
            },
            RuleConditions {
                clusters: vec![C::Billing],
                ..RuleConditions::default()
            },
            RuleConditions {
                product_ids: vec!["p".into()],
                ..RuleConditions::default()
            },
            phrases(&["x"]),
            RuleConditions {
                plans: vec!["gold".into()],
                ..RuleConditions::default()
            },
        ];
        for c in singles {
            assert!(!c.is_empty());
            assert!(validate_rule("r", &c, &actions).is_empty(), "{c:?}");
        }
        assert!(RuleConditions::default().is_empty());
    }

    #[test]
    fn outcomes() {
        use Priority as P;
        use RuleAction as A;
        let reply = |id: &str| A::AutoReply {
            canned_reply_id: id.into(),
        };
        let tag = |t: &str| A::AddTag { tag: t.into() };

        let none = outcome(&[]);
        assert_eq!(
            none,
            Outcome {
                needs_human: true,
                ..Outcome::default()
            }
        );
        assert_eq!(none.status(), None);

        let alone = outcome(&[reply("c1")]);
        assert_eq!(alone.auto_reply.as_deref(), Some("c1"));
        assert!(!alone.needs_human);
        assert!(alone.answered_automatically());
        assert_eq!(alone.status(), Some(TicketStatus::PendingCustomer));

        let both = outcome(&[reply("c1"), A::EscalateToHuman]);
        assert!(both.needs_human);
        assert_eq!(both.auto_reply.as_deref(), Some("c1"));
        assert_eq!(both.status(), None);
        // Order does not matter for escalation.
        assert_eq!(outcome(&[A::EscalateToHuman, reply("c1")]), both);

        let later_wins = outcome(&[
            A::SetPriority { priority: P::Low },
            A::Route {
                department_id: "d1".into(),
            },
            reply("c1"),
            tag("vip"),
            tag(" VIP "),
            tag("refund"),
            tag("  "),
            A::SetPriority { priority: P::High },
            A::Route {
                department_id: "d2".into(),
            },
            reply("c2"),
            tag("refund"),
        ]);
        assert_eq!(
            later_wins,
            Outcome {
                auto_reply: Some("c2".into()),
                priority: Some(P::High),
                department_id: Some("d2".into()),
                tags: vec!["vip".into(), "refund".into()],
                needs_human: false,
            }
        );

        let no_reply = outcome(&[
            A::SetPriority {
                priority: P::Urgent,
            },
            tag("x"),
        ]);
        assert!(no_reply.needs_human);
        assert!(!no_reply.answered_automatically());
    }

    #[test]
    fn json_shapes() {
        let actions: Vec<RuleAction> = serde_json::from_str(
            r#"[{"type":"auto_reply","canned_reply_id":"c1"},
                {"type":"set_priority","priority":"high"},
                {"type":"route","department_id":"d1"},
                {"type":"escalate_to_human"},
                {"type":"add_tag","tag":"vip"}]"#,
        )
        .expect("parse");
        assert_eq!(
            actions,
            vec![
                RuleAction::AutoReply {
                    canned_reply_id: "c1".into()
                },
                RuleAction::SetPriority {
                    priority: Priority::High
                },
                RuleAction::Route {
                    department_id: "d1".into()
                },
                RuleAction::EscalateToHuman,
                RuleAction::AddTag { tag: "vip".into() },
            ]
        );
        let back = serde_json::to_value(&actions).expect("serialise");
        assert_eq!(back[3], serde_json::json!({"type": "escalate_to_human"}));
        for bad in [
            r#"{"type":"add_tag","tag":"x","colour":"red"}"#,
            r#"{"type":"delete_ticket"}"#,
            r#"{"type":"set_priority","priority":"extreme"}"#,
            r#"{"tag":"x"}"#,
        ] {
            assert!(serde_json::from_str::<RuleAction>(bad).is_err(), "{bad}");
        }
        let c: RuleConditions = serde_json::from_str(r#"{"clusters":["billing"]}"#).expect("parse");
        assert_eq!(c.clusters, vec![C::Billing]);
        assert!(c.channels.is_empty() && c.text_contains.is_empty());
        assert!(serde_json::from_str::<RuleConditions>(r#"{"subjects":["x"]}"#).is_err());
    }

    #[test]
    fn describing_actions() {
        let cases = [
            (
                RuleAction::AutoReply {
                    canned_reply_id: "c1".into(),
                },
                Some("Password reset"),
                "answer with canned reply 'Password reset'",
            ),
            (
                RuleAction::AutoReply {
                    canned_reply_id: "c1".into(),
                },
                None,
                "answer with canned reply c1",
            ),
            (
                RuleAction::SetPriority {
                    priority: Priority::High,
                },
                None,
                "set priority high",
            ),
            (
                RuleAction::Route {
                    department_id: "d1".into(),
                },
                Some("Billing"),
                "route to 'Billing'",
            ),
            (RuleAction::EscalateToHuman, None, "escalate to a person"),
            (
                RuleAction::AddTag {
                    tag: " refund ".into(),
                },
                None,
                "tag refund",
            ),
        ];
        for (action, label, want) in cases {
            assert_eq!(describe(&action, label), want);
        }
    }

    #[test]
    fn rule_input_checks_the_position_and_defaults_to_enabled() {
        let input: AutomationRuleInput = serde_json::from_str(
            r#"{"name":"r","conditions":{"clusters":["billing"]},"actions":[{"type":"escalate_to_human"}]}"#,
        )
        .expect("parse");
        assert!(input.enabled && input.position.is_none());
        assert!(validate_rule_input(&input).is_empty());
        for (p, ok) in [
            (0, true),
            (POSITION_MAX, true),
            (-1, false),
            (POSITION_MAX + 1, false),
        ] {
            let r = AutomationRuleInput {
                position: Some(p),
                ..input.clone()
            };
            let errs = validate_rule_input(&r);
            assert_eq!(errs.is_empty(), ok, "{p}");
            if !ok {
                assert_eq!(
                    (errs[0].field.as_str(), errs[0].rule.as_str()),
                    ("position", "range")
                );
            }
        }
        assert!(serde_json::from_str::<AutomationRulePatch>(r#"{"colour":"red"}"#).is_err());
    }
}
