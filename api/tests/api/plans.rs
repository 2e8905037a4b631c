//! 申报计划: declaring only inside an open plan, exact to the second on the server's clock;
//! returns until the return deadline; each level's deadline; extensions (延期); who keeps plans.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::*;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// The plan of these tests: 卫生 every level, 2026, closing 2026-12-15 17:00 Beijing time.
const OPENS: &str = "2026-12-01T09:00:00+08:00";
const CLOSES: &str = "2026-12-15T17:00:00+08:00";
const RETURNS_CLOSE: &str = "2026-12-18T17:00:00+08:00";
const EMPLOYER_CLOSES: &str = "2026-12-22T17:00:00+08:00";
const AUTHORITY_CLOSES: &str = "2026-12-25T17:00:00+08:00";
const BUREAU_CLOSES: &str = "2026-12-30T17:00:00+08:00";

fn december_plan(bureau: &Org) -> Value {
    json!({
        "bureau_org_id": bureau.id, "year": 2026, "kind": "title", "name": "2026年度卫生系列职称申报",
        "notice": "请于2026年12月15日17:00前完成申报。", "series": ["health"],
        "levels": ["senior", "deputy_senior", "intermediate", "assistant", "staff"],
        "opens_at": OPENS, "closes_at": CLOSES, "return_closes_at": RETURNS_CLOSE,
        "employer_closes_at": EMPLOYER_CLOSES, "authority_closes_at": AUTHORITY_CLOSES,
        "bureau_closes_at": BUREAU_CLOSES,
    })
}

/// A chain whose bureau has exactly the December plan; the clock stands inside its window.
async fn december(app: &TestApp) -> (Chain, Value) {
    let bureau = app.register_bureau_without_plans().await;
    let chain = app.chain_to(bureau).await;
    let plan = app.publish_plan(&december_plan(&chain.bureau)).await;
    app.state.clock.set(at("2026-12-10T10:00:00+08:00"));
    (chain, plan)
}

/// A new person with a complete draft at `employer`; returns (person, token, declaration id).
async fn complete_draft(app: &TestApp, employer: &Org) -> (Person, String, String) {
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, employer, 2026).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    (person, token, id)
}

async fn create(app: &TestApp, token: &str, employer: &Org) -> reqwest::Response {
    app.post_as(
        token,
        "/declarations",
        &json!({"year": 2026, "kind": "title", "series": "health", "level": "intermediate",
            "specialty": "护理学", "org_id": employer.id}),
    )
    .await
}

#[tokio::test]
async fn creating_and_submitting_one_second_before_the_close_succeeds_and_one_second_after_is_refused() {
    let app = spawn_app().await;
    let (chain, plan) = december(&app).await;
    let (_, early_token, early) = complete_draft(&app, &chain.employer).await;
    let (_, late_token, late) = complete_draft(&app, &chain.employer).await;
    let newcomer = app.register_person().await;
    let newcomer_token = app.token_of(&newcomer).await;

    app.state.clock.set(at(CLOSES) - Duration::seconds(1));
    let submitted = app.submit(&early_token, &early).await;
    assert_eq!(submitted.status(), 200);
    let submitted: Value = submitted.json().await.unwrap();
    assert_eq!(submitted["plan"]["id"], plan["id"]);
    assert_eq!(submitted["plan"]["closes_at"], "2026-12-15T17:00:00+08:00");
    assert_eq!(submitted["plan"]["seconds_to_submit_until"], 1);

    // At the closing second the window is shut; one second later too, whatever the client says.
    for moment in [at(CLOSES), at(CLOSES) + Duration::seconds(1)] {
        app.state.clock.set(moment);
        let refused = app.submit(&late_token, &late).await;
        assert_eq!(refused.status(), 422);
        let problem = problem(refused).await;
        assert_eq!(problem["code"], "plan_closed");
        assert_eq!(problem["detail"], "申报已于2026年12月15日17:00截止");
        assert_eq!(fields(&problem), ["/plan_id"]);
        let refused = create(&app, &newcomer_token, &chain.employer).await;
        assert_eq!(refused.status(), 422);
        assert_eq!(problem_of(refused).await["detail"], "申报已于2026年12月15日17:00截止");
    }
    assert_eq!(app.declaration(&late_token, &late).await["status"], "draft");
    let list: Value = app.get_as(&newcomer_token, "/declarations").await.json().await.unwrap();
    assert_eq!(list["total"], 0, "nothing was created after the close");

    // One second before the close a newcomer still gets a draft.
    app.state.clock.set(at(CLOSES) - Duration::seconds(1));
    assert_eq!(create(&app, &newcomer_token, &chain.employer).await.status(), 201);
}

async fn problem_of(response: reqwest::Response) -> Value {
    problem(response).await
}

#[tokio::test]
async fn before_the_window_opens_declaring_is_refused_with_its_opening() {
    let app = spawn_app().await;
    let (chain, _) = december(&app).await;
    app.state.clock.set(at(OPENS) - Duration::seconds(1));
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let refused = create(&app, &token, &chain.employer).await;
    assert_eq!(refused.status(), 422);
    let problem = problem(refused).await;
    assert_eq!(problem["code"], "plan_not_open");
    assert_eq!(problem["detail"], "申报将于2026年12月1日09:00开始");
    app.state.clock.set(at(OPENS));
    assert_eq!(create(&app, &token, &chain.employer).await.status(), 201);
}

#[tokio::test]
async fn without_a_plan_of_the_chains_bureau_declaring_is_refused_naming_what_is_missing() {
    let app = spawn_app().await;
    let bureau = app.register_bureau_without_plans().await;
    let chain = app.chain_to(bureau).await;
    // Another bureau's plans are open, but the employer's paths lead elsewhere.
    let elsewhere = app.register_org("hrss").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let refused = create(&app, &token, &chain.employer).await;
    assert_eq!(refused.status(), 422);
    let problem = problem(refused).await;
    assert_eq!(problem["code"], "no_plan");
    assert_eq!(problem["detail"], format!("{}尚未发布2026年度卫生系列中级职称申报的申报计划", chain.bureau.name));

    let plans: Value =
        app.get_as(&token, &format!("/plans?year=2026&bureau_org_id={}", elsewhere.id)).await.json().await.unwrap();
    let foreign = plans["items"][0]["id"].as_str().unwrap();
    let refused = app
        .post_as(
            &token,
            "/declarations",
            &json!({"year": 2026, "kind": "title", "series": "health", "level": "intermediate",
                "specialty": "护理学", "org_id": chain.employer.id, "plan_id": foreign}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let mismatch = problem_of(refused).await;
    assert_eq!(mismatch["code"], "plan_mismatch");
    assert_eq!(fields(&mismatch), ["/plan_id"]);
}

#[tokio::test]
async fn a_plan_covers_only_its_series_levels_and_kind() {
    let app = spawn_app().await;
    let (chain, _) = december(&app).await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    for (kind, series, level, specialty) in
        [("assessment", "health", "intermediate", "护理学"), ("title", "engineering", "intermediate", "机械工程")]
    {
        let refused = app
            .post_as(
                &token,
                "/declarations",
                &json!({"year": 2026, "kind": kind, "series": series, "level": level,
                    "specialty": specialty, "org_id": chain.employer.id}),
            )
            .await;
        assert_eq!(refused.status(), 422, "{kind} {series}");
        assert_eq!(problem(refused).await["code"], "no_plan", "{kind} {series}");
    }
}

#[tokio::test]
async fn a_submitted_declaration_stays_in_the_chain_after_the_close() {
    let app = spawn_app().await;
    let (chain, _) = december(&app).await;
    let (_, token, id) = complete_draft(&app, &chain.employer).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    app.state.clock.set(at(CLOSES) + Duration::days(1));
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&reviewer, &id).await.status(), 200);
    assert_eq!(app.report(&reviewer, &[&id]).await.status(), 201);
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&authority, &id).await.status(), 200);
}

#[tokio::test]
async fn a_returned_declaration_may_be_resubmitted_after_the_close_until_the_return_deadline() {
    let app = spawn_app().await;
    let (chain, _) = december(&app).await;
    let (_, token, id) = complete_draft(&app, &chain.employer).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;

    app.state.clock.set(at(CLOSES) + Duration::hours(1));
    let returned = app.return_declaration(&reviewer, &id, &json!({"opinion": "请补充材料"})).await;
    assert_eq!(returned.status(), 200);
    let mine = app.declaration(&token, &id).await;
    assert_eq!(mine["plan"]["submit_until"], "2026-12-18T17:00:00+08:00");
    app.state.clock.set(at(RETURNS_CLOSE) - Duration::seconds(1));
    assert_eq!(app.submit(&token, &id).await.status(), 200, "resubmitted before the return deadline");

    assert_eq!(app.return_declaration(&reviewer, &id, &json!({"opinion": "还需修改"})).await.status(), 200);
    app.state.clock.set(at(RETURNS_CLOSE));
    let refused = app.submit(&token, &id).await;
    assert_eq!(refused.status(), 422);
    let problem = problem(refused).await;
    assert_eq!(problem["code"], "plan_closed");
    assert_eq!(problem["detail"], "退回修改后重新申报已于2026年12月18日17:00截止");
    assert_eq!(app.declaration(&token, &id).await["status"], "returned");
}

#[tokio::test]
async fn a_reviewer_after_the_levels_deadline_is_refused_unless_extended() {
    let app = spawn_app().await;
    let (chain, plan) = december(&app).await;
    let (_, token, id) = complete_draft(&app, &chain.employer).await;
    let (_, other_token, other) = complete_draft(&app, &chain.employer).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    assert_eq!(app.submit(&other_token, &other).await.status(), 200);
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;

    app.state.clock.set(at(EMPLOYER_CLOSES) - Duration::seconds(1));
    assert_eq!(app.approve(&reviewer, &other).await.status(), 200, "in time");
    let review: Value = app.get_as(&reviewer, &format!("/reviews/{id}")).await.json().await.unwrap();
    assert_eq!(review["deadline"]["stage"], "employer");
    assert_eq!(review["deadline"]["label"], "单位审核截止");
    assert_eq!(review["deadline"]["at"], "2026-12-22T17:00:00+08:00");
    assert_eq!(review["deadline"]["seconds_left"], 1);

    app.state.clock.set(at(EMPLOYER_CLOSES) + Duration::seconds(1));
    for response in
        [app.approve(&reviewer, &id).await, app.return_declaration(&reviewer, &id, &json!({"opinion": "退回"})).await]
    {
        assert_eq!(response.status(), 422);
        let problem = problem(response).await;
        assert_eq!(problem["code"], "review_closed");
        assert_eq!(problem["detail"], "单位审核上报已于2026年12月22日17:00截止");
    }
    let refused = app.report(&reviewer, &[&other]).await;
    assert_eq!(refused.status(), 422);
    let problem = problem(refused).await;
    assert_eq!(problem["code"], "report_refused");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("单位审核上报已于2026年12月22日17:00截止"));
    let review: Value = app.get_as(&reviewer, &format!("/reviews/{id}")).await.json().await.unwrap();
    assert_eq!(review["deadline"]["passed"], true);
    assert_eq!(review["declaration"]["status"], "pending", "nothing moved");

    // 延期 for the employer: its reviewers may act again until the new date.
    let admin = app.plan_admin_token().await;
    let extended = app
        .post_as(
            &admin,
            &format!("/plans/{}/extensions", plan["id"].as_str().unwrap()),
            &json!({"org_id": chain.employer.id, "review_until": "2026-12-24T17:00:00+08:00", "reason": "系统故障顺延"}),
        )
        .await;
    assert_eq!(extended.status(), 201);
    assert_eq!(app.approve(&reviewer, &id).await.status(), 200);
    assert_eq!(app.report(&reviewer, &[&id, &other]).await.status(), 201);
    let review: Value = app.get_as(&reviewer, &format!("/reviews/{id}")).await.json().await.unwrap();
    assert_eq!(review["deadline"]["at"], "2026-12-24T17:00:00+08:00");
    assert_eq!(review["deadline"]["extended"], true);
    assert_eq!(review["deadline"]["extension_reason"], "系统故障顺延");

    // The authority's own deadline is its level's, and the employer's extension is not its.
    app.state.clock.set(at(AUTHORITY_CLOSES));
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let refused = app.approve(&authority, &id).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(problem_of(refused).await["detail"], "主管部门审核上报已于2026年12月25日17:00截止");
}

#[tokio::test]
async fn an_extension_for_one_hospital_lets_only_its_applicants_in() {
    let app = spawn_app().await;
    let (chain, plan) = december(&app).await;
    let plan_id = plan["id"].as_str().unwrap();
    let sibling = app.register_org("institution").await;
    app.open_path(&sibling, "health", "intermediate", &chain.authority).await;
    let (extended_person, extended_token, extended_draft) = complete_draft(&app, &chain.employer).await;
    let (_, sibling_token, sibling_draft) = complete_draft(&app, &sibling).await;
    let newcomer = app.register_person().await;
    let newcomer_token = app.token_of(&newcomer).await;

    let admin = app.plan_admin_token().await;
    let response = app
        .post_as(
            &admin,
            &format!("/plans/{plan_id}/extensions"),
            &json!({"org_id": chain.employer.id, "declare_until": "2026-12-17T17:00:00+08:00", "reason": "医院信息系统升级"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let extension: Value = response.json().await.unwrap();
    assert_eq!(extension["org"]["name"], chain.employer.name.as_str());
    assert_eq!(extension["declare_until"], "2026-12-17T17:00:00+08:00");
    assert_eq!(app.audit_count("plan_extended").await, 1);

    app.state.clock.set(at(CLOSES) + Duration::days(1));
    assert_eq!(app.submit(&extended_token, &extended_draft).await.status(), 200, "the extended hospital");
    assert_eq!(create(&app, &newcomer_token, &chain.employer).await.status(), 201);
    let refused = app.submit(&sibling_token, &sibling_draft).await;
    assert_eq!(refused.status(), 422, "the sibling hospital keeps the plan's close");
    assert_eq!(problem(refused).await["detail"], "申报已于2026年12月15日17:00截止");

    // The people concerned see the new date: its staff and its applicants, not the sibling's.
    let seen = app.declaration(&extended_token, &extended_draft).await;
    assert_eq!(seen["plan"]["closes_at"], "2026-12-17T17:00:00+08:00");
    assert_eq!(seen["plan"]["planned_closes_at"], "2026-12-15T17:00:00+08:00");
    assert_eq!(seen["plan"]["extended"], true);
    assert_eq!(seen["plan"]["extension_reason"], "医院信息系统升级");
    let told = messages_of(&app, "plan_extended").await;
    let employer_admin = app.caller(&chain.employer.admin_username).await.id;
    let employer_reviewer = app.caller(&chain.employer_reviewer).await.id;
    let sibling_admin = app.caller(&sibling.admin_username).await.id;
    assert!(told.iter().any(|m| m.account_id == employer_admin));
    assert!(told.iter().any(|m| m.account_id == employer_reviewer));
    assert!(told.iter().any(|m| m.account_id == extended_person.id));
    assert!(!told.iter().any(|m| m.account_id == sibling_admin));
    assert!(told[0].body.contains("2026年12月17日17:00"), "{}", told[0].body);
    assert!(told[0].body.contains("医院信息系统升级"));

    // After the extended close, the hospital is closed too.
    app.state.clock.set(at("2026-12-17T17:00:00+08:00"));
    let later = app.register_person().await;
    let later_token = app.token_of(&later).await;
    let refused = create(&app, &later_token, &chain.employer).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(problem(refused).await["detail"], "申报已于2026年12月17日17:00截止");
}

#[tokio::test]
async fn an_extension_for_an_authority_covers_every_hospital_below_it() {
    let app = spawn_app().await;
    let (chain, plan) = december(&app).await;
    let sibling = app.register_org("institution").await;
    app.open_path(&sibling, "health", "intermediate", &chain.authority).await;
    let (_, token, draft) = complete_draft(&app, &sibling).await;
    let admin = app.plan_admin_token().await;
    let response = app
        .post_as(
            &admin,
            &format!("/plans/{}/extensions", plan["id"].as_str().unwrap()),
            &json!({"org_id": chain.authority.id, "declare_until": "2026-12-16T17:00:00+08:00",
                "review_until": "2026-12-28T17:00:00+08:00", "reason": "卫生系统集中补报"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    app.state.clock.set(at(CLOSES) + Duration::hours(2));
    assert_eq!(app.submit(&token, &draft).await.status(), 200);
    // The extension reaches the hospitals' reviewing too.
    app.state.clock.set(at(EMPLOYER_CLOSES) + Duration::days(1));
    let (reviewer, _) = app.register_reviewer(&sibling).await;
    let reviewer = app.login(&reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&reviewer, &draft).await.status(), 200);
}

async fn messages_of(app: &TestApp, kind: &str) -> Vec<api::entities::message::Model> {
    use api::entities::message;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    message::Entity::find().filter(message::Column::Kind.eq(kind)).all(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn extension_inputs_are_checked() {
    let app = spawn_app().await;
    let (chain, plan) = december(&app).await;
    let plan_id = plan["id"].as_str().unwrap();
    let unrelated = app.register_org("enterprise").await;
    let admin = app.plan_admin_token().await;
    let good = json!({"org_id": chain.employer.id, "declare_until": "2026-12-16T17:00:00+08:00", "reason": "系统升级"});
    let cases = [
        ("org_id", json!(unrelated.id), "/org_id"),
        ("org_id", json!("nope"), "/org_id"),
        ("declare_until", json!("2026-12-15T17:00:00+08:00"), "/declare_until"),
        ("declare_until", Value::Null, "/declare_until"),
        ("reason", json!(" "), "/reason"),
    ];
    for (key, value, pointer) in cases {
        let mut body = good.clone();
        body[key] = value;
        let response = app.post_as(&admin, &format!("/plans/{plan_id}/extensions"), &body).await;
        assert_eq!(response.status(), 422, "{key}");
        assert_eq!(fields(&problem(response).await), [pointer], "{key}");
    }
    let mut early_review = good.clone();
    early_review["review_until"] = json!(EMPLOYER_CLOSES);
    let response = app.post_as(&admin, &format!("/plans/{plan_id}/extensions"), &early_review).await;
    assert_eq!(fields(&problem(response).await), ["/review_until"]);
    let mut extra = good.clone();
    extra["plan_id"] = json!(plan_id);
    assert_eq!(app.post_as(&admin, &format!("/plans/{plan_id}/extensions"), &extra).await.status(), 422);
    assert_eq!(app.audit_count("plan_extended").await, 0, "nothing was given");
    assert_eq!(app.post_as(&admin, "/plans/nope/extensions", &good).await.status(), 404);
}

#[tokio::test]
async fn plan_inputs_are_checked_and_every_problem_named() {
    let app = spawn_app().await;
    let bureau = app.register_bureau_without_plans().await;
    let token = app.org_token(&bureau).await;
    let mut good = december_plan(&bureau);
    good.as_object_mut().unwrap().remove("bureau_org_id");
    let cases = [
        ("year", json!(1999), "/year"),
        ("name", json!(""), "/name"),
        ("series", json!([]), "/series"),
        ("series", json!(["astrology"]), "/series/0"),
        ("series", json!(["health", "health"]), "/series/1"),
        ("levels", json!([]), "/levels"),
        ("closes_at", json!(OPENS), "/closes_at"),
        ("return_closes_at", json!("2026-12-14T17:00:00+08:00"), "/return_closes_at"),
        ("employer_closes_at", json!("2026-12-17T17:00:00+08:00"), "/employer_closes_at"),
        ("bureau_closes_at", json!("2026-12-24T17:00:00+08:00"), "/bureau_closes_at"),
        ("pledge_text", json!("太短"), "/pledge_text"),
        ("notice_attachment_id", json!("nope"), "/notice_attachment_id"),
    ];
    for (key, value, pointer) in cases {
        let mut body = good.clone();
        body[key] = value;
        let response = app.post_as(&token, "/plans", &body).await;
        assert_eq!(response.status(), 422, "{key}");
        assert_eq!(fields(&problem(response).await), [pointer], "{key}");
    }
    for (key, value) in [("status", json!("open")), ("closes_at", json!("下周五")), ("kind", json!("promotion"))] {
        let mut body = good.clone();
        body[key] = value;
        assert_eq!(app.post_as(&token, "/plans", &body).await.status(), 422, "{key}");
    }
    let mut senior_only = good.clone();
    senior_only["series"] = json!(["health", "school_teacher"]);
    senior_only["levels"] = json!(["senior"]);
    let created = app.post_as(&token, "/plans", &senior_only).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["bureau"]["id"], bureau.id.as_str());
    assert_eq!(created["closes_at"], CLOSES);
    assert_eq!(created["scopes"].as_array().unwrap().len(), 2);
    assert_eq!(created["deadlines"][0]["label"], "单位审核截止");
    assert!(created["pledge_text"].as_str().unwrap().chars().count() > 20, "the default pledge");
    // The same bureau, year, kind, series and level twice would leave declarations undecided.
    let again = app.post_as(&token, "/plans", &good).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "plan_overlaps");
    assert_eq!(app.audit_count("plan_published").await, 1);
}

#[tokio::test]
async fn only_the_plans_bureau_and_the_platform_admin_keep_it_and_everyone_reads_it() {
    let app = spawn_app().await;
    let (chain, plan) = december(&app).await;
    let plan_id = plan["id"].as_str().unwrap();
    let other_bureau = app.register_org("hrss").await;
    let person = app.register_person().await;
    let subjects = [
        ("person", app.token_of(&person).await, 403),
        ("employer admin", app.org_token(&chain.employer).await, 403),
        ("bureau reviewer", app.login(&chain.bureau_reviewer, PASSWORD).await.access, 403),
        ("another bureau", app.org_token(&other_bureau).await, 403),
    ];
    let patch = json!({"name": "改名"});
    let extension =
        json!({"org_id": chain.employer.id, "declare_until": "2026-12-16T17:00:00+08:00", "reason": "延期"});
    for (name, token, expected) in &subjects {
        let read = app.get_as(token, &format!("/plans/{plan_id}")).await;
        assert_eq!(read.status(), 200, "{name} reads");
        let read: Value = read.json().await.unwrap();
        assert_eq!(read["extensions"], json!([]), "{name} sees no extension list");
        assert_eq!(app.patch_as(token, &format!("/plans/{plan_id}"), &patch).await.status(), *expected, "{name}");
        assert_eq!(app.delete_as(token, &format!("/plans/{plan_id}")).await.status(), *expected, "{name}");
        let extended = app.post_as(token, &format!("/plans/{plan_id}/extensions"), &extension).await;
        assert_eq!(extended.status(), *expected, "{name}");
        assert_eq!(app.get_as(token, &format!("/plans/{plan_id}/extensions")).await.status(), *expected, "{name}");
        let publish = app.post_as(token, "/plans", &december_plan(&chain.bureau)).await;
        assert!([403, 422].contains(&publish.status().as_u16()), "{name} publishes: {}", publish.status());
    }
    assert_eq!(app.client.get(app.url(&format!("/plans/{plan_id}"))).send().await.unwrap().status(), 401);
    let bureau = app.org_token(&chain.bureau).await;
    assert_eq!(app.get_as(&bureau, "/plans/nope").await.status(), 404);
    let renamed = app.patch_as(&bureau, &format!("/plans/{plan_id}"), &patch).await;
    assert_eq!(renamed.status(), 200);
    let unchanged: Value = app.get_as(&bureau, &format!("/plans/{plan_id}")).await.json().await.unwrap();
    assert_eq!(unchanged["name"], "改名");
    assert_eq!(unchanged["version"], 2);
    assert_eq!(app.audit_count("plan_updated").await, 1, "only the bureau's change went through");
    assert_eq!(app.audit_count("plan_extended").await, 0);
}

#[tokio::test]
async fn moving_the_close_later_lets_people_in_and_is_audited() {
    let app = spawn_app().await;
    let (chain, plan) = december(&app).await;
    let plan_id = plan["id"].as_str().unwrap();
    app.state.clock.set(at(CLOSES) + Duration::minutes(5));
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    assert_eq!(create(&app, &token, &chain.employer).await.status(), 422);
    let bureau = app.org_token(&chain.bureau).await;
    let stale = app
        .client
        .patch(app.url(&format!("/plans/{plan_id}")))
        .bearer_auth(&bureau)
        .header("If-Match", "7")
        .json(&json!({"closes_at": "2026-12-16T17:00:00+08:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let moved =
        app.patch_as(&bureau, &format!("/plans/{plan_id}"), &json!({"closes_at": "2026-12-16T17:00:00+08:00"})).await;
    assert_eq!(moved.status(), 200);
    assert_eq!(create(&app, &token, &chain.employer).await.status(), 201);
    assert_eq!(app.audit_count("plan_updated").await, 1);
    let out_of_order =
        app.patch_as(&bureau, &format!("/plans/{plan_id}"), &json!({"closes_at": "2026-12-19T17:00:00+08:00"})).await;
    assert_eq!(fields(&problem(out_of_order).await), ["/return_closes_at"]);
}

#[tokio::test]
async fn a_plan_in_use_keeps_its_scope_and_cannot_be_withdrawn() {
    let app = spawn_app().await;
    let (chain, plan) = december(&app).await;
    let plan_id = plan["id"].as_str().unwrap();
    complete_draft(&app, &chain.employer).await;
    let bureau = app.org_token(&chain.bureau).await;
    let narrowed = app.patch_as(&bureau, &format!("/plans/{plan_id}"), &json!({"levels": ["senior"]})).await;
    assert_eq!(narrowed.status(), 409);
    assert_eq!(problem(narrowed).await["code"], "plan_scope_in_use");
    let withdrawn = app.delete_as(&bureau, &format!("/plans/{plan_id}")).await;
    assert_eq!(withdrawn.status(), 409);
    assert_eq!(app.get_as(&bureau, &format!("/plans/{plan_id}")).await.status(), 200);

    let unused = app
        .publish_plan(&{
            let mut body = december_plan(&chain.bureau);
            body["kind"] = json!("assessment");
            body
        })
        .await;
    let unused_id = unused["id"].as_str().unwrap();
    assert_eq!(app.delete_as(&bureau, &format!("/plans/{unused_id}")).await.status(), 204);
    assert_eq!(app.get_as(&bureau, &format!("/plans/{unused_id}")).await.status(), 404);
    assert_eq!(app.audit_count("plan_withdrawn").await, 1);
}

#[tokio::test]
async fn open_plans_count_down_on_the_servers_clock() {
    let app = spawn_app().await;
    let (_, plan) = december(&app).await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    app.state.clock.set(at(CLOSES) - Duration::seconds(90));
    let open: Value = app.get_as(&token, "/plans?open=true").await.json().await.unwrap();
    assert_eq!(open["total"], 1);
    assert_eq!(open["items"][0]["id"], plan["id"]);
    assert_eq!(open["items"][0]["window"], "open");
    assert_eq!(open["items"][0]["seconds_to_close"], 90);
    app.state.clock.set(at(CLOSES));
    let open: Value = app.get_as(&token, "/plans?open=true").await.json().await.unwrap();
    assert_eq!(open["total"], 0);
    let all: Value = app.get_as(&token, "/plans?year=2026").await.json().await.unwrap();
    assert_eq!(all["items"][0]["window"], "closed");
    assert_eq!(all["items"][0]["window_label"], "已截止");
}

#[tokio::test]
async fn each_organisation_reads_its_levels_deadline() {
    let app = spawn_app().await;
    let (chain, plan) = december(&app).await;
    let admin = app.plan_admin_token().await;
    let response = app
        .post_as(
            &admin,
            &format!("/plans/{}/extensions", plan["id"].as_str().unwrap()),
            &json!({"org_id": chain.authority.id, "review_until": "2026-12-27T17:00:00+08:00", "reason": "汇总材料"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    for (token, stage, at, extended) in [
        (app.org_token(&chain.employer).await, "employer", "2026-12-27T17:00:00+08:00", true),
        (app.login(&chain.authority_reviewer, PASSWORD).await.access, "authority", "2026-12-27T17:00:00+08:00", true),
        (app.org_token(&chain.bureau).await, "bureau", BUREAU_CLOSES, false),
    ] {
        let deadlines: Value = app.get_as(&token, "/org/deadlines").await.json().await.unwrap();
        let mine = deadlines.as_array().unwrap().iter().find(|d| d["plan_id"] == plan["id"]).unwrap().clone();
        assert_eq!(mine["stage"], stage);
        assert_eq!(mine["at"], at, "{stage}");
        assert_eq!(mine["extended"], extended, "{stage}");
    }
    let person = app.register_person().await;
    assert_eq!(app.get_as(&app.token_of(&person).await, "/org/deadlines").await.status(), 403);
}
