//! 实名制审核人员: registered by the org admin, masked in lists, disabled at once.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn an_org_admin_registers_a_reviewer_who_logs_in_as_one() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let token = app.org_token(&hospital).await;
    let empty: Value = app.get_as(&token, "/org/reviewers").await.json().await.unwrap();
    assert_eq!(empty, json!([]));
    let (username, _) = app.register_reviewer(&hospital).await;
    let list: Value = app.get_as(&token, "/org/reviewers").await.json().await.unwrap();
    let reviewer = &list[0];
    assert_eq!(reviewer["real_name"], "刘审核");
    assert!(reviewer["id_number_masked"].as_str().unwrap().contains("********"));
    assert!(reviewer["phone_masked"].as_str().unwrap().contains("****"));
    assert!(!list.to_string().contains("19900101"), "no full ID number in the list");

    let reviewer_token = app.login(&username, PASSWORD).await.access;
    let me: Value = app.get_as(&reviewer_token, "/me").await.json().await.unwrap();
    assert_eq!(me["role"], "reviewer");
    assert_eq!(me["org"]["id"], hospital.id.as_str());
}

#[tokio::test]
async fn reviewer_registration_validates_every_field_and_refuses_duplicates() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let token = app.org_token(&hospital).await;
    let response = app
        .post_as(
            &token,
            "/org/reviewers",
            &json!({"real_name": "", "id_number": "360426199101010072", "phone": "123",
            "username": "9x", "password": "short"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let mut named = fields(&problem(response).await);
    named.sort();
    assert_eq!(named, ["/id_number", "/password", "/phone", "/real_name", "/username"]);

    let seq = next();
    let body = json!({"real_name": "刘审核", "id_number": id_number(seq), "phone": phone(seq), "username": format!("rv{seq}"), "password": PASSWORD});
    assert_eq!(app.post_as(&token, "/org/reviewers", &body).await.status(), 201);
    let mut again = body.clone();
    again["username"] = json!(format!("rv{seq}b"));
    let duplicate = app.post_as(&token, "/org/reviewers", &again).await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(fields(&problem(duplicate).await), vec!["/id_number"]);
}

#[tokio::test]
async fn disabling_a_reviewer_ends_its_access_at_once() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let (username, id) = app.register_reviewer(&hospital).await;
    let session = app.login(&username, PASSWORD).await;
    assert_eq!(app.get_as(&session.access, "/me").await.status(), 200);

    let token = app.org_token(&hospital).await;
    assert_eq!(app.delete_as(&token, &format!("/org/reviewers/{id}")).await.status(), 204);
    assert_eq!(app.get_as(&session.access, "/me").await.status(), 401);
    assert_eq!(app.post("/auth/refresh", &json!({"refresh_token": session.refresh})).await.status(), 401);
    let login = app.try_login(&username, PASSWORD).await;
    assert_eq!(login.status(), 403);
    assert_eq!(problem(login).await["code"], "account_disabled");
    let list: Value = app.get_as(&token, "/org/reviewers").await.json().await.unwrap();
    assert_eq!(list[0]["status"], "disabled");
}

#[tokio::test]
async fn reviewers_belong_to_their_own_organisation_only() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let other = app.register_org("institution").await;
    let (_, id) = app.register_reviewer(&hospital).await;
    let other_token = app.org_token(&other).await;
    assert_eq!(app.delete_as(&other_token, &format!("/org/reviewers/{id}")).await.status(), 404);
    let theirs: Value = app.get_as(&other_token, "/org/reviewers").await.json().await.unwrap();
    assert_eq!(theirs, json!([]));
    let person = app.register_person().await;
    let person_token = app.token_of(&person).await;
    let seq = next();
    let body = json!({"real_name": "刘审核", "id_number": id_number(seq), "phone": phone(seq), "username": format!("rv{seq}"), "password": PASSWORD});
    assert_eq!(app.post_as(&person_token, "/org/reviewers", &body).await.status(), 403);
    assert_eq!(app.get_as(&person_token, "/org/reviewers").await.status(), 403);
    assert_eq!(app.delete_as(&person_token, &format!("/org/reviewers/{id}")).await.status(), 403);
    let (reviewer, _) = app.register_reviewer(&hospital).await;
    let reviewer_token = app.login(&reviewer, PASSWORD).await.access;
    assert_eq!(app.post_as(&reviewer_token, "/org/reviewers", &body).await.status(), 403);
}
