//! 站内信: every state change of the lifecycle tells exactly the people it concerns (and nobody
//! else), in the change's transaction; each account reads and marks only its own messages.

use std::collections::HashSet;

use api::entities::message;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::*;

/// The ids of every message written so far.
async fn seen(app: &TestApp) -> HashSet<String> {
    message::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|m| m.id).collect()
}

/// The (recipient account id, kind) of every message written since `before`, sorted.
async fn new_messages(app: &TestApp, before: &HashSet<String>) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = message::Entity::find()
        .order_by_asc(message::Column::CreatedAt)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| !before.contains(&m.id))
        .map(|m| (m.account_id, m.kind))
        .collect();
    rows.sort();
    rows
}

fn expect(mut rows: Vec<(&str, &str)>) -> Vec<(String, String)> {
    rows.sort();
    rows.into_iter().map(|(a, k)| (a.to_string(), k.to_string())).collect()
}

async fn account_id(app: &TestApp, username: &str) -> String {
    app.caller(username).await.id
}

async fn inbox(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get_as(token, &format!("/messages{query}")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn unread(app: &TestApp, token: &str) -> u64 {
    let body: Value = app.get_as(token, "/messages/unread-count").await.json().await.unwrap();
    body["unread"].as_u64().unwrap()
}

#[tokio::test]
async fn each_step_of_a_declaration_tells_exactly_the_people_it_concerns() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let employer_reviewer = account_id(&app, &chain.employer_reviewer).await;
    let authority_reviewer = account_id(&app, &chain.authority_reviewer).await;
    let bureau_reviewer = account_id(&app, &chain.bureau_reviewer).await;

    // 确认申报: the employer's reviewers (not its admin, not the levels above, not the applicant).
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let declaration = app.create_declaration(&token, &chain.employer, 2026).await;
    let id = declaration["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    let before = seen(&app).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    assert_eq!(new_messages(&app, &before).await, expect(vec![(&employer_reviewer, "files_arrived")]));

    // 审核不通过 + 退回: the applicant alone.
    let employer_token = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let before = seen(&app).await;
    let response = app
        .return_declaration(
            &employer_token,
            &id,
            &json!({"opinion": "学历证书不清晰", "items": [], "add_sections": []}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(new_messages(&app, &before).await, expect(vec![(&person.id, "declaration_returned")]));
    let page = inbox(&app, &token, "").await;
    assert!(page["items"][0]["body"].as_str().unwrap().contains("学历证书不清晰"), "{page}");
    assert_eq!(page["items"][0]["link"], json!(format!("/declarations/{id}/progress")));

    // Resubmitted: the employer's reviewers again.
    let before = seen(&app).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    assert_eq!(new_messages(&app, &before).await, expect(vec![(&employer_reviewer, "declaration_resubmitted")]));

    // 审核通过: the applicant.
    let before = seen(&app).await;
    assert_eq!(app.approve(&employer_token, &id).await.status(), 200);
    assert_eq!(new_messages(&app, &before).await, expect(vec![(&person.id, "declaration_approved")]));

    // 数据上报: the applicant, and the parent's reviewers.
    let before = seen(&app).await;
    assert_eq!(app.report(&employer_token, &[&id]).await.status(), 201);
    assert_eq!(
        new_messages(&app, &before).await,
        expect(vec![(&person.id, "declaration_reported"), (&authority_reviewer, "files_arrived")])
    );

    // Up to the bureau, which accepts (受理).
    let authority_token = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&authority_token, &id).await.status(), 200);
    let before = seen(&app).await;
    assert_eq!(app.report(&authority_token, &[&id]).await.status(), 201);
    assert_eq!(
        new_messages(&app, &before).await,
        expect(vec![(&person.id, "declaration_reported"), (&bureau_reviewer, "files_arrived")])
    );
    let bureau_token = app.login(&chain.bureau_reviewer, PASSWORD).await.access;
    let before = seen(&app).await;
    assert_eq!(app.approve(&bureau_token, &id).await.status(), 200);
    assert_eq!(new_messages(&app, &before).await, expect(vec![(&person.id, "declaration_accepted")]));

    // A stranger's list stays empty.
    let stranger = app.register_person().await;
    let stranger_token = app.token_of(&stranger).await;
    assert_eq!(inbox(&app, &stranger_token, "").await["total"], json!(0));
    assert_eq!(unread(&app, &stranger_token).await, 0);
}

#[tokio::test]
async fn a_refused_change_tells_nobody() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, _, id) = app.submitted_declaration(&chain).await;
    let employer_token = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&employer_token, &id).await.status(), 200);
    let before = seen(&app).await;
    // Approving twice is a 409: nothing is written, no message either.
    assert_eq!(app.approve(&employer_token, &id).await.status(), 409);
    // The authority's reviewer cannot return what it does not hold.
    let authority_token = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let response =
        app.return_declaration(&authority_token, &id, &json!({"opinion": "x", "items": [], "add_sections": []})).await;
    assert_eq!(response.status(), 404);
    assert!(new_messages(&app, &before).await.is_empty());
}

#[tokio::test]
async fn path_applications_and_org_verification_tell_the_admins_who_decide_and_who_waits() {
    let app = spawn_app().await;
    let bureau = app.register_org("hrss").await;
    let bureau_admin = account_id(&app, &bureau.admin_username).await;
    // A bureau of another county hears nothing of this one's organisations.
    let admin = app.admin_token().await;
    let mut elsewhere = TestApp::new_org_body("hrss");
    elsewhere["region_code"] = json!("370102");
    assert_eq!(app.post_as(&admin, "/admin/orgs", &elsewhere).await.status(), 201);

    let before = seen(&app).await;
    let authority = app.register_unverified_org("authority").await;
    let authority_admin = account_id(&app, &authority.admin_username).await;
    assert_eq!(new_messages(&app, &before).await, expect(vec![(&bureau_admin, "org_awaiting_verification")]));
    // An enterprise needs no 单位认证: nobody is told.
    let before = seen(&app).await;
    app.register_unverified_org("enterprise").await;
    assert!(new_messages(&app, &before).await.is_empty());

    let bureau_token = app.org_token(&bureau).await;
    let before = seen(&app).await;
    let response = app.post_as(&bureau_token, &format!("/bureau/orgs/{}/verify", authority.id), &json!({})).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    assert_eq!(new_messages(&app, &before).await, expect(vec![(&authority_admin, "org_verified")]));

    // 路径申请: the parent's admin; 审核不通过: the applicant's admin, with the reason.
    let hospital = app.register_org("institution").await;
    let hospital_admin = account_id(&app, &hospital.admin_username).await;
    let before = seen(&app).await;
    let path = app.apply_path(&hospital, "health", "intermediate", &authority).await;
    assert_eq!(new_messages(&app, &before).await, expect(vec![(&authority_admin, "path_awaiting_audit")]));
    let authority_token = app.org_token(&authority).await;
    let before = seen(&app).await;
    let response =
        app.post_as(&authority_token, &format!("/paths/{path}/reject"), &json!({"reason": "请选择卫生系列"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(new_messages(&app, &before).await, expect(vec![(&hospital_admin, "path_rejected")]));
    let hospital_token = app.org_token(&hospital).await;
    let page = inbox(&app, &hospital_token, "").await;
    assert!(page["items"][0]["body"].as_str().unwrap().contains("请选择卫生系列"), "{page}");
}

#[tokio::test]
async fn an_account_reads_and_marks_only_its_own_messages() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (person, token, id) = app.submitted_declaration(&chain).await;
    let employer_token = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    app.return_declaration(&employer_token, &id, &json!({"opinion": "请补充", "items": [], "add_sections": []})).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    assert_eq!(app.approve(&employer_token, &id).await.status(), 200);
    let _ = person;

    assert_eq!(unread(&app, &token).await, 2);
    let page = inbox(&app, &token, "?page_size=1").await;
    assert_eq!((page["total"].as_u64(), page["items"].as_array().unwrap().len()), (Some(2), 1));
    // Newest first.
    assert_eq!(page["items"][0]["kind"], json!("declaration_approved"));
    let newest = page["items"][0]["id"].as_str().unwrap().to_string();

    // Someone else's message: 404, and it stays unread.
    let stranger = app.register_person().await;
    let stranger_token = app.token_of(&stranger).await;
    let response = app.post_as(&stranger_token, &format!("/messages/{newest}/read"), &json!({})).await;
    assert_eq!(response.status(), 404);
    assert_eq!(problem(response).await["status"], json!(404));
    assert_eq!(response_of_reviewer(&app, &employer_token, &newest).await, 404);
    assert_eq!(unread(&app, &token).await, 2);
    assert_eq!(app.post_as(&stranger_token, "/messages/read-all", &json!({})).await.status(), 200);
    assert_eq!(unread(&app, &token).await, 2);

    let response = app.post_as(&token, &format!("/messages/{newest}/read"), &json!({})).await;
    assert_eq!(response.status(), 200);
    let read: Value = response.json().await.unwrap();
    assert!(read["read_at"].is_string());
    assert_eq!(unread(&app, &token).await, 1);
    let left = inbox(&app, &token, "?unread=true").await;
    assert_eq!(left["total"], json!(1));
    assert_eq!(left["items"][0]["kind"], json!("declaration_returned"));

    let marked: Value = app.post_as(&token, "/messages/read-all", &json!({})).await.json().await.unwrap();
    assert_eq!(marked["marked"], json!(1));
    assert_eq!(unread(&app, &token).await, 0);
    assert_eq!(inbox(&app, &token, "").await["total"], json!(2));
    // The reviewer's own messages were untouched by the applicant's read-all.
    assert_eq!(unread(&app, &employer_token).await, 2);
    // Without a token: 401.
    assert_eq!(app.get("/messages").await.status(), 401);
}

async fn response_of_reviewer(app: &TestApp, token: &str, id: &str) -> u16 {
    app.post_as(token, &format!("/messages/{id}/read"), &json!({})).await.status().as_u16()
}

#[tokio::test]
async fn the_todo_counts_are_what_waits_for_the_caller() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, token, _) = app.submitted_declaration(&chain).await;
    app.submitted_declaration(&chain).await;
    let employer_reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let todo: Value = app.get_as(&employer_reviewer, "/me/todo").await.json().await.unwrap();
    assert_eq!(todo, json!({"unread": 2, "files_waiting": 2, "paths_to_audit": 0, "orgs_to_verify": 0}));
    // The authority holds nothing yet; a new path application waits for its admin.
    let hospital = app.register_org("institution").await;
    app.apply_path(&hospital, "health", "intermediate", &chain.authority).await;
    let authority_admin = app.org_token(&chain.authority).await;
    let todo: Value = app.get_as(&authority_admin, "/me/todo").await.json().await.unwrap();
    assert_eq!((todo["files_waiting"].as_u64(), todo["paths_to_audit"].as_u64()), (Some(0), Some(1)));
    // A bureau's admin sees the organisations waiting for 单位认证.
    app.register_unverified_org("township").await;
    let bureau_admin = app.org_token(&chain.bureau).await;
    let todo: Value = app.get_as(&bureau_admin, "/me/todo").await.json().await.unwrap();
    assert_eq!(todo["orgs_to_verify"], json!(1));
    // The applicant has nothing to do but read.
    let todo: Value = app.get_as(&token, "/me/todo").await.json().await.unwrap();
    assert_eq!(todo, json!({"unread": 0, "files_waiting": 0, "paths_to_audit": 0, "orgs_to_verify": 0}));
}
