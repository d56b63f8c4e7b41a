//! Routing: the cluster decides the department. An administrator keeps one route
//! per cluster; a route may also ask for a skill, which assignment then prefers. A cluster
//! without a route leaves the ticket without a department, for a person to route by hand.

use serde::{Deserialize, Serialize};

use super::Cluster;
use crate::FieldError;

/// Where tickets of one cluster go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "cluster": "billing", "department_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e20",
    "required_skill": "invoicing"
})))]
#[serde(deny_unknown_fields)]
pub struct ClusterRoute {
    pub cluster: Cluster,
    pub department_id: String,
    /// A skill the assignee should have (assignment prefers agents who have it).
    #[serde(default)]
    pub required_skill: Option<String>,
}

/// The route for `cluster`; the first one wins if an (unvalidated) list has several.
pub fn route(routes: &[ClusterRoute], cluster: Cluster) -> Option<&ClusterRoute> {
    routes.iter().find(|r| r.cluster == cluster)
}

/// The department that handles technical work in the default routing.
pub const TECHNICAL_SUPPORT: &str = "Technical support";
/// The department that handles money and contracts in the default routing.
pub const BILLING_AND_ACCOUNTS: &str = "Billing and accounts";

/// The department names the default routing uses (demo/first start): technical_problem,
/// usage_help, product_not_working → "Technical support"; billing, return_refund,
/// cancellation → "Billing and accounts".
pub fn default_department_name(cluster: Cluster) -> &'static str {
    match cluster {
        Cluster::TechnicalProblem | Cluster::UsageHelp | Cluster::ProductNotWorking => {
            TECHNICAL_SUPPORT
        }
        Cluster::Billing | Cluster::ReturnRefund | Cluster::Cancellation => BILLING_AND_ACCOUNTS,
    }
}

/// The default routes, given how to find a department's id by its name (at first start the
/// API creates the two departments and then these routes). Clusters whose department is not
/// found are left out.
pub fn default_routes(mut department_id: impl FnMut(&str) -> Option<String>) -> Vec<ClusterRoute> {
    Cluster::ALL
        .into_iter()
        .filter_map(|cluster| {
            department_id(default_department_name(cluster)).map(|department_id| ClusterRoute {
                cluster,
                department_id,
                required_skill: None,
            })
        })
        .collect()
}

/// Clusters no route covers, in [`Cluster::ALL`] order (the settings page warns about them).
pub fn unrouted(routes: &[ClusterRoute]) -> Vec<Cluster> {
    Cluster::ALL
        .into_iter()
        .filter(|c| route(routes, *c).is_none())
        .collect()
}

/// A whole routing table: each route names a department, a skill is a short non-empty text,
/// and no cluster has two routes (which one would win would be a surprise).
pub fn validate_routes(routes: &[ClusterRoute]) -> Vec<FieldError> {
    let mut errors = crate::validate::Errors::default();
    for (i, r) in routes.iter().enumerate() {
        if routes[..i]
            .iter()
            .any(|earlier| earlier.cluster == r.cluster)
        {
            errors.0.push(FieldError::new(
                format!("routes[{i}].cluster"),
                "duplicate",
                format!("{} already has a route", r.cluster.label()),
            ));
        }
        errors.required_text(
            &format!("routes[{i}].department_id"),
            &r.department_id,
            crate::validate::NAME_MAX,
        );
        if let Some(skill) = &r.required_skill {
            errors.required_text(
                &format!("routes[{i}].required_skill"),
                skill,
                crate::validate::SKILL_MAX,
            );
        }
    }
    errors.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cluster as C;

    fn r(cluster: C, dept: &str) -> ClusterRoute {
        ClusterRoute {
            cluster,
            department_id: dept.to_string(),
            required_skill: None,
        }
    }

    #[test]
    fn each_cluster_finds_its_route() {
        let routes: Vec<ClusterRoute> = C::ALL
            .into_iter()
            .map(|c| r(c, &format!("dept-{}", c.as_str())))
            .collect();
        for c in C::ALL {
            let found = route(&routes, c).expect("routed");
            assert_eq!(found.cluster, c);
            assert_eq!(found.department_id, format!("dept-{}", c.as_str()));
        }
        assert!(unrouted(&routes).is_empty());
    }

    #[test]
    fn missing_routes_are_none() {
        let routes = vec![r(C::Billing, "b"), r(C::UsageHelp, "u")];
        for c in C::ALL {
            let want = match c {
                C::Billing => Some("b"),
                C::UsageHelp => Some("u"),
                _ => None,
            };
            assert_eq!(route(&routes, c).map(|x| x.department_id.as_str()), want);
        }
        assert_eq!(
            unrouted(&routes),
            vec![
                C::TechnicalProblem,
                C::ProductNotWorking,
                C::ReturnRefund,
                C::Cancellation
            ]
        );
        assert_eq!(route(&[], C::Billing), None);
        assert_eq!(unrouted(&[]), C::ALL.to_vec());
    }

    #[test]
    fn first_route_wins() {
        let routes = vec![r(C::Billing, "first"), r(C::Billing, "second")];
        assert_eq!(
            route(&routes, C::Billing).map(|x| x.department_id.as_str()),
            Some("first")
        );
    }

    #[test]
    fn default_departments() {
        for c in C::ALL {
            let want = match c {
                C::TechnicalProblem | C::UsageHelp | C::ProductNotWorking => "Technical support",
                C::Billing | C::ReturnRefund | C::Cancellation => "Billing and accounts",
            };
            assert_eq!(default_department_name(c), want, "{c:?}");
        }
    }

    #[test]
    fn default_routes_use_the_departments_found() {
        let routes = default_routes(|name| match name {
            TECHNICAL_SUPPORT => Some("tech".to_string()),
            BILLING_AND_ACCOUNTS => Some("money".to_string()),
            _ => None,
        });
        assert_eq!(routes.len(), 6);
        assert!(validate_routes(&routes).is_empty());
        for c in C::ALL {
            let want = if default_department_name(c) == TECHNICAL_SUPPORT {
                "tech"
            } else {
                "money"
            };
            let found = route(&routes, c).expect("routed");
            assert_eq!(found.department_id, want);
            assert_eq!(found.required_skill, None);
        }
        let only_tech = default_routes(|name| (name == TECHNICAL_SUPPORT).then(|| "t".into()));
        assert_eq!(
            unrouted(&only_tech),
            vec![C::Billing, C::ReturnRefund, C::Cancellation]
        );
    }

    #[test]
    fn validation() {
        let mut bad = vec![
            r(C::Billing, "b"),
            r(C::Billing, "b2"),
            r(C::UsageHelp, "  "),
            r(C::Cancellation, "c"),
        ];
        bad[3].required_skill = Some(String::new());
        bad[0].required_skill = Some("x".repeat(51));
        let errs = validate_routes(&bad);
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.rule.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("routes[0].required_skill", "too_long"),
                ("routes[1].cluster", "duplicate"),
                ("routes[2].department_id", "required"),
                ("routes[3].required_skill", "required"),
            ]
        );
        assert_eq!(errs[1].message, "Billing already has a route");
        let mut ok = vec![r(C::Billing, "b")];
        ok[0].required_skill = Some("x".repeat(50));
        assert!(validate_routes(&ok).is_empty());
    }

    #[test]
    fn json_shape() {
        let json = r#"{"cluster":"return_refund","department_id":"d1"}"#;
        let route: ClusterRoute = serde_json::from_str(json).expect("parse");
        assert_eq!(route, r(C::ReturnRefund, "d1"));
        let unknown = r#"{"cluster":"billing","department_id":"d","colour":"red"}"#;
        assert!(serde_json::from_str::<ClusterRoute>(unknown).is_err());
        let bad_cluster = r#"{"cluster":"complaints","department_id":"d"}"#;
        assert!(serde_json::from_str::<ClusterRoute>(bad_cluster).is_err());
    }
}
