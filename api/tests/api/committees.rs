//! 评委会: committees and their parameters, 评委会路径, the expert library, review sessions with a
//! recorded and replayable draw, recusal, the secret ballot and the close.

use std::collections::HashSet;

use api::domain::Level;
use api::domain::committee as rules;
use api::services::review_sessions::{Pooled, select};
use proptest::prelude::*;
use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::helpers::*;

/// An approved 卫生/中级 committee formed by a 卫健委 (an authority) and approved by the chain's
/// bureau, with the bureau's route to it approved.
pub struct Board {
    pub chain: Chain,
    pub former_token: String,
    pub bureau_admin: String,
    pub committee: String,
}

pub async fn board(app: &TestApp) -> Board {
    let chain = app.chain().await;
    let former = app.register_org("authority").await;
    let former_token = app.org_token(&former).await;
    let bureau_admin = app.org_token(&chain.bureau).await;
    let response = app
        .post_as(
            &former_token,
            "/committees",
            &json!({"name": "卫生系列中级职称评审委员会", "series": "health", "levels": ["intermediate"],
                    "bureau_org_id": chain.bureau.id}),
        )
        .await;
    assert_eq!(response.status(), 201, "form: {}", response.text().await.unwrap_or_default());
    let committee = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let response = app.post_as(&bureau_admin, &format!("/committees/{committee}/approve"), &json!({})).await;
    assert_eq!(response.status(), 200, "approve: {}", response.text().await.unwrap_or_default());
    let response = app
        .post_as(
            &bureau_admin,
            "/committee-routes",
            &json!({"committee_id": committee, "series": "health", "level": "intermediate"}),
        )
        .await;
    assert_eq!(response.status(), 201, "route: {}", response.text().await.unwrap_or_default());
    let route = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let response = app.post_as(&former_token, &format!("/committee-routes/{route}/approve"), &json!({})).await;
    assert_eq!(response.status(), 200, "route approve: {}", response.text().await.unwrap_or_default());
    Board { chain, former_token, bureau_admin, committee }
}

impl Board {
    /// A declaration of a new person at the chain's employer, taken up to 受理 at the bureau.
    /// Returns (person token, declaration id).
    pub async fn accepted(&self, app: &TestApp) -> (String, String) {
        let (_, token, id) = app.submitted_declaration(&self.chain).await;
        let employer = app.login(&self.chain.employer_reviewer, PASSWORD).await.access;
        let authority = app.login(&self.chain.authority_reviewer, PASSWORD).await.access;
        let bureau = app.login(&self.chain.bureau_reviewer, PASSWORD).await.access;
        assert_eq!(app.approve(&employer, &id).await.status(), 200);
        assert_eq!(app.report(&employer, &[&id]).await.status(), 201);
        assert_eq!(app.approve(&authority, &id).await.status(), 200);
        assert_eq!(app.report(&authority, &[&id]).await.status(), 201);
        assert_eq!(app.approve(&bureau, &id).await.status(), 200);
        (token, id)
    }

    /// Adds an expert working at `org` with title `level`; returns (expert id, username).
    pub async fn expert(&self, app: &TestApp, org: &Org, level: &str) -> (String, String) {
        let seq = next();
        let username = format!("expert{seq}");
        let response = app
            .post_as(
                &self.former_token,
                &format!("/committees/{}/experts", self.committee),
                &json!({"real_name": "赵专家", "id_number": id_number(seq), "phone": phone(seq), "username": username,
                        "password": PASSWORD, "org_id": org.id, "series": "health", "specialty": "护理学",
                        "level": level, "reason": "业务骨干，推荐入库"}),
            )
            .await;
        assert_eq!(response.status(), 201, "add expert: {}", response.text().await.unwrap_or_default());
        (response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string(), username)
    }

    /// Opens a 2026 session voting for a week and gathers; returns its id.
    pub async fn session(&self, app: &TestApp) -> String {
        let until = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
        let response = app
            .post_as(
                &self.former_token,
                &format!("/committees/{}/sessions", self.committee),
                &json!({"name": "2026年度卫生系列中级评审会", "year": 2026, "level": "intermediate", "vote_until": until}),
            )
            .await;
        assert_eq!(response.status(), 201, "open session: {}", response.text().await.unwrap_or_default());
        let id = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        let response = app.post_as(&self.former_token, &format!("/review-sessions/{id}/gather"), &json!({})).await;
        assert_eq!(response.status(), 200, "gather: {}", response.text().await.unwrap_or_default());
        id
    }

    /// Seals and runs a draw; returns the run's response.
    pub async fn draw(&self, app: &TestApp, session: &str, body: Value) -> reqwest::Response {
        let response = app.post_as(&self.former_token, &format!("/review-sessions/{session}/draws"), &body).await;
        assert_eq!(response.status(), 201, "seal: {}", response.text().await.unwrap_or_default());
        let sealed: Value = response.json().await.unwrap();
        assert_eq!(sealed["status"], "sealed");
        assert_eq!(sealed["seed"].as_str().unwrap().len(), 64, "the seed is recorded before the draw");
        assert!(sealed["output"].is_null());
        let draw = sealed["id"].as_str().unwrap();
        app.post_as(&self.former_token, &format!("/review-sessions/{session}/draws/{draw}/run"), &json!({})).await
    }
}

/// Signs an expert in with the second factor the platform requires of experts.
pub async fn expert_token(app: &TestApp, username: &str) -> String {
    let first = app.login(username, PASSWORD).await.access;
    let response = app.post_as(&first, "/me/totp", &json!({"password": PASSWORD})).await;
    assert_eq!(response.status(), 201);
    let enrollment: Value = response.json().await.unwrap();
    let secret = Secret::Encoded(enrollment["secret"].as_str().unwrap().to_string()).to_bytes().unwrap();
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret, None, String::new());
    let now = chrono::Utc::now().timestamp() as u64;
    let response = app.post_as(&first, "/me/totp/confirm", &json!({"code": totp.generate(now)})).await;
    assert_eq!(response.status(), 204);
    let response = app
        .post("/auth/login", &json!({"account": username, "password": PASSWORD, "totp_code": totp.generate(now + 30)}))
        .await;
    assert_eq!(response.status(), 200, "login with code: {}", response.text().await.unwrap_or_default());
    response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_committee_is_formed_with_the_national_rules_and_approved_by_its_bureau() {
    let app = spawn_app().await;
    let bureau = app.register_org("hrss").await;
    let former = app.register_org("authority").await;
    let token = app.org_token(&former).await;
    let body = |extra: Value| {
        let mut body = json!({"name": "卫生系列高级职称评审委员会", "series": "health",
                              "levels": ["senior", "deputy_senior", "intermediate"], "bureau_org_id": bureau.id});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    // Below the national minimum, even, for a level it does not review; shares below 2/3.
    for (extra, field) in [
        (json!({"min_members": {"senior": 23}}), "/min_members/senior"),
        (json!({"min_members": {"deputy_senior": 18}}), "/min_members/deputy_senior"),
        (json!({"min_members": {"assistant": 11}}), "/min_members/assistant"),
        (json!({"quorum": {"numerator": 1, "denominator": 2}}), "/quorum"),
        (json!({"pass": {"numerator": 3, "denominator": 5}}), "/pass"),
        (json!({"levels": []}), "/levels"),
        (json!({"levels": ["senior", "senior"]}), "/levels"),
        (json!({"bureau_org_id": former.id}), "/bureau_org_id"),
        (json!({"series": "no-such-series"}), "/series"),
    ] {
        let response = app.post_as(&token, "/committees", &body(extra.clone())).await;
        assert_eq!(response.status(), 422, "{extra}");
        assert!(fields(&problem(response).await).contains(&field.to_string()), "{extra} → {field}");
    }
    let response = app.post_as(&token, "/committees", &body(json!({"status": "approved"}))).await;
    assert_eq!(response.status(), 422, "no client sets the status");

    let response = app
        .post_as(
            &token,
            "/committees",
            &body(json!({"min_members": {"senior": 27}, "pass": {"numerator": 3, "denominator": 4}})),
        )
        .await;
    assert_eq!(response.status(), 201);
    let committee: Value = response.json().await.unwrap();
    let id = committee["id"].as_str().unwrap();
    assert_eq!(committee["status"], "pending");
    assert_eq!(committee["managed"], true);
    assert_eq!(committee["quorum"], json!({"numerator": 2, "denominator": 3}));
    assert_eq!(committee["pass"], json!({"numerator": 3, "denominator": 4}));
    let minimums: Vec<(String, u64)> = committee["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["level"].as_str().unwrap().to_string(), l["min_members"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        minimums,
        [("senior".to_string(), 27), ("deputy_senior".to_string(), 17), ("intermediate".to_string(), 11)]
    );

    // Strangers do not see it; the forming org cannot approve itself; the bureau decides once.
    let stranger = app.register_org("hrss").await;
    let stranger_token = app.org_token(&stranger).await;
    assert_eq!(app.get_as(&stranger_token, &format!("/committees/{id}")).await.status(), 404);
    assert_eq!(app.post_as(&stranger_token, &format!("/committees/{id}/approve"), &json!({})).await.status(), 404);
    assert_eq!(app.post_as(&token, &format!("/committees/{id}/approve"), &json!({})).await.status(), 403);
    let person = app.register_person().await;
    let person_token = app.token_of(&person).await;
    assert_eq!(app.get_as(&person_token, &format!("/committees/{id}")).await.status(), 404);
    let bureau_token = app.org_token(&bureau).await;
    let response = app.post_as(&bureau_token, &format!("/committees/{id}/reject"), &json!({"reason": " "})).await;
    assert_eq!(response.status(), 422);
    let response = app.post_as(&bureau_token, &format!("/committees/{id}/approve"), &json!({})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "approved");
    assert_eq!(app.post_as(&bureau_token, &format!("/committees/{id}/approve"), &json!({})).await.status(), 409);
    // Approved, any bureau sees it (to apply for a route); still nobody else.
    assert_eq!(app.get_as(&stranger_token, &format!("/committees/{id}")).await.status(), 200);
    assert_eq!(app.get_as(&person_token, &format!("/committees/{id}")).await.status(), 404);
    assert_eq!(app.audit_count("committee_approved").await, 1);
}

#[tokio::test]
async fn a_bureau_applies_for_a_committee_route_and_the_committee_admin_decides() {
    let app = spawn_app().await;
    let board = board(&app).await;
    // The board's own route exists: a second is refused.
    let response = app
        .post_as(
            &board.bureau_admin,
            "/committee-routes",
            &json!({"committee_id": board.committee, "series": "health", "level": "intermediate"}),
        )
        .await;
    assert_eq!(response.status(), 409);
    // A level the committee does not review; a non-bureau; the bureau cannot approve its own.
    let other = app.register_org("hrss").await;
    let other_admin = app.org_token(&other).await;
    let response = app
        .post_as(
            &other_admin,
            "/committee-routes",
            &json!({"committee_id": board.committee, "series": "health", "level": "senior"}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["/level"]);
    let employer_admin = app.org_token(&board.chain.employer).await;
    let response = app
        .post_as(
            &employer_admin,
            "/committee-routes",
            &json!({"committee_id": board.committee, "series": "health", "level": "intermediate"}),
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = app
        .post_as(
            &other_admin,
            "/committee-routes",
            &json!({"committee_id": board.committee, "series": "health", "level": "intermediate"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let route = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.post_as(&other_admin, &format!("/committee-routes/{route}/approve"), &json!({})).await.status(),
        403
    );
    assert_eq!(
        app.post_as(&employer_admin, &format!("/committee-routes/{route}/approve"), &json!({})).await.status(),
        404
    );
    let response = app
        .post_as(
            &board.former_token,
            &format!("/committee-routes/{route}/reject"),
            &json!({"reason": "不属本评委会评审范围"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let mine: Value = app.get_as(&other_admin, "/committee-routes").await.json().await.unwrap();
    assert_eq!(mine[0]["status"], "rejected");
    assert_eq!(mine[0]["reason"], "不属本评委会评审范围");
}

#[tokio::test]
async fn the_expert_library_admits_and_removes_experts_with_reasons() {
    let app = spawn_app().await;
    let board = board(&app).await;
    let hospital = app.register_org("institution").await;
    let (expert, username) = board.expert(&app, &hospital, "deputy_senior").await;
    let library: Value = app
        .get_as(&board.former_token, &format!("/committees/{}/experts", board.committee))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(library.as_array().unwrap().len(), 1);
    assert!(library[0]["id_number_masked"].as_str().unwrap().contains("********"));
    assert!(library[0]["phone_masked"].as_str().unwrap().contains("****"));
    assert_eq!(library[0]["second_factor"], false);
    let me: Value = app.get_as(&app.login(&username, PASSWORD).await.access, "/me").await.json().await.unwrap();
    assert_eq!(me["role"], "expert");

    // Another committee's admin, the bureau and a person see nothing of the library.
    for token in [&board.bureau_admin, &app.org_token(&hospital).await] {
        let status = app.get_as(token, &format!("/committees/{}/experts", board.committee)).await.status();
        assert!(status == 404 || status == 403, "{status}");
    }
    // Without a reason, with an unknown org or a level the series lacks: refused.
    let seq = next();
    let base = json!({"real_name": "钱专家", "id_number": id_number(seq), "phone": phone(seq), "username": format!("expert{seq}"),
                      "password": PASSWORD, "org_id": hospital.id, "series": "health", "specialty": "护理学",
                      "level": "senior", "reason": ""});
    let response = app.post_as(&board.former_token, &format!("/committees/{}/experts", board.committee), &base).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["/reason"]);
    let mut unknown_org = base.clone();
    unknown_org["reason"] = json!("推荐");
    unknown_org["org_id"] = json!("no-such-org");
    let response =
        app.post_as(&board.former_token, &format!("/committees/{}/experts", board.committee), &unknown_org).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["/org_id"]);

    // 出库 needs a reason; the account stops working at once.
    let path = format!("/committees/{}/experts/{expert}/remove", board.committee);
    assert_eq!(app.post_as(&board.former_token, &path, &json!({"reason": ""})).await.status(), 422);
    let response = app.post_as(&board.former_token, &path, &json!({"reason": "本人申请退出"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.post_as(&board.former_token, &path, &json!({"reason": "again"})).await.status(), 409);
    assert_eq!(app.try_login(&username, PASSWORD).await.status(), 403);
    let library: Value = app
        .get_as(&board.former_token, &format!("/committees/{}/experts", board.committee))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(library.as_array().unwrap().len(), 0);
    let all: Value = app
        .get_as(&board.former_token, &format!("/committees/{}/experts?include_removed=true", board.committee))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all[0]["status"], "removed");
    assert_eq!(all[0]["exit_reason"], "本人申请退出");
}

#[tokio::test]
async fn a_draw_that_cannot_meet_the_minimum_is_refused_and_says_what_is_missing() {
    let app = spawn_app().await;
    let board = board(&app).await;
    board.accepted(&app).await;
    let hospital = app.register_org("institution").await;
    for _ in 0..9 {
        board.expert(&app, &hospital, "intermediate").await;
    }
    // Two from the applicant's employer, one whose title is below the session's level.
    board.expert(&app, &board.chain.employer, "senior").await;
    board.expert(&app, &board.chain.employer, "intermediate").await;
    board.expert(&app, &hospital, "assistant").await;
    let session = board.session(&app).await;

    let seal = |count: u32| {
        let (path, body) = (format!("/review-sessions/{session}/draws"), json!({"count": count}));
        let (app, token) = (&app, board.former_token.clone());
        async move { app.post_as(&token, &path, &body).await }
    };
    for count in [9, 10, 12] {
        let response = seal(count).await;
        assert_eq!(response.status(), 422, "{count}");
        assert_eq!(fields(&problem(response).await), ["/count"]);
    }
    let response = board.draw(&app, &session, json!({"count": 11})).await;
    assert_eq!(response.status(), 422);
    let refusal = problem(response).await;
    assert_eq!(refusal["code"], "not_enough_experts");
    let detail = refusal["detail"].as_str().unwrap();
    assert!(detail.contains("符合条件的专家仅9人"), "{detail}");
    assert!(detail.contains("还差2人"), "{detail}");
    assert!(detail.contains("与申报人同单位须回避2人"), "{detail}");
    assert!(detail.contains("职称级别低于中级1人"), "{detail}");
    // The refused attempt is on record; nobody was drawn.
    let read: Value =
        app.get_as(&board.former_token, &format!("/review-sessions/{session}")).await.json().await.unwrap();
    assert_eq!(read["draws"][0]["status"], "refused");
    assert_eq!(read["draws"][0]["candidates"].as_array().unwrap().len(), 9);
    assert_eq!(read["members"].as_array().unwrap().len(), 0);

    // Two more experts from elsewhere and a new draw (a new seed) succeeds.
    board.expert(&app, &hospital, "deputy_senior").await;
    board.expert(&app, &hospital, "intermediate").await;
    let response = board.draw(&app, &session, json!({"count": 11})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["output"].as_array().unwrap().len(), 11);
}

#[tokio::test]
async fn a_recorded_draw_replays_to_the_same_experts_and_a_decliner_is_replaced_the_same_way() {
    let app = spawn_app().await;
    let board = board(&app).await;
    board.accepted(&app).await;
    let hospitals = [app.register_org("institution").await, app.register_org("institution").await];
    let mut excluded = HashSet::new();
    for i in 0..14 {
        board.expert(&app, &hospitals[i % 2], if i % 3 == 0 { "senior" } else { "intermediate" }).await;
    }
    for _ in 0..3 {
        excluded.insert(board.expert(&app, &board.chain.employer, "senior").await.0);
    }
    let session = board.session(&app).await;
    let response = board.draw(&app, &session, json!({"count": 11})).await;
    assert_eq!(response.status(), 200);
    let record: Value = response.json().await.unwrap();
    let output: Vec<String> = serde_json::from_value(record["output"].clone()).unwrap();
    let candidates: Vec<String> = serde_json::from_value(record["candidates"].clone()).unwrap();
    assert_eq!(candidates.len(), 14);
    assert!(candidates.windows(2).all(|w| w[0] < w[1]), "the candidate list is sorted");
    assert!(output.iter().all(|id| !excluded.contains(id)), "no expert of the applicant's employer");
    assert_eq!(record["algorithm"], rules::DRAW_ALGORITHM);
    // Anyone with the record gets the same experts; so does the replay endpoint.
    assert_eq!(rules::draw(record["seed"].as_str().unwrap(), &candidates, 11), output);
    let draw_id = record["id"].as_str().unwrap();
    let replay: Value = app
        .get_as(&board.former_token, &format!("/review-sessions/{session}/draws/{draw_id}/replay"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replay["matches"], true);
    assert_eq!(replay["recomputed"], json!(output));
    // Drawn once: a second initial draw is refused; drawn experts were told.
    let again =
        app.post_as(&board.former_token, &format!("/review-sessions/{session}/draws"), &json!({"count": 11})).await;
    assert_eq!(again.status(), 409);
    let session_read: Value =
        app.get_as(&board.former_token, &format!("/review-sessions/{session}")).await.json().await.unwrap();
    assert_eq!(session_read["members"].as_array().unwrap().len(), 11);

    // A drawn expert declines; only a declined member can be replaced, once, by the same record.
    let decliner = &output[0];
    let response = app
        .post_as(
            &board.former_token,
            &format!("/review-sessions/{session}/draws"),
            &json!({"replaces_expert_id": output[1]}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let response = app
        .post_as(
            &board.former_token,
            &format!("/review-sessions/{session}/members/{decliner}/decline"),
            &json!({"reason": "出差"}),
        )
        .await;
    assert_eq!(response.status(), 204);
    let response = board.draw(&app, &session, json!({"replaces_expert_id": decliner})).await;
    assert_eq!(response.status(), 200);
    let replacement: Value = response.json().await.unwrap();
    let new_candidates: Vec<String> = serde_json::from_value(replacement["candidates"].clone()).unwrap();
    assert_eq!(new_candidates.len(), 3, "the 14 less the 11 already drawn");
    let drawn: Vec<String> = serde_json::from_value(replacement["output"].clone()).unwrap();
    assert_eq!(drawn.len(), 1);
    assert!(!output.contains(&drawn[0]));
    assert_eq!(rules::draw(replacement["seed"].as_str().unwrap(), &new_candidates, 1), drawn);
    let response = app
        .post_as(
            &board.former_token,
            &format!("/review-sessions/{session}/draws"),
            &json!({"replaces_expert_id": decliner}),
        )
        .await;
    assert_eq!(response.status(), 409, "replaced once");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Over random libraries and applicants: no expert from an applicant's organisation, of
    /// another series, or below the level is ever a candidate, so none is ever drawn.
    #[test]
    fn no_expert_from_an_applicants_organisation_is_ever_drawn(
        experts in prop::collection::vec((0u8..8, 0u8..2, 0usize..5), 0..60),
        applicants in prop::collection::hash_set(0u8..8, 1..4),
        count in 1usize..15,
        seed in "[0-9a-f]{16}",
    ) {
        let pool: Vec<Pooled> = experts
            .iter()
            .enumerate()
            .map(|(i, (org, series, level))| Pooled {
                id: format!("e{i:03}"),
                org_id: format!("org{org}"),
                series: if *series == 0 { "health".into() } else { "engineering".into() },
                specialty: "护理学".into(),
                level: Level::ALL[*level],
            })
            .collect();
        let applicant_orgs: HashSet<String> = applicants.iter().map(|o| format!("org{o}")).collect();
        let (candidates, _) = select(&pool, "health", None, Level::Intermediate, &applicant_orgs, &HashSet::new());
        let drawn = rules::draw(&seed, &candidates, count);
        prop_assert_eq!(drawn.len(), count.min(candidates.len()));
        for id in &drawn {
            let expert = pool.iter().find(|e| &e.id == id).unwrap();
            prop_assert!(!applicant_orgs.contains(&expert.org_id));
            prop_assert_eq!(expert.series.as_str(), "health");
            prop_assert!(rules::rank(expert.level) >= rules::rank(Level::Intermediate));
        }
        prop_assert_eq!(rules::draw(&seed, &candidates, count), drawn);
    }
}

/// Every object in `value` that names an expert must carry no choice: the secret ballot.
fn assert_no_vote_beside_an_expert(value: &Value, context: &str) {
    match value {
        Value::Object(map) => {
            let names_expert = ["expert_id", "real_name", "voted", "username"].iter().any(|k| map.contains_key(*k));
            let holds_choice = ["choice", "agree", "disagree", "abstain", "vote"].iter().any(|k| map.contains_key(*k));
            assert!(!(names_expert && holds_choice), "{context}: a vote beside an expert: {value}");
            for (key, inner) in map {
                if key != "agree" && key != "disagree" && key != "abstain" {
                    assert_no_vote_beside_an_expert(inner, context);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| assert_no_vote_beside_an_expert(i, context)),
        Value::String(text) => {
            for word in ["同意", "不同意", "弃权", "\"agree\"", "\"disagree\"", "\"abstain\""] {
                assert!(!text.contains(word), "{context}: {text}");
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_secret_ballot_its_rules_and_the_close_at_the_edges() {
    let app = spawn_app().await;
    let board = board(&app).await;
    let (applicant, passing) = board.accepted(&app).await;
    let (_, failing) = board.accepted(&app).await;
    let (_, voided) = board.accepted(&app).await;
    let hospital = app.register_org("institution").await;
    let mut usernames = std::collections::HashMap::new();
    for _ in 0..12 {
        let (id, username) = board.expert(&app, &hospital, "intermediate").await;
        usernames.insert(id, username);
    }
    let session = board.session(&app).await;
    let read: Value =
        app.get_as(&board.former_token, &format!("/review-sessions/{session}")).await.json().await.unwrap();
    assert_eq!(read["declarations"].as_array().unwrap().len(), 3);
    let declaration: Value = app.declaration(&applicant, &passing).await;
    assert_eq!(declaration["status"], "in_review");

    let response = board.draw(&app, &session, json!({"count": 11})).await;
    assert_eq!(response.status(), 200);
    let output: Vec<String> =
        serde_json::from_value(response.json::<Value>().await.unwrap()["output"].clone()).unwrap();
    let undrawn = usernames.keys().find(|id| !output.contains(id)).unwrap().clone();

    // The second factor is required of experts before they review.
    let plain = app.login(&usernames[&output[0]], PASSWORD).await.access;
    let vote_path = |d: &str| format!("/review-sessions/{session}/declarations/{d}/vote");
    let response = app.post_as(&plain, &vote_path(&passing), &json!({"choice": "agree"})).await;
    assert_eq!(response.status(), 403);
    assert_eq!(problem(response).await["code"], "second_factor_required");

    let mut tokens = Vec::new();
    for id in &output {
        tokens.push(expert_token(&app, &usernames[id]).await);
    }
    let undrawn_token = expert_token(&app, &usernames[&undrawn]).await;
    // An undrawn expert, the committee admin and the applicant cannot vote.
    assert_eq!(app.post_as(&undrawn_token, &vote_path(&passing), &json!({"choice": "agree"})).await.status(), 404);
    assert_eq!(app.get_as(&undrawn_token, &format!("/review-sessions/{session}")).await.status(), 404);
    assert_eq!(app.post_as(&board.former_token, &vote_path(&passing), &json!({"choice": "agree"})).await.status(), 403);
    assert_eq!(app.post_as(&applicant, &vote_path(&passing), &json!({"choice": "agree"})).await.status(), 404);
    // A drawn expert reads the declaration with its history.
    let response = app.get_as(&tokens[0], &format!("/review-sessions/{session}/declarations/{passing}")).await;
    assert_eq!(response.status(), 200);
    let read: Value = response.json().await.unwrap();
    assert_eq!(read["declaration"]["id"], passing.as_str());
    assert!(read["declaration"]["applicant"]["id_number"].as_str().unwrap().contains("********"), "masked for experts");
    assert!(read["declaration"]["applicant"]["phone"].as_str().unwrap().contains("****"));
    assert!(read["events"].as_array().unwrap().iter().any(|e| e["action"] == "accept"));
    // A bad choice and an unknown field are refused.
    assert_eq!(app.post_as(&tokens[0], &vote_path(&passing), &json!({"choice": "yes"})).await.status(), 422);
    let extra = json!({"choice": "agree", "expert_id": output[1]});
    assert_eq!(app.post_as(&tokens[0], &vote_path(&passing), &extra).await.status(), 422);

    // passing: 9 present of 11, exactly 6 同意 (two thirds) → passed.
    // failing: 1 recuses (10 eligible), 9 present, 5 同意 (one fewer) → failed.
    // voided: 7 present of 11 (quorum is 8) → void.
    let choices = ["agree", "agree", "agree", "agree", "agree", "agree", "disagree", "abstain", "disagree"];
    for (token, choice) in tokens.iter().zip(choices) {
        let response =
            app.post_as(token, &vote_path(&passing), &json!({"choice": choice, "opinion": "材料齐全，业绩突出"})).await;
        assert_eq!(response.status(), 204, "{}", response.text().await.unwrap_or_default());
    }
    let second = app.post_as(&tokens[0], &vote_path(&passing), &json!({"choice": "disagree"})).await;
    assert_eq!(second.status(), 409, "one vote per expert and declaration");
    assert_eq!(problem(second).await["code"], "already_voted");
    let recuse = |token: &str, d: &str| {
        let (path, token) = (format!("/review-sessions/{session}/declarations/{d}/recuse"), token.to_string());
        let app = &app;
        async move { app.post_as(&token, &path, &json!({"reason": "系本人亲属"})).await }
    };
    assert_eq!(recuse(&tokens[0], &passing).await.status(), 409, "no recusal after voting");
    assert_eq!(recuse(&tokens[10], &failing).await.status(), 204);
    let recused = app.post_as(&tokens[10], &vote_path(&failing), &json!({"choice": "agree"})).await;
    assert_eq!(recused.status(), 403);
    assert_eq!(problem(recused).await["code"], "recused");
    let failing_choices = ["agree", "agree", "agree", "agree", "agree", "disagree", "disagree", "abstain", "disagree"];
    for (token, choice) in tokens.iter().zip(failing_choices) {
        assert_eq!(app.post_as(token, &vote_path(&failing), &json!({"choice": choice})).await.status(), 204);
    }
    for token in tokens.iter().take(7) {
        assert_eq!(app.post_as(token, &vote_path(&voided), &json!({"choice": "agree"})).await.status(), 204);
    }

    // The secret ballot: the progress board says who voted, never how; neither does anything else.
    let progress: Value =
        app.get_as(&board.former_token, &format!("/review-sessions/{session}/progress")).await.json().await.unwrap();
    let row =
        progress["declarations"].as_array().unwrap().iter().find(|r| r["declaration_id"] == passing.as_str()).unwrap();
    assert_eq!(row["voted"].as_array().unwrap().len(), 9);
    let mut bodies = vec![("progress", progress)];
    for (name, token) in [("admin session", &board.former_token), ("expert session", &tokens[0])] {
        let body: Value = app.get_as(token, &format!("/review-sessions/{session}")).await.json().await.unwrap();
        assert!(
            body["declarations"].as_array().unwrap().iter().all(|d| d["result"].is_null()),
            "no counts before the close"
        );
        bodies.push((name, body));
    }
    for (name, body) in &bodies {
        assert_no_vote_beside_an_expert(body, name);
    }

    // Late: past the deadline nobody votes (the session is still open).
    app.state.clock.advance(chrono::Duration::days(8));
    let late = app.post_as(&tokens[8], &vote_path(&voided), &json!({"choice": "agree"})).await;
    assert_eq!(late.status(), 422);
    assert_eq!(problem(late).await["code"], "voting_closed");

    // An expert cannot close; the admin closes once.
    assert_eq!(app.post_as(&tokens[0], &format!("/review-sessions/{session}/close"), &json!({})).await.status(), 403);
    let response = app.post_as(&board.former_token, &format!("/review-sessions/{session}/close"), &json!({})).await;
    assert_eq!(response.status(), 200);
    let closed: Value = response.json().await.unwrap();
    let result = |d: &str| {
        closed["declarations"].as_array().unwrap().iter().find(|r| r["declaration_id"] == d).unwrap()["result"].clone()
    };
    assert_eq!(
        result(&passing),
        json!({"result": "passed", "result_label": "评审通过", "eligible": 11, "present": 9, "agree": 6, "disagree": 2, "abstain": 1})
    );
    assert_eq!(result(&failing)["result"], "failed");
    assert_eq!(result(&failing)["eligible"], 10);
    assert_eq!(result(&failing)["agree"], 5);
    assert_eq!(result(&voided)["result"], "void");
    assert_eq!(result(&voided)["present"], 7);
    assert_no_vote_beside_an_expert(&json!({"members": closed["members"]}), "closed members");
    for declaration in closed["declarations"].as_array().unwrap() {
        assert!(declaration.get("voted").is_some_and(|v| v == false), "the admin never voted");
    }
    assert_eq!(app.declaration(&applicant, &passing).await["status"], "passed");
    let events: Value = app.get_as(&applicant, &format!("/declarations/{passing}/events")).await.json().await.unwrap();
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.ends_with(&["accept", "assign", "pass"]), "{actions:?}");
    let timeline = events.to_string();
    for id in &output {
        assert!(!timeline.contains(id.as_str()), "no expert in the applicant's timeline");
    }
    assert!(!timeline.contains("赵专家"));

    // Nothing about a closed session changes.
    app.state.clock.set(chrono::Utc::now());
    assert_eq!(app.post_as(&tokens[9], &vote_path(&voided), &json!({"choice": "agree"})).await.status(), 409);
    assert_eq!(recuse(&tokens[9], &voided).await.status(), 409);
    assert_eq!(
        app.post_as(&board.former_token, &format!("/review-sessions/{session}/close"), &json!({})).await.status(),
        409
    );
    assert_eq!(
        app.post_as(&board.former_token, &format!("/review-sessions/{session}/gather"), &json!({})).await.status(),
        409
    );
    let draw =
        app.post_as(&board.former_token, &format!("/review-sessions/{session}/draws"), &json!({"count": 11})).await;
    assert_eq!(draw.status(), 409);

    // The audit log names who voted on what, never the choice; the vote rows name no expert.
    use api::entities::{audit_log, session_vote};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let entries =
        audit_log::Entity::find().filter(audit_log::Column::Action.eq("ballot_cast")).all(&app.state.db).await.unwrap();
    assert_eq!(entries.len(), 25);
    for entry in entries {
        let text = format!("{entry:?}");
        assert!(!text.contains("agree") && !text.contains("abstain"), "{text}");
    }
    let votes = session_vote::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(votes.len(), 25);
    for vote in votes {
        let text = format!("{vote:?}");
        for id in &output {
            assert!(!text.contains(id.as_str()));
        }
    }
}

/// Two applications for one route at the same moment: one is made, the other refused (the
/// database's unique index, as for unit paths).
#[tokio::test]
async fn two_concurrent_route_applications_make_one_route() {
    let app = spawn_app().await;
    let board = board(&app).await;
    let other = app.register_org("hrss").await;
    let token = app.org_token(&other).await;
    let body = json!({"committee_id": board.committee, "series": "health", "level": "intermediate"});
    let (a, b) =
        tokio::join!(app.post_as(&token, "/committee-routes", &body), app.post_as(&token, "/committee-routes", &body));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
}

#[tokio::test]
async fn the_candidates_are_fixed_when_the_draw_is_sealed() {
    let app = spawn_app().await;
    let board = board(&app).await;
    board.accepted(&app).await;
    let hospital = app.register_org("institution").await;
    for _ in 0..11 {
        board.expert(&app, &hospital, "intermediate").await;
    }
    let session = board.session(&app).await;
    let response =
        app.post_as(&board.former_token, &format!("/review-sessions/{session}/draws"), &json!({"count": 11})).await;
    assert_eq!(response.status(), 201);
    let sealed: Value = response.json().await.unwrap();
    let sealed_candidates: Vec<String> = serde_json::from_value(sealed["candidates"].clone()).unwrap();
    assert_eq!(sealed_candidates.len(), 11);
    // Whoever has read the seed adds experts before the run: the run draws from the sealed list.
    let (late, _) = board.expert(&app, &hospital, "senior").await;
    let draw = sealed["id"].as_str().unwrap();
    let response =
        app.post_as(&board.former_token, &format!("/review-sessions/{session}/draws/{draw}/run"), &json!({})).await;
    assert_eq!(response.status(), 200);
    let record: Value = response.json().await.unwrap();
    let candidates: Vec<String> = serde_json::from_value(record["candidates"].clone()).unwrap();
    assert_eq!(candidates, sealed_candidates);
    let output: Vec<String> = serde_json::from_value(record["output"].clone()).unwrap();
    assert!(!output.contains(&late), "an expert added after the seal was drawn");
    assert_eq!(rules::draw(sealed["seed"].as_str().unwrap(), &sealed_candidates, 11), output);
}
