//! 个人数据申报: drafts, one per year, per-series forms, items, submission with every problem.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn a_person_creates_a_draft_and_reads_it_back() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let created = app.create_declaration(&token, &hospital, 2026).await;
    assert_eq!(created["status"], "draft");
    assert_eq!(created["series_name"], "卫生");
    assert_eq!(created["title_name"], "主治（管）医（药、护、技）师");
    assert_eq!(created["org_name"], hospital.name.as_str());
    assert_eq!(created["applicant"]["id_number"], person.id_number.as_str());
    assert_eq!(created["editable"], true);
    assert_eq!(created["holder_org_id"], Value::Null);
    let id = created["id"].as_str().unwrap();
    let read: Value = app.get_as(&token, &format!("/declarations/{id}")).await.json().await.unwrap();
    assert_eq!(read["id"], id);
    let list: Value = app.get_as(&token, "/declarations").await.json().await.unwrap();
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn one_declaration_per_person_per_year_whatever_its_kind() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    app.create_declaration(&token, &hospital, 2026).await;
    let assessment = app
        .post_as(
            &token,
            "/declarations",
            &json!({"year": 2026, "kind": "assessment", "series": "engineering",
            "level": "assistant", "specialty": "机械工程", "org_id": hospital.id}),
        )
        .await;
    assert_eq!(assessment.status(), 409);
    let problem = problem(assessment).await;
    assert_eq!(problem["code"], "declaration_exists");
    assert!(problem["detail"].as_str().unwrap().contains("只能选择一项"));
    app.create_declaration(&token, &hospital, 2025).await;
}

#[tokio::test]
async fn creation_validates_series_level_specialty_employer_and_year() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let base = json!({"year": 2026, "kind": "title", "series": "health", "level": "intermediate", "specialty": "护理学", "org_id": hospital.id});
    let cases = [
        ("series", json!("astrology"), "/series"),
        ("level", json!("chief"), "/level"),
        ("specialty", json!("机械工程"), "/specialty"),
        ("org_id", json!("nope"), "/org_id"),
        ("year", json!(1999), "/year"),
        ("kind", json!("promotion"), "/kind"),
        ("status", json!("accepted"), "/status"),
    ];
    for (key, value, pointer) in cases {
        let mut body = base.clone();
        body[key] = value;
        let response = app.post_as(&token, "/declarations", &body).await;
        assert_eq!(response.status(), 422, "{key}");
        assert_eq!(fields(&problem(response).await), vec![pointer.to_string()], "{key}");
    }
    let org_admin = app.org_token(&hospital).await;
    assert_eq!(app.post_as(&org_admin, "/declarations", &base).await.status(), 403);
    let list: Value = app.get_as(&token, "/declarations").await.json().await.unwrap();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn each_series_serves_its_form_and_the_server_validates_against_it() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let sections = |form: &Value| {
        form["sections"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let health: Value = app.get_as(&token, "/series/health/form").await.json().await.unwrap();
    assert!(sections(&health).contains(&"continuing_education".to_string()));
    let engineering: Value = app.get_as(&token, "/series/engineering/form").await.json().await.unwrap();
    assert!(sections(&engineering).contains(&"tech_report".to_string()));
    let teacher: Value = app.get_as(&token, "/series/school_teacher/form").await.json().await.unwrap();
    assert!(sections(&teacher).contains(&"teaching".to_string()));
    let economics: Value = app.get_as(&token, "/series/economics/form").await.json().await.unwrap();
    assert_eq!(sections(&economics), ["education", "title", "annual_review", "work", "achievement"]);
    assert_eq!(economics["info_fields"][0]["key"], "gender");
    assert_eq!(economics["sections"][0]["evidence_required"], true);
    assert_eq!(app.get_as(&token, "/series/astrology/form").await.status(), 404);

    // Every seeded series serves a sound template.
    let series: Value = app.get_as(&token, "/series").await.json().await.unwrap();
    for s in series.as_array().unwrap() {
        let code = s["code"].as_str().unwrap();
        let form: Value = app.get_as(&token, &format!("/series/{code}/form")).await.json().await.unwrap();
        assert!(!form["sections"].as_array().unwrap().is_empty(), "{code}");
    }
}

#[tokio::test]
async fn items_and_info_are_validated_on_every_write() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let other = app.register_person().await;
    let token = app.token_of(&person).await;
    let other_token = app.token_of(&other).await;
    let id = app.create_declaration(&token, &hospital, 2026).await["id"].as_str().unwrap().to_string();
    let foreign_attachment = app.upload_pdf(&other_token).await;
    let cases = [
        (json!({"section": "hobbies", "data": {}}), "/section"),
        (json!({"section": "education", "data": {"school": 5}}), "/data/school"),
        (json!({"section": "education", "data": {"graduation_date": "2012-13-01"}}), "/data/graduation_date"),
        (json!({"section": "education", "data": {"education": "自学成才"}}), "/data/education"),
        (json!({"section": "education", "data": {"nickname": "x"}}), "/data/nickname"),
        (json!({"section": "education", "data": {}, "attachment_ids": [foreign_attachment]}), "/attachment_ids/0"),
    ];
    for (body, pointer) in cases {
        let response = app.post_as(&token, &format!("/declarations/{id}/items"), &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(fields(&problem(response).await), vec![pointer.to_string()], "{body}");
    }
    let wrong_gender = if person.id_number.as_bytes()[16] % 2 == 1 { "女" } else { "男" };
    let response = app
        .patch_as(
            &token,
            &format!("/declarations/{id}"),
            &json!({"info": {"gender": wrong_gender, "birth_date": "1991-01-01", "profession_years": -3}}),
        )
        .await;
    let mut named = fields(&problem(response).await);
    named.sort();
    assert_eq!(named, ["/info/birth_date", "/info/gender", "/info/profession_years"]);
    let read: Value = app.get_as(&token, &format!("/declarations/{id}")).await.json().await.unwrap();
    assert_eq!(read["items"], json!([]));
    assert_eq!(read["info"], json!({}), "nothing half-written");

    let refused = app
        .patch_as(&token, &format!("/declarations/{id}"), &json!({"status": "accepted", "holder_org_id": hospital.id}))
        .await;
    assert_eq!(refused.status(), 422);
    let pointers = fields(&problem(refused).await);
    assert!(pointers == ["/status"] || pointers == ["/holder_org_id"], "{pointers:?}");
}

#[tokio::test]
async fn submitting_an_empty_draft_lists_every_missing_piece_and_filling_them_succeeds() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, &hospital, 2026).await["id"].as_str().unwrap().to_string();

    let response = app.submit(&token, &id).await;
    assert_eq!(response.status(), 422);
    let first = problem(response).await;
    assert_eq!(first["code"], "declaration_incomplete");
    let mut named = fields(&first);
    named.sort();
    let mut expected = vec![
        "/basic_confirmed",
        "/info/birth_date",
        "/info/education",
        "/info/ethnicity",
        "/info/gender",
        "/info/major",
        "/info/position",
        "/info/profession_years",
        "/info/work_start_date",
        "/org_id",
        "/sections/achievement",
        "/sections/annual_review",
        "/sections/continuing_education",
        "/sections/education",
        "/sections/work",
    ];
    expected.sort();
    assert_eq!(named, expected);

    // Fill exactly those, with one item lacking its evidence and one lacking a required value.
    app.complete_declaration(&token, &person, &id).await;
    let read: Value = app.get_as(&token, &format!("/declarations/{id}")).await.json().await.unwrap();
    let education = read["items"].as_array().unwrap().iter().position(|i| i["section"] == "education").unwrap();
    let education_id = read["items"][education]["id"].as_str().unwrap();
    app.patch_as(
        &token,
        &format!("/declarations/{id}/items/{education_id}"),
        &json!({"attachment_ids": [], "data": {"school": "山东大学", "major": "护理学", "education": "大学本科"}}),
    )
    .await;
    let response = app.submit(&token, &id).await;
    let named = fields(&problem(response).await);
    assert_eq!(
        named,
        [
            format!("/items/{education}/data/graduation_date"),
            format!("/items/{education}/attachments"),
            "/org_id".to_string()
        ]
    );

    // The employer's path is what is left.
    let pdf = app.upload_pdf(&token).await;
    app.patch_as(&token, &format!("/declarations/{id}/items/{education_id}"), &json!({"attachment_ids": [pdf], "data": {"school": "山东大学", "major": "护理学", "education": "大学本科", "graduation_date": "2012-06-30"}})).await;
    let response = app.submit(&token, &id).await;
    assert_eq!(fields(&problem(response).await), vec!["/org_id"]);
    app.open_path(&hospital, "health", "intermediate", &authority).await;
    let response = app.submit(&token, &id).await;
    assert_eq!(response.status(), 200);
    let submitted: Value = response.json().await.unwrap();
    assert_eq!(submitted["status"], "pending");
    assert_eq!(submitted["holder_org_id"], hospital.id.as_str());
    assert_eq!(submitted["editable"], false);
}

#[tokio::test]
async fn a_submitted_declaration_is_locked_and_a_second_submit_makes_nothing_new() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, token, id) = app.submitted_declaration(&chain).await;
    let before: Value = app.get_as(&token, &format!("/declarations/{id}")).await.json().await.unwrap();
    let item_id = before["items"][0]["id"].as_str().unwrap();

    for response in [
        app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"ethnicity": "回族"}})).await,
        app.post_as(&token, &format!("/declarations/{id}/items"), &json!({"section": "work", "data": {}})).await,
        app.patch_as(&token, &format!("/declarations/{id}/items/{item_id}"), &json!({"data": {}})).await,
        app.delete_as(&token, &format!("/declarations/{id}/items/{item_id}")).await,
    ] {
        assert_eq!(response.status(), 409);
        let body = problem(response).await;
        assert_eq!(body["code"], "declaration_locked");
        assert!(body["detail"].as_str().unwrap().contains("无法再做修改"));
    }
    let again = app.submit(&token, &id).await;
    assert_eq!(again.status(), 200);
    let (a, b) = tokio::join!(app.submit(&token, &id), app.submit(&token, &id));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let events: Value = app.get_as(&token, &format!("/declarations/{id}/events")).await.json().await.unwrap();
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "submit"]);
    let after: Value = app.get_as(&token, &format!("/declarations/{id}")).await.json().await.unwrap();
    assert_eq!(after["info"], before["info"]);
    assert_eq!(after["items"], before["items"]);
}

#[tokio::test]
async fn two_concurrent_first_submits_make_one_submission() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, &chain.employer, 2026).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    let (a, b) = tokio::join!(app.submit(&token, &id), app.submit(&token, &id));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let events: Value = app.get_as(&token, &format!("/declarations/{id}/events")).await.json().await.unwrap();
    assert_eq!(events.as_array().unwrap().iter().filter(|e| e["action"] == "submit").count(), 1);
}

#[tokio::test]
async fn copying_last_year_brings_info_items_and_evidence() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let last_year = app.create_declaration(&token, &hospital, 2025).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &last_year).await;
    let source: Value = app.get_as(&token, &format!("/declarations/{last_year}")).await.json().await.unwrap();

    let response = app
        .post_as(
            &token,
            "/declarations",
            &json!({"year": 2026, "kind": "title", "series": "health", "level": "deputy_senior",
            "specialty": "护理学", "org_id": hospital.id, "copy_from": last_year}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let copy: Value = response.json().await.unwrap();
    assert_eq!(copy["copied_from"], last_year.as_str());
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["info"], source["info"]);
    assert_eq!(copy["basic_confirmed"], false, "basic info must be confirmed again");
    let strip = |items: &Value| {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["section"].clone(), i["data"].clone(), i["attachment_ids"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&copy["items"]), strip(&source["items"]));
    assert_ne!(copy["items"][0]["id"], source["items"][0]["id"]);
}

#[tokio::test]
async fn copy_from_another_persons_declaration_is_404() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let owner = app.register_person().await;
    let owner_token = app.token_of(&owner).await;
    let theirs = app.create_declaration(&owner_token, &hospital, 2025).await["id"].as_str().unwrap().to_string();
    let thief = app.register_person().await;
    let token = app.token_of(&thief).await;
    let response = app
        .post_as(
            &token,
            "/declarations",
            &json!({"year": 2026, "kind": "title", "series": "health", "level": "intermediate",
            "specialty": "护理学", "org_id": hospital.id, "copy_from": theirs}),
        )
        .await;
    assert_eq!(response.status(), 404);
    let list: Value = app.get_as(&token, "/declarations").await.json().await.unwrap();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn a_strangers_declaration_item_and_history_answer_404_and_nothing_changes() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let owner = app.register_person().await;
    let owner_token = app.token_of(&owner).await;
    let id = app.create_declaration(&owner_token, &hospital, 2026).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&owner_token, &owner, &id).await;
    let before: Value = app.get_as(&owner_token, &format!("/declarations/{id}")).await.json().await.unwrap();
    let item_id = before["items"][0]["id"].as_str().unwrap();

    let stranger = app.register_person().await;
    let token = app.token_of(&stranger).await;
    let org_admin = app.org_token(&hospital).await;
    for who in [&token, &org_admin] {
        let responses = [
            app.get_as(who, &format!("/declarations/{id}")).await,
            app.patch_as(who, &format!("/declarations/{id}"), &json!({"info": {"ethnicity": "x"}})).await,
            app.post_as(who, &format!("/declarations/{id}/items"), &json!({"section": "work", "data": {}})).await,
            app.patch_as(who, &format!("/declarations/{id}/items/{item_id}"), &json!({"data": {}})).await,
            app.delete_as(who, &format!("/declarations/{id}/items/{item_id}")).await,
            app.submit(who, &id).await,
            app.get_as(who, &format!("/declarations/{id}/events")).await,
            app.get_as(who, &format!("/declarations/{id}/form")).await,
        ];
        for response in responses {
            let status = response.status().as_u16();
            assert!(status == 404 || (who == &org_admin && status == 403), "got {status}");
        }
    }
    // The employer has not received it yet: a draft is the applicant's alone.
    assert_eq!(app.get_as(&org_admin, &format!("/declarations/{id}/events")).await.status(), 404);
    let after: Value = app.get_as(&owner_token, &format!("/declarations/{id}")).await.json().await.unwrap();
    assert_eq!(after["items"], before["items"]);
    assert_eq!(after["info"], before["info"]);
}

#[tokio::test]
async fn a_new_form_version_does_not_change_a_started_declaration() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let started = app.create_declaration(&token, &hospital, 2025).await;
    let admin = app.admin_token().await;
    let mut form: Value = app.get_as(&admin, "/series/health/form").await.json().await.unwrap();
    let version = form["version"].as_i64().unwrap();
    let sections = form["sections"].as_array_mut().unwrap();
    sections.push(json!({"code": "patents", "name": "专利", "min_items": 1, "evidence_required": true,
        "fields": [{"key": "number", "label": "专利号", "type": "text", "required": true}]}));
    let body = json!({"info_fields": form["info_fields"], "sections": form["sections"]});
    assert_eq!(
        app.client
            .put(app.url("/admin/series/health/form"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let published =
        app.client.put(app.url("/admin/series/health/form")).bearer_auth(&admin).json(&body).send().await.unwrap();
    assert_eq!(published.status(), 200);
    let published: Value = published.json().await.unwrap();
    assert_eq!(published["version"], version + 1);

    let id = started["id"].as_str().unwrap();
    let kept: Value = app.get_as(&token, &format!("/declarations/{id}/form")).await.json().await.unwrap();
    assert_eq!(kept["version"], version);
    let fresh = app.create_declaration(&token, &hospital, 2026).await;
    assert_eq!(fresh["template_version"], version + 1);

    let broken = json!({"info_fields": [], "sections": [{"code": "x", "name": "", "min_items": 0, "evidence_required": false, "fields": []}]});
    let refused =
        app.client.put(app.url("/admin/series/health/form")).bearer_auth(&admin).json(&broken).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(fields(&problem(refused).await).contains(&"/sections/0/name".to_string()));
}

#[tokio::test]
async fn only_an_earlier_year_can_be_copied() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let later = app.create_declaration(&token, &hospital, 2026).await["id"].as_str().unwrap().to_string();
    let response = app
        .post_as(
            &token,
            "/declarations",
            &json!({"year": 2025, "kind": "title", "series": "health", "level": "intermediate",
            "specialty": "护理学", "org_id": hospital.id, "copy_from": later}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/copy_from"]);
}

#[tokio::test]
async fn the_own_list_masks_personal_data_and_api_answers_are_not_cached() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    app.create_declaration(&token, &hospital, 2026).await;
    let response = app.get_as(&token, "/declarations").await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let list: Value = response.json().await.unwrap();
    let text = list.to_string();
    assert!(!text.contains(&person.id_number) && !text.contains(&person.phone), "{text}");
    assert!(list["items"][0]["applicant"]["id_number"].as_str().unwrap().contains("********"));
}

#[tokio::test]
async fn retiring_a_specialty_does_not_strand_a_returned_declaration() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, token, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    assert_eq!(app.return_declaration(&reviewer, &id, &json!({"opinion": "请核对"})).await.status(), 200);
    let admin = app.admin_token().await;
    let series: Value = app.get_as(&admin, "/series").await.json().await.unwrap();
    let nursing = series.as_array().unwrap().iter().find(|s| s["code"] == "health").unwrap()["specialties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "护理学")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.patch_as(&admin, &format!("/admin/series/health/specialties/{nursing}"), &json!({"active": false}))
            .await
            .status(),
        204
    );
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    // A new declaration cannot choose it any more.
    let other = app.register_person().await;
    let other_token = app.token_of(&other).await;
    let response = app
        .post_as(
            &other_token,
            "/declarations",
            &json!({"year": 2026, "kind": "title", "series": "health", "level": "intermediate",
            "specialty": "护理学", "org_id": chain.employer.id}),
        )
        .await;
    assert_eq!(fields(&problem(response).await), vec!["/specialty"]);
}

#[tokio::test]
async fn reviewers_read_the_form_the_declaration_was_started_with() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, _, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let form = app.get_as(&reviewer, &format!("/declarations/{id}/form")).await;
    assert_eq!(form.status(), 200);
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    assert_eq!(app.get_as(&authority, &format!("/declarations/{id}/form")).await.status(), 404, "not reached yet");
}
