//! 单位认证: an organisation nobody vouched for cannot be chosen as a parent, approve a path or
//! receive a report; a look-alike of a verified one cannot register; the bureau verifies, refuses,
//! disables and resets passwords, audited.

use serde_json::{Value, json};

use crate::helpers::*;

/// Registers an organisation of `kind` named `name` (not verified), returning it and the response status.
async fn register_named(app: &TestApp, kind: &str, name: &str) -> (Org, u16, Value) {
    let mut body = TestApp::new_org_body(kind);
    body["name"] = json!(name);
    let response = app.register_org_with(&body).await;
    let status = response.status().as_u16();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    let org = Org {
        id: answer["org_id"].as_str().unwrap_or_default().to_string(),
        name: name.to_string(),
        kind: kind.to_string(),
        admin_username: body["admin_username"].as_str().unwrap().to_string(),
        password: PASSWORD.into(),
        uscc: body["uscc"].as_str().unwrap().to_string(),
    };
    (org, status, answer)
}

async fn parent_search(app: &TestApp, token: &str, q: &str) -> Vec<Value> {
    let page: Value = app
        .get_as(token, &format!("/orgs?q={}&kind=authority&as_parent=true", urlencode(q)))
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test]
async fn a_look_alike_authority_is_refused_or_left_with_nothing_until_the_bureau_verifies_the_real_one() {
    let app = spawn_app().await;
    let bureau = app.register_org("hrss").await;
    let bureau_admin = app.org_token(&bureau).await;
    let hospital = app.register_org("institution").await;
    let hospital_admin = app.org_token(&hospital).await;

    // The real 卫生健康局 and, before anyone vouched for it, an impostor with a near name.
    let (real, status, _) = register_named(&app, "authority", "济阳区卫生健康局").await;
    assert_eq!(status, 201);
    let (impostor, status, _) = register_named(&app, "authority", "济阳区卫生健康委员会").await;
    assert_eq!(status, 201);

    // Neither can be chosen as a parent: not in the parent search, refused as a parent.
    assert!(parent_search(&app, &hospital_admin, "卫生健康").await.is_empty());
    let everyone: Value =
        app.get_as(&hospital_admin, &format!("/orgs?q={}", urlencode("卫生健康"))).await.json().await.unwrap();
    assert_eq!(everyone["total"], 2, "an employer search still finds them, marked");
    assert!(everyone["items"].as_array().unwrap().iter().all(|o| o["verified"] == false));
    for parent in [&impostor, &real] {
        let response = app
            .post_as(
                &hospital_admin,
                "/paths",
                &json!({"series": "health", "level": "intermediate", "parent_org_id": parent.id}),
            )
            .await;
        assert_eq!(response.status(), 422, "an unverified parent is refused");
        assert_eq!(fields(&problem(response).await), ["/parent_org_id"]);
    }

    // The bureau's 单位认证审核 lists both, oldest first, with what a clerk checks.
    let pending: Value = app.get_as(&bureau_admin, "/bureau/orgs?verification=unverified").await.json().await.unwrap();
    let names: Vec<&str> = pending["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["济阳区卫生健康局", "济阳区卫生健康委员会"]);
    assert_eq!(pending["items"][0]["uscc"], real.uscc.as_str());

    // A refusal needs a reason; the impostor is refused with one.
    let response =
        app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/refuse", impostor.id), &json!({"reason": " "})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["/reason"]);
    let refused: Value = app
        .post_as(
            &bureau_admin,
            &format!("/bureau/orgs/{}/refuse", impostor.id),
            &json!({"reason": "非本区主管部门。\r\n请联系区人社局。"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["verification"], "refused");
    // The reason is typed in a textarea: its lines are kept (as \n), like a path refusal's.
    assert_eq!(refused["verification_reason"], "非本区主管部门。\n请联系区人社局。");

    // The bureau verifies the real one.
    let response = app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/verify", real.id), &json!({})).await;
    assert_eq!(response.status(), 200);
    let verified: Value = response.json().await.unwrap();
    assert_eq!(verified["verification"], "verified");
    assert_eq!(app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/verify", real.id), &json!({})).await.status(), 409);
    assert_eq!(app.audit_count("org_verified").await, 1);
    assert_eq!(app.audit_count("org_verification_refused").await, 1);

    // Now a second 济阳区卫生健康局, however spelt, is refused and told whom to call.
    for name in ["济阳区卫生健康局", " 济阳区 卫生健康局", "济阳区卫生健康局\u{200B}", "济阳区卫生健康局\u{3000}"]
    {
        let (_, status, answer) = register_named(&app, "authority", name).await;
        assert_eq!(status, 409, "{name:?}");
        assert_eq!(answer["errors"][0]["field"], "/name");
        assert!(answer["detail"].as_str().unwrap().contains(&bureau.name), "names the bureau: {answer}");
    }
    // Another region may have its own 卫生健康局.
    let mut elsewhere = TestApp::new_org_body("authority");
    elsewhere["name"] = json!("济阳区卫生健康局");
    elsewhere["region_code"] = json!("370102");
    assert_eq!(app.register_org_with(&elsewhere).await.status(), 201);

    // The real one is found with its full credit code, region, address and mark, and can act.
    let found = parent_search(&app, &hospital_admin, "卫生健康").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], real.id.as_str());
    assert_eq!(found[0]["uscc"], real.uscc.as_str());
    assert_eq!(found[0]["region_code"], "370126");
    assert_eq!(found[0]["address"], "山东省济南市济阳区");
    assert_eq!(found[0]["verified"], true);
    let path = app.apply_path(&hospital, "health", "intermediate", &real).await;
    let real_admin = app.org_token(&real).await;
    let audits: Value = app.get_as(&real_admin, "/path-audits?status=pending").await.json().await.unwrap();
    assert_eq!(audits["items"][0]["org"]["uscc"], hospital.uscc.as_str());
    assert_eq!(audits["items"][0]["parent"]["verified"], true);
    assert_eq!(app.post_as(&real_admin, &format!("/paths/{path}/approve"), &json!({})).await.status(), 200);
}

#[tokio::test]
async fn an_unverified_parent_approves_no_path_and_receives_no_report() {
    let app = spawn_app().await;
    // A chain opened while its authority was verified; then its verification is withdrawn.
    let chain = app.chain().await;
    let bureau_admin = app.org_token(&chain.bureau).await;
    let hospital = app.register_org("institution").await;
    let pending_path = app.apply_path(&hospital, "health", "senior", &chain.authority).await;
    let response = app
        .post_as(&bureau_admin, &format!("/bureau/orgs/{}/refuse", chain.authority.id), &json!({"reason": "冒用名称"}))
        .await;
    assert_eq!(response.status(), 200);

    // It can still review its own applicants' paths, but not approve one.
    let authority_admin = app.org_token(&chain.authority).await;
    let response = app.post_as(&authority_admin, &format!("/paths/{pending_path}/approve"), &json!({})).await;
    assert_eq!(response.status(), 403);
    assert_eq!(problem(response).await["code"], "org_unverified");

    // The employer's approved declaration does not go up to it.
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let (_, _, id) = app.submitted_declaration(&chain).await;
    assert_eq!(app.approve(&reviewer, &id).await.status(), 200);
    let response = app.report(&reviewer, &[&id]).await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["code"], "parent_unverified");
    let authority_reviewer = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let received: Value = app.get_as(&authority_reviewer, "/reviews").await.json().await.unwrap();
    assert_eq!(received["total"], 0, "nothing reached the unverified authority");
    let reporting: Value = app
        .get_as(&reviewer, &format!("/orgs/{}/reporting?series=health&level=intermediate", chain.employer.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reporting["open"], false, "the path leads nowhere now");

    // Verified again, it receives the report and approves the path.
    let response = app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/verify", chain.authority.id), &json!({})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.report(&reviewer, &[&id]).await.status(), 201);
    assert_eq!(
        app.post_as(&authority_admin, &format!("/paths/{pending_path}/approve"), &json!({})).await.status(),
        200
    );
}

#[tokio::test]
async fn the_bureau_disables_an_org_and_resets_its_admins_password() {
    let app = spawn_app().await;
    let bureau = app.register_org("hrss").await;
    let bureau_admin = app.org_token(&bureau).await;
    let township = app.register_org("township").await;
    let (township_reviewer, _) = app.register_reviewer(&township).await;
    let old = app.login(&township.admin_username, PASSWORD).await;

    // 单位密码重置: a one-time password replaces the old one; old sessions end.
    let response =
        app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/reset-password", township.id), &json!({})).await;
    assert_eq!(response.status(), 200);
    let reset: Value = response.json().await.unwrap();
    assert_eq!(reset["username"], township.admin_username.as_str());
    let temporary = reset["temporary_password"].as_str().unwrap();
    assert_eq!(app.get_as(&old.access, "/me").await.status(), 401);
    assert_eq!(app.try_login(&township.admin_username, PASSWORD).await.status(), 401);
    let fresh = app.login(&township.admin_username, temporary).await;
    assert_eq!(app.audit_count("org_admin_password_reset").await, 1);

    // 停用: every account of it stops at once and cannot sign in again.
    let reviewer = app.login(&township_reviewer, PASSWORD).await;
    let response = app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/disable", township.id), &json!({})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "disabled");
    assert_eq!(
        app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/disable", township.id), &json!({})).await.status(),
        409
    );
    for token in [&fresh.access, &reviewer.access] {
        assert_eq!(app.get_as(token, "/me").await.status(), 401);
    }
    for (username, password) in [(township.admin_username.as_str(), temporary), (township_reviewer.as_str(), PASSWORD)]
    {
        let response = app.try_login(username, password).await;
        assert_eq!(response.status(), 403, "{username}");
        assert_eq!(problem(response).await["code"], "org_disabled");
    }
    assert_eq!(app.post("/auth/refresh", &json!({"refresh_token": fresh.refresh})).await.status(), 401);
    assert_eq!(app.audit_count("org_disabled").await, 1);
    let admin = app.register_org("enterprise").await;
    let anyone = app.org_token(&admin).await;
    let found: Value = app.get_as(&anyone, "/orgs?kind=township").await.json().await.unwrap();
    assert!(found["items"].as_array().unwrap().iter().all(|o| o["id"] != township.id.as_str()));
}

#[test]
fn names_compare_without_spacing_width_or_invisible_characters() {
    use api::services::orgs::name_key;
    assert_eq!(name_key("济阳区卫生健康局"), name_key(" 济阳区 卫生健康局\u{3000}"));
    assert_eq!(name_key("济阳区卫生健康局"), name_key("济阳区卫生\u{200B}健康局\u{FEFF}"));
    assert_eq!(name_key("济南（济阳）ＡＢＣ局"), name_key("济南(济阳)abc局"));
    assert_ne!(name_key("济阳区卫生健康局"), name_key("济阳区卫生健康委员会"));
}
