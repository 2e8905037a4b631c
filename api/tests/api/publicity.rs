//! 公示 with objections, the decision, electronic certificates and public verification.

use chrono::TimeZone;
use serde_json::{Value, json};

use crate::committees::{Board, board, expert_token};
use crate::helpers::*;

/// A closed session of `board` with one passed and one failed declaration.
pub struct Closed {
    pub board: Board,
    pub applicant: Person,
    pub applicant_token: String,
    pub passing: String,
    pub failing: String,
    /// The token of the failing declaration's applicant.
    pub failing_token: String,
    pub session: String,
    /// The library's experts: id → username.
    pub experts: std::collections::HashMap<String, String>,
    /// The experts who voted, signed in with their second factor: id → token.
    pub expert_tokens: std::collections::HashMap<String, String>,
}

async fn accepted_with_person(app: &TestApp, board: &Board) -> (Person, String, String) {
    let (person, token, id) = app.submitted_declaration(&board.chain).await;
    for reviewer in [&board.chain.employer_reviewer, &board.chain.authority_reviewer] {
        let token = app.login(reviewer, PASSWORD).await.access;
        assert_eq!(app.approve(&token, &id).await.status(), 200);
        assert_eq!(app.report(&token, &[&id]).await.status(), 201);
    }
    let bureau = app.login(&board.chain.bureau_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&bureau, &id).await.status(), 200);
    (person, token, id)
}

pub async fn closed_session(app: &TestApp) -> Closed {
    let board = board(app).await;
    let (applicant, applicant_token, passing) = accepted_with_person(app, &board).await;
    let (failing_token, failing) = board.accepted(app).await;
    let hospital = app.register_org("institution").await;
    let mut usernames = std::collections::HashMap::new();
    for _ in 0..11 {
        let (id, username) = board.expert(app, &hospital, "intermediate").await;
        usernames.insert(id, username);
    }
    let session = board.session(app).await;
    let response = board.draw(app, &session, json!({"count": 11})).await;
    assert_eq!(response.status(), 200);
    let output: Vec<String> =
        serde_json::from_value(response.json::<Value>().await.unwrap()["output"].clone()).unwrap();
    let mut expert_tokens = std::collections::HashMap::new();
    for (i, id) in output.iter().enumerate() {
        let token = expert_token(app, &usernames[id]).await;
        expert_tokens.insert(id.clone(), token.clone());
        if i < 9 {
            let path = format!("/review-sessions/{session}/declarations/{passing}/vote");
            assert_eq!(app.post_as(&token, &path, &json!({"choice": "agree"})).await.status(), 204);
            let path = format!("/review-sessions/{session}/declarations/{failing}/vote");
            assert_eq!(app.post_as(&token, &path, &json!({"choice": "disagree"})).await.status(), 204);
        }
    }
    let response = app.post_as(&board.former_token, &format!("/review-sessions/{session}/close"), &json!({})).await;
    assert_eq!(response.status(), 200, "close: {}", response.text().await.unwrap_or_default());
    Closed {
        board,
        applicant,
        applicant_token,
        passing,
        failing,
        failing_token,
        session,
        experts: usernames,
        expert_tokens,
    }
}

/// Thursday 2026-12-03, 10:00 in Beijing.
fn thursday() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap()
}

#[tokio::test]
async fn publicity_objections_and_a_final_result_that_cannot_change() {
    let app = spawn_app().await;
    let closed = closed_session(&app).await;
    let former = closed.board.former_token.clone();
    let stranger_org = app.register_org("institution").await;
    let stranger = app.org_token(&stranger_org).await;

    // The calendar: kept by the platform admin alone — not by a committee's admin, who publishes
    // and could otherwise shorten its own 公示 (a weekend made a working day).
    let admin = app.admin_token().await;
    for (who, token) in [("stranger", &stranger), ("committee admin", &former)] {
        let response = app
            .client
            .put(app.url("/calendar/days/2026-12-05"))
            .bearer_auth(token)
            .json(&json!({"kind": "workday", "note": "调休上班"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{who}");
    }
    let response = app
        .client
        .put(app.url("/calendar/days/2026-12-08"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "holiday", "note": "测试假日"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let response = app
        .client
        .put(app.url("/calendar/days/2026-12-09"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "sometimes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/kind"]);
    let year: Value = app.get_as(&former, "/calendar/2026").await.json().await.unwrap();
    assert_eq!(year.as_array().unwrap().len(), 1);

    // Publishing: only the committee's admin; the period counts working days past the holiday.
    app.state.clock.set(thursday());
    let publish = format!("/review-sessions/{}/publish", closed.session);
    assert_eq!(app.post_as(&stranger, &publish, &json!({})).await.status(), 404);
    assert_eq!(app.post_as(&former, &publish, &json!({"working_days": 2})).await.status(), 422);
    let response = app.post_as(&former, &publish, &json!({})).await;
    assert_eq!(response.status(), 201, "publish: {}", response.text().await.unwrap_or_default());
    let published: Value = response.json().await.unwrap();
    // Thu 3 → Fri 4, Mon 7, (Tue 8 holiday), Wed 9, Thu 10, Fri 11.
    assert_eq!(published["published_on"], "2026-12-03");
    assert_eq!(published["ends_on"], "2026-12-11");
    let publicity = published["id"].as_str().unwrap().to_string();
    assert_eq!(app.post_as(&former, &publish, &json!({})).await.status(), 409);
    assert_eq!(app.declaration(&closed.applicant_token, &closed.passing).await["status"], "publicized");

    // The public page: no login, masked ID numbers only.
    let response = app.get(&format!("/public/publicities/{publicity}")).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains(&closed.applicant.id_number), "no full ID number on the public page");
    assert!(!text.contains(&closed.applicant.phone));
    let page: Value = serde_json::from_str(&text).unwrap();
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let mine = entries.iter().find(|e| e["declaration_id"] == closed.passing.as_str()).unwrap();
    let masked = format!("{}********{}", &closed.applicant.id_number[..6], &closed.applicant.id_number[14..]);
    assert_eq!(mine["id_number_masked"], masked.as_str());
    assert_eq!(mine["result"], "passed");
    assert!(entries.iter().any(|e| e["result"] == "failed"));
    let list: Value = app.get("/public/publicities").await.json().await.unwrap();
    assert!(list.as_array().unwrap().iter().any(|p| p["id"] == publicity.as_str()));

    // Objections: any logged-in account, with a reason; none without login or reason.
    let objector = app.register_person().await;
    let objector_token = app.token_of(&objector).await;
    let objections = format!("/publicities/{publicity}/objections");
    assert_eq!(
        app.post(&objections, &json!({"declaration_id": closed.passing, "reason": "论文存在抄袭"})).await.status(),
        401
    );
    let response =
        app.post_as(&objector_token, &objections, &json!({"declaration_id": closed.passing, "reason": ""})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/reason"]);
    let response = app
        .post_as(&objector_token, &objections, &json!({"declaration_id": "nope", "reason": "论文存在抄袭问题"}))
        .await;
    assert_eq!(response.status(), 422);
    let response = app
        .post_as(&objector_token, &objections, &json!({"declaration_id": closed.passing, "reason": "论文存在抄袭问题"}))
        .await;
    assert_eq!(response.status(), 201, "object: {}", response.text().await.unwrap_or_default());
    let dismissed = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let twice = app
        .post_as(&objector_token, &objections, &json!({"declaration_id": closed.passing, "reason": "再次提出同一异议"}))
        .await;
    assert_eq!(twice.status(), 409, "one open objection per account and declaration");
    let response = app
        .post_as(
            &objector_token,
            &objections,
            &json!({"declaration_id": closed.failing, "reason": "评审过程存在回避问题"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let upheld = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    // The desk: the committee's admin sees the reasons, never who objected; strangers see nothing.
    assert_eq!(app.get_as(&stranger, &objections).await.status(), 404);
    let response = app.get_as(&former, &objections).await;
    assert_eq!(response.status(), 200);
    let desk = response.text().await.unwrap();
    assert!(desk.contains("论文存在抄袭问题"));
    assert!(!desk.contains(&objector.id), "the desk never names the objector");
    assert!(!desk.contains(&objector.username));
    assert!(!desk.contains("account_id"));
    let public_text = app.get(&format!("/public/publicities/{publicity}")).await.text().await.unwrap();
    assert!(!public_text.contains(&objector.id) && !public_text.contains("论文存在抄袭"));

    // Not final before the end, and the job leaves an open objection waiting.
    let early = app.post_as(&former, &format!("/publicities/{publicity}/finalise"), &json!({})).await;
    assert_eq!(early.status(), 422);
    assert_eq!(problem(early).await["code"], "publicity_not_ended");

    // After the period nobody objects.
    app.state.clock.set(thursday() + chrono::Duration::days(9));
    let late = app
        .post_as(&objector_token, &objections, &json!({"declaration_id": closed.passing, "reason": "补充异议材料"}))
        .await;
    assert_eq!(late.status(), 422);
    assert_eq!(problem(late).await["code"], "publicity_ended");
    assert_eq!(api::services::publicity::finalise_due(&app.state).await.unwrap(), 0, "open objections wait");

    // Answers: a stranger cannot; dismissed keeps the declaration, upheld re-opens it.
    let answer = |id: &str| format!("/objections/{id}/answer");
    assert_eq!(
        app.post_as(&stranger, &answer(&dismissed), &json!({"decision": "dismissed", "answer": "经核实不成立"}))
            .await
            .status(),
        404
    );
    let bad = app.post_as(&former, &answer(&dismissed), &json!({"decision": "maybe", "answer": "经核实"})).await;
    assert_eq!(bad.status(), 422);
    let response = app
        .post_as(&former, &answer(&dismissed), &json!({"decision": "dismissed", "answer": "经核实，论文系原创"}))
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(app.declaration(&closed.applicant_token, &closed.passing).await["status"], "publicized");
    let response =
        app.post_as(&former, &answer(&upheld), &json!({"decision": "upheld", "answer": "经核实，应予回避"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        app.post_as(&former, &answer(&upheld), &json!({"decision": "dismissed", "answer": "再次处理"})).await.status(),
        409
    );

    // The objector sees both answers.
    let mine: Value = app.get_as(&objector_token, "/me/objections").await.json().await.unwrap();
    let status_of = |id: &str| mine.as_array().unwrap().iter().find(|o| o["id"] == id).unwrap().clone();
    assert_eq!(status_of(&dismissed)["status"], "dismissed");
    assert_eq!(status_of(&dismissed)["answer"], "经核实，论文系原创");
    assert_eq!(status_of(&upheld)["status"], "upheld");
    let other: Value = app.get_as(&closed.applicant_token, "/me/objections").await.json().await.unwrap();
    assert!(other.as_array().unwrap().is_empty(), "nobody else sees the objections");

    // The job makes the result final: certified for the passed one; the re-opened one waits.
    assert_eq!(api::services::publicity::finalise_due(&app.state).await.unwrap(), 1);
    assert_eq!(app.declaration(&closed.applicant_token, &closed.passing).await["status"], "certified");
    let page: Value = app.get(&format!("/public/publicities/{publicity}")).await.json().await.unwrap();
    assert_eq!(page["status"], "final");
    let reopened = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["declaration_id"] == closed.failing.as_str())
        .unwrap()
        .clone();
    assert_eq!(reopened["state"], "reopened");
    let inbox: Value = app.get_as(&closed.applicant_token, "/messages").await.json().await.unwrap();
    assert!(inbox.to_string().contains("declaration_decided"), "the applicant is told: {inbox}");
    let employer = app.login(&closed.board.chain.employer_reviewer, PASSWORD).await.access;
    let inbox: Value = app.get_as(&employer, "/messages").await.json().await.unwrap();
    assert!(inbox.to_string().contains("declaration_decided"), "the employer is told");

    // Final: nothing changes it.
    let again = app.post_as(&former, &format!("/publicities/{publicity}/finalise"), &json!({})).await;
    assert_eq!(again.status(), 409);
    assert_eq!(problem(again).await["code"], "already_final");
    assert_eq!(api::services::publicity::finalise_due(&app.state).await.unwrap(), 0);
    assert_eq!(app.post_as(&former, &publish, &json!({})).await.status(), 409);
    assert_eq!(
        app.post_as(&objector_token, &objections, &json!({"declaration_id": closed.passing, "reason": "再次提出异议"}))
            .await
            .status(),
        422
    );
    assert_eq!(app.declaration(&closed.applicant_token, &closed.passing).await["status"], "certified");

    // The certificate: the holder's PDF verifies; one changed byte does not.
    let certificates: Value = app.get_as(&closed.applicant_token, "/me/certificates").await.json().await.unwrap();
    let certificate = certificates[0].clone();
    let number = certificate["number"].as_str().unwrap().to_string();
    assert_eq!(certificate["status"], "valid");
    assert_eq!(certificate["id_number_masked"], masked.as_str());
    assert!(certificate["verify_url"].as_str().unwrap().ends_with(&format!("/verify/{number}")));
    let pdf_path = format!("/me/certificates/{number}/pdf");
    assert_eq!(app.get_as(&stranger, &pdf_path).await.status(), 404);
    let response = app.get_as(&closed.applicant_token, &pdf_path).await;
    assert_eq!(response.status(), 200);
    let pdf = response.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(lopdf::Document::load_mem(&pdf).is_ok(), "a readable PDF");
    let check = |bytes: Vec<u8>| {
        let (client, url) = (app.client.clone(), app.url(&format!("/verify/{number}/pdf")));
        async move {
            let response = client.post(url).header("Content-Type", "application/pdf").body(bytes).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(check(pdf.clone()).await["genuine"], true);
    let mut changed = pdf.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x01;
    assert_eq!(check(changed).await["genuine"], false);
    // The published key checks the signature itself.
    let key: Value = app.get("/verify/public-key").await.json().await.unwrap();
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let key: [u8; 32] = engine.decode(key["public_key"].as_str().unwrap()).unwrap().try_into().unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap();
    let signature = engine.decode(certificate["signature"].as_str().unwrap()).unwrap();
    let signature = ed25519_dalek::Signature::from_slice(&signature).unwrap();
    assert!(key.verify_strict(&pdf, &signature).is_ok());

    // Public verification: no login, masked; a logged-in checker's organisation is recorded.
    let response = app.get(&format!("/verify/{number}")).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains(&closed.applicant.id_number));
    let verified: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(verified["status"], "valid");
    assert_eq!(verified["holder_name"], closed.applicant.real_name.as_str());
    assert_eq!(app.get("/verify/ZC20260000000000").await.status(), 404);
    let wrong_method = app.client.delete(app.url(&format!("/verify/{number}"))).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405, "a known public path answers 405 with a problem");
    assert_eq!(problem(app.get("/public/nothing-here").await).await["status"], 404);
    assert_eq!(app.get_as(&stranger, &format!("/verify/{number}")).await.status(), 200);
    let checks_path = format!("/me/certificates/{number}/checks");
    assert_eq!(app.get_as(&stranger, &checks_path).await.status(), 404);
    let checks: Value = app.get_as(&closed.applicant_token, &checks_path).await.json().await.unwrap();
    let checks = checks.as_array().unwrap();
    assert_eq!(checks.len(), 4, "two PDF checks and two lookups: {checks:?}");
    assert!(checks.iter().any(|c| c["checker_org_name"] == stranger_org.name.as_str()));
    assert!(checks.iter().any(|c| c["checker_org_name"].is_null()));

    // Revocation by the bureau with a reason; others cannot.
    let revoke = format!("/certificates/{number}/revoke");
    assert_eq!(app.post_as(&stranger, &revoke, &json!({"reason": "材料造假"})).await.status(), 404);
    assert_eq!(app.post_as(&former, &revoke, &json!({"reason": "材料造假"})).await.status(), 404);
    assert_eq!(app.post_as(&closed.applicant_token, &revoke, &json!({"reason": "材料造假"})).await.status(), 404);
    let empty = app.post_as(&closed.board.bureau_admin, &revoke, &json!({"reason": ""})).await;
    assert_eq!(empty.status(), 422);
    let response = app.post_as(&closed.board.bureau_admin, &revoke, &json!({"reason": "经查申报材料造假"})).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(app.post_as(&closed.board.bureau_admin, &revoke, &json!({"reason": "再次撤销"})).await.status(), 409);
    let verified: Value = app.get(&format!("/verify/{number}")).await.json().await.unwrap();
    assert_eq!(verified["status"], "revoked");
    assert_eq!(verified["revoked_reason"], "经查申报材料造假");
    assert_eq!(check(pdf).await["certificate"]["status"], "revoked");
}

#[tokio::test]
async fn the_public_endpoints_are_rate_limited_per_client_ip() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit.auth_per_minute = 1;
        settings.rate_limit.auth_burst = 2;
    })
    .await;
    for path in ["/public/publicities", "/verify/public-key"] {
        let _ = app.get(path).await;
    }
    let response = app.get("/verify/ZC20260000000000").await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_some());
    assert_eq!(app.get("/public/publicities").await.status(), 429);
}

/// An upheld objection sends a declaration to a new session; its later 公示 decides it. The first
/// 公示, ending later, neither finalises it with its old result nor takes objections to it.
#[tokio::test]
async fn an_old_publicity_does_not_decide_a_declaration_reviewed_again() {
    let app = spawn_app().await;
    let closed = closed_session(&app).await;
    let former = closed.board.former_token.clone();
    app.state.clock.set(thursday());
    let response = app.post_as(&former, &format!("/review-sessions/{}/publish", closed.session), &json!({})).await;
    assert_eq!(response.status(), 201);
    let first = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let objector = app.register_person().await;
    let objector_token = app.token_of(&objector).await;
    let objections = format!("/publicities/{first}/objections");
    let response = app
        .post_as(
            &objector_token,
            &objections,
            &json!({"declaration_id": closed.failing, "reason": "评审过程存在回避问题"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let objection = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let answer = json!({"decision": "upheld", "answer": "经核实，应予回避"});
    assert_eq!(app.post_as(&former, &format!("/objections/{objection}/answer"), &answer).await.status(), 200);
    assert_eq!(app.declaration(&closed.failing_token, &closed.failing).await["status"], "accepted");

    // Reviewed again: a second session passes it, and its own 公示 begins.
    let second = closed.board.session(&app).await;
    let response = closed.board.draw(&app, &second, json!({"count": 11})).await;
    assert_eq!(response.status(), 200);
    let output: Vec<String> =
        serde_json::from_value(response.json::<Value>().await.unwrap()["output"].clone()).unwrap();
    for id in output.iter().take(9) {
        let token = match closed.expert_tokens.get(id) {
            Some(token) => token.clone(),
            None => expert_token(&app, &closed.experts[id]).await,
        };
        let path = format!("/review-sessions/{second}/declarations/{}/vote", closed.failing);
        assert_eq!(app.post_as(&token, &path, &json!({"choice": "agree"})).await.status(), 204);
    }
    let response = app.post_as(&former, &format!("/review-sessions/{second}/close"), &json!({})).await;
    assert_eq!(response.status(), 200);
    let response = app.post_as(&former, &format!("/review-sessions/{second}/publish"), &json!({})).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
    let later = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(app.declaration(&closed.failing_token, &closed.failing).await["status"], "publicized");

    // Through the first 公示 it is no longer objected to, nor shown as current.
    let response = app
        .post_as(&objector_token, &objections, &json!({"declaration_id": closed.failing, "reason": "再次提出异议材料"}))
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(problem(response).await["code"], "not_in_publicity");
    let page: Value = app.get(&format!("/public/publicities/{first}")).await.json().await.unwrap();
    let entry = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["declaration_id"] == closed.failing.as_str())
        .unwrap()
        .clone();
    assert_eq!(entry["state"], "reopened");

    // The first period ends: it certifies its own passed declaration and leaves the other alone.
    app.state.clock.set(thursday() + chrono::Duration::days(8));
    let response = app.post_as(&former, &format!("/publicities/{first}/finalise"), &json!({})).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(app.declaration(&closed.applicant_token, &closed.passing).await["status"], "certified");
    assert_eq!(app.declaration(&closed.failing_token, &closed.failing).await["status"], "publicized");
    // Its own 公示 decides it.
    let response = app.post_as(&former, &format!("/publicities/{later}/finalise"), &json!({})).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(app.declaration(&closed.failing_token, &closed.failing).await["status"], "certified");
}
