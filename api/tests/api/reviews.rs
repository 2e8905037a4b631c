//! 数据审核: real-name reviewers approve or return; returns unlock exactly what was flagged.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::*;

async fn status_of(app: &TestApp, token: &str, id: &str) -> (String, Value) {
    let declaration = app.declaration(token, id).await;
    (declaration["status"].as_str().unwrap().to_string(), declaration["holder_org_id"].clone())
}

#[tokio::test]
async fn approval_keeps_it_at_the_employer_until_reported() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, person_token, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let pending: Value = app.get_as(&reviewer, "/reviews?status=pending").await.json().await.unwrap();
    assert_eq!(pending["total"], 1);
    assert_eq!(pending["items"][0]["standing_label"], "待审核");

    let response = app.post_as(&reviewer, &format!("/reviews/{id}/approve"), &json!({"opinion": "材料齐全"})).await;
    assert_eq!(response.status(), 200);
    let review: Value = response.json().await.unwrap();
    assert_eq!(review["standing"], "approved");
    assert_eq!(review["standing_label"], "通过未上报");
    assert_eq!(review["can_report"], true);
    assert_eq!(status_of(&app, &person_token, &id).await, ("approved".into(), json!(chain.employer.id)));
    let approved: Value = app.get_as(&reviewer, "/reviews?status=approved").await.json().await.unwrap();
    assert_eq!(approved["total"], 1);
    // The authority has not received anything.
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let theirs: Value = app.get_as(&authority, "/reviews").await.json().await.unwrap();
    assert_eq!(theirs["total"], 0);
    assert_eq!(app.get_as(&authority, &format!("/reviews/{id}")).await.status(), 404);
    // Approving twice is a conflict, not a second event.
    assert_eq!(app.approve(&reviewer, &id).await.status(), 409);
    let events: Value = app.get_as(&person_token, &format!("/declarations/{id}/events")).await.json().await.unwrap();
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "approve");
    assert_eq!(last["opinion"], "材料齐全");
    assert_eq!(last["actor_name"], "刘审核");
    assert_eq!(last["org_name"], chain.employer.name.as_str());
}

#[tokio::test]
async fn only_a_real_name_reviewer_of_the_holder_may_decide_and_nothing_changes_otherwise() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, person_token, id) = app.submitted_declaration(&chain).await;
    let employer_admin = app.org_token(&chain.employer).await;
    let other = app.register_org("institution").await;
    let (other_reviewer, _) = app.register_reviewer(&other).await;
    let other_token = app.login(&other_reviewer, PASSWORD).await.access;
    let (disabled, disabled_id) = app.register_reviewer(&chain.employer).await;
    let disabled_token = app.login(&disabled, PASSWORD).await.access;
    assert_eq!(app.delete_as(&employer_admin, &format!("/org/reviewers/{disabled_id}")).await.status(), 204);
    let admin = app.admin_token().await;
    let return_body = json!({"opinion": "x"});

    let cases = [
        ("a reviewer of another org", &other_token, 404, ""),
        ("the org admin who is not a reviewer", &employer_admin, 403, "reviewer_required"),
        ("a disabled reviewer", &disabled_token, 401, ""),
        ("the applicant", &person_token, 403, ""),
        ("the platform admin", &admin, 403, ""),
    ];
    for (who, token, expected, code) in cases {
        let approve = app.approve(token, &id).await;
        assert_eq!(approve.status(), expected, "{who} approve");
        if !code.is_empty() {
            assert_eq!(problem(approve).await["code"], code);
        }
        assert_eq!(app.return_declaration(token, &id, &return_body).await.status(), expected, "{who} return");
    }
    assert_eq!(status_of(&app, &person_token, &id).await, ("pending".into(), json!(chain.employer.id)));
}

#[tokio::test]
async fn an_org_without_a_real_name_reviewer_is_told_to_register_one() {
    let app = spawn_app().await;
    let employer = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    app.open_path(&employer, "health", "intermediate", &authority).await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, &employer, 2026).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);

    let admin = app.org_token(&employer).await;
    let response = app.approve(&admin, &id).await;
    assert_eq!(response.status(), 403);
    let body = problem(response).await;
    assert_eq!(body["code"], "no_real_name_reviewer");
    assert!(body["detail"].as_str().unwrap().contains("实名制审核人员"));
    let report = app.report(&admin, &[&id]).await;
    assert_eq!(report.status(), 403);
    assert_eq!(problem(report).await["code"], "no_real_name_reviewer");
    // Yet the list is visible, so the unit sees what waits for it.
    let list: Value = app.get_as(&admin, "/reviews?status=pending").await.json().await.unwrap();
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn a_return_needs_an_opinion_and_names_what_it_opens() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, person_token, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let cases = [
        (json!({"opinion": " "}), "/opinion"),
        (json!({"items": []}), "/opinion"),
        (json!({"opinion": "x", "items": [{"item_id": "not-an-item", "opinion": "改"}]}), "/items/0/item_id"),
        (json!({"opinion": "x", "add_sections": ["hobbies"]}), "/add_sections/0"),
        (json!({"opinion": "x", "status": "draft"}), "/status"),
    ];
    for (body, pointer) in cases {
        let response = app.return_declaration(&reviewer, &id, &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(fields(&problem(response).await), vec![pointer.to_string()], "{body}");
    }
    assert_eq!(status_of(&app, &person_token, &id).await.0, "pending");
}

#[tokio::test]
async fn a_returned_declaration_only_unlocks_flagged_items() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, token, id) = app.submitted_declaration(&chain).await;
    let before = app.declaration(&token, &id).await;
    let item = |section: &str| {
        before["items"].as_array().unwrap().iter().find(|i| i["section"] == section).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (flagged, untouched) = (item("achievement"), item("work"));

    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let response = app
        .return_declaration(
            &reviewer,
            &id,
            &json!({"opinion": "业绩成果证明不清晰",
            "items": [{"item_id": flagged, "opinion": "请上传盖章的证明"}], "add_sections": ["achievement"]}),
        )
        .await;
    assert_eq!(response.status(), 200);

    let returned = app.declaration(&token, &id).await;
    assert_eq!(returned["status"], "returned");
    assert_eq!(returned["holder_org_id"], Value::Null);
    assert_eq!(returned["return_opinion"], "业绩成果证明不清晰");
    assert_eq!(returned["open_sections"], json!(["achievement"]));
    let mark = returned["items"].as_array().unwrap().iter().find(|i| i["id"] == flagged.as_str()).unwrap();
    assert_eq!(mark["review"], json!({"opinion": "请上传盖章的证明", "flag": "modify"}));
    assert_eq!(mark["editable"], true);

    // Everything not flagged stays locked, with a clear message.
    let refused = [
        app.patch_as(
            &token,
            &format!("/declarations/{id}/items/{untouched}"),
            &json!({"data": {"start_date": "2012-07-01", "org_name": "别处", "position": "护士"}}),
        )
        .await,
        app.delete_as(&token, &format!("/declarations/{id}/items/{flagged}")).await,
        app.post_as(
            &token,
            &format!("/declarations/{id}/items"),
            &json!({"section": "work", "data": {"start_date": "2020-01-01", "org_name": "x", "position": "y"}}),
        )
        .await,
        app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"ethnicity": "回族"}})).await,
        app.patch_as(&token, &format!("/declarations/{id}"), &json!({"year": 2025})).await,
    ];
    for response in refused {
        assert_eq!(response.status(), 409);
        assert!(problem(response).await["detail"].as_str().unwrap().contains("仅能修改被退回"), "clear message");
    }

    // The flagged item changes; the opened section takes a new item.
    let evidence = app.upload_pdf(&token).await;
    let changed = app
        .patch_as(&token, &format!("/declarations/{id}/items/{flagged}"), &json!({"attachment_ids": [evidence]}))
        .await;
    assert_eq!(changed.status(), 200);
    let pdf = app.upload_pdf(&token).await;
    let added = app
        .post_as(
            &token,
            &format!("/declarations/{id}/items"),
            &json!({"section": "achievement",
            "data": {"name": "新增论文", "kind": "论文", "date": "2025-09-01"}, "attachment_ids": [pdf]}),
        )
        .await;
    assert_eq!(added.status(), 201);

    let resubmitted = app.submit(&token, &id).await;
    assert_eq!(resubmitted.status(), 200);
    assert_eq!(status_of(&app, &token, &id).await, ("pending".into(), json!(chain.employer.id)));

    // The reviewer sees what changed since the return.
    let review: Value = app.get_as(&reviewer, &format!("/reviews/{id}")).await.json().await.unwrap();
    let items = review["declaration"]["items"].as_array().unwrap();
    assert_eq!(items.iter().filter(|i| i["changed_after_return"] == true).count(), 1);
    assert_eq!(items.iter().filter(|i| i["added_after_return"] == true).count(), 1);
    let actions: Vec<&str> =
        review["events"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "submit", "return", "resubmit"]);
    let return_event = &review["events"][2];
    assert_eq!(return_event["detail"]["items"][0]["opinion"], "请上传盖章的证明");
    // An unchanged item kept its data.
    let kept = items.iter().find(|i| i["id"] == untouched.as_str()).unwrap();
    assert_eq!(kept["data"]["org_name"], "济阳区人民医院");
}

#[tokio::test]
async fn a_return_can_unlock_the_declaration_info() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, token, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let response = app
        .return_declaration(
            &reviewer,
            &id,
            &json!({"opinion": "现任岗位填写有误", "info_opinion": "请填写现任岗位全称"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let patched =
        app.patch_as(&token, &format!("/declarations/{id}"), &json!({"info": {"position": "主管护师"}})).await;
    assert_eq!(patched.status(), 200);
    assert_eq!(app.submit(&token, &id).await.status(), 200);
}

#[tokio::test]
async fn an_approved_declaration_not_yet_reported_can_be_returned() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, token, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&reviewer, &id).await.status(), 200);
    let response = app.return_declaration(&reviewer, &id, &json!({"opinion": "复核发现年度考核缺失"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(status_of(&app, &token, &id).await.0, "returned");
    let list: Value = app.get_as(&reviewer, "/reviews?status=returned").await.json().await.unwrap();
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn two_concurrent_approvals_yield_exactly_one_success() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (second_reviewer, _) = app.register_reviewer(&chain.employer).await;
    let (_, token, id) = app.submitted_declaration(&chain).await;
    let first = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let second = app.login(&second_reviewer, PASSWORD).await.access;
    let (a, b) = tokio::join!(app.approve(&first, &id), app.approve(&second, &id));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    // Approve racing a return on the version both reviewers saw: one wins, the other is told.
    let (_, token2, id2) = {
        let person = app.register_person().await;
        let person_token = app.token_of(&person).await;
        let declaration = app.create_declaration(&person_token, &chain.employer, 2026).await;
        let declaration_id = declaration["id"].as_str().unwrap().to_string();
        app.complete_declaration(&person_token, &person, &declaration_id).await;
        app.submit(&person_token, &declaration_id).await;
        (person, person_token, declaration_id)
    };
    let seen: Value = app.get_as(&first, &format!("/reviews/{id2}")).await.json().await.unwrap();
    let version = seen["declaration"]["version"].to_string();
    let approve = app
        .client
        .post(app.url(&format!("/reviews/{id2}/approve")))
        .bearer_auth(&first)
        .header("If-Match", &version)
        .json(&json!({}))
        .send();
    let give_back = app
        .client
        .post(app.url(&format!("/reviews/{id2}/return")))
        .bearer_auth(&second)
        .header("If-Match", &version)
        .json(&json!({"opinion": "退回"}))
        .send();
    let (a, b) = tokio::join!(approve, give_back);
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    let events: Value = app.get_as(&token, &format!("/declarations/{id}/events")).await.json().await.unwrap();
    assert_eq!(events.as_array().unwrap().iter().filter(|e| e["action"] == "approve").count(), 1);
    let events: Value = app.get_as(&token2, &format!("/declarations/{id2}/events")).await.json().await.unwrap();
    let decisions =
        events.as_array().unwrap().iter().filter(|e| e["action"] == "approve" || e["action"] == "return").count();
    assert_eq!(decisions, 1);
}

#[tokio::test]
async fn the_review_list_filters_masks_and_pages() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (first_person, _, first) = app.submitted_declaration(&chain).await;
    let (_, _, second) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    app.approve(&reviewer, &second).await;

    let all: Value = app.get_as(&reviewer, "/reviews").await.json().await.unwrap();
    assert_eq!(all["total"], 2);
    let row = all["items"].as_array().unwrap().iter().find(|r| r["id"] == first.as_str()).unwrap();
    assert_eq!(
        row["id_number_masked"],
        format!("{}********{}", &first_person.id_number[..6], &first_person.id_number[14..])
    );
    assert_eq!(row["phone_masked"], format!("139****{}", &first_person.phone[7..]));
    assert!(!all.to_string().contains(&first_person.id_number), "no full ID numbers in a list");
    assert!(!all.to_string().contains(&first_person.phone), "no full phones in a list");

    let only = |query: &str| {
        let app = &app;
        let reviewer = reviewer.clone();
        let query = query.to_string();
        async move {
            let page: Value = app.get_as(&reviewer, &format!("/reviews?{query}")).await.json().await.unwrap();
            page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    assert_eq!(only("status=pending").await, vec![first.clone()]);
    assert_eq!(only("status=approved").await, vec![second.clone()]);
    assert_eq!(only("year=2026&level=intermediate&series=health").await.len(), 2);
    assert!(only("year=2025").await.is_empty());
    assert!(only("series=engineering").await.is_empty());
    assert!(only("level=senior").await.is_empty());
    assert_eq!(only("q=%E6%9D%8E").await.len(), 2, "李 matches both");
    assert!(only("q=%E7%8E%8B").await.is_empty(), "王 matches none");
    assert_eq!(only("page_size=1").await.len(), 1);
    assert_eq!(app.get_as(&reviewer, "/reviews?page_size=101").await.status(), 422);
    assert_eq!(app.get_as(&reviewer, "/reviews?status=lost").await.status(), 422);
    let person_token = app.token_of(&first_person).await;
    assert_eq!(app.get_as(&person_token, "/reviews").await.status(), 403);
}

#[tokio::test]
async fn the_review_list_runs_the_same_number_of_queries_whatever_the_page_size() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    for _ in 0..6 {
        app.submitted_declaration(&chain).await;
    }
    let (state, counter) = app.counting_state().await;
    let reviewer = app.caller(&chain.employer_reviewer).await;
    let mut counts = Vec::new();
    for size in [1, 6] {
        counter.store(0, std::sync::atomic::Ordering::SeqCst);
        let start = api::services::reviews::PageStart::Number(1);
        let page = api::services::reviews::list(&state, &reviewer, Default::default(), start, size).await.unwrap();
        assert_eq!((page.rows.len() as u64, page.total), (size, 6));
        counts.push(counter.load(std::sync::atomic::Ordering::SeqCst));
    }
    assert_eq!(counts[0], counts[1], "queries per page: {counts:?}");
}

#[tokio::test]
async fn the_review_list_sorts_by_each_column_a_clerk_sorts_by() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let mut ids = Vec::new();
    for name in ["王五", "张三", "李四"] {
        let (_, _, id) = app.submitted_declaration(&chain).await;
        // Names are fixed at registration; give each row its own so the order can be seen.
        let sql = format!("UPDATE declarations SET applicant_name = '{name}' WHERE id = '{id}'");
        app.state.db.execute_unprepared(&sql).await.unwrap();
        ids.push(id);
    }
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let names = |query: &str| {
        let app = &app;
        let reviewer = reviewer.clone();
        let query = query.to_string();
        async move {
            let response = app.get_as(&reviewer, &format!("/reviews?{query}")).await;
            assert_eq!(response.status(), 200, "{query}");
            let page: Value = response.json().await.unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["applicant_name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // Submitted in the order 王五, 张三, 李四.
    assert_eq!(names("sort=submitted_at&order=asc").await, ["王五", "张三", "李四"]);
    assert_eq!(names("sort=submitted_at&order=desc").await, ["李四", "张三", "王五"]);
    assert_eq!(names("sort=submitted_at").await, ["李四", "张三", "王五"], "desc unless said");
    // By code point: 张 U+5F20 < 李 U+674E < 王 U+738B.
    assert_eq!(names("sort=applicant_name&order=asc").await, ["张三", "李四", "王五"]);
    assert_eq!(names("sort=applicant_name&order=desc").await, ["王五", "李四", "张三"]);
    // One employer here: the org order keeps every row, the newest change first among equals.
    assert_eq!(names("sort=org_name&order=asc").await, ["李四", "张三", "王五"]);
    // The sort holds with a filter and across pages.
    assert_eq!(names("sort=applicant_name&order=asc&page_size=2&page=2").await, ["王五"]);
    assert_eq!(names("sort=applicant_name&order=asc&status=pending&q=%E6%9D%8E").await, ["李四"]);
    for bad in ["sort=salary", "order=sideways", "sort=", "sort=applicant_name&order=ASC"] {
        let response = app.get_as(&reviewer, &format!("/reviews?{bad}")).await;
        assert_eq!(response.status(), 422, "{bad}");
    }
}

#[tokio::test]
async fn the_authority_sorts_what_two_employers_reported_by_the_employer_s_name() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let second = app.register_org("institution").await;
    app.open_path(&second, "health", "intermediate", &chain.authority).await;
    let second_reviewer = app.register_reviewer(&second).await.0;
    let second_chain = Chain {
        employer: second.clone(),
        authority: chain.authority.clone(),
        bureau: chain.bureau.clone(),
        employer_reviewer: second_reviewer.clone(),
        authority_reviewer: chain.authority_reviewer.clone(),
        bureau_reviewer: chain.bureau_reviewer.clone(),
    };
    for (org, name) in [(&chain.employer, "乙医院"), (&second, "甲医院")] {
        let sql = format!("UPDATE orgs SET name = '{name}' WHERE id = '{}'", org.id);
        app.state.db.execute_unprepared(&sql).await.unwrap();
    }
    for (c, reviewer) in [(&chain, &chain.employer_reviewer), (&second_chain, &second_reviewer)] {
        let (_, _, id) = app.submitted_declaration(c).await;
        let token = app.login(reviewer, PASSWORD).await.access;
        assert_eq!(app.approve(&token, &id).await.status(), 200);
        assert_eq!(app.report(&token, &[&id]).await.status(), 201);
    }
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let orgs = |order: &'static str| {
        let app = &app;
        let authority = authority.clone();
        async move {
            let page: Value =
                app.get_as(&authority, &format!("/reviews?sort=org_name&order={order}")).await.json().await.unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["org_name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // By code point 乙 (U+4E59) comes before 甲 (U+7532).
    assert_eq!(orgs("asc").await, ["乙医院", "甲医院"]);
    assert_eq!(orgs("desc").await, ["甲医院", "乙医院"]);
}
