//! The route × role matrix: every API operation, called as every role (and anonymously),
//! must answer the status this table says. A test also checks that every operation in the
//! OpenAPI document has rows here, so each new route must join the table.

mod common;

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use common::{TestApp, spawn_app};

/// Column order of the expectations.
const ROLES: [&str; 8] = [
    "anonymous",
    "admin",
    "csm",
    "account_manager",
    "support_agent",
    "sales",
    "client_admin",
    "client_member",
];

const LOGINS: [(&str, &str); 7] = [
    ("admin", "admin@magicstore.test"),
    ("csm", "csm1@magicstore.test"),
    ("account_manager", "account@magicstore.test"),
    ("support_agent", "agent1@magicstore.test"),
    ("sales", "sales@magicstore.test"),
    ("client_admin", "admin@fashop.test"),
    ("client_member", "member@fashop.test"),
];

struct Fixture {
    vendor: String,
    fashop: String,
    bianchi: String,
    fashop_member: String,
    bianchi_admin: String,
    bianchi_member: String,
    verdi: String,
}

struct Row {
    method: Method,
    /// With `{vendor}`, `{fashop}`, … standing for fixture ids.
    path: &'static str,
    body: Option<Value>,
    /// Per role, in `ROLES` order.
    expect: [u16; 8],
}

fn row(method: Method, path: &'static str, body: Option<Value>, expect: [u16; 8]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

fn table() -> Vec<Row> {
    use Method as M;
    let new_org = || Some(json!({"name": "Matrix Srl"}));
    vec![
        row(
            M::GET,
            "/health",
            None,
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/openapi.json",
            None,
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/auth/login",
            Some(json!({"email": "{role}@nobody.test", "password": "wrong password"})),
            [401, 401, 401, 401, 401, 401, 401, 401],
        ),
        row(
            M::POST,
            "/auth/refresh",
            Some(json!({"refresh_token": "rt_bogus"})),
            [401, 401, 401, 401, 401, 401, 401, 401],
        ),
        row(
            M::GET,
            "/me",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::PATCH,
            "/me",
            Some(json!({"name": "Renamed Self"})),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/auth/password",
            Some(
                json!({"current_password": "not my password", "new_password": "a brand new passphrase"}),
            ),
            [401, 422, 422, 422, 422, 422, 422, 422],
        ),
        // Organisations: CSMs see their own clients and the vendor; clients only their own.
        row(
            M::GET,
            "/organizations",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/organizations",
            new_org(),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/organizations/{fashop}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/organizations/{bianchi}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::GET,
            "/organizations/{vendor}",
            None,
            [401, 200, 200, 200, 200, 200, 404, 404],
        ),
        row(
            M::PATCH,
            "/organizations/{fashop}",
            Some(json!({"segment": "matrix"})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::PATCH,
            "/organizations/{bianchi}",
            Some(json!({"segment": "matrix"})),
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        // Users follow their organisation's visibility.
        row(
            M::GET,
            "/users",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::POST,
            "/users",
            Some(
                json!({"email": "matrix@verdi.test", "name": "Matrix", "role": "client_member", "organization_id": "{verdi}"}),
            ),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::GET,
            "/users/{fashop_member}",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        row(
            M::GET,
            "/users/{bianchi_admin}",
            None,
            [401, 200, 404, 200, 200, 200, 404, 404],
        ),
        row(
            M::PATCH,
            "/users/{fashop_member}",
            Some(json!({"name": "Filippo F."})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::PATCH,
            "/users/{bianchi_member}",
            Some(json!({"name": "Beatrice B."})),
            [401, 200, 404, 403, 403, 403, 404, 404],
        ),
        // Departments: staff read, admins write.
        row(
            M::GET,
            "/departments",
            None,
            [401, 200, 200, 200, 200, 200, 403, 403],
        ),
        row(
            M::POST,
            "/departments",
            Some(json!({"name": "Matrix department"})),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        // Invitations: admins only; accepting is public.
        row(
            M::GET,
            "/invitations",
            None,
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/invitations",
            Some(
                json!({"email": "invited@verdi.test", "name": "Invited", "role": "client_member", "organization_id": "{verdi}"}),
            ),
            [401, 201, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/invitations/accept",
            Some(json!({"token": "inv_bogus", "password": "a long passphrase"})),
            [410, 410, 410, 410, 410, 410, 410, 410],
        ),
        // Jobs: admins only.
        row(
            M::GET,
            "/admin/jobs",
            None,
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        row(
            M::POST,
            "/admin/jobs/01a20000-0000-7000-8000-000000000000/retry",
            None,
            [401, 404, 403, 403, 403, 403, 403, 403],
        ),
        // Real time: everyone signed in has their own stream.
        row(
            M::GET,
            "/events",
            None,
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // A plain GET (no upgrade headers) is refused after authentication.
        row(
            M::GET,
            "/ws",
            None,
            [401, 422, 422, 422, 422, 422, 422, 422],
        ),
        // Last: logging out ends the caller's session.
        row(
            M::POST,
            "/auth/logout",
            Some(json!({"refresh_token": "rt_not_mine"})),
            [401, 204, 204, 204, 204, 204, 204, 204],
        ),
    ]
}

fn fill(text: &str, f: &Fixture) -> String {
    text.replace("{vendor}", &f.vendor)
        .replace("{fashop}", &f.fashop)
        .replace("{bianchi}", &f.bianchi)
        .replace("{verdi}", &f.verdi)
        .replace("{fashop_member}", &f.fashop_member)
        .replace("{bianchi_admin}", &f.bianchi_admin)
        .replace("{bianchi_member}", &f.bianchi_member)
}

async fn fixture(app: &TestApp, admin: &str) -> Fixture {
    let res = app.post_json("/users", Some(admin), &json!({"email": "sales@magicstore.test", "name": "Sara Sala", "role": "sales", "password": common::PASSWORD})).await;
    assert_eq!(res.status(), 201);
    Fixture {
        vendor: app.org_id(admin, "MagicStore").await,
        fashop: app.org_id(admin, "FaShop Srl").await,
        bianchi: app.org_id(admin, "Bianchi Sport").await,
        verdi: app.org_id(admin, "Verdi Arredamenti").await,
        fashop_member: app.user_id(admin, "member@fashop.test").await,
        bianchi_admin: app.user_id(admin, "admin@bianchi.test").await,
        bianchi_member: app.user_id(admin, "member@bianchi.test").await,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_policy_says() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let f = fixture(&app, &admin).await;
    let mut tokens = vec![None];
    for (_, email) in LOGINS {
        tokens.push(Some(app.token(email).await));
    }
    let mut failures = Vec::new();
    for r in table() {
        let path = fill(r.path, &f);
        for (i, role) in ROLES.iter().enumerate() {
            let mut req = app.request(r.method.clone(), &path, tokens[i].as_deref());
            if let Some(body) = &r.body {
                // `{role}` keeps rows that count per account (login throttling) apart.
                let body: Value =
                    serde_json::from_str(&fill(&body.to_string(), &f).replace("{role}", role))
                        .expect("body");
                req = req.json(&body);
            }
            let res = req.send().await.expect("request");
            let got = res.status().as_u16();
            if got != r.expect[i] {
                let text = res.text().await.unwrap_or_default();
                failures.push(format!(
                    "{} {} as {role}: expected {}, got {got} {text}",
                    r.method, r.path, r.expect[i]
                ));
            } else if got >= 400 {
                let ct = res
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                if ct != "application/problem+json" {
                    failures.push(format!(
                        "{} {} as {role}: {got} without problem+json ({ct})",
                        r.method, r.path
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_documented_operation_has_matrix_rows() {
    let doc = serde_json::to_value(api::openapi::document()).expect("openapi");
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            let path = path.trim_start_matches("/api/v1").to_string();
            item.as_object()
                .expect("item")
                .keys()
                .filter(|k| ["get", "post", "patch", "put", "delete"].contains(&k.as_str()))
                .map(move |m| format!("{} {}", m.to_uppercase(), normalise(&path)))
                .collect::<Vec<_>>()
        })
        .collect();
    let covered: BTreeSet<String> = table()
        .iter()
        .map(|r| format!("{} {}", r.method, normalise(r.path)))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "operations without matrix rows: {missing:?}"
    );
}

/// `/organizations/{id}` and `/organizations/{fashop}` are the same route.
fn normalise(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{')
                || seg.len() == 36 && seg.chars().filter(|c| *c == '-').count() == 4
            {
                "{}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
