#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! Unified government platform login through a real OpenID provider of our own: the browser's
//! redirects are followed by hand, every hop over HTTP between real processes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use e2e::oidc::{Browser, Misbehave, MockOidc, MockOidcConfig, NextLogin, path, platform_with_sso, query};
use e2e::{ADMIN_PASSWORD, DEMO_PASSWORD, Server};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const NURSE_ID_NUMBER: &str = "370126199003050024";
const HOSPITAL_USCC: &str = "12370126MB00000046";

/// The hops of one login, as a browser makes them.
struct Journey {
    browser: Browser,
    /// Our redirect to the provider's authorization endpoint.
    authorize: String,
    /// The provider's redirect back to our callback.
    callback: String,
    /// Our final redirect into the SPA.
    landing: String,
}

/// Starts a login in a new browser and follows the redirects up to the SPA.
async fn journey(server: &Server, return_to: &str) -> Journey {
    let mut browser = Browser::default();
    let authorize = browser.start_login(server, return_to).await;
    let callback = browser.go(server, &authorize).await;
    let landing = browser.go(server, &callback).await;
    Journey { browser, authorize, callback, landing }
}

/// Exchanges the one-time code of a `/sso/complete?code=…` landing for tokens, in its browser.
async fn exchange(server: &Server, journey: &Journey) -> Value {
    let landing = &journey.landing;
    assert_eq!(path(landing), "/sso/complete", "not signed in: {landing}");
    let code = &query(landing)["code"];
    let (status, body) = journey.browser.post(server, "/auth/sso/exchange", &json!({ "code": code })).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn audit(server: &Server, action: &str) -> Vec<Value> {
    let admin = server.login("admin", ADMIN_PASSWORD).await.unwrap();
    let (status, page) =
        server.get(Some(&admin), &format!("/admin/audit?action={action}&page_size=100")).await.unwrap();
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn start() -> (MockOidc, Server) {
    let oidc = MockOidc::start(MockOidcConfig::default()).await.unwrap();
    let server = platform_with_sso(&oidc, &[]).await.unwrap();
    (oidc, server)
}

#[tokio::test]
async fn a_person_signs_in_through_the_platform_and_is_bound_by_her_verified_id_number() {
    let (oidc, server) = start().await;
    let (status, config) = server.get(None, "/auth/sso/config").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(config, json!({"enabled": true, "display_name": "山东省政务统一平台"}));

    oidc.next_login(NextLogin::claims(json!({"sub": "sd-0001", "name": "张护士", "id_number": NURSE_ID_NUMBER})));
    let first = journey(&server, "/declarations").await;

    // The authorization request: code flow, our client and callback, state, nonce, PKCE S256.
    assert!(first.authorize.starts_with(&format!("{}/authorize?", oidc.issuer)), "{}", first.authorize);
    let request = query(&first.authorize);
    assert_eq!(request["response_type"], "code");
    assert_eq!(request["client_id"], "zhicheng");
    assert_eq!(request["redirect_uri"], server.url("/auth/sso/callback"));
    assert!(request["scope"].split(' ').any(|scope| scope == "openid"));
    assert_eq!(request["code_challenge_method"], "S256");
    assert!(request["state"].len() >= 43 && request["nonce"].len() >= 43);
    assert_eq!(query(&first.callback)["state"], request["state"]);

    // Signed in: a one-time code for the SPA, never our tokens, in the URL.
    assert_eq!(path(&first.landing), "/sso/complete");
    assert!(!first.landing.contains("token"));
    let tokens = exchange(&server, &first).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert_eq!(tokens["return_to"], "/declarations");
    let access = tokens["access_token"].as_str().unwrap();
    let (_, me) = server.get(Some(access), "/me").await.unwrap();
    assert_eq!(me["username"], "nurse_zhang");
    let (status, binding) = server.get(Some(access), "/me/sso-binding").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(binding["issuer"], oidc.issuer);
    assert_eq!(binding["subject"], "sd-0001");

    // The provider saw the PKCE verifier that answers the challenge, and our client secret.
    let seen = oidc.seen();
    assert_eq!(seen.token.len(), 1);
    let verifier = &seen.token[0]["code_verifier"];
    assert_eq!(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())), request["code_challenge"]);
    assert_eq!(seen.token[0]["client_auth"], "basic");

    // The login code is single use; the session is a real one.
    let code = &query(&first.landing)["code"];
    let (status, problem) = first.browser.post(&server, "/auth/sso/exchange", &json!({ "code": code })).await;
    assert_eq!((status, problem["code"].as_str()), (401, Some("invalid_login_code")));
    let (status, _) =
        server.post(None, "/auth/refresh", &json!({"refresh_token": tokens["refresh_token"]})).await.unwrap();
    assert_eq!(status, 200);

    // The binding is in the audit trail.
    let bound = audit(&server, "sso_bind").await;
    assert_eq!(bound.len(), 1);
    assert_eq!(bound[0]["actor_name"], "张护士");
    assert_eq!(bound[0]["detail"]["matched_by"], "id_number");
    assert_eq!(bound[0]["detail"]["subject"], "sd-0001");

    // Next time the binding decides, by (issuer, subject), whatever else the token says.
    oidc.next_login(NextLogin::claims(json!({"sub": "sd-0001"})));
    let second = journey(&server, "/").await;
    let tokens = exchange(&server, &second).await;
    let (_, me) = server.get(Some(tokens["access_token"].as_str().unwrap()), "/me").await.unwrap();
    assert_eq!(me["username"], "nurse_zhang");
    assert_eq!(audit(&server, "sso_bind").await.len(), 1, "no second binding");

    // Unbinding is audited; the binding is gone.
    let (status, _) = server.delete(access, "/me/sso-binding").await.unwrap();
    assert_eq!(status, 204);
    let (status, _) = server.get(Some(access), "/me/sso-binding").await.unwrap();
    assert_eq!(status, 404);
    assert_eq!(audit(&server, "sso_unbind").await.len(), 1);
}

#[tokio::test]
async fn an_org_admin_signs_in_by_the_verified_credit_code() {
    let (oidc, server) = start().await;
    oidc.next_login(NextLogin::claims(json!({
        "sub": "sd-legal-0046", "name": "孙主任", "uscc": HOSPITAL_USCC, "org_name": "济南市济阳区人民医院",
    })));
    let tokens = exchange(&server, &journey(&server, "/org").await).await;
    let access = tokens["access_token"].as_str().unwrap();
    let (_, me) = server.get(Some(access), "/me").await.unwrap();
    assert_eq!(me["username"], "jiyang_hospital");
    assert_eq!(me["role"], "org_admin");
    assert_eq!(me["org"]["uscc"], HOSPITAL_USCC);
    let (status, binding) = server.get(Some(access), "/me/sso-binding").await.unwrap();
    assert_eq!((status, binding["subject"].as_str()), (200, Some("sd-legal-0046")));
    let bound = audit(&server, "sso_bind").await;
    assert_eq!(bound.len(), 1);
    assert_eq!(bound[0]["detail"]["matched_by"], "uscc");
    assert_eq!(bound[0]["actor_id"], me["id"]);
}

#[tokio::test]
async fn a_person_without_an_account_registers_with_the_verified_name_and_id_number() {
    let (oidc, server) = start().await;
    oidc.next_login(NextLogin::claims(
        json!({"sub": "sd-new-0001", "name": "王医生", "id_number": "11010519491231002X"}),
    ));
    let registering = journey(&server, "/declarations/new").await;
    let (browser, landing) = (&registering.browser, &registering.landing);
    assert_eq!(path(landing), "/sso/register");
    let ticket = query(landing)["ticket"].clone();

    let (status, identity) = browser.get(&server, &format!("/auth/sso/registration?ticket={ticket}")).await;
    assert_eq!(status, 200, "{identity}");
    assert_eq!(identity["kind"], "person");
    assert_eq!(identity["real_name"], "王医生");
    assert_eq!(identity["id_number_masked"], "110105********002X");
    assert!(identity["uscc"].is_null());

    // The same rules as normal registration; name and ID number cannot be supplied.
    let (status, problem) = browser
        .post(
            &server,
            "/auth/sso/register",
            &json!({"ticket": ticket, "username": "wang_doctor", "password": "short", "phone": "12345"}),
        )
        .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["/password", "/phone"]);
    let (status, problem) = browser
        .post(
            &server,
            "/auth/sso/register",
            &json!({"ticket": ticket, "username": "wang_doctor", "password": "Doctor#Pass2026", "phone": "13700000002",
                    "real_name": "李四"}),
        )
        .await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("/real_name")));

    let org = json!({
        "ticket": ticket, "kind": "enterprise", "region_code": "370126", "address": "济阳区", "contact_name": "王医生",
        "contact_phone": "13700000002", "admin_username": "wang_org", "admin_password": "Doctor#Pass2026",
    });
    let (status, problem) = browser.post(&server, "/auth/sso/register/org", &org).await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("person_registration_required")));

    let body =
        json!({"ticket": ticket, "username": "wang_doctor", "password": "Doctor#Pass2026", "phone": "13700000002"});
    let (status, tokens) = browser.post(&server, "/auth/sso/register", &body).await;
    assert_eq!(status, 201, "{tokens}");
    assert_eq!(tokens["return_to"], "/declarations/new");
    let access = tokens["access_token"].as_str().unwrap();
    let (_, me) = server.get(Some(access), "/me").await.unwrap();
    assert_eq!(me["username"], "wang_doctor");
    assert_eq!(me["real_name"], "王医生");
    assert_eq!(me["id_number_masked"], "110105********002X");
    let (status, binding) = server.get(Some(access), "/me/sso-binding").await.unwrap();
    assert_eq!((status, binding["subject"].as_str()), (200, Some("sd-new-0001")));

    // The ticket is used up; the password works too; the next platform login signs straight in.
    let (status, problem) = browser.post(&server, "/auth/sso/register", &body).await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("invalid_ticket")));
    let (status, _) = browser.get(&server, &format!("/auth/sso/registration?ticket={ticket}")).await;
    assert_eq!(status, 422);
    server.login("wang_doctor", "Doctor#Pass2026").await.unwrap();
    server.login("11010519491231002X", "Doctor#Pass2026").await.unwrap();
    oidc.next_login(NextLogin::claims(json!({"sub": "sd-new-0001"})));
    let tokens = exchange(&server, &journey(&server, "/").await).await;
    let (_, me) = server.get(Some(tokens["access_token"].as_str().unwrap()), "/me").await.unwrap();
    assert_eq!(me["username"], "wang_doctor");
    let registered = audit(&server, "register_person").await;
    assert_eq!(registered[0]["detail"]["method"], "sso");
}

#[tokio::test]
async fn an_organisation_that_is_not_registered_registers_from_its_verified_identity() {
    let (oidc, server) = start().await;
    oidc.next_login(NextLogin::claims(json!({
        "sub": "sd-legal-new", "name": "周经理", "uscc": "91350100M000100Y43", "org_name": "福州新建科技有限公司",
    })));
    let registering = journey(&server, "/").await;
    let (browser, landing) = (&registering.browser, &registering.landing);
    assert_eq!(path(landing), "/sso/register");
    let ticket = query(landing)["ticket"].clone();
    let (status, identity) = browser.get(&server, &format!("/auth/sso/registration?ticket={ticket}")).await;
    assert_eq!(status, 200);
    assert_eq!(identity["kind"], "org");
    assert_eq!(identity["uscc"], "91350100M000100Y43");
    assert_eq!(identity["org_name"], "福州新建科技有限公司");
    assert!(identity["id_number_masked"].is_null());
    let (status, problem) = browser
        .post(
            &server,
            "/auth/sso/register",
            &json!({"ticket": ticket, "username": "fz_admin", "password": "Company#Pass2026", "phone": "13700000003"}),
        )
        .await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("org_registration_required")), "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("单位注册"));

    // 单位注册 prefilled from the ticket: the verified credit code and name cannot be replaced.
    let org = json!({
        "ticket": ticket, "kind": "enterprise", "region_code": "350102", "address": "福州市鼓楼区",
        "contact_name": "周经理", "contact_phone": "13700000003", "admin_username": "fz_admin",
        "admin_password": "Company#Pass2026",
    });
    let mut with_uscc = org.clone();
    with_uscc["uscc"] = json!("91110000600037341L");
    let (status, problem) = browser.post(&server, "/auth/sso/register/org", &with_uscc).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("/uscc")), "{problem}");
    let mut renamed = org.clone();
    renamed["name"] = json!("别的公司");
    let (status, problem) = browser.post(&server, "/auth/sso/register/org", &renamed).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("/name")), "{problem}");
    let mut bureau = org.clone();
    bureau["kind"] = json!("hrss");
    let (status, _) = browser.post(&server, "/auth/sso/register/org", &bureau).await;
    assert_eq!(status, 422, "a bureau cannot register itself");

    let (status, tokens) = browser.post(&server, "/auth/sso/register/org", &org).await;
    assert_eq!(status, 201, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let (_, me) = server.get(Some(access), "/me").await.unwrap();
    assert_eq!(me["username"], "fz_admin");
    assert_eq!(me["role"], "org_admin");
    assert_eq!(me["org"]["uscc"], "91350100M000100Y43");
    assert_eq!(me["org"]["name"], "福州新建科技有限公司");
    let (status, binding) = server.get(Some(access), "/me/sso-binding").await.unwrap();
    assert_eq!((status, binding["subject"].as_str()), (200, Some("sd-legal-new")));
    let (status, _) = browser.post(&server, "/auth/sso/register/org", &org).await;
    assert_eq!(status, 422, "the ticket is used up");
    assert_eq!(audit(&server, "register_org").await[0]["detail"]["method"], "sso");

    // From now on the platform login signs the organisation's admin straight in.
    oidc.next_login(NextLogin::claims(json!({"sub": "sd-legal-new", "uscc": "91350100M000100Y43"})));
    let tokens = exchange(&server, &journey(&server, "/").await).await;
    let (_, me) = server.get(Some(tokens["access_token"].as_str().unwrap()), "/me").await.unwrap();
    assert_eq!(me["username"], "fz_admin");
}

/// Ends a login at the provider and checks it was refused with `code`: back at the login page,
/// no login code, and the refusal in the audit trail.
async fn assert_refused(server: &Server, landing: &str, code: &str) {
    assert_eq!(landing, format!("/login?sso_error={code}"), "expected {code}");
    let refusals = audit(server, "sso_login_failed").await;
    assert!(
        refusals.iter().any(|entry| entry["detail"]["sso_error"] == code && entry["result"] == "failure"),
        "no audited refusal {code}: {refusals:?}"
    );
}

#[tokio::test]
async fn every_refused_login_ends_at_the_login_page_with_a_stable_code_and_no_session() {
    let (oidc, server) = start().await;
    let nurse = || NextLogin::claims(json!({"sub": "sd-0001", "name": "张护士", "id_number": NURSE_ID_NUMBER}));

    // A forged state, and none at all.
    oidc.next_login(nurse());
    let mut browser = Browser::default();
    let authorize = browser.start_login(&server, "/").await;
    let callback = browser.go(&server, &authorize).await;
    let code = query(&callback)["code"].clone();
    let mut forged = reqwest::Url::parse(&callback).unwrap();
    forged.query_pairs_mut().clear().append_pair("code", &code).append_pair("state", "forged-state");
    assert_refused(&server, &browser.go(&server, forged.as_str()).await, "invalid_state").await;
    let stateless = server.url(&format!("/auth/sso/callback?code={code}"));
    assert_refused(&server, &browser.go(&server, &stateless).await, "invalid_state").await;

    // Login CSRF: the attacker's own callback URL, opened in the victim's browser, is refused.
    oidc.next_login(nurse());
    let mut attacker = Browser::default();
    let authorize = attacker.start_login(&server, "/").await;
    let planted = attacker.go(&server, &authorize).await;
    let mut victim = Browser::default();
    assert_refused(&server, &victim.go(&server, &planted).await, "invalid_state").await;
    // So is the attacker's finished login: its one-time code, or registration ticket, works only
    // in the attacker's browser.
    oidc.next_login(NextLogin::claims(
        json!({"sub": "sd-attacker", "name": "钱某", "id_number": "360426199101010071"}),
    ));
    let attackers = journey(&server, "/").await;
    let ticket = query(&attackers.landing)["ticket"].clone();
    let (status, _) = victim.get(&server, &format!("/auth/sso/registration?ticket={ticket}")).await;
    assert_eq!(status, 422);
    let (status, _) = attackers.browser.get(&server, &format!("/auth/sso/registration?ticket={ticket}")).await;
    assert_eq!(status, 200);

    // A replayed callback: the state is used up by the first (a newcomer, so nobody signs in).
    oidc.next_login(NextLogin::claims(json!({"sub": "sd-9", "name": "赵护士", "id_number": "360426199101010071"})));
    let mut first = journey(&server, "/").await;
    assert_eq!(path(&first.landing), "/sso/register");
    let replayed = first.browser.go(&server, &first.callback).await;
    assert_refused(&server, &replayed, "invalid_state").await;

    // The provider hands out the code it already redeemed for that login.
    oidc.next_login(nurse().misbehaving(Misbehave::ReplayCode));
    let replay = journey(&server, "/").await;
    assert_eq!(query(&replay.callback)["code"], query(&first.callback)["code"]);
    assert_refused(&server, &replay.landing, "code_rejected").await;

    // ID tokens that must not be believed, and the other ways a provider says no.
    let cases = [
        (Misbehave::BadSignature, "bad_signature"),
        (Misbehave::WrongAudience, "wrong_audience"),
        (Misbehave::Expired, "token_expired"),
        (Misbehave::WrongNonce, "wrong_nonce"),
        (Misbehave::WrongIssuer, "wrong_issuer"),
        (Misbehave::NoIdToken, "missing_id_token"),
        (Misbehave::Deny, "access_denied"),
    ];
    for (misbehave, code) in cases {
        oidc.next_login(nurse().misbehaving(misbehave));
        assert_refused(&server, &journey(&server, "/").await.landing, code).await;
    }
    // A verified token that says nothing we can bind by.
    oidc.next_login(NextLogin::claims(json!({"sub": "sd-anon", "name": "无名氏"})));
    assert_refused(&server, &journey(&server, "/").await.landing, "identity_incomplete").await;

    // None of it made a session or a binding.
    let sessions = audit(&server, "login_success").await;
    assert!(sessions.iter().all(|entry| entry["detail"]["method"] != "sso"), "no tokens were issued: {sessions:?}");
    assert!(audit(&server, "sso_authenticated").await.is_empty(), "nobody signed in");
    assert!(audit(&server, "sso_bind").await.is_empty(), "nobody was bound");
    let nurse_token = server.login("nurse_zhang", DEMO_PASSWORD).await.unwrap();
    let (status, _) = server.get(Some(&nurse_token), "/me/sso-binding").await.unwrap();
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_account_bound_to_one_identity_is_not_taken_over_by_another() {
    let (oidc, server) = start().await;
    oidc.next_login(NextLogin::claims(json!({"sub": "sd-0001", "name": "张护士", "id_number": NURSE_ID_NUMBER})));
    exchange(&server, &journey(&server, "/").await).await;
    // Another platform identity claiming the same ID number is refused, not rebound.
    oidc.next_login(NextLogin::claims(json!({"sub": "sd-0002", "name": "张护士", "id_number": NURSE_ID_NUMBER})));
    assert_refused(&server, &journey(&server, "/").await.landing, "already_bound").await;
    let bound = audit(&server, "sso_bind").await;
    assert_eq!(bound.len(), 1);
    assert_eq!(bound[0]["detail"]["subject"], "sd-0001");
}

#[tokio::test]
async fn without_configuration_the_platform_login_is_off() {
    let server = Server::start(&[]).await.unwrap();
    let (status, config) = server.get(None, "/auth/sso/config").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(config["enabled"], false);
    let mut browser = Browser::default();
    assert_eq!(browser.start_login(&server, "/").await, "/login?sso_error=sso_disabled");
}
