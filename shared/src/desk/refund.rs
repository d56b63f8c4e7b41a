//! Returns, refunds and cancellations: a policy — a window in days from the purchase (or,
//! for a cancellation, the order) date, and the role that approves — applied automatically when such a
//! ticket arrives. Inside the window the request waits for the approver; outside it the
//! client gets an answer that quotes the policy. When the ticket gives no date, a person
//! decides: the request goes to the approver as well.
//!
//! The window is inclusive: with 30 days, a purchase on 1 October may be returned up to and
//! including 31 October. A date after today (most likely a typing error) counts as inside the
//! window, so a person looks at it rather than the client being refused.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::Cluster;
use crate::{FieldError, Role};

/// The longest window a policy may have (ten years).
pub const WINDOW_DAYS_MAX: u32 = 3650;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "window_days": 30, "approver_role": "account_manager"
})))]
#[serde(deny_unknown_fields)]
pub struct RefundPolicy {
    /// Days after the purchase or contract date in which requests are accepted (inclusive).
    pub window_days: u32,
    /// Who approves a request inside the window.
    pub approver_role: Role,
}

impl Default for RefundPolicy {
    fn default() -> Self {
        RefundPolicy {
            window_days: 30,
            approver_role: Role::AccountManager,
        }
    }
}

/// What the policy says about a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RefundDecision {
    /// The cluster is not return_refund or cancellation.
    NotApplicable,
    /// Goes to someone with `approver_role`. `window_ends` is the last day of the window;
    /// when the ticket gave no date it is today (a person decides now).
    NeedsApproval {
        approver_role: Role,
        window_ends: NaiveDate,
    },
    /// Refused; `answer` is the reply to the client, quoting the policy.
    OutsideWindow { answer: String },
}

/// The last day of the window for a purchase on `reference` (saturating at the calendar's end).
pub fn window_ends(policy: &RefundPolicy, reference: NaiveDate) -> NaiveDate {
    reference
        .checked_add_days(Days::new(u64::from(policy.window_days)))
        .unwrap_or(NaiveDate::MAX)
}

/// Applies the policy: reference_date is the purchase or order date given on the ticket
/// (None → needs approval: a human decides). The window is inclusive.
pub fn decide(
    policy: &RefundPolicy,
    cluster: Cluster,
    reference_date: Option<NaiveDate>,
    today: NaiveDate,
) -> RefundDecision {
    if !matches!(cluster, Cluster::ReturnRefund | Cluster::Cancellation) {
        return RefundDecision::NotApplicable;
    }
    let Some(reference) = reference_date else {
        return RefundDecision::NeedsApproval {
            approver_role: policy.approver_role,
            window_ends: today,
        };
    };
    let ends = window_ends(policy, reference);
    if today <= ends {
        return RefundDecision::NeedsApproval {
            approver_role: policy.approver_role,
            window_ends: ends,
        };
    }
    let days_after = (today - reference).num_days();
    RefundDecision::OutsideWindow {
        answer: answer(policy, cluster, reference, days_after),
    }
}

/// The reply that refuses a request outside the window.
fn answer(
    policy: &RefundPolicy,
    cluster: Cluster,
    reference: NaiveDate,
    days_after: i64,
) -> String {
    let (what, since) = match cluster {
        Cluster::Cancellation => ("cancellation requests", "the order"),
        _ => ("return and refund requests", "purchase"),
    };
    format!(
        "Our policy accepts {what} within {} of {since}; this request comes {} after it \
         ({}), so we cannot approve it. If you believe the date is wrong, reply to this \
         ticket with the correct one and we will look at it again.",
        days(i64::from(policy.window_days)),
        days(days_after),
        reference.format("%Y-%m-%d"),
    )
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// A policy an administrator saves: a window of 1 to 3650 days, approved by vendor staff.
pub fn validate_policy(policy: &RefundPolicy) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if policy.window_days < 1 {
        errors.push(FieldError::new(
            "window_days",
            "minimum",
            "must be at least 1",
        ));
    } else if policy.window_days > WINDOW_DAYS_MAX {
        errors.push(FieldError::new(
            "window_days",
            "maximum",
            format!("must be at most {WINDOW_DAYS_MAX}"),
        ));
    }
    if policy.approver_role.is_client() {
        errors.push(FieldError::new(
            "approver_role",
            "one_of",
            "must be a staff role",
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cluster as C;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn needs(ends: &str) -> RefundDecision {
        RefundDecision::NeedsApproval {
            approver_role: Role::AccountManager,
            window_ends: d(ends),
        }
    }

    #[test]
    fn other_clusters_are_not_applicable() {
        let p = RefundPolicy::default();
        for c in C::ALL {
            for reference in [None, Some(d("2026-01-01")), Some(d("2026-11-20"))] {
                let got = decide(&p, c, reference, d("2026-11-23"));
                let applicable = matches!(c, C::ReturnRefund | C::Cancellation);
                assert_eq!(
                    got == RefundDecision::NotApplicable,
                    !applicable,
                    "{c:?} {reference:?}"
                );
            }
        }
    }

    #[test]
    fn the_window_is_inclusive() {
        let p = RefundPolicy::default();
        let purchase = d("2026-10-01");
        let cases = [
            ("2026-09-30", true), // date after today: a person looks
            ("2026-10-01", true),
            ("2026-10-02", true),
            ("2026-10-30", true),
            ("2026-10-31", true), // day 30
            ("2026-11-01", false),
            ("2027-10-01", false),
        ];
        for c in [C::ReturnRefund, C::Cancellation] {
            for (today, inside) in cases {
                let got = decide(&p, c, Some(purchase), d(today));
                if inside {
                    assert_eq!(got, needs("2026-10-31"), "{c:?} {today}");
                } else {
                    assert!(
                        matches!(got, RefundDecision::OutsideWindow { .. }),
                        "{c:?} {today}: {got:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn no_date_goes_to_a_person() {
        let p = RefundPolicy {
            window_days: 14,
            approver_role: Role::Admin,
        };
        for c in [C::ReturnRefund, C::Cancellation] {
            assert_eq!(
                decide(&p, c, None, d("2026-11-23")),
                RefundDecision::NeedsApproval {
                    approver_role: Role::Admin,
                    window_ends: d("2026-11-23"),
                }
            );
        }
    }

    #[test]
    fn answers_quote_the_policy() {
        let p = RefundPolicy::default();
        assert_eq!(
            decide(&p, C::ReturnRefund, Some(d("2026-10-01")), d("2026-11-15")),
            RefundDecision::OutsideWindow {
                answer: "Our policy accepts return and refund requests within 30 days of \
                         purchase; this request comes 45 days after it (2026-10-01), so we \
                         cannot approve it. If you believe the date is wrong, reply to this \
                         ticket with the correct one and we will look at it again."
                    .to_string()
            }
        );
        let one = RefundPolicy {
            window_days: 1,
            ..RefundPolicy::default()
        };
        let RefundDecision::OutsideWindow { answer } = decide(
            &one,
            C::Cancellation,
            Some(d("2026-02-27")),
            d("2026-03-01"),
        ) else {
            panic!("expected a refusal");
        };
        assert!(
            answer.starts_with(
                "Our policy accepts cancellation requests within 1 day of the order; \
                 this request comes 2 days after it (2026-02-27)"
            ),
            "{answer}"
        );
    }

    #[test]
    fn windows_across_month_and_year_ends() {
        let cases = [
            (30, "2026-01-31", "2026-03-02"),
            (30, "2024-01-31", "2024-03-01"), // leap year
            (1, "2026-12-31", "2027-01-01"),
            (365, "2027-03-01", "2028-02-29"),
            (0, "2026-05-05", "2026-05-05"),
        ];
        for (days, reference, ends) in cases {
            let p = RefundPolicy {
                window_days: days,
                ..RefundPolicy::default()
            };
            assert_eq!(window_ends(&p, d(reference)), d(ends), "{days} {reference}");
        }
        let huge = RefundPolicy {
            window_days: u32::MAX,
            ..RefundPolicy::default()
        };
        assert_eq!(window_ends(&huge, d("2026-01-01")), NaiveDate::MAX);
        assert_eq!(
            decide(
                &huge,
                C::ReturnRefund,
                Some(d("2026-01-01")),
                d("2099-01-01")
            ),
            RefundDecision::NeedsApproval {
                approver_role: Role::AccountManager,
                window_ends: NaiveDate::MAX,
            }
        );
    }

    #[test]
    fn validation_and_json() {
        assert!(validate_policy(&RefundPolicy::default()).is_empty());
        let cases = [
            (0, Role::AccountManager, vec![("window_days", "minimum")]),
            (1, Role::Csm, vec![]),
            (3650, Role::Admin, vec![]),
            (3651, Role::Admin, vec![("window_days", "maximum")]),
            (
                0,
                Role::ClientAdmin,
                vec![("window_days", "minimum"), ("approver_role", "one_of")],
            ),
            (30, Role::ClientMember, vec![("approver_role", "one_of")]),
        ];
        for (window_days, approver_role, want) in cases {
            let errs = validate_policy(&RefundPolicy {
                window_days,
                approver_role,
            });
            let got: Vec<(&str, &str)> = errs
                .iter()
                .map(|e| (e.field.as_str(), e.rule.as_str()))
                .collect();
            assert_eq!(got, want, "{window_days} {approver_role:?}");
        }
        let v = serde_json::to_value(needs("2026-10-31")).expect("serialise");
        assert_eq!(
            v,
            serde_json::json!({"type": "needs_approval", "approver_role": "account_manager",
                               "window_ends": "2026-10-31"})
        );
        let v = serde_json::to_value(RefundDecision::NotApplicable).expect("serialise");
        assert_eq!(v, serde_json::json!({"type": "not_applicable"}));
        let p: RefundPolicy =
            serde_json::from_str(r#"{"window_days":14,"approver_role":"csm"}"#).expect("parse");
        assert_eq!(p.window_days, 14);
        assert!(
            serde_json::from_str::<RefundPolicy>(
                r#"{"window_days":14,"approver_role":"csm","x":1}"#
            )
            .is_err()
        );
    }
}
