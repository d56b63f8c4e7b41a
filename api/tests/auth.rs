//! Sign-in, tokens and sessions, including the ways a forged or stale token must fail.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

use common::{assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn login_returns_tokens_and_the_user() {
    let app = spawn_app().await;
    app.load_demo().await;
    let t = app.login("CSM1@MagicStore.test ").await;
    assert_eq!(t.token_type, "Bearer");
    assert!(t.expires_in > 0 && t.expires_in <= 900);
    assert_eq!(t.user.email, "csm1@magicstore.test");
    assert_eq!(t.user.role, shared::Role::Csm);
    let me = app.get_ok("/me", &t.access_token).await;
    assert_eq!(me["email"], "csm1@magicstore.test");
    assert_eq!(me["organization_name"], "MagicStore");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = spawn_app().await;
    app.load_demo().await;
    let wrong = app
        .post_json(
            "/auth/login",
            None,
            &json!({"email": "csm1@magicstore.test", "password": "not the password"}),
        )
        .await;
    let a = assert_problem(wrong, 401, "invalid_credentials").await;
    let unknown = app
        .post_json(
            "/auth/login",
            None,
            &json!({"email": "ghost@magicstore.test", "password": "not the password"}),
        )
        .await;
    let b = assert_problem(unknown, 401, "invalid_credentials").await;
    assert_eq!(a, b);
}

#[tokio::test]
async fn login_is_throttled_per_account_and_per_ip() {
    let app = spawn_app_with(|c| {
        c.login_max_failures_per_account = 3;
        c.login_max_attempts_per_ip = 8;
    })
    .await;
    app.load_demo().await;
    let bad = json!({"email": "csm2@magicstore.test", "password": "guessing wrong"});
    for _ in 0..3 {
        assert_eq!(app.post_json("/auth/login", None, &bad).await.status(), 401);
    }
    let res = app.post_json("/auth/login", None, &bad).await;
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=300).contains(&retry));
    assert_problem(res, 429, "rate_limited").await;
    // Even the right password waits: the account is locked for the window.
    let right = json!({"email": "csm2@magicstore.test", "password": common::PASSWORD});
    assert_eq!(
        app.post_json("/auth/login", None, &right).await.status(),
        429
    );
    // Another account from the same address still works until the address's own limit.
    assert_eq!(
        app.post_json(
            "/auth/login",
            None,
            &json!({"email": "csm1@magicstore.test", "password": common::PASSWORD})
        )
        .await
        .status(),
        200
    );
    let mut last = 200;
    for _ in 0..5 {
        last = app
            .post_json(
                "/auth/login",
                None,
                &json!({"email": "agent1@magicstore.test", "password": common::PASSWORD}),
            )
            .await
            .status()
            .as_u16();
    }
    assert_eq!(last, 429, "the IP limit applies across accounts");
}

/// Guesses sent all at once: the limit is checked and the attempt counted in one step, before
/// the slow password check, so no more guesses than the limit are ever verified; the others
/// wait, and so does the right password until the window ends.
#[tokio::test]
async fn concurrent_wrong_passwords_cannot_outrun_the_account_limit() {
    let app = spawn_app_with(|c| {
        c.login_max_failures_per_account = 5;
        c.login_max_attempts_per_ip = 100;
    })
    .await;
    app.load_demo().await;
    let bad = json!({"email": "csm2@magicstore.test", "password": "guessing wrong"});
    let answers = futures_util::future::join_all((0..20).map(|_| async {
        let res = app.post_json("/auth/login", None, &bad).await;
        let retry: Option<u64> = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        (res.status().as_u16(), retry)
    }))
    .await;
    let verified = answers.iter().filter(|(status, _)| *status == 401).count();
    assert_eq!(
        verified, 5,
        "guesses checked against the password: {answers:?}"
    );
    for (status, retry) in &answers {
        assert!(
            *status == 401 || (*status == 429 && retry.is_some_and(|r| (1..=300).contains(&r))),
            "each guess is refused or told to wait (with Retry-After): {answers:?}"
        );
    }
    let right = json!({"email": "csm2@magicstore.test", "password": common::PASSWORD});
    assert_problem(
        app.post_json("/auth/login", None, &right).await,
        429,
        "rate_limited",
    )
    .await;
}

async fn refresh(app: &common::TestApp, token: &str) -> reqwest::Response {
    app.post_json("/auth/refresh", None, &json!({"refresh_token": token}))
        .await
}

/// A refresh token works once. One that comes back after its exchange was copied, and the
/// server cannot tell who holds the copy: the whole session ends, so the token issued in its
/// place, that token's successors and the session's access tokens stop working as well.
/// The user's other sessions are not touched.
#[tokio::test]
async fn a_replayed_refresh_token_ends_its_whole_session() {
    let app = spawn_app().await;
    app.load_demo().await;
    let first = app.login("agent1@magicstore.test").await;
    let other = app.login("agent1@magicstore.test").await;
    let res = refresh(&app, &first.refresh_token).await;
    assert_eq!(res.status(), 200);
    let second: shared::auth::TokenResponse = res.json().await.expect("tokens");
    assert_ne!(second.refresh_token, first.refresh_token);
    let res = refresh(&app, &second.refresh_token).await;
    assert_eq!(res.status(), 200);
    let third: shared::auth::TokenResponse = res.json().await.expect("tokens");
    app.get_ok("/me", &third.access_token).await;

    // The first token comes back (an attacker's copy, or the owner's stale one).
    assert_problem(
        refresh(&app, &first.refresh_token).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert_problem(
        refresh(&app, &third.refresh_token).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert_problem(
        app.get("/me", Some(&third.access_token)).await,
        401,
        "unauthenticated",
    )
    .await;
    // Asking again changes nothing, and the user's other session lives on.
    assert_problem(
        refresh(&app, &second.refresh_token).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    app.get_ok("/me", &other.access_token).await;
    assert_eq!(refresh(&app, &other.refresh_token).await.status(), 200);
}

/// Two refreshes with one token at the same moment: at most one gets new tokens (the row is
/// changed only while it still holds the old token), and the other is a replay.
#[tokio::test]
async fn concurrent_refreshes_with_one_token_do_not_both_succeed() {
    let app = spawn_app_with(|c| c.database_pool_size = 8).await;
    app.load_demo().await;
    for round in 0..3 {
        let login = app.login("agent1@magicstore.test").await;
        let answers =
            futures_util::future::join_all((0..6).map(|_| refresh(&app, &login.refresh_token)))
                .await;
        let mut issued = Vec::new();
        for res in answers {
            match res.status().as_u16() {
                200 => {
                    let t: shared::auth::TokenResponse = res.json().await.expect("tokens");
                    issued.push(t);
                }
                _ => {
                    assert_problem(res, 401, "invalid_refresh_token").await;
                }
            }
        }
        assert!(
            issued.len() <= 1,
            "round {round}: {} refreshes succeeded",
            issued.len()
        );
        // The losers were replays, so whatever was issued is dead too.
        for t in &issued {
            assert_eq!(refresh(&app, &t.refresh_token).await.status(), 401);
            assert_eq!(app.get("/me", Some(&t.access_token)).await.status(), 401);
        }
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_its_access_tokens() {
    let app = spawn_app().await;
    app.load_demo().await;
    let t = app.login("admin@fashop.test").await;
    let other = app.login("admin@fashop.test").await;
    let res = app
        .post_json(
            "/auth/logout",
            Some(&t.access_token),
            &json!({"refresh_token": t.refresh_token}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_problem(
        app.get("/me", Some(&t.access_token)).await,
        401,
        "unauthenticated",
    )
    .await;
    assert_problem(
        app.post_json(
            "/auth/refresh",
            None,
            &json!({"refresh_token": t.refresh_token}),
        )
        .await,
        401,
        "invalid_refresh_token",
    )
    .await;
    // Only that session ended.
    app.get_ok("/me", &other.access_token).await;
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = spawn_app().await;
    app.load_demo().await;
    let here = app.login("member@verdi.test").await;
    let elsewhere = app.login("member@verdi.test").await;
    let weak = app
        .post_json(
            "/auth/password",
            Some(&here.access_token),
            &json!({"current_password": common::PASSWORD, "new_password": "short"}),
        )
        .await;
    let body = assert_problem(weak, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "new_password");
    let res = app
        .post_json(
            "/auth/password",
            Some(&here.access_token),
            &json!({"current_password": common::PASSWORD, "new_password": "a new long passphrase"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    app.get_ok("/me", &here.access_token).await;
    assert_eq!(
        app.get("/me", Some(&elsewhere.access_token)).await.status(),
        401
    );
    assert_eq!(
        app.post_json(
            "/auth/refresh",
            None,
            &json!({"refresh_token": elsewhere.refresh_token})
        )
        .await
        .status(),
        401
    );
    let old = app
        .post_json(
            "/auth/login",
            None,
            &json!({"email": "member@verdi.test", "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(old.status(), 401);
    let new = app
        .post_json(
            "/auth/login",
            None,
            &json!({"email": "member@verdi.test", "password": "a new long passphrase"}),
        )
        .await;
    assert_eq!(new.status(), 200);
}

#[tokio::test]
async fn deactivated_users_cannot_sign_in_or_keep_their_session() {
    let app = spawn_app().await;
    app.load_demo().await;
    let admin = app.token("admin@magicstore.test").await;
    let member = app.login("member@bianchi.test").await;
    let id = app.user_id(&admin, "member@bianchi.test").await;
    assert_eq!(
        app.patch_json(
            &format!("/users/{id}"),
            Some(&admin),
            &json!({"active": false})
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        app.get("/me", Some(&member.access_token)).await.status(),
        401
    );
    let res = app
        .post_json(
            "/auth/login",
            None,
            &json!({"email": "member@bianchi.test", "password": common::PASSWORD}),
        )
        .await;
    assert_problem(res, 401, "invalid_credentials").await;
}

/// Claims the server would accept, to be spoiled one way at a time.
fn claims(sub: &str, sid: &str) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": sub, "sid": sid, "iss": "tandem", "aud": "tandem-api", "iat": now, "exp": now + 600})
}

#[tokio::test]
async fn forged_expired_and_misaddressed_tokens_are_refused() {
    let app = spawn_app().await;
    app.load_demo().await;
    let real = app.login("csm1@magicstore.test").await.access_token;
    let parts: Vec<&str> = real.split('.').collect();
    let payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("claims");
    let (sub, sid) = (
        payload["sub"].as_str().expect("sub"),
        payload["sid"].as_str().expect("sid"),
    );
    // The real signing key, read from where the server keeps it, to prove that only the
    // spoiled part is what makes each token fail.
    let secret = app
        .state
        .db
        .run(|conn| api::setup::token_secret(conn, ""))
        .await
        .expect("secret");
    let sign = |c: &serde_json::Value, key: &[u8]| {
        encode(
            &Header::new(Algorithm::HS256),
            c,
            &EncodingKey::from_secret(key),
        )
        .expect("sign")
    };
    assert_eq!(
        app.get("/me", Some(&sign(&claims(sub, sid), &secret)))
            .await
            .status(),
        200,
        "control: a well-formed token works"
    );

    let mut cases: Vec<(&str, String)> = Vec::new();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    cases.push(("alg none", format!("{none_header}.{}.", parts[1])));
    cases.push((
        "wrong key",
        sign(&claims(sub, sid), b"some other key that is long enough!!"),
    ));
    let mut expired = claims(sub, sid);
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    cases.push(("expired", sign(&expired, &secret)));
    let mut aud = claims(sub, sid);
    aud["aud"] = json!("someone-else");
    cases.push(("wrong aud", sign(&aud, &secret)));
    let mut iss = claims(sub, sid);
    iss["iss"] = json!("evil");
    cases.push(("wrong iss", sign(&iss, &secret)));
    let mut other_user = payload.clone();
    other_user["sub"] = json!("01a20000-0000-7000-8000-000000000001");
    let tampered = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&other_user).expect("json"));
    cases.push((
        "tampered payload",
        format!("{}.{tampered}.{}", parts[0], parts[2]),
    ));
    let hs512 = encode(
        &Header::new(Algorithm::HS512),
        &claims(sub, sid),
        &EncodingKey::from_secret(&secret),
    )
    .expect("sign");
    cases.push(("other algorithm", hs512));
    cases.push(("garbage", "abc.def.ghi".into()));
    for (name, token) in cases {
        let res = app.get("/me", Some(&token)).await;
        assert_eq!(res.status(), 401, "{name}");
        assert_problem(res, 401, "unauthenticated").await;
    }
    let res = app
        .client
        .get(app.url("/me"))
        .header("Authorization", format!("Basic {real}"))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 401, "not a bearer scheme");
}

#[tokio::test]
async fn agents_set_their_own_availability_and_others_cannot() {
    let app = spawn_app().await;
    app.load_demo().await;
    let agent = app.token("agent1@magicstore.test").await;
    // The demo's agents start online, so that new tickets find someone.
    assert_eq!(app.get_ok("/me", &agent).await["availability"], "online");
    let res = app
        .patch_json("/me", Some(&agent), &json!({"availability": "away"}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.get_ok("/me", &agent).await["availability"], "away");
    let csm = app.token("csm1@magicstore.test").await;
    let res = app
        .patch_json("/me", Some(&csm), &json!({"availability": "online"}))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "availability");
    let res = app
        .patch_json("/me", Some(&csm), &json!({"name": "  "}))
        .await;
    assert_problem(res, 422, "validation_failed").await;
}
