//! The whole chain: employer → authority → bureau, returns from any level, acceptance is final.

use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn the_parent_cannot_review_before_the_report_arrives_and_the_bureau_accepts() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, person_token, id) = app.submitted_declaration(&chain).await;
    let employer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let bureau = app.login(&chain.bureau_reviewer, PASSWORD).await.access;

    assert_eq!(app.approve(&authority, &id).await.status(), 404, "not arrived yet");
    assert_eq!(app.approve(&employer, &id).await.status(), 200);
    assert_eq!(app.approve(&authority, &id).await.status(), 404, "approved is not reported");
    assert_eq!(app.report(&employer, &[&id]).await.status(), 201);
    assert_eq!(app.approve(&bureau, &id).await.status(), 404);
    assert_eq!(app.approve(&authority, &id).await.status(), 200);
    assert_eq!(app.report(&authority, &[&id]).await.status(), 201);

    let response = app.post_as(&bureau, &format!("/reviews/{id}/approve"), &json!({"opinion": "受理"})).await;
    assert_eq!(response.status(), 200);
    let review: Value = response.json().await.unwrap();
    assert_eq!(review["standing"], "accepted");
    assert_eq!(review["can_report"], false);
    let declaration = app.declaration(&person_token, &id).await;
    assert_eq!(declaration["status"], "accepted");
    assert_eq!(declaration["holder_org_id"], chain.bureau.id.as_str());

    // Final: no return, no report.
    assert_eq!(app.return_declaration(&bureau, &id, &json!({"opinion": "x"})).await.status(), 409);
    let report = app.report(&bureau, &[&id]).await;
    assert_eq!(report.status(), 422);
    assert_eq!(problem(report).await["code"], "top_of_chain");
    // Every organisation that held it sees it as accepted.
    for token in [&employer, &authority, &bureau] {
        let accepted: Value = app.get_as(token, "/reviews?status=accepted").await.json().await.unwrap();
        assert_eq!(accepted["total"], 1);
    }
    let summary: Value = app.get_as(&bureau, "/reviews/summary?year=2026").await.json().await.unwrap();
    assert_eq!(
        summary,
        json!([{"series": "health", "series_name": "卫生", "level": "intermediate", "standing": "accepted", "standing_label": "已受理", "count": 1}])
    );

    let events: Value = app.get_as(&person_token, &format!("/declarations/{id}/events")).await.json().await.unwrap();
    let trail: Vec<(String, String)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_string(), e["org_name"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        trail,
        [
            ("create".to_string(), String::new()),
            ("submit".to_string(), chain.employer.name.clone()),
            ("approve".to_string(), chain.employer.name.clone()),
            ("report".to_string(), chain.employer.name.clone()),
            ("approve".to_string(), chain.authority.name.clone()),
            ("report".to_string(), chain.authority.name.clone()),
            ("accept".to_string(), chain.bureau.name.clone()),
        ]
    );
}

#[tokio::test]
async fn a_return_at_the_authority_goes_back_to_the_applicant_and_restarts_at_the_employer() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, person_token, id) = app.submitted_declaration(&chain).await;
    let employer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    app.approve(&employer, &id).await;
    app.report(&employer, &[&id]).await;
    let response = app
        .return_declaration(
            &authority,
            &id,
            &json!({"opinion": "请补充继续教育学时", "add_sections": ["continuing_education"]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let declaration = app.declaration(&person_token, &id).await;
    assert_eq!(declaration["status"], "returned");
    let pdf = app.upload_pdf(&person_token).await;
    let added = app
        .post_as(
            &person_token,
            &format!("/declarations/{id}/items"),
            &json!({"section": "continuing_education",
            "data": {"year": 2024, "hours": 80, "credit_type": "II类学分"}, "attachment_ids": [pdf]}),
        )
        .await;
    assert_eq!(added.status(), 201);
    assert_eq!(app.submit(&person_token, &id).await.status(), 200);
    let declaration = app.declaration(&person_token, &id).await;
    assert_eq!(declaration["holder_org_id"], chain.employer.id.as_str(), "starts again at the employer");
    assert_eq!(app.approve(&authority, &id).await.status(), 409, "the authority waits for a new report");
    let returned: Value = app.get_as(&authority, "/reviews?status=returned").await.json().await.unwrap();
    assert_eq!(returned["total"], 1, "for the authority it went back and has not come up again");
    let history: Value = app.get_as(&authority, &format!("/reviews/{id}")).await.json().await.unwrap();
    assert_eq!(history["standing"], "returned");
    assert_eq!(history["declaration"]["holder_org_id"], chain.employer.id.as_str(), "it still sees where it is");
}

#[tokio::test]
async fn history_cannot_be_rewritten() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let chain = app.chain().await;
    app.submitted_declaration(&chain).await;
    assert!(app.state.db.execute_unprepared("UPDATE declaration_events SET opinion = 'x'").await.is_err());
    assert!(app.state.db.execute_unprepared("DELETE FROM declaration_events").await.is_err());
}

#[tokio::test]
async fn after_a_return_and_resubmission_upper_orgs_no_longer_see_it_as_reported() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, person_token, id) = app.submitted_declaration(&chain).await;
    let employer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let bureau = app.login(&chain.bureau_reviewer, PASSWORD).await.access;
    app.approve(&employer, &id).await;
    app.report(&employer, &[&id]).await;
    app.approve(&authority, &id).await;
    assert_eq!(app.report(&authority, &[&id]).await.status(), 201);
    assert_eq!(app.return_declaration(&bureau, &id, &json!({"opinion": "请补充材料"})).await.status(), 200);
    assert_eq!(app.submit(&person_token, &id).await.status(), 200);

    let total = |token: &str, query: &str| {
        let (app, token, query) = (&app, token.to_string(), query.to_string());
        async move { app.get_as(&token, &format!("/reviews?{query}")).await.json::<Value>().await.unwrap()["total"].clone() }
    };
    assert_eq!(total(&authority, "status=reported").await, 0, "not reported in this round");
    assert_eq!(total(&authority, "status=returned").await, 1);
    assert_eq!(total(&employer, "status=pending").await, 1, "back at the employer");
    let review: Value = app.get_as(&authority, &format!("/reviews/{id}")).await.json().await.unwrap();
    assert_eq!(review["standing"], "returned");
    // Re-reporting the old batch is not a retry any more: it is refused, nothing moves.
    let stale = app.report(&authority, &[&id]).await;
    assert_eq!(stale.status(), 422);
    assert_eq!(app.declaration(&person_token, &id).await["holder_org_id"], chain.employer.id.as_str());
    let summary: Value = app.get_as(&authority, "/reviews/summary").await.json().await.unwrap();
    assert_eq!(summary[0]["standing"], "returned");

    // The second round climbs again and the authority sees it as its own once more.
    app.approve(&employer, &id).await;
    assert_eq!(app.report(&employer, &[&id]).await.status(), 201);
    assert_eq!(total(&authority, "status=pending").await, 1);
    assert_eq!(app.approve(&authority, &id).await.status(), 200);
    assert_eq!(app.report(&authority, &[&id]).await.status(), 201, "a new report, not the old one");
    assert_eq!(total(&authority, "status=reported").await, 1);
    let sent: Value = app.get_as(&authority, "/reports").await.json().await.unwrap();
    assert_eq!(sent["total"], 2);
}
