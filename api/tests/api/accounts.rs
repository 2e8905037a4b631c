//! 注册开户: person and organisation registration, with every rule and its bad input.

use serde_json::{Value, json};

use crate::helpers::*;

fn person_body(seq: u32) -> Value {
    json!({
        "username": format!("nurse{seq}"), "password": PASSWORD, "real_name": "王护士",
        "id_number": id_number(seq), "phone": phone(seq),
    })
}

#[tokio::test]
async fn a_person_registers_and_logs_in_with_username_id_number_or_phone() {
    let app = spawn_app().await;
    let seq = next();
    let response = app.post("/auth/register/person", &person_body(seq)).await;
    assert_eq!(response.status(), 201);
    for account in [format!("nurse{seq}"), id_number(seq), phone(seq), format!("138 {}", &phone(seq)[3..])] {
        let account = if account.starts_with("138 ") { phone(seq) } else { account };
        let tokens = app.login(&account, PASSWORD).await;
        let me: Value = app.get_as(&tokens.access, "/me").await.json().await.unwrap();
        assert_eq!(me["role"], "person");
        assert_eq!(me["real_name"], "王护士");
        assert_eq!(me["id_number_masked"], format!("{}********{}", &id_number(seq)[..6], &id_number(seq)[14..]));
        assert_eq!(me["phone_masked"], format!("139****{}", &phone(seq)[7..]));
    }
}

#[tokio::test]
async fn each_invalid_field_is_a_422_naming_it_and_all_are_listed_at_once() {
    let app = spawn_app().await;
    let cases = [
        ("id_number", json!("360426199101010072"), "/id_number"),
        ("phone", json!("12800138000"), "/phone"),
        ("password", json!("abcdefgh"), "/password"),
        ("username", json!("1abc"), "/username"),
        ("real_name", json!(""), "/real_name"),
    ];
    for (key, value, pointer) in cases {
        let mut body = person_body(next());
        body[key] = value;
        let response = app.post("/auth/register/person", &body).await;
        assert_eq!(response.status(), 422, "{key}");
        let problem = problem(response).await;
        assert_eq!(problem["code"], "validation_failed");
        assert_eq!(fields(&problem), vec![pointer.to_string()], "{key}");
    }
    let everything_wrong = json!({
        "username": "x", "password": "short", "real_name": "张3", "id_number": "123", "phone": "1",
    });
    let problem = problem(app.post("/auth/register/person", &everything_wrong).await).await;
    let mut named = fields(&problem);
    named.sort();
    assert_eq!(named, ["/id_number", "/password", "/phone", "/real_name", "/username"]);
}

#[tokio::test]
async fn duplicates_are_409_and_name_the_field() {
    let app = spawn_app().await;
    let seq = next();
    assert_eq!(app.post("/auth/register/person", &person_body(seq)).await.status(), 201);

    let mut same_username = person_body(next());
    same_username["username"] = json!(format!("NURSE{seq}"));
    let mut same_id = person_body(next());
    same_id["id_number"] = json!(id_number(seq));
    let mut same_phone = person_body(next());
    same_phone["phone"] = json!(format!("+86 {}", phone(seq)));
    for (body, pointer) in [(same_username, "/username"), (same_id, "/id_number"), (same_phone, "/phone")] {
        let response = app.post("/auth/register/person", &body).await;
        assert_eq!(response.status(), 409, "{pointer}");
        assert_eq!(fields(&problem(response).await), vec![pointer.to_string()]);
    }
}

#[tokio::test]
async fn a_person_cannot_set_fields_the_form_does_not_have() {
    let app = spawn_app().await;
    let mut body = person_body(next());
    body["role"] = json!("admin");
    let response = app.post("/auth/register/person", &body).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/role"]);
}

fn org_body(seq: u32, kind: &str) -> Value {
    json!({
        "name": "济阳区人民医院", "uscc": uscc(seq), "kind": kind, "region_code": "370126",
        "address": "济阳区纬二路", "contact_name": "孙主任", "contact_phone": phone(seq),
        "admin_username": format!("hospital{seq}"), "admin_password": PASSWORD,
    })
}

#[tokio::test]
async fn an_organisation_registers_with_its_admin_account() {
    let app = spawn_app().await;
    let seq = next();
    let response = app.post("/auth/register/org", &org_body(seq, "institution")).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let token = app.login(&format!("hospital{seq}"), PASSWORD).await.access;
    let me: Value = app.get_as(&token, "/me").await.json().await.unwrap();
    assert_eq!(me["role"], "org_admin");
    assert_eq!(me["org"]["id"], created["org_id"]);
    assert_eq!(me["org"]["kind"], "institution");
    assert_eq!(me["org"]["uscc"], uscc(seq));
}

#[tokio::test]
async fn org_registration_refuses_bad_codes_bureaus_unknown_kinds_and_duplicates() {
    let app = spawn_app().await;
    let mut bad_code = org_body(next(), "enterprise");
    bad_code["uscc"] = json!("91110000600037341N");
    let problem_body = problem(app.post("/auth/register/org", &bad_code).await).await;
    assert_eq!(fields(&problem_body), vec!["/uscc"]);

    let bureau = app.post("/auth/register/org", &org_body(next(), "hrss")).await;
    assert_eq!(bureau.status(), 422);
    assert_eq!(fields(&problem(bureau).await), vec!["/kind"]);

    let unknown = app.post("/auth/register/org", &org_body(next(), "ministry")).await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(fields(&problem(unknown).await), vec!["/kind"]);

    let seq = next();
    assert_eq!(app.post("/auth/register/org", &org_body(seq, "enterprise")).await.status(), 201);
    let mut same_code = org_body(next(), "enterprise");
    same_code["uscc"] = json!(uscc(seq).to_lowercase());
    let duplicate = app.post("/auth/register/org", &same_code).await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(fields(&problem(duplicate).await), vec!["/uscc"]);
}

#[tokio::test]
async fn only_the_platform_admin_provisions_a_bureau() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let body = org_body(next(), "hrss");
    assert_eq!(app.post_as(&token, "/admin/orgs", &body).await.status(), 403);
    assert_eq!(app.post("/admin/orgs", &body).await.status(), 401);

    let admin = app.admin_token().await;
    let response = app.post_as(&admin, "/admin/orgs", &body).await;
    assert_eq!(response.status(), 201);
    let bureau_admin = app.login(body["admin_username"].as_str().unwrap(), PASSWORD).await.access;
    let me: Value = app.get_as(&bureau_admin, "/me").await.json().await.unwrap();
    assert_eq!(me["org"]["kind"], "hrss");
    assert_eq!(app.audit_count("provision_org").await, 1);
}

#[tokio::test]
async fn the_audit_log_is_for_the_admin_and_its_chain_verifies() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let _ = app.try_login(&person.username, "Wrong#Pass1").await;
    let person_token = app.token_of(&person).await;
    assert_eq!(app.get_as(&person_token, "/admin/audit").await.status(), 403);

    let admin = app.admin_token().await;
    let page: Value = app.get_as(&admin, "/admin/audit?action=login_failed").await.json().await.unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["object_id"], person.id.as_str());
    let verified = api::services::audit::verify_chain(&app.state.db).await.unwrap();
    assert!(matches!(verified, Ok(rows) if rows >= 4), "{verified:?}");
}

#[tokio::test]
async fn the_database_refuses_to_change_audit_history() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    app.register_person().await;
    assert!(app.state.db.execute_unprepared("UPDATE audit_log SET action = 'x'").await.is_err());
    assert!(app.state.db.execute_unprepared("DELETE FROM audit_log").await.is_err());
    assert!(api::services::audit::verify_chain(&app.state.db).await.unwrap().is_ok());
}

#[tokio::test]
async fn id_numbers_and_phones_are_stored_encrypted() {
    use api::entities::account;
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    let person = app.register_person().await;
    let stored = account::Entity::find_by_id(person.id.clone()).one(&app.state.db).await.unwrap().unwrap();
    let id_enc = stored.id_number_enc.unwrap();
    assert!(!id_enc.contains(&person.id_number) && !id_enc.contains("19900101"));
    assert!(!stored.phone_enc.unwrap().contains(&person.phone));
    assert_eq!(app.state.crypto.decrypt(&id_enc).unwrap(), person.id_number);
}

#[tokio::test]
async fn refused_requests_are_audited_with_who_was_refused() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    assert_eq!(app.get_as(&token, "/admin/audit").await.status(), 403);
    assert_eq!(app.get_as("forged.token.value", "/me").await.status(), 401);
    assert_eq!(app.get("/me").await.status(), 401, "no token: not worth an entry");
    let admin = app.admin_token().await;
    let page: Value = app.get_as(&admin, "/admin/audit?action=access_denied").await.json().await.unwrap();
    assert_eq!(page["total"], 2);
    let entries = page["items"].as_array().unwrap();
    let refused = entries.iter().find(|e| e["detail"]["status"] == 403).unwrap();
    assert_eq!(refused["actor_id"], person.id.as_str());
    assert_eq!(refused["detail"]["path"], "/api/v1/admin/audit");
}
