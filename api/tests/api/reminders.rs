//! Daily reminders (drafts near the close, files waiting, organisations not reported) run twice
//! on one day tell once; 催办 tells the holder's reviewers, once per file per day, audited.

use api::entities::{message, plan};
use api::services::reminders::{self, Told};
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::helpers::*;

async fn messages_of(app: &TestApp, account_id: &str, kind: &str) -> u64 {
    message::Entity::find()
        .filter(message::Column::AccountId.eq(account_id))
        .filter(message::Column::Kind.eq(kind))
        .count(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_daily_reminders_run_twice_on_one_day_tell_once() {
    let app = spawn_app_with(|settings| settings.jobs.enabled = false).await;
    let chain = app.chain().await;
    // One file submitted and left waiting at the employer; one draft never submitted.
    let (_, _, waiting) = app.submitted_declaration(&chain).await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let draft = app.create_declaration(&token, &chain.employer, 2026).await;
    let plan_id = draft["plan"]["id"].as_str().or(draft["plan_id"].as_str()).expect("the draft's plan").to_string();
    let closes = plan::Entity::find_by_id(plan_id).one(&app.state.db).await.unwrap().unwrap().closes_at;

    // Early in the plan nothing is due: no draft is near its close, no file has waited 5 days.
    assert_eq!(reminders::run_daily(&app.state).await.unwrap(), Told { drafts: 0, waiting_orgs: 0, bureaus: 1 });

    // Two days before the close.
    app.state.clock.set(closes - Duration::days(2));
    let first = reminders::run_daily(&app.state).await.unwrap();
    assert_eq!(first, Told { drafts: 1, waiting_orgs: 1, bureaus: 1 });
    // The same day again (a second instance, an operator): nobody is told twice.
    app.state.clock.advance(Duration::minutes(5));
    assert_eq!(reminders::run_daily(&app.state).await.unwrap(), Told::default());

    let employer_reviewer = app.caller(&chain.employer_reviewer).await.id;
    let bureau_admin = app.caller(&chain.bureau.admin_username).await.id;
    assert_eq!(messages_of(&app, &person.id, "draft_deadline").await, 1);
    assert_eq!(messages_of(&app, &employer_reviewer, "files_waiting").await, 1);
    assert_eq!(messages_of(&app, &bureau_admin, "orgs_not_reported").await, 2);
    // Only those: the waiting file's applicant has no draft; the authority holds nothing.
    let authority_reviewer = app.caller(&chain.authority_reviewer).await.id;
    assert_eq!(messages_of(&app, &authority_reviewer, "files_waiting").await, 0);
    let list =
        message::Entity::find().filter(message::Column::Kind.eq("orgs_not_reported")).all(&app.state.db).await.unwrap();
    assert!(list.iter().all(|m| m.body.contains(&chain.employer.name)), "{list:?}");
    let _ = waiting;

    // The next day reminds again.
    app.state.clock.advance(Duration::days(1));
    assert_eq!(reminders::run_daily(&app.state).await.unwrap(), Told { drafts: 1, waiting_orgs: 1, bureaus: 1 });
    assert_eq!(messages_of(&app, &person.id, "draft_deadline").await, 2);
}

#[tokio::test]
async fn an_organisation_urges_the_level_holding_its_file_once_a_day() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, person_token, id) = app.submitted_declaration(&chain).await;
    let employer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    // Held by the employer itself: nothing to urge.
    let response = app.post_as(&employer, &format!("/reviews/{id}/urge"), &json!({})).await;
    assert_eq!(response.status(), 409);
    assert_eq!(problem(response).await["code"], json!("nothing_to_urge"));

    assert_eq!(app.approve(&employer, &id).await.status(), 200);
    assert_eq!(app.report(&employer, &[&id]).await.status(), 201);
    let authority_reviewer = app.caller(&chain.authority_reviewer).await.id;
    let bureau_reviewer = app.caller(&chain.bureau_reviewer).await.id;

    let response = app.post_as(&employer, &format!("/reviews/{id}/urge"), &json!({})).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["holder_org_id"], json!(chain.authority.id));
    assert_eq!(messages_of(&app, &authority_reviewer, "urged").await, 1);
    assert_eq!(messages_of(&app, &bureau_reviewer, "urged").await, 0);
    assert_eq!(app.audit_count("declaration_urged").await, 1);

    // Again the same day, by anyone of the employer: refused, nobody told again.
    let admin = app.org_token(&chain.employer).await;
    let response = app.post_as(&admin, &format!("/reviews/{id}/urge"), &json!({})).await;
    assert_eq!(response.status(), 429);
    let refused = problem(response).await;
    assert_eq!(refused["code"], json!("urged_today"));
    assert_eq!(messages_of(&app, &authority_reviewer, "urged").await, 1);

    // A stranger organisation, and the applicant, cannot urge.
    let stranger = app.register_org("institution").await;
    let stranger_token = app.org_token(&stranger).await;
    assert_eq!(app.post_as(&stranger_token, &format!("/reviews/{id}/urge"), &json!({})).await.status(), 404);
    assert_eq!(app.post_as(&person_token, &format!("/reviews/{id}/urge"), &json!({})).await.status(), 403);

    // The next Beijing day it may be urged again.
    app.state.clock.advance(Duration::days(1));
    assert_eq!(app.post_as(&employer, &format!("/reviews/{id}/urge"), &json!({})).await.status(), 200);
    assert_eq!(messages_of(&app, &authority_reviewer, "urged").await, 2);
}
