//! Forms that know what they ask: 民族 from the 56 of GB/T 3304 and 工作所在地 from the GB/T 2260
//! 行政区划, both served by the API and checked on every save.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn the_56_ethnicities_are_served_and_nothing_else_is_saved_as_民族() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let names: Vec<String> = app.get_as(&token, "/catalogue/ethnicities").await.json().await.unwrap();
    assert_eq!(names.len(), 56);
    assert_eq!((names[0].as_str(), names[55].as_str()), ("汉族", "基诺族"));
    assert_eq!(app.get("/catalogue/ethnicities").await.status(), 401);

    let id = app.create_declaration(&token, &hospital, 2026).await["id"].as_str().unwrap().to_string();
    let form: Value = app.get_as(&token, &format!("/declarations/{id}/form")).await.json().await.unwrap();
    let ethnicity = form["info_fields"].as_array().unwrap().iter().find(|f| f["key"] == "ethnicity").unwrap();
    assert_eq!(ethnicity["list"], "ethnicity");

    for bad in ["汉", "穿青人", "Han"] {
        let refused = app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"ethnicity": bad}})).await;
        assert_eq!(refused.status(), 422, "{bad}");
        let body = problem(refused).await;
        assert_eq!(fields(&body), ["/info/ethnicity"]);
        assert_eq!(body["errors"][0]["message"], "民族须从56个民族中选择");
    }
    let saved = app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"ethnicity": "回族"}})).await;
    assert_eq!(saved.status(), 200);
}

#[tokio::test]
async fn divisions_are_served_one_level_at_a_time_with_their_full_names() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;

    let provinces: Vec<Value> = app.get_as(&token, "/divisions").await.json().await.unwrap();
    assert_eq!(provinces.len(), 34);
    assert!(
        provinces.contains(&json!({"code": "370000", "name": "山东省", "depth": 1, "leaf": false, "county": false}))
    );
    let counties: Vec<Value> = app.get_as(&token, "/divisions?parent=370100").await.json().await.unwrap();
    assert!(counties.contains(&json!({"code": "370115", "name": "济阳区", "depth": 3, "leaf": false, "county": true})));
    let towns: Vec<Value> = app.get_as(&token, "/divisions?parent=370115").await.json().await.unwrap();
    assert!(
        towns.contains(&json!({"code": "370115001", "name": "济阳街道", "depth": 4, "leaf": true, "county": false}))
    );
    let none: Vec<Value> = app.get_as(&token, "/divisions?parent=370115001").await.json().await.unwrap();
    assert!(none.is_empty());

    let one: Value = app.get_as(&token, "/divisions/370115001").await.json().await.unwrap();
    assert_eq!(one["full_name"], "山东省/济南市/济阳区/济阳街道");
    let path: Vec<&str> = one["path"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(path, ["370000", "370100", "370115", "370115001"]);

    for unknown in ["/divisions?parent=999999", "/divisions?parent=37", "/divisions/3701150019", "/divisions/abc"] {
        let response = app.get_as(&token, unknown).await;
        assert_eq!(response.status(), 404, "{unknown}");
        assert_eq!(problem(response).await["code"], "not_found");
    }
}

#[tokio::test]
async fn divisions_are_read_without_a_login_and_limited_per_client_like_the_public_pages() {
    let app = spawn_app().await;
    let anonymous = app.get("/divisions?parent=370100").await;
    assert_eq!(anonymous.status(), 200);
    assert_eq!(anonymous.headers()["cache-control"], "public, max-age=86400");
    let counties: Vec<Value> = anonymous.json().await.unwrap();
    assert!(counties.iter().any(|c| c["code"] == "370126" && c["name"] == "商河县" && c["depth"] == 3));
    let one: Value = app.get("/divisions/370126").await.json().await.unwrap();
    assert_eq!(one["full_name"], "山东省/济南市/商河县");
    let unknown = app.get("/divisions/999999").await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(problem(unknown).await["code"], "not_found");

    let limited = spawn_app_with(|settings| {
        settings.rate_limit.auth_per_minute = 1;
        settings.rate_limit.auth_burst = 2;
    })
    .await;
    assert_eq!(limited.get("/divisions").await.status(), 200);
    assert_eq!(limited.get("/divisions/370126").await.status(), 200);
    let refused = limited.get("/divisions?parent=370000").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(problem(refused).await["code"], "too_many_requests");
}

#[tokio::test]
async fn a_work_region_must_be_a_town_of_the_national_list_and_is_stored_as_its_code() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, &hospital, 2026).await["id"].as_str().unwrap().to_string();
    let form: Value = app.get_as(&token, &format!("/declarations/{id}/form")).await.json().await.unwrap();
    let region = form["info_fields"].as_array().unwrap().iter().find(|f| f["key"] == "work_region").unwrap();
    assert_eq!(region["label"], "工作所在地");
    assert_eq!(
        (&region["list"], &region["depth"], &region["required"]),
        (&json!("division"), &json!(4), &json!(false))
    );

    for (bad, message) in [
        ("370115", "工作所在地须选择到乡镇（街道）"),
        ("370000", "工作所在地须选择到乡镇（街道）"),
        ("370199001", "工作所在地须从行政区划中选择"),
        ("山东省济南市济阳区", "工作所在地须从行政区划中选择"),
    ] {
        let refused =
            app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"work_region": bad}})).await;
        assert_eq!(refused.status(), 422, "{bad}");
        let body = problem(refused).await;
        assert_eq!(fields(&body), ["/info/work_region"], "{bad}");
        assert_eq!(body["errors"][0]["message"], message, "{bad}");
    }
    let number =
        app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"work_region": 370115001}})).await;
    assert_eq!(fields(&problem(number).await), ["/info/work_region"]);

    let saved =
        app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"work_region": "370115001"}})).await;
    assert_eq!(saved.status(), 200);
    let read: Value = app.get_as(&token, &format!("/declarations/{id}")).await.json().await.unwrap();
    assert_eq!(read["info"]["work_region"], "370115001");
}

#[tokio::test]
async fn a_declaration_on_a_form_version_from_before_the_lists_keeps_its_free_text_民族() {
    use api::entities::form_template;
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, &hospital, 2026).await["id"].as_str().unwrap().to_string();
    // The version before m20261204_g1, as a declaration started earlier is pinned to it.
    let versions = form_template::Entity::find()
        .filter(form_template::Column::SeriesCode.eq("health"))
        .order_by_desc(form_template::Column::Version)
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(versions[0].id.ends_with("-g1"));
    let earlier = &versions[1];
    app.state
        .db
        .execute_unprepared(&format!("UPDATE declarations SET template_id = '{}' WHERE id = '{id}'", earlier.id))
        .await
        .unwrap();

    let form: Value = app.get_as(&token, &format!("/declarations/{id}/form")).await.json().await.unwrap();
    let keys: Vec<&str> = form["info_fields"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert!(keys.contains(&"ethnicity") && !keys.contains(&"work_region"));
    let saved = app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"ethnicity": "汉"}})).await;
    assert_eq!(saved.status(), 200);
    let refused =
        app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"work_region": "370115001"}})).await;
    assert_eq!(fields(&problem(refused).await), ["/info/work_region"]);
}
