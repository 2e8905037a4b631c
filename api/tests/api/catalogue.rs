//! The title catalogue: national series seeded, served to every account, maintained by the admin.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn the_national_series_are_seeded_with_only_the_levels_they_have() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let series: Value = app.get_as(&token, "/series").await.json().await.unwrap();
    let all = series.as_array().unwrap();
    assert!(all.len() >= 26);
    let names: Vec<&str> = all.iter().map(|s| s["name"].as_str().unwrap()).collect();
    for expected in ["工程", "卫生", "经济", "会计", "中小学教师", "高等学校教师", "公共法律服务"]
    {
        assert!(names.contains(&expected), "{expected}");
    }
    let by_code = |code: &str| all.iter().find(|s| s["code"] == code).unwrap().clone();
    let levels = |s: &Value| {
        s["levels"].as_array().unwrap().iter().map(|l| l["level"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(levels(&by_code("engineering")), ["senior", "deputy_senior", "intermediate", "assistant", "staff"]);
    assert_eq!(levels(&by_code("economics")), ["senior", "deputy_senior", "intermediate", "assistant"]);
    assert_eq!(by_code("health")["levels"][1]["label"], "副高级");
    assert!(by_code("health")["specialties"].as_array().unwrap().iter().any(|s| s["name"] == "护理学"));
    assert_eq!(app.get("/series").await.status(), 401);
}

#[tokio::test]
async fn the_admin_adds_renames_and_retires_series_levels_and_specialties() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let person = app.register_person().await;
    let person_token = app.token_of(&person).await;
    let series_of = |list: &Value, code: &str| list.as_array().unwrap().iter().find(|s| s["code"] == code).cloned();

    let body = json!({"code": "nursing_research", "name": "护理研究", "levels": [
        {"level": "deputy_senior", "title_name": "副研究员"}, {"level": "intermediate", "title_name": "助理研究员"}],
        "specialties": ["临床护理"]});
    assert_eq!(app.post_as(&person_token, "/admin/series", &body).await.status(), 403);
    assert_eq!(app.post_as(&admin, "/admin/series", &body).await.status(), 201);
    assert_eq!(app.post_as(&admin, "/admin/series", &body).await.status(), 409);

    let list: Value = app.get_as(&person_token, "/series").await.json().await.unwrap();
    let created = series_of(&list, "nursing_research").unwrap();
    assert_eq!(created["levels"].as_array().unwrap().len(), 2);

    // Add a level, rename it, add and retire a specialty, rename and retire the series.
    assert_eq!(
        app.client
            .put(app.url("/admin/series/nursing_research/levels/senior"))
            .bearer_auth(&admin)
            .json(&json!({"title_name": "研究员"}))
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        app.client
            .put(app.url("/admin/series/nursing_research/levels/senior"))
            .bearer_auth(&admin)
            .json(&json!({"title_name": "正高级研究员"}))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let missing_title = app
        .client
        .put(app.url("/admin/series/nursing_research/levels/staff"))
        .bearer_auth(&admin)
        .json(&json!({"active": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_title.status(), 422);
    let added: Value = app
        .post_as(&admin, "/admin/series/nursing_research/specialties", &json!({"name": "社区护理"}))
        .await
        .json()
        .await
        .unwrap();
    let specialty_id = added["id"].as_str().unwrap();
    assert_eq!(
        app.patch_as(
            &admin,
            &format!("/admin/series/nursing_research/specialties/{specialty_id}"),
            &json!({"active": false})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        app.patch_as(&admin, "/admin/series/nursing_research", &json!({"name": "护理科学研究"})).await.status(),
        204
    );

    let list: Value = app.get_as(&person_token, "/series").await.json().await.unwrap();
    let changed = series_of(&list, "nursing_research").unwrap();
    assert_eq!(changed["name"], "护理科学研究");
    assert_eq!(changed["levels"][0]["title_name"], "正高级研究员");
    assert!(!changed["specialties"].as_array().unwrap().iter().any(|s| s["name"] == "社区护理"));

    assert_eq!(app.patch_as(&admin, "/admin/series/nursing_research", &json!({"active": false})).await.status(), 204);
    let list: Value = app.get_as(&person_token, "/series").await.json().await.unwrap();
    assert!(series_of(&list, "nursing_research").is_none(), "retired series are hidden");
    let all: Value = app.get_as(&admin, "/series?include_retired=true").await.json().await.unwrap();
    assert_eq!(series_of(&all, "nursing_research").unwrap()["active"], false);

    // A retired series cannot get new paths.
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let token = app.org_token(&hospital).await;
    let response = app
        .post_as(
            &token,
            "/paths",
            &json!({"series": "nursing_research", "level": "senior", "parent_org_id": authority.id}),
        )
        .await;
    assert_eq!(fields(&problem(response).await), vec!["/series"]);
}

#[tokio::test]
async fn bad_catalogue_changes_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let bad = json!({"code": "Bad Code", "name": "", "levels": []});
    let response = app.post_as(&admin, "/admin/series", &bad).await;
    assert_eq!(response.status(), 422);
    let mut named = fields(&problem(response).await);
    named.sort();
    assert_eq!(named, ["/code", "/levels", "/name"]);
    assert_eq!(app.patch_as(&admin, "/admin/series/nope", &json!({"name": "x"})).await.status(), 404);
    assert_eq!(app.patch_as(&admin, "/admin/series/health", &json!({})).await.status(), 422);
    assert_eq!(app.post_as(&admin, "/admin/series/health/specialties", &json!({"name": "护理学"})).await.status(), 409);
}

#[tokio::test]
async fn organisations_are_found_by_name_with_public_fields_only() {
    let app = spawn_app().await;
    let authority = app.register_org("authority").await;
    app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let found: Value = app.get_as(&token, &format!("/orgs?q={}", urlencode("主管部门"))).await.json().await.unwrap();
    assert_eq!(found["total"], 1);
    let org = &found["items"][0];
    assert_eq!(org["id"], authority.id.as_str());
    let keys: Vec<&String> = org.as_object().unwrap().keys().collect();
    // What a clerk checks a parent against is public (单位认证); contacts and phones are not.
    assert_eq!(
        keys,
        ["address", "id", "kind", "kind_label", "name", "region_code", "uscc", "verification", "verified"]
    );
    assert_eq!(org["uscc"], authority.uscc.as_str());
    assert_eq!(org["verified"], true);
    let by_kind: Value = app.get_as(&token, "/orgs?kind=institution").await.json().await.unwrap();
    assert_eq!(by_kind["total"], 1);
    // Wildcards in the query are literal.
    let none: Value = app.get_as(&token, "/orgs?q=%25").await.json().await.unwrap();
    assert_eq!(none["total"], 0);
    assert_eq!(app.get_as(&token, "/orgs?page_size=1000").await.status(), 422);
    assert_eq!(app.get_as(&token, "/orgs?kind=ministry").await.status(), 422);
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}
