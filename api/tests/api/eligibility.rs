//! 诚信承诺书 at 确认申报, 资格条件 checked with the other problems, and 破格.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, fields, problem, spawn_app};

/// Sets the general 资格条件 of 卫生/中级 as the platform admin.
async fn set_rules(app: &TestApp, rules: Value) -> reqwest::Response {
    let admin = app.plan_admin_token().await;
    app.client
        .put(app.url("/eligibility-rules"))
        .bearer_auth(&admin)
        .json(&json!({"series": "health", "level": "intermediate", "rules": rules}))
        .send()
        .await
        .unwrap()
}

fn all_rules(years_held: u32, profession: u32, reviews: u32, hours: u32) -> Value {
    json!([
        {"kind": "title_years", "paths": [{"level": "assistant", "years": years_held},
            {"level": "assistant", "years": 1, "education": "博士研究生"}]},
        {"kind": "profession_years", "years": profession},
        {"kind": "annual_review", "years": reviews},
        {"kind": "continuing_education", "years": 1, "hours": hours}
    ])
}

async fn submit_fields(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let response = app.submit(token, id).await;
    assert_eq!(response.status(), 422);
    fields(&problem(response).await)
}

#[tokio::test]
async fn submitting_needs_the_plans_current_pledge_and_the_event_records_it() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, &chain.employer, 2026).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    let plan = app.declaration(&token, &id).await["plan"].clone();
    let hash = plan["pledge_sha256"].as_str().unwrap().to_string();
    assert!(plan["pledge_text"].as_str().unwrap().contains("承诺"));

    let path = format!("/declarations/{id}/submit");
    let missing = app.post_as(&token, &path, &json!({})).await;
    assert_eq!(missing.status(), 422);
    let missing = problem(missing).await;
    assert_eq!(fields(&missing), ["/pledge_sha256"]);
    assert!(missing["errors"][0]["message"].as_str().unwrap().contains("诚信承诺书"));
    let other = app.post_as(&token, &path, &json!({"pledge_sha256": "0".repeat(64)})).await;
    assert_eq!(fields(&problem(other).await), ["/pledge_sha256"]);
    let malformed = app.post_as(&token, &path, &json!({"pledge_sha256": "abc"})).await;
    assert_eq!(fields(&problem(malformed).await), ["/pledge_sha256"]);
    let unticked = app.post_as(&token, &path, &json!({"pledge_sha256": hash, "pledge_accepted": false})).await;
    assert_eq!(fields(&problem(unticked).await), ["/pledge_accepted"]);
    assert_eq!(app.declaration(&token, &id).await["status"], "draft");

    let accepted = app.post_as(&token, &path, &json!({"pledge_sha256": hash, "pledge_accepted": true})).await;
    assert_eq!(accepted.status(), 200);
    let events: Value = app.get_as(&token, &format!("/declarations/{id}/events")).await.json().await.unwrap();
    let submit = events.as_array().unwrap().iter().find(|e| e["action"] == "submit").unwrap();
    assert_eq!(submit["detail"]["pledge_sha256"], hash.as_str());
    assert!(submit["detail"]["pledge_accepted_at"].is_string());
}

#[tokio::test]
async fn a_changed_pledge_must_be_accepted_again() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let declaration = app.create_declaration(&token, &chain.employer, 2026).await;
    let id = declaration["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    let old = declaration["plan"]["pledge_sha256"].as_str().unwrap().to_string();
    let plan_id = declaration["plan"]["id"].as_str().unwrap();
    let admin = app.plan_admin_token().await;
    let changed = app
        .patch_as(
            &admin,
            &format!("/plans/{plan_id}"),
            &json!({"pledge_text": "本人承诺所填信息真实准确，如有虚假，愿承担一切责任（新版）。"}),
        )
        .await;
    assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap());
    let path = format!("/declarations/{id}/submit");
    let stale = app.post_as(&token, &path, &json!({"pledge_sha256": old})).await;
    assert_eq!(fields(&problem(stale).await), ["/pledge_sha256"]);
    assert_eq!(app.submit(&token, &id).await.status(), 200);
}

#[tokio::test]
async fn each_eligibility_rule_passes_and_fails_with_its_field_and_words() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, &chain.employer, 2026).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    // The helper's declaration: 大学本科, 14 years, 2025 优秀, 2025 90 hours; no current title.
    assert_eq!(set_rules(&app, all_rules(4, 10, 1, 90)).await.status(), 200);
    let info = |value: Value| {
        let (app, token, id) = (&app, token.clone(), id.clone());
        async move {
            let response = app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": value})).await;
            assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        }
    };

    // 现职称: none, the wrong level, too few years, then enough (to 2026-12-31).
    let response = app.submit(&token, &id).await;
    let body = problem(response).await;
    assert_eq!(fields(&body), ["/info/current_title_level"]);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("取得助理级职称后任职满4年"), "{message}");
    info(json!({"current_title_level": "员级", "current_title_date": "2023-01-01"})).await;
    assert_eq!(submit_fields(&app, &token, &id).await, ["/info/current_title_level"]);
    info(json!({"current_title_level": "助理级"})).await;
    assert_eq!(submit_fields(&app, &token, &id).await, ["/info/current_title_date"]);
    let read = app.declaration(&token, &id).await;
    let title = &read["eligibility"][0];
    assert_eq!((title["code"].as_str(), title["passed"].as_bool()), (Some("title_years"), Some(false)));
    assert_eq!(title["reason"], "现职称任职3年");
    // A doctorate needs one year only: the education decides between the ways.
    info(json!({"education": "博士研究生"})).await;
    let read = app.declaration(&token, &id).await;
    assert_eq!(read["eligibility"][0]["passed"], true);
    info(json!({"education": "大学本科", "current_title_date": "2022-06-30"})).await;

    // 从事本专业年限.
    info(json!({"profession_years": 9})).await;
    assert_eq!(submit_fields(&app, &token, &id).await, ["/info/profession_years"]);
    info(json!({"profession_years": 10})).await;

    // 年度考核: two years asked, 2024 missing; then 2024 基本合格 points at that item.
    assert_eq!(set_rules(&app, all_rules(4, 10, 2, 90)).await.status(), 200);
    assert_eq!(submit_fields(&app, &token, &id).await, ["/sections/annual_review"]);
    let added = app
        .post_as(
            &token,
            &format!("/declarations/{id}/items"),
            &json!({"section": "annual_review", "data": {"year": 2024, "result": "基本合格"}, "attachment_ids": []}),
        )
        .await;
    assert_eq!(added.status(), 201);
    let read = app.declaration(&token, &id).await;
    let index = read["items"].as_array().unwrap().iter().position(|i| i["data"]["year"] == 2024).unwrap();
    assert_eq!(submit_fields(&app, &token, &id).await, [format!("/items/{index}/data/result")]);
    let item_id = read["items"][index]["id"].as_str().unwrap();
    let fixed = app
        .patch_as(
            &token,
            &format!("/declarations/{id}/items/{item_id}"),
            &json!({"data": {"year": 2024, "result": "合格"}}),
        )
        .await;
    assert_eq!(fixed.status(), 200, "{}", fixed.text().await.unwrap());

    // 继续教育学时: 90 in 2025 is short of 100.
    assert_eq!(set_rules(&app, all_rules(4, 10, 2, 100)).await.status(), 200);
    let read = app.declaration(&token, &id).await;
    let hours = read["items"].as_array().unwrap().iter().position(|i| i["section"] == "continuing_education").unwrap();
    assert_eq!(submit_fields(&app, &token, &id).await, [format!("/items/{hours}/data/hours")]);
    assert_eq!(read["eligibility"][3]["rule"], "近1年（2025—2025年）每年继续教育学时须不少于100学时");

    // Every rule met: it goes.
    assert_eq!(set_rules(&app, all_rules(4, 10, 2, 90)).await.status(), 200);
    let read = app.declaration(&token, &id).await;
    assert!(read["eligibility"].as_array().unwrap().iter().all(|o| o["passed"] == true), "{}", read["eligibility"]);
    assert_eq!(app.submit(&token, &id).await.status(), 200);
}

#[tokio::test]
async fn rule_sets_are_data_validated_and_kept_by_the_right_people() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let bad =
        set_rules(&app, json!([{"kind": "annual_review", "years": 0}, {"kind": "annual_review", "years": 3}])).await;
    assert_eq!(bad.status(), 422);
    let bad = problem(bad).await;
    assert_eq!(fields(&bad), ["/rules/0/years", "/rules/1/kind"]);
    let unknown = set_rules(&app, json!([{"kind": "age", "years": 3}])).await;
    assert_eq!(unknown.status(), 422);

    // A bureau's admin keeps its own plans' sets, not the general ones nor another bureau's.
    let bureau_admin = app.org_token(&chain.bureau).await;
    let rules =
        json!({"series": "health", "level": "intermediate", "rules": [{"kind": "profession_years", "years": 3}]});
    let general =
        app.client.put(app.url("/eligibility-rules")).bearer_auth(&bureau_admin).json(&rules).send().await.unwrap();
    assert_eq!(general.status(), 403);
    let plans: Value = app.get_as(&bureau_admin, "/plans?mine=true&year=2026").await.json().await.unwrap();
    let plan_id = plans["items"][0]["id"].as_str().unwrap().to_string();
    let mut own = rules.clone();
    own["plan_id"] = json!(plan_id);
    let put = app.client.put(app.url("/eligibility-rules")).bearer_auth(&bureau_admin).json(&own).send().await.unwrap();
    assert_eq!(put.status(), 200);
    let other_bureau = app.register_org("hrss").await;
    let stranger = app.org_token(&other_bureau).await;
    let refused = app.client.put(app.url("/eligibility-rules")).bearer_auth(&stranger).json(&own).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let person = app.register_person().await;
    let person_token = app.token_of(&person).await;
    let refused =
        app.client.put(app.url("/eligibility-rules")).bearer_auth(&person_token).json(&own).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let listed: Value =
        app.get_as(&person_token, &format!("/eligibility-rules?plan_id={plan_id}")).await.json().await.unwrap();
    assert_eq!(listed[0]["words"][0], "须从事本专业工作满3年");
    let set_id = listed[0]["id"].as_str().unwrap();
    let removed = app.delete_as(&stranger, &format!("/eligibility-rules/{set_id}")).await;
    assert_eq!(removed.status(), 403);

    // The plan's own set wins over the general one for its declarations.
    assert_eq!(set_rules(&app, json!([{"kind": "profession_years", "years": 30}])).await.status(), 200);
    let token = app.token_of(&person).await;
    let declaration = app.create_declaration(&token, &chain.employer, 2026).await;
    assert_eq!(declaration["plan"]["id"], plan_id.as_str());
    assert_eq!(declaration["eligibility"][0]["rule"], "须从事本专业工作满3年");
    assert_eq!(app.delete_as(&bureau_admin, &format!("/eligibility-rules/{set_id}")).await.status(), 204);
    let id = declaration["id"].as_str().unwrap();
    assert_eq!(app.declaration(&token, id).await["eligibility"][0]["rule"], "须从事本专业工作满30年");
}

#[tokio::test]
async fn an_exceptional_declaration_explains_each_failed_rule_and_every_reviewer_sees_it() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, &chain.employer, 2026).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    assert_eq!(set_rules(&app, all_rules(4, 20, 1, 90)).await.status(), 200);
    let patch = |body: Value| {
        let (app, token, id) = (&app, token.clone(), id.clone());
        async move { app.patch_as(&token, &format!("/declarations/{id}"), &body).await }
    };
    assert_eq!(
        patch(json!({"info": {"current_title_level": "助理级", "current_title_date": "2020-01-01"}})).await.status(),
        200
    );
    assert_eq!(submit_fields(&app, &token, &id).await, ["/info/profession_years"]);

    // 破格: the failed rule is now a warning that needs its explanation.
    assert_eq!(patch(json!({"exceptional": true})).await.status(), 200);
    assert_eq!(submit_fields(&app, &token, &id).await, ["/exceptional_explanations/profession_years"]);
    let bad = patch(json!({"exceptional_explanations": {"age": "x", "profession_years": "  "}})).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        fields(&problem(bad).await),
        ["/exceptional_explanations/age", "/exceptional_explanations/profession_years"]
    );
    let why = "长期在基层一线从事护理工作，获省级技术能手称号，符合破格条件";
    assert_eq!(patch(json!({"exceptional_explanations": {"profession_years": why}})).await.status(), 200);
    assert_eq!(app.submit(&token, &id).await.status(), 200);

    let sees = |reviewer: String| {
        let (app, id) = (&app, id.clone());
        async move {
            let token = app.login(&reviewer, PASSWORD).await.access;
            let review: Value = app.get_as(&token, &format!("/reviews/{id}")).await.json().await.unwrap();
            let declaration = &review["declaration"];
            assert_eq!(declaration["exceptional"], true, "{reviewer}");
            let rule = declaration["eligibility"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["code"] == "profession_years")
                .unwrap();
            assert_eq!(rule["passed"], false);
            assert_eq!(rule["explanation"], why);
            assert_eq!(rule["rule"], "须从事本专业工作满20年");
            token
        }
    };
    let employer = sees(chain.employer_reviewer.clone()).await;
    assert_eq!(app.approve(&employer, &id).await.status(), 200);
    assert_eq!(app.report(&employer, &[&id]).await.status(), 201);
    let authority = sees(chain.authority_reviewer.clone()).await;
    assert_eq!(app.approve(&authority, &id).await.status(), 200);
    assert_eq!(app.report(&authority, &[&id]).await.status(), 201);
    sees(chain.bureau_reviewer.clone()).await;
    let events: Value = app.get_as(&token, &format!("/declarations/{id}/events")).await.json().await.unwrap();
    let submit = events.as_array().unwrap().iter().find(|e| e["action"] == "submit").unwrap();
    assert_eq!(submit["detail"]["exceptional"], true);
    assert_eq!(submit["detail"]["exceptional_rules"], json!(["profession_years"]));
}

#[tokio::test]
async fn a_plan_without_exceptional_refuses_it() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let declaration = app.create_declaration(&token, &chain.employer, 2026).await;
    let id = declaration["id"].as_str().unwrap();
    let plan_id = declaration["plan"]["id"].as_str().unwrap();
    let admin = app.plan_admin_token().await;
    let changed = app.patch_as(&admin, &format!("/plans/{plan_id}"), &json!({"exceptional_allowed": false})).await;
    assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap());
    let refused = app.patch_as(&token, &format!("/declarations/{id}"), &json!({"exceptional": true})).await;
    assert_eq!(fields(&problem(refused).await), ["/exceptional"]);
}
