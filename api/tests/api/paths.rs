//! 单位路径申请 / 路径审核: every rule of SPEC §2 and its bad input.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn an_institution_applies_to_its_authority_which_approves() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let id = app.apply_path(&hospital, "health", "intermediate", &authority).await;

    let hospital_token = app.org_token(&hospital).await;
    let own: Value = app.get_as(&hospital_token, "/paths").await.json().await.unwrap();
    assert_eq!(own["total"], 1);
    assert_eq!(own["items"][0]["status"], "pending");
    assert_eq!(own["items"][0]["parent"]["name"], authority.name.as_str());
    assert_eq!(own["items"][0]["title_name"], "主治（管）医（药、护、技）师");

    let authority_token = app.org_token(&authority).await;
    let audits: Value = app.get_as(&authority_token, "/path-audits?status=pending").await.json().await.unwrap();
    assert_eq!(audits["total"], 1);
    assert_eq!(audits["items"][0]["org"]["id"], hospital.id.as_str());

    let approved = app.post_as(&authority_token, &format!("/paths/{id}/approve"), &json!({})).await;
    assert_eq!(approved.status(), 200);
    let own: Value = app.get_as(&hospital_token, "/paths?status=approved").await.json().await.unwrap();
    assert_eq!(own["items"][0]["status_label"], "审核通过");
    let parent =
        api::services::paths::approved_parent(&app.state.db, &hospital.id, "health", "intermediate").await.unwrap();
    assert_eq!(parent, Some(authority.id.clone()));
    assert_eq!(
        api::services::paths::approved_parent(&app.state.db, &hospital.id, "health", "senior").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn the_parent_kind_must_follow_the_guide() {
    let app = spawn_app().await;
    let institution = app.register_org("institution").await;
    let enterprise = app.register_org("enterprise").await;
    let authority = app.register_org("authority").await;
    let township = app.register_org("township").await;
    let bureau = app.register_org("hrss").await;
    let refused = [
        (&institution, &township),
        (&institution, &bureau),
        (&enterprise, &authority),
        (&enterprise, &bureau),
        (&authority, &township),
        (&township, &authority),
        (&institution, &enterprise),
    ];
    for (org, parent) in refused {
        let token = app.org_token(org).await;
        let response = app
            .post_as(
                &token,
                "/paths",
                &json!({"series": "engineering", "level": "intermediate", "parent_org_id": parent.id}),
            )
            .await;
        assert_eq!(response.status(), 422, "{} -> {}", org.kind, parent.kind);
        assert_eq!(fields(&problem(response).await), vec!["/parent_org_id"]);
    }
    for (org, parent) in
        [(&institution, &authority), (&enterprise, &township), (&authority, &bureau), (&township, &bureau)]
    {
        app.apply_path(org, "engineering", "intermediate", parent).await;
    }
    // The bureau is the top: it needs no path.
    let token = app.org_token(&bureau).await;
    let response = app
        .post_as(
            &token,
            "/paths",
            &json!({"series": "engineering", "level": "intermediate", "parent_org_id": township.id}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["code"], "top_of_chain");
}

#[tokio::test]
async fn unknown_series_levels_and_parents_are_refused_with_the_field() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let token = app.org_token(&hospital).await;
    let cases = [
        (json!({"series": "astrology", "level": "intermediate", "parent_org_id": authority.id}), "/series"),
        (json!({"series": "health", "level": "chief", "parent_org_id": authority.id}), "/level"),
        // 经济 has no 员级.
        (json!({"series": "economics", "level": "staff", "parent_org_id": authority.id}), "/level"),
        (json!({"series": "health", "level": "senior", "parent_org_id": "no-such-org"}), "/parent_org_id"),
        (json!({"series": "health", "level": "senior"}), "/parent_org_id"),
        (
            json!({"series": "health", "level": "senior", "parent_org_id": authority.id, "status": "approved"}),
            "/status",
        ),
    ];
    for (body, pointer) in cases {
        let response = app.post_as(&token, "/paths", &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(fields(&problem(response).await), vec![pointer.to_string()], "{body}");
    }
    let own: Value = app.get_as(&token, "/paths").await.json().await.unwrap();
    assert_eq!(own["total"], 0, "nothing was stored");
}

#[tokio::test]
async fn one_live_path_per_series_and_level_and_a_new_one_after_rejection() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let other_authority = app.register_org("authority").await;
    let token = app.org_token(&hospital).await;
    let first = app.apply_path(&hospital, "health", "deputy_senior", &authority).await;

    // Pending: a repeat, even to another parent, is 409.
    let repeat = app
        .post_as(
            &token,
            "/paths",
            &json!({"series": "health", "level": "deputy_senior", "parent_org_id": other_authority.id}),
        )
        .await;
    assert_eq!(repeat.status(), 409);
    assert!(problem(repeat).await["detail"].as_str().unwrap().contains("不再重复申请"));

    // Rejected with a reason the applicant can read; then a new application is allowed.
    let authority_token = app.org_token(&authority).await;
    let empty = app.post_as(&authority_token, &format!("/paths/{first}/reject"), &json!({"reason": "  "})).await;
    assert_eq!(empty.status(), 422);
    assert_eq!(fields(&problem(empty).await), vec!["/reason"]);
    let rejected = app
        .post_as(&authority_token, &format!("/paths/{first}/reject"), &json!({"reason": "请选择本单位的主管部门"}))
        .await;
    assert_eq!(rejected.status(), 200);
    let own: Value = app.get_as(&token, "/paths?status=rejected").await.json().await.unwrap();
    assert_eq!(own["items"][0]["reason"], "请选择本单位的主管部门");
    // A decided path cannot be decided again.
    let again = app.post_as(&authority_token, &format!("/paths/{first}/approve"), &json!({})).await;
    assert_eq!(again.status(), 409);

    let second = app.apply_path(&hospital, "health", "deputy_senior", &other_authority).await;
    let other_token = app.org_token(&other_authority).await;
    assert_eq!(app.post_as(&other_token, &format!("/paths/{second}/approve"), &json!({})).await.status(), 200);
    // Approved: applying again is 409 as well.
    let repeat = app
        .post_as(
            &token,
            "/paths",
            &json!({"series": "health", "level": "deputy_senior", "parent_org_id": authority.id}),
        )
        .await;
    assert_eq!(repeat.status(), 409);
    assert_eq!(problem(repeat).await["code"], "path_exists");
}

#[tokio::test]
async fn only_the_parents_org_admin_decides_and_nothing_changes_otherwise() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let stranger = app.register_org("authority").await;
    let id = app.apply_path(&hospital, "health", "senior", &authority).await;
    let (reviewer, _) = app.register_reviewer(&authority).await;
    let reviewer_token = app.login(&reviewer, PASSWORD).await.access;
    let person = app.register_person().await;
    let person_token = app.token_of(&person).await;
    let stranger_token = app.org_token(&stranger).await;
    let applicant_token = app.org_token(&hospital).await;

    for (who, token, expected) in [
        ("another org's admin", &stranger_token, 404),
        ("the applicant itself", &applicant_token, 404),
        ("a reviewer of the parent", &reviewer_token, 403),
        ("a person", &person_token, 403),
    ] {
        for action in ["approve", "reject"] {
            let response = app.post_as(token, &format!("/paths/{id}/{action}"), &json!({"reason": "x"})).await;
            assert_eq!(response.status(), expected, "{who} {action}");
        }
    }
    assert_eq!(app.post(&format!("/paths/{id}/approve"), &json!({})).await.status(), 401);
    let audits: Value = app.get_as(&app.org_token(&authority).await, "/path-audits").await.json().await.unwrap();
    assert_eq!(audits["items"][0]["status"], "pending", "nothing changed");
    // The stranger does not even see it in its audit list.
    let theirs: Value = app.get_as(&stranger_token, "/path-audits").await.json().await.unwrap();
    assert_eq!(theirs["total"], 0);
}

#[tokio::test]
async fn persons_and_reviewers_cannot_apply_for_paths() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let person = app.register_person().await;
    let (reviewer, _) = app.register_reviewer(&hospital).await;
    let body = json!({"series": "health", "level": "senior", "parent_org_id": authority.id});
    for token in [app.token_of(&person).await, app.login(&reviewer, PASSWORD).await.access] {
        assert_eq!(app.post_as(&token, "/paths", &body).await.status(), 403);
        assert_eq!(app.get_as(&token, "/paths").await.status(), 403);
        assert_eq!(app.get_as(&token, "/path-audits").await.status(), 403);
    }
}

#[tokio::test]
async fn two_concurrent_applications_make_one_path() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let token = app.org_token(&hospital).await;
    let body = json!({"series": "health", "level": "staff", "parent_org_id": authority.id});
    let (a, b) = tokio::join!(app.post_as(&token, "/paths", &body), app.post_as(&token, "/paths", &body));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
}

/// Before she fills a whole declaration, a person learns whether her employer can send it up for
/// the series and level she chose (the same rule 确认申报 checks).
#[tokio::test]
async fn a_person_learns_whether_an_employer_can_report_a_series_and_level() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let ask = |org: &str, query: &str| {
        let path = format!("/orgs/{org}/reporting?{query}");
        let (app, token) = (&app, token.clone());
        async move { app.get_as(&token, &path).await }
    };
    let open: Value = ask(&chain.employer.id, "series=health&level=intermediate").await.json().await.unwrap();
    assert_eq!(open["open"], true);
    let closed: Value = ask(&chain.employer.id, "series=health&level=senior").await.json().await.unwrap();
    assert_eq!(closed["open"], false);
    let other_series: Value =
        ask(&chain.employer.id, "series=engineering&level=intermediate").await.json().await.unwrap();
    assert_eq!(other_series["open"], false);
    let bureau: Value = ask(&chain.bureau.id, "series=health&level=senior").await.json().await.unwrap();
    assert_eq!(bureau["open"], true, "a bureau is the top of the chain");
    assert_eq!(ask("no-such-org", "series=health&level=intermediate").await.status(), 404);
    assert_eq!(ask(&chain.employer.id, "series=health&level=emperor").await.status(), 422);
    let anonymous = app.get(&format!("/orgs/{}/reporting?series=health&level=intermediate", chain.employer.id)).await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_pending_application_is_withdrawn_and_may_be_made_again() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let hospital_token = app.org_token(&hospital).await;
    let authority_token = app.org_token(&authority).await;
    let id = app.apply_path(&hospital, "health", "intermediate", &authority).await;

    let withdrawn = app.post_as(&hospital_token, &format!("/paths/{id}/withdraw"), &json!({})).await;
    assert_eq!(withdrawn.status(), 200);
    let withdrawn: Value = withdrawn.json().await.unwrap();
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(withdrawn["status_label"], "已撤回");
    // The parent no longer has it to audit, and cannot decide it.
    let audits: Value = app.get_as(&authority_token, "/path-audits?status=pending").await.json().await.unwrap();
    assert_eq!(audits["total"], 0);
    let late = app.post_as(&authority_token, &format!("/paths/{id}/approve"), &json!({})).await;
    assert_eq!(late.status(), 409);
    // Twice is refused; so is withdrawing what was decided.
    let again = app.post_as(&hospital_token, &format!("/paths/{id}/withdraw"), &json!({})).await;
    assert_eq!(problem(again).await["code"], "path_not_pending");
    let second = app.apply_path(&hospital, "health", "intermediate", &authority).await;
    assert_ne!(second, id, "a new application after the withdrawal");
    assert_eq!(app.post_as(&authority_token, &format!("/paths/{second}/approve"), &json!({})).await.status(), 200);
    let decided = app.post_as(&hospital_token, &format!("/paths/{second}/withdraw"), &json!({})).await;
    assert_eq!(decided.status(), 409);
    assert_eq!(app.audit_count("path_withdrawn").await, 1);
    for missing in ["no-such-path", "%00"] {
        let response = app.post_as(&hospital_token, &format!("/paths/{missing}/withdraw"), &json!({})).await;
        assert!(matches!(response.status().as_u16(), 404 | 422), "{missing}: {}", response.status());
    }
}

#[tokio::test]
async fn several_levels_are_applied_for_at_once_or_not_at_all() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let authority = app.register_org("authority").await;
    let token = app.org_token(&hospital).await;
    let batch = |levels: Value| {
        let app = &app;
        let token = token.clone();
        let parent = authority.id.clone();
        async move {
            app.post_as(&token, "/paths/batch", &json!({"series": "health", "levels": levels, "parent_org_id": parent}))
                .await
        }
    };
    let created = batch(json!(["intermediate", "deputy_senior"])).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let levels: Vec<&str> = created.as_array().unwrap().iter().map(|p| p["level"].as_str().unwrap()).collect();
    assert_eq!(levels, ["intermediate", "deputy_senior"]);
    assert_eq!(app.audit_count("path_applied").await, 2);

    // One level already pending: nothing of the batch is made, and the level is named.
    let refused = batch(json!(["senior", "intermediate"])).await;
    assert_eq!(refused.status(), 409);
    let body = problem(refused).await;
    assert_eq!(body["errors"][0]["field"], "/levels/1", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("中级"), "{body}");
    let own: Value = app.get_as(&token, "/paths").await.json().await.unwrap();
    assert_eq!(own["total"], 2, "senior was not applied for");

    for (levels, field) in
        [(json!([]), "/levels"), (json!(["senior", "senior"]), "/levels/1"), (json!(["chief"]), "/levels/0")]
    {
        let response = batch(levels.clone()).await;
        assert_eq!(response.status(), 422, "{levels}");
        let body = problem(response).await;
        assert!(body.to_string().contains(field), "{levels}: {body}");
    }
    let own: Value = app.get_as(&token, "/paths").await.json().await.unwrap();
    assert_eq!(own["total"], 2, "nothing more was made");
}
