//! Priority: from the urgency of the product the ticket is about, the kind of
//! problem, and how much the client matters to us (plan and yearly spend) — computed here and
//! explained on the ticket, so an agent can see why a ticket is `high` and not guess.
//!
//! The scheme counts points in half steps of priority:
//!
//! | factor                                          | points |
//! |-------------------------------------------------|--------|
//! | product urgency `low`                           | 0      |
//! | product urgency `normal`, or none known         | 2      |
//! | product urgency `high` ("normal and a half")    | 3      |
//! | product urgency `critical`                      | 4      |
//! | cluster `product_not_working` (it is broken, not just odd) | +1 |
//! | premium plan, or yearly spend ≥ `high_spend_from` (once, even if both) | +2 |
//!
//! and maps the sum to a priority: 0–1 `low`, 2–3 `normal`, 4–5 `high`, 6 and more `urgent`
//! (7 is the most one can reach; nothing goes above `urgent`). Return/refund and cancellation
//! requests are at least `normal` whatever the product: money and a client who may be leaving
//! do not wait behind low-priority questions.
//!
//! So a critical product alone is `high`, and `urgent` needs a second reason (a premium client,
//! or a high-urgency product that stopped working for one). Half a step means that a broken
//! `high` product is `high` while a question about it stays `normal`.
//!
//! The reason names the product part and the plan always, and the other factors when they
//! counted: "urgent: product Checkout is critical, plan business, yearly spend 52,000".

use serde::{Deserialize, Serialize};

use super::{Cluster, Priority, ProductUrgency};
use crate::FieldError;

/// What makes a client one whose tickets go up a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "premium_plans": ["business", "enterprise"], "high_spend_from": 40000
})))]
#[serde(deny_unknown_fields)]
pub struct PriorityRules {
    /// Plan names (compared without regard to case) whose clients go up a step.
    #[serde(default)]
    pub premium_plans: Vec<String>,
    /// Yearly spend, in whole currency units, from which a client goes up a step.
    pub high_spend_from: i64,
}

impl Default for PriorityRules {
    fn default() -> Self {
        PriorityRules {
            premium_plans: vec!["business".to_string()],
            high_spend_from: 40_000,
        }
    }
}

/// What is known about a new ticket when its priority is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorityInput<'a> {
    pub cluster: Cluster,
    pub product_name: Option<&'a str>,
    pub product_urgency: Option<ProductUrgency>,
    /// The client organisation's plan.
    pub plan: Option<&'a str>,
    /// The client organisation's yearly spend, whole currency units.
    pub yearly_spend: Option<i64>,
}

/// A priority and the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "priority": "high", "reason": "high: product Checkout is critical, plan standard"
})))]
pub struct PriorityDecision {
    pub priority: Priority,
    pub reason: String,
}

/// Points for the product's urgency; an unknown urgency counts as `normal`.
fn urgency_points(urgency: Option<ProductUrgency>) -> i32 {
    match urgency {
        Some(ProductUrgency::Low) => 0,
        Some(ProductUrgency::Normal) | None => 2,
        Some(ProductUrgency::High) => 3,
        Some(ProductUrgency::Critical) => 4,
    }
}

/// The priority a number of points stands for.
fn from_points(points: i32) -> Priority {
    match points {
        i32::MIN..=1 => Priority::Low,
        2..=3 => Priority::Normal,
        4..=5 => Priority::High,
        _ => Priority::Urgent,
    }
}

impl PriorityRules {
    /// Whether `plan` is one of the premium plans (trimmed, any case).
    pub fn is_premium(&self, plan: &str) -> bool {
        let plan = plan.trim().to_lowercase();
        !plan.is_empty()
            && self
                .premium_plans
                .iter()
                .any(|p| p.trim().to_lowercase() == plan)
    }

    /// Whether a yearly spend reaches the high-spend mark.
    pub fn is_high_spend(&self, yearly_spend: i64) -> bool {
        yearly_spend >= self.high_spend_from
    }
}

/// Whether the cluster is about money or a client leaving (never below `normal`).
fn at_least_normal(cluster: Cluster) -> bool {
    matches!(cluster, Cluster::ReturnRefund | Cluster::Cancellation)
}

/// The priority of a new ticket, and why.
pub fn compute(rules: &PriorityRules, input: &PriorityInput) -> PriorityDecision {
    let premium = input.plan.is_some_and(|p| rules.is_premium(p));
    let high_spend = input.yearly_spend.is_some_and(|s| rules.is_high_spend(s));
    let not_working = input.cluster == Cluster::ProductNotWorking;

    let mut points = urgency_points(input.product_urgency);
    if not_working {
        points += 1;
    }
    if premium || high_spend {
        points += 2;
    }
    let mut priority = from_points(points);
    let floored = at_least_normal(input.cluster) && priority < Priority::Normal;
    if floored {
        priority = Priority::Normal;
    }

    let mut parts = vec![product_part(input), plan_part(input.plan)];
    if high_spend && let Some(spend) = input.yearly_spend {
        parts.push(format!("yearly spend {}", thousands(spend)));
    }
    if not_working {
        parts.push("product not working".to_string());
    }
    if floored {
        parts.push(format!(
            "{} requests are at least normal",
            input.cluster.label().to_lowercase()
        ));
    }
    PriorityDecision {
        priority,
        reason: format!("{}: {}", priority.as_str(), parts.join(", ")),
    }
}

fn product_part(input: &PriorityInput) -> String {
    let name = input.product_name.map(str::trim).filter(|n| !n.is_empty());
    match (name, input.product_urgency) {
        (Some(name), Some(u)) => format!("product {name} is {}", u.as_str()),
        (Some(name), None) => format!("product {name} has no urgency set"),
        (None, Some(u)) => format!("product is {}", u.as_str()),
        (None, None) => "no product given".to_string(),
    }
}

fn plan_part(plan: Option<&str>) -> String {
    match plan.map(str::trim).filter(|p| !p.is_empty()) {
        Some(plan) => format!("plan {plan}"),
        None => "no plan".to_string(),
    }
}

/// `52000` → `52,000`; `-1500` → `-1,500`.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The rules an administrator saves: plan names are short and non-empty, the spend mark is
/// at least 1 (0 would make every client a high spender).
pub fn validate_rules(rules: &PriorityRules) -> Vec<FieldError> {
    let mut errors = crate::validate::Errors::default();
    if rules.premium_plans.len() > crate::validate::LIST_MAX {
        errors.0.push(FieldError::new(
            "premium_plans",
            "too_many",
            format!("must have at most {} entries", crate::validate::LIST_MAX),
        ));
    }
    for (i, plan) in rules.premium_plans.iter().enumerate() {
        errors.required_text(
            &format!("premium_plans[{i}]"),
            plan,
            crate::validate::SKILL_MAX,
        );
    }
    if rules.high_spend_from < 1 {
        errors.0.push(FieldError::new(
            "high_spend_from",
            "minimum",
            "must be at least 1",
        ));
    }
    errors.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cluster as C;
    use Priority as P;
    use ProductUrgency as U;

    const URGENCIES: [Option<U>; 5] = [
        None,
        Some(U::Low),
        Some(U::Normal),
        Some(U::High),
        Some(U::Critical),
    ];
    const PLANS: [Option<&str>; 5] = [
        None,
        Some("standard"),
        Some("business"),
        Some("Business "),
        Some(""),
    ];
    const SPENDS: [Option<i64>; 6] = [
        None,
        Some(-5),
        Some(0),
        Some(39_999),
        Some(40_000),
        Some(1_000_000),
    ];

    fn input<'a>(
        cluster: C,
        urgency: Option<U>,
        plan: Option<&'a str>,
        spend: Option<i64>,
    ) -> PriorityInput<'a> {
        PriorityInput {
            cluster,
            product_name: Some("Checkout"),
            product_urgency: urgency,
            plan,
            yearly_spend: spend,
        }
    }

    /// The expected priority, from a table of steps rather than points, so that the test does
    /// not repeat the code's arithmetic.
    fn expected(cluster: C, urgency: Option<U>, raised: bool) -> P {
        let broken = cluster == C::ProductNotWorking;
        let p = match (urgency, broken, raised) {
            (Some(U::Low), false, false) => P::Low,
            (Some(U::Low), true, false) => P::Low,
            (Some(U::Low), false, true) => P::Normal,
            (Some(U::Low), true, true) => P::Normal,
            (Some(U::Normal) | None, false, false) => P::Normal,
            (Some(U::Normal) | None, true, false) => P::Normal,
            (Some(U::Normal) | None, false, true) => P::High,
            (Some(U::Normal) | None, true, true) => P::High,
            (Some(U::High), false, false) => P::Normal,
            (Some(U::High), true, false) => P::High,
            (Some(U::High), false, true) => P::High,
            (Some(U::High), true, true) => P::Urgent,
            (Some(U::Critical), false, false) => P::High,
            (Some(U::Critical), true, false) => P::High,
            (Some(U::Critical), false, true) => P::Urgent,
            (Some(U::Critical), true, true) => P::Urgent,
        };
        if matches!(cluster, C::ReturnRefund | C::Cancellation) {
            p.max(P::Normal)
        } else {
            p
        }
    }

    #[test]
    fn every_combination_follows_the_table() {
        let rules = PriorityRules::default();
        let mut seen = std::collections::HashSet::new();
        for cluster in C::ALL {
            for urgency in URGENCIES {
                for plan in PLANS {
                    for spend in SPENDS {
                        let premium = matches!(plan, Some("business" | "Business "));
                        let high = spend.is_some_and(|s| s >= 40_000);
                        let d = compute(&rules, &input(cluster, urgency, plan, spend));
                        let want = expected(cluster, urgency, premium || high);
                        assert_eq!(
                            d.priority, want,
                            "{cluster:?} {urgency:?} {plan:?} {spend:?}: {}",
                            d.reason
                        );
                        assert!(
                            d.reason.starts_with(&format!("{}: ", want.as_str())),
                            "{}",
                            d.reason
                        );
                        assert_eq!(d.reason.contains("yearly spend"), high, "{}", d.reason);
                        assert_eq!(
                            d.reason.contains("product not working"),
                            cluster == C::ProductNotWorking
                        );
                        seen.insert(d.priority);
                    }
                }
            }
        }
        assert_eq!(seen.len(), 4, "every priority is reachable");
    }

    #[test]
    fn reasons_read_well() {
        let rules = PriorityRules::default();
        let cases = [
            (
                PriorityInput {
                    cluster: C::TechnicalProblem,
                    product_name: None,
                    product_urgency: None,
                    plan: Some("standard"),
                    yearly_spend: None,
                },
                "normal: no product given, plan standard",
            ),
            (
                input(
                    C::TechnicalProblem,
                    Some(U::Critical),
                    Some("standard"),
                    None,
                ),
                "high: product Checkout is critical, plan standard",
            ),
            (
                input(
                    C::UsageHelp,
                    Some(U::Critical),
                    Some("business"),
                    Some(52_000),
                ),
                "urgent: product Checkout is critical, plan business, yearly spend 52,000",
            ),
            (
                input(C::ProductNotWorking, Some(U::High), None, Some(10)),
                "high: product Checkout is high, no plan, product not working",
            ),
            (
                input(C::ReturnRefund, Some(U::Low), Some("  "), None),
                "normal: product Checkout is low, no plan, return or refund requests are at least normal",
            ),
            (
                input(C::Cancellation, Some(U::Low), Some("standard"), None),
                "normal: product Checkout is low, plan standard, cancellation requests are at least normal",
            ),
            (
                input(C::Billing, Some(U::Low), Some("standard"), None),
                "low: product Checkout is low, plan standard",
            ),
            (
                PriorityInput {
                    cluster: C::Billing,
                    product_name: Some("Reports"),
                    product_urgency: None,
                    plan: Some("standard"),
                    yearly_spend: Some(1_234_567),
                },
                "high: product Reports has no urgency set, plan standard, yearly spend 1,234,567",
            ),
            (
                PriorityInput {
                    cluster: C::UsageHelp,
                    product_name: Some(" "),
                    product_urgency: Some(U::High),
                    plan: None,
                    yearly_spend: None,
                },
                "normal: product is high, no plan",
            ),
        ];
        for (inp, want) in cases {
            assert_eq!(compute(&rules, &inp).reason, want);
        }
    }

    #[test]
    fn floor_is_not_mentioned_when_it_did_nothing() {
        let d = compute(
            &PriorityRules::default(),
            &input(C::ReturnRefund, Some(U::Normal), None, None),
        );
        assert_eq!(d.priority, P::Normal);
        assert!(!d.reason.contains("at least"), "{}", d.reason);
    }

    #[test]
    fn rules_are_configurable() {
        let rules = PriorityRules {
            premium_plans: vec!["Enterprise".into(), "Gold".into()],
            high_spend_from: 100,
        };
        let p = |plan, spend| {
            compute(
                &rules,
                &input(C::TechnicalProblem, Some(U::Normal), plan, spend),
            )
            .priority
        };
        assert_eq!(p(Some("enterprise"), None), P::High);
        assert_eq!(p(Some("GOLD"), None), P::High);
        assert_eq!(p(Some("business"), None), P::Normal);
        assert_eq!(p(None, Some(100)), P::High);
        assert_eq!(p(None, Some(99)), P::Normal);
        // Premium and high spend together still count once.
        assert_eq!(p(Some("gold"), Some(1_000)), P::High);
        let none = PriorityRules {
            premium_plans: vec![],
            high_spend_from: i64::MAX,
        };
        let d = compute(
            &none,
            &input(
                C::TechnicalProblem,
                Some(U::Critical),
                Some(""),
                Some(i64::MAX - 1),
            ),
        );
        assert_eq!(d.priority, P::High);
        assert!(!none.is_premium(""));
        assert!(!rules.is_premium("  "));
    }

    #[test]
    fn points_and_bands() {
        assert_eq!(
            (-3..=8).map(from_points).collect::<Vec<_>>(),
            vec![
                P::Low,
                P::Low,
                P::Low,
                P::Low,
                P::Low,
                P::Normal,
                P::Normal,
                P::High,
                P::High,
                P::Urgent,
                P::Urgent,
                P::Urgent
            ]
        );
    }

    #[test]
    fn spend_formatting() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (40_000, "40,000"),
            (999_999, "999,999"),
            (1_000_000, "1,000,000"),
            (-1_500, "-1,500"),
            (i64::MIN, "-9,223,372,036,854,775,808"),
        ];
        for (n, want) in cases {
            assert_eq!(thousands(n), want);
        }
    }

    #[test]
    fn defaults_and_validation() {
        let d = PriorityRules::default();
        assert_eq!(d.premium_plans, vec!["business".to_string()]);
        assert_eq!(d.high_spend_from, 40_000);
        assert!(validate_rules(&d).is_empty());
        let bad = PriorityRules {
            premium_plans: vec![" ".into(), "x".repeat(51), "ok".into()],
            high_spend_from: 0,
        };
        let got: Vec<(String, String)> = validate_rules(&bad)
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect();
        assert_eq!(
            got,
            vec![
                ("premium_plans[0]".to_string(), "required".to_string()),
                ("premium_plans[1]".to_string(), "too_long".to_string()),
                ("high_spend_from".to_string(), "minimum".to_string()),
            ]
        );
        let many = PriorityRules {
            premium_plans: vec!["p".into(); 51],
            high_spend_from: 1,
        };
        assert_eq!(validate_rules(&many)[0].rule, "too_many");
        let json = r#"{"premium_plans":["gold"],"high_spend_from":5}"#;
        let parsed: PriorityRules = serde_json::from_str(json).expect("parse");
        assert_eq!(parsed.premium_plans, vec!["gold".to_string()]);
        assert!(serde_json::from_str::<PriorityRules>(r#"{"high_spend_from":5,"x":1}"#).is_err());
    }
}
