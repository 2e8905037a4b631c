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
async fn an_organisations_region_is_a_county_of_the_national_list() {
    let app = spawn_app().await;
    for (code, message) in [
        ("999999", "行政区划须从省/市/区县中选择"),
        ("37012", "行政区划须从省/市/区县中选择"),
        ("370100", "行政区划须选择到区县"),
        ("370000", "行政区划须选择到区县"),
        ("370115001", "行政区划须选择到区县"),
        ("", "行政区划须从省/市/区县中选择"),
    ] {
        let mut body = org_body(next(), "enterprise");
        body["region_code"] = json!(code);
        let refused = app.post("/auth/register/org", &body).await;
        assert_eq!(refused.status(), 422, "{code}");
        let body = problem(refused).await;
        assert_eq!(fields(&body), vec!["/region_code"], "{code}");
        assert_eq!(body["errors"][0]["message"], message, "{code}");
    }
    // A 直辖市's districts hang straight from it: 东城区 is at the county level of its branch.
    for code in ["370115", "110101"] {
        let mut body = org_body(next(), "enterprise");
        body["region_code"] = json!(code);
        assert_eq!(app.post("/auth/register/org", &body).await.status(), 201, "{code}");
    }

    // A 人社局 may oversee a whole 市, not a province; only the admin provisions one.
    let admin = app.admin_token().await;
    let mut city = org_body(next(), "hrss");
    city["region_code"] = json!("370100");
    assert_eq!(app.post_as(&admin, "/admin/orgs", &city).await.status(), 201);
    let mut province = org_body(next(), "hrss");
    province["region_code"] = json!("370000");
    let refused = app.post_as(&admin, "/admin/orgs", &province).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(fields(&problem(refused).await), vec!["/region_code"]);
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
    // A genuine token whose session ended is audited, and so is garbage (by IP); no token is not.
    let old = app.token_of(&person).await;
    let changed = app
        .post_as(&token, "/me/password", &json!({"current_password": PASSWORD, "new_password": "Better#Pass2027"}))
        .await;
    assert_eq!(changed.status(), 204);
    assert_eq!(app.get_as(&old, "/me").await.status(), 401);
    assert_eq!(app.get_as("forged.token.value", "/me").await.status(), 401);
    assert_eq!(app.get("/me").await.status(), 401);
    let admin = app.admin_token().await;
    let page: Value = app.get_as(&admin, "/admin/audit?action=access_denied").await.json().await.unwrap();
    assert_eq!(page["total"], 3);
    let entries = page["items"].as_array().unwrap();
    let refused = entries.iter().find(|e| e["detail"]["status"] == 403).unwrap();
    assert_eq!(refused["actor_id"], person.id.as_str());
    assert_eq!(refused["detail"]["path"], "/api/v1/admin/audit");
}

/// An organisation's 联系电话 may be a landline with its area code; a person's phone stays mobile
/// (one-time codes go to it by SMS), and a malformed landline is refused naming the field.
#[tokio::test]
async fn an_organisation_may_give_a_landline_and_a_person_may_not() {
    let app = spawn_app().await;
    let seq = next();
    let mut body = json!({
        "name": format!("固定电话单位{seq}"), "uscc": uscc(seq), "kind": "institution", "region_code": "370126",
        "address": "山东省济南市济阳区", "contact_name": "王主任", "contact_phone": "0531-84221234",
        "admin_username": format!("landline{seq}"), "admin_password": PASSWORD,
    });
    let response = app.post("/auth/register/org", &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
    // The admin logs in by username; the landline is no login name and gets no SMS.
    assert_eq!(app.try_login(&format!("landline{seq}"), PASSWORD).await.status(), 200);
    assert_eq!(app.try_login("0531-84221234", PASSWORD).await.status(), 401);

    let seq = next();
    body["uscc"] = json!(uscc(seq));
    body["admin_username"] = json!(format!("landline{seq}"));
    body["contact_phone"] = json!("0531-8422");
    let refused = app.post("/auth/register/org", &body).await;
    assert_eq!(refused.status(), 422);
    assert!(fields(&problem(refused).await).contains(&"/contact_phone".to_string()));

    let mut person = person_body(next());
    person["phone"] = json!("0531-84221234");
    let refused = app.post("/auth/register/person", &person).await;
    assert_eq!(refused.status(), 422);
    assert!(fields(&problem(refused).await).contains(&"/phone".to_string()));
}

/// ASVS 6.2.4: common passwords that meet the class rule (the "14 of 15 accepted") are
/// refused wherever a password is set: registration, reset and change, each at its own pointer.
#[tokio::test]
async fn common_passwords_that_meet_the_class_rule_are_refused_wherever_a_password_is_set() {
    let app = spawn_app().await;
    let common = ["P@ssw0rd2026", "Qwerty@2026", "Welcome@2026", "Abc12345!", "Password@2026"];
    for password in common {
        let mut body = person_body(next());
        body["password"] = json!(password);
        let response = app.post("/auth/register/person", &body).await;
        assert_eq!(response.status(), 422, "{password}");
        let problem = problem(response).await;
        assert_eq!(fields(&problem), vec!["/password"], "{password}");
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("密码"), "{problem}");
    }
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    for password in common {
        let change = json!({"current_password": PASSWORD, "new_password": password});
        let response = app.post_as(&token, "/me/password", &change).await;
        assert_eq!(response.status(), 422, "{password}");
        assert_eq!(fields(&problem(response).await), vec!["/new_password"]);
        let reset = json!({"account": person.username, "code": "000000", "new_password": password});
        let response = app.post("/auth/password/reset", &reset).await;
        assert_eq!(fields(&problem(response).await), vec!["/new_password"], "{password}");
    }
    // The demo and test passwords still pass.
    for good in ["Demo#2026zc", "Admin#2026zc", PASSWORD, ADMIN_PASSWORD] {
        let mut body = person_body(next());
        body["password"] = json!(good);
        assert_eq!(app.post("/auth/register/person", &body).await.status(), 201, "{good}");
    }
}

/// Context words: the username, the phone and the ID number (or its birth date) in the password.
#[tokio::test]
async fn passwords_made_of_the_accounts_own_details_are_refused() {
    let app = spawn_app().await;
    let seq = next();
    let id = id_number(seq);
    let own =
        [format!("Nurse{seq}#Qx"), format!("Pw#{}", phone(seq)), format!("Id#{id}"), format!("Born#{}vk", &id[6..14])];
    for password in &own {
        let mut body = person_body(seq);
        body["password"] = json!(password);
        let response = app.post("/auth/register/person", &body).await;
        assert_eq!(response.status(), 422, "{password}");
        assert_eq!(fields(&problem(response).await), vec!["/password"], "{password}");
    }
    // A change of one's own password: the phone and ID number come from the account.
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    for password in [format!("Pw#{}", person.phone), format!("Id#{}", person.id_number)] {
        let change = json!({"current_password": PASSWORD, "new_password": password});
        let response = app.post_as(&token, "/me/password", &change).await;
        assert_eq!(response.status(), 422, "{password}");
        assert_eq!(fields(&problem(response).await), vec!["/new_password"], "{password}");
    }
    // An organisation's admin may not use the contact phone either.
    let org_seq = next();
    let body = json!({
        "name": format!("测试单位{org_seq}"), "uscc": uscc(org_seq), "kind": "enterprise", "region_code": "370126",
        "address": "山东省济南市济阳区", "contact_name": "王主任", "contact_phone": phone(org_seq),
        "admin_username": format!("org{org_seq}"), "admin_password": format!("Ab#{}", phone(org_seq)),
    });
    let response = app.post("/auth/register/org", &body).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/admin_password"]);
}

/// One human may hold a person and a reviewer account under one ID number and phone, but nobody
/// may take the phone of someone else's account.
#[tokio::test]
async fn a_phone_cannot_be_taken_by_someone_elses_account() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let org = app.register_org("enterprise").await;
    let token = app.org_token(&org).await;
    let reviewer = |id: &str, phone: &str| {
        json!({"real_name": "刘审核", "id_number": id, "phone": phone,
               "username": format!("reviewer{}", next()), "password": PASSWORD})
    };
    // The example: a reviewer entered with someone else's phone.
    let response = app.post_as(&token, "/org/reviewers", &reviewer(&id_number(next()), &person.phone)).await;
    assert_eq!(response.status(), 409);
    assert_eq!(fields(&problem(response).await), vec!["/phone"]);
    // The same human (same ID number) may have both accounts.
    let response = app.post_as(&token, "/org/reviewers", &reviewer(&person.id_number, &person.phone)).await;
    assert_eq!(response.status(), 201);
    // A person registering with a reviewer's phone, the reviewer being someone else.
    let (_, _) = app.register_reviewer(&org).await;
    let other_seq = next();
    let other_reviewer_phone = phone(other_seq);
    let response = app.post_as(&token, "/org/reviewers", &reviewer(&id_number(other_seq), &other_reviewer_phone)).await;
    assert_eq!(response.status(), 201);
    let mut body = person_body(next());
    body["phone"] = json!(other_reviewer_phone);
    let response = app.post("/auth/register/person", &body).await;
    assert_eq!(response.status(), 409);
    assert_eq!(fields(&problem(response).await), vec!["/phone"]);
    // Nor a second reviewer, in another organisation, with the first reviewer's phone.
    let other_org = app.register_org("institution").await;
    let other_token = app.org_token(&other_org).await;
    let response =
        app.post_as(&other_token, "/org/reviewers", &reviewer(&id_number(next()), &other_reviewer_phone)).await;
    assert_eq!(response.status(), 409);
    assert_eq!(fields(&problem(response).await), vec!["/phone"]);
}
