//! Repeated problems: when the same product and cluster
//! keeps coming back — for one client (N tickets in M days) or across clients (N
//! organisations in M days) — the client's CSM is told, so the product team can fix it and
//! the CSM can talk to the client before the client has to. The API counts the tickets (the
//! new one included) and records the handoff; this module decides whether the counts are a
//! signal and says why in words.

use serde::{Deserialize, Serialize};

use super::Cluster;
use crate::FieldError;

/// The longest look-back a rule may have.
pub const DAYS_MAX: u32 = 365;

/// When a problem counts as repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "per_client_tickets": 3, "per_client_days": 30,
    "across_clients_orgs": 3, "across_clients_days": 7
})))]
#[serde(deny_unknown_fields)]
pub struct RepeatRule {
    /// This many tickets about the same product and cluster from one organisation…
    pub per_client_tickets: u32,
    /// …within this many days.
    pub per_client_days: u32,
    /// This many different organisations with tickets about the same product and cluster…
    pub across_clients_orgs: u32,
    /// …within this many days.
    pub across_clients_days: u32,
}

impl Default for RepeatRule {
    fn default() -> Self {
        RepeatRule {
            per_client_tickets: 3,
            per_client_days: 30,
            across_clients_orgs: 3,
            across_clients_days: 7,
        }
    }
}

/// Whose problem it is: one client's, or a product problem many clients have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RepeatScope {
    Client,
    AcrossClients,
}
str_enum!(RepeatScope { Client => "client", AcrossClients => "across_clients" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "scope": "client",
    "reason": "3 tickets about Checkout (product not working) from this client in the last 30 days"
})))]
pub struct RepeatSignal {
    pub scope: RepeatScope,
    pub reason: String,
}

/// Whether the counts make a repeated problem. Counts include the new ticket. Client scope
/// wins when both fire (the client's CSM has someone specific to talk to).
pub fn detect(
    rule: &RepeatRule,
    same_client_count: u32,
    distinct_orgs_count: u32,
    product: &str,
    cluster: Cluster,
) -> Option<RepeatSignal> {
    let what = subject(product, cluster);
    if same_client_count >= rule.per_client_tickets {
        return Some(RepeatSignal {
            scope: RepeatScope::Client,
            reason: format!(
                "{} about {what} from this client in the last {}",
                plural(same_client_count, "ticket"),
                plural(rule.per_client_days, "day"),
            ),
        });
    }
    if distinct_orgs_count >= rule.across_clients_orgs {
        return Some(RepeatSignal {
            scope: RepeatScope::AcrossClients,
            reason: format!(
                "{what} reported by {} in the last {}",
                plural(distinct_orgs_count, "organisation"),
                plural(rule.across_clients_days, "day"),
            ),
        });
    }
    None
}

/// "Checkout (product not working)", or "no product (billing)" without a product.
fn subject(product: &str, cluster: Cluster) -> String {
    let product = product.trim();
    let product = if product.is_empty() {
        "no product"
    } else {
        product
    };
    format!("{product} ({})", cluster.label().to_lowercase())
}

fn plural(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A rule an administrator saves: every number at least 1, look-backs at most 365 days.
pub fn validate_rule(r: &RepeatRule) -> Vec<FieldError> {
    let fields = [
        ("per_client_tickets", r.per_client_tickets, None),
        ("per_client_days", r.per_client_days, Some(DAYS_MAX)),
        ("across_clients_orgs", r.across_clients_orgs, None),
        ("across_clients_days", r.across_clients_days, Some(DAYS_MAX)),
    ];
    let mut errors = Vec::new();
    for (field, value, max) in fields {
        if value < 1 {
            errors.push(FieldError::new(field, "minimum", "must be at least 1"));
        } else if let Some(max) = max.filter(|m| value > *m) {
            errors.push(FieldError::new(
                field,
                "maximum",
                format!("must be at most {max}"),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cluster as C;
    use RepeatScope as S;

    #[test]
    fn every_count_follows_the_table() {
        let rule = RepeatRule::default();
        for client in 0..=5 {
            for orgs in 0..=5 {
                let want = if client >= 3 {
                    Some(S::Client)
                } else if orgs >= 3 {
                    Some(S::AcrossClients)
                } else {
                    None
                };
                for cluster in C::ALL {
                    let got = detect(&rule, client, orgs, "Checkout", cluster);
                    assert_eq!(got.map(|s| s.scope), want, "{client} {orgs} {cluster:?}");
                }
            }
        }
    }

    #[test]
    fn reasons() {
        let rule = RepeatRule::default();
        let cases = [
            (
                3,
                1,
                "Checkout",
                C::ProductNotWorking,
                "3 tickets about Checkout (product not working) from this client in the last 30 days",
            ),
            (
                4,
                9,
                " Reports ",
                C::UsageHelp,
                "4 tickets about Reports (usage help) from this client in the last 30 days",
            ),
            (
                1,
                3,
                "Checkout",
                C::TechnicalProblem,
                "Checkout (technical problem) reported by 3 organisations in the last 7 days",
            ),
            (
                2,
                12,
                "",
                C::Billing,
                "no product (billing) reported by 12 organisations in the last 7 days",
            ),
        ];
        for (client, orgs, product, cluster, want) in cases {
            let got = detect(&rule, client, orgs, product, cluster).expect("a signal");
            assert_eq!(got.reason, want);
        }
    }

    #[test]
    fn singular_words_with_custom_rules() {
        let rule = RepeatRule {
            per_client_tickets: 1,
            per_client_days: 1,
            across_clients_orgs: 1,
            across_clients_days: 1,
        };
        assert_eq!(
            detect(&rule, 1, 1, "X", C::Cancellation),
            Some(RepeatSignal {
                scope: S::Client,
                reason: "1 ticket about X (cancellation) from this client in the last 1 day".into()
            })
        );
        assert_eq!(
            detect(&rule, 0, 1, "X", C::ReturnRefund).map(|s| s.reason),
            Some("X (return or refund) reported by 1 organisation in the last 1 day".into())
        );
        let strict = RepeatRule {
            per_client_tickets: 10,
            across_clients_orgs: 50,
            ..RepeatRule::default()
        };
        assert_eq!(detect(&strict, 9, 49, "X", C::Billing), None);
        assert_eq!(
            detect(&strict, 10, 0, "X", C::Billing).map(|s| s.scope),
            Some(S::Client)
        );
        assert_eq!(
            detect(&strict, 0, 50, "X", C::Billing).map(|s| s.scope),
            Some(S::AcrossClients)
        );
        assert_eq!(
            detect(&strict, u32::MAX, u32::MAX, "X", C::Billing).map(|s| s.scope),
            Some(S::Client)
        );
    }

    #[test]
    fn validation() {
        assert!(validate_rule(&RepeatRule::default()).is_empty());
        let edges = RepeatRule {
            per_client_tickets: 1,
            per_client_days: 365,
            across_clients_orgs: u32::MAX,
            across_clients_days: 1,
        };
        assert!(validate_rule(&edges).is_empty());
        let zero = RepeatRule {
            per_client_tickets: 0,
            per_client_days: 0,
            across_clients_orgs: 0,
            across_clients_days: 0,
        };
        let got: Vec<(String, String)> = validate_rule(&zero)
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect();
        let want: Vec<(String, String)> = [
            "per_client_tickets",
            "per_client_days",
            "across_clients_orgs",
            "across_clients_days",
        ]
        .into_iter()
        .map(|f| (f.to_string(), "minimum".to_string()))
        .collect();
        assert_eq!(got, want);
        let long = RepeatRule {
            per_client_days: 366,
            across_clients_days: 1000,
            ..RepeatRule::default()
        };
        let errs = validate_rule(&long);
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.rule.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("per_client_days", "maximum"),
                ("across_clients_days", "maximum")
            ]
        );
        assert_eq!(errs[0].message, "must be at most 365");
    }

    #[test]
    fn json_shapes() {
        let r: RepeatRule = serde_json::from_str(
            r#"{"per_client_tickets":3,"per_client_days":30,"across_clients_orgs":3,"across_clients_days":7}"#,
        )
        .expect("parse");
        assert_eq!(r, RepeatRule::default());
        assert!(serde_json::from_str::<RepeatRule>(r#"{"per_client_tickets":3}"#).is_err());
        let s = serde_json::to_value(RepeatSignal {
            scope: S::AcrossClients,
            reason: "r".into(),
        })
        .expect("serialise");
        assert_eq!(
            s,
            serde_json::json!({"scope": "across_clients", "reason": "r"})
        );
        for scope in [S::Client, S::AcrossClients] {
            assert_eq!(S::parse(scope.as_str()), Some(scope));
        }
    }
}
