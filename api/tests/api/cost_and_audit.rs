//! Issue 11 §5: the keyed audit chain, refused access folded into counted rows, per-account rate
//! limits and cheap checks before argon2, and the applicant's 访问记录.

use api::services::audit::{ChainBreak, verify_chain};
use sea_orm::ConnectionTrait;

use crate::helpers::*;

/// Lets the test rewrite history as someone with database access would: the append-only
/// triggers go (SQLite) or are switched off (PostgreSQL, as the table owner).
async fn bypass_audit_triggers(app: &TestApp) {
    let db = &app.state.db;
    if api::db::is_postgres(db) {
        db.execute_unprepared("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only").await.unwrap();
    } else {
        db.execute_unprepared("DROP TRIGGER audit_log_no_update").await.unwrap();
        db.execute_unprepared("DROP TRIGGER audit_log_no_delete").await.unwrap();
    }
}

/// Some history: registrations and logins, a few entries each.
async fn some_history(app: &TestApp) -> u64 {
    for _ in 0..3 {
        let person = app.register_person().await;
        app.token_of(&person).await;
    }
    verify_chain(&app.state.db).await.unwrap().expect("intact before tampering")
}

/// Runs `zhicheng admin verify-audit` against the test's database, as an operator would.
fn verify_audit_binary(app: &TestApp) -> std::process::Output {
    let cwd = tempfile::tempdir().unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_zhicheng"))
        .args(["admin", "verify-audit"])
        .current_dir(cwd.path())
        .env("APP_PROFILE", "test")
        .env("APP__DATABASE__URL", &app.settings.database.url)
        .env("APP__STORAGE__DIR", &app.settings.storage.dir)
        .env("APP__AUTH__JWT_SECRET", app.settings.auth.jwt_secret.clone().unwrap())
        .env("APP__SECURITY__DATA_KEY", app.settings.security.data_key.clone().unwrap())
        .env("APP__SECURITY__AUDIT_KEY", TEST_AUDIT_KEY)
        .env("RUST_LOG", "error")
        .output()
        .expect("run zhicheng")
}

#[tokio::test]
async fn an_audit_entry_edited_in_the_database_is_named_by_the_verifier() {
    let app = spawn_app().await;
    let rows = some_history(&app).await;
    assert!(rows >= 6, "{rows}");
    let intact = verify_audit_binary(&app);
    assert!(intact.status.success(), "{}", String::from_utf8_lossy(&intact.stderr));
    assert!(String::from_utf8_lossy(&intact.stdout).contains(&format!("{rows} entries")));

    bypass_audit_triggers(&app).await;
    app.state.db.execute_unprepared("UPDATE audit_log SET actor_name = '某人' WHERE id = 3").await.unwrap();
    assert_eq!(verify_chain(&app.state.db).await.unwrap(), Err(ChainBreak { id: 3, missing: false }));
    let output = verify_audit_binary(&app);
    assert!(!output.status.success());
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(report.contains("entry 3 was changed"), "{report}");
}

#[tokio::test]
async fn a_deleted_audit_entry_is_reported_missing() {
    let app = spawn_app().await;
    some_history(&app).await;
    bypass_audit_triggers(&app).await;
    app.state.db.execute_unprepared("DELETE FROM audit_log WHERE id = 4").await.unwrap();
    assert_eq!(verify_chain(&app.state.db).await.unwrap(), Err(ChainBreak { id: 4, missing: true }));
    let output = verify_audit_binary(&app);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("entry 4 is missing"));
}

/// Without the key a forger cannot make an entry fit: neither by recomputing the old unkeyed
/// hash after an edit, nor by appending (which the triggers allow) with the right predecessor.
#[tokio::test]
async fn a_chain_rewritten_or_extended_without_the_key_is_reported() {
    use api::entities::audit_log;
    use sea_orm::{EntityTrait, QueryOrder};
    use sha2::{Digest, Sha256};

    let app = spawn_app().await;
    let rows = some_history(&app).await;
    let last =
        audit_log::Entity::find().order_by_desc(audit_log::Column::Id).one(&app.state.db).await.unwrap().unwrap();
    let forged = hex::encode(Sha256::digest(format!("{}forged", last.hash)));
    let mut appended = last.clone();
    appended.id = last.id + 1;
    appended.action = "login_success".into();
    appended.prev_hash = last.hash.clone();
    appended.hash = forged;
    audit_log::Entity::insert(audit_log::ActiveModel::from(appended))
        .exec_without_returning(&app.state.db)
        .await
        .unwrap();
    let next = i64::try_from(rows).unwrap() + 1;
    assert_eq!(verify_chain(&app.state.db).await.unwrap(), Err(ChainBreak { id: next, missing: false }));

    // The first entry re-hashed the way the chain was hashed before it was keyed.
    bypass_audit_triggers(&app).await;
    let first = audit_log::Entity::find_by_id(1i64).one(&app.state.db).await.unwrap().unwrap();
    let unkeyed = hex::encode(Sha256::digest(first.hash.as_bytes()));
    app.state.db.execute_unprepared(&format!("UPDATE audit_log SET hash = '{unkeyed}' WHERE id = 1")).await.unwrap();
    assert_eq!(verify_chain(&app.state.db).await.unwrap(), Err(ChainBreak { id: 1, missing: false }));
}

/// The refusal rows of one subject and kind, oldest first.
async fn refusals(app: &TestApp, kind: &str) -> Vec<api::entities::access_refusal::Model> {
    use api::entities::access_refusal;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    access_refusal::Entity::find()
        .filter(access_refusal::Column::Kind.eq(kind))
        .order_by_asc(access_refusal::Column::FirstAt)
        .all(&app.state.db)
        .await
        .unwrap()
}

fn noon() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-15T04:00:05Z").unwrap().with_timezone(&chrono::Utc)
}

/// A stranger's declaration asked for 50 times in a minute is one audited row with a count of 50;
/// a refusal of another kind is a row of its own; the next minute opens a new row.
#[tokio::test]
async fn refused_access_to_a_strangers_declaration_is_one_row_with_a_count() {
    let app = spawn_app().await;
    let employer = app.register_org("institution").await;
    let owner = app.register_person().await;
    let owner_token = app.token_of(&owner).await;
    let declaration = app.create_declaration(&owner_token, &employer, 2026).await;
    let id = declaration["id"].as_str().unwrap();
    let stranger = app.register_person().await;
    let token = app.token_of(&stranger).await;
    app.state.clock.set(noon());
    let denied_before = app.audit_count("access_denied").await;

    for _ in 0..50 {
        assert_eq!(app.get_as(&token, &format!("/declarations/{id}")).await.status(), 404);
    }
    let rows = refusals(&app, "not_found").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].count, 50);
    assert_eq!(rows[0].account_id.as_deref(), Some(stranger.id.as_str()));
    assert_eq!(rows[0].path, "/api/v1/declarations/{id}", "the template, never the id tried");
    assert_eq!(app.audit_count("access_denied").await, denied_before + 1);

    // Another kind: a person at the admin's audit log (403).
    for _ in 0..3 {
        assert_eq!(app.get_as(&token, "/admin/audit").await.status(), 403);
    }
    let forbidden = refusals(&app, "forbidden").await;
    assert_eq!((forbidden.len(), forbidden[0].count), (1, 3));
    assert_eq!(refusals(&app, "not_found").await[0].count, 50);

    // A minute later the same refusal opens a new row (and one more audit entry).
    app.state.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(app.get_as(&token, &format!("/declarations/{id}/events")).await.status(), 404);
    let rows = refusals(&app, "not_found").await;
    assert_eq!(rows.iter().map(|r| r.count).collect::<Vec<_>>(), vec![50, 1]);
    assert_eq!(app.audit_count("access_denied").await, denied_before + 3);
    assert!(verify_chain(&app.state.db).await.unwrap().is_ok());
}

/// Forged tokens are counted by IP (nobody is signed in); a revoked genuine token by its account.
#[tokio::test]
async fn forged_and_revoked_tokens_are_audited_folded() {
    let app = spawn_app().await;
    app.state.clock.set(noon());
    for token in ["forged.token.value", "eyJhbGciOiJub25lIn0.e30.", "x"].iter().cycle().take(30) {
        assert_eq!(app.get_as(token, "/me").await.status(), 401);
    }
    let forged = refusals(&app, "forged_token").await;
    assert_eq!(forged.len(), 1);
    assert_eq!((forged[0].count, forged[0].subject.as_str()), (30, "ip:127.0.0.1"));
    assert_eq!(forged[0].account_id, None);

    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let body = serde_json::json!({"current_password": PASSWORD, "new_password": "Better#Pass2027"});
    assert_eq!(app.post_as(&token, "/me/password", &body).await.status(), 204);
    for _ in 0..20 {
        assert_eq!(app.get_as(&token, "/me").await.status(), 401);
    }
    let revoked = refusals(&app, "revoked_token").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!((revoked[0].count, revoked[0].account_id.as_deref()), (20, Some(person.id.as_str())));
    // No token at all is how every visit starts: not a refusal.
    assert_eq!(app.get("/me").await.status(), 401);
    assert_eq!(app.audit_count("access_denied").await, 2);
}

fn reviewer_body(seq: u32) -> serde_json::Value {
    serde_json::json!({"real_name": "刘审核", "id_number": id_number(seq), "phone": phone(seq),
        "username": format!("limited{seq}"), "password": PASSWORD})
}

async fn assert_rate_limited(response: reqwest::Response) {
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(problem(response).await["code"], "too_many_requests");
}

/// Each costly action (argon2 of a new password, a stored file) is limited per account, apart
/// from the per-IP limit: one account's N+1st call is refused while another's still goes through.
#[tokio::test]
async fn costly_actions_are_limited_per_account() {
    let app = spawn_app_with(|settings| {
        settings.rate_limit.account_per_minute = 3;
        settings.rate_limit.account_burst = 3;
    })
    .await;
    // The example: POST /org/reviewers.
    let (busy, other) = (app.register_org("institution").await, app.register_org("institution").await);
    let busy_token = app.org_token(&busy).await;
    for _ in 0..3 {
        assert_eq!(app.post_as(&busy_token, "/org/reviewers", &reviewer_body(next())).await.status(), 201);
    }
    assert_rate_limited(app.post_as(&busy_token, "/org/reviewers", &reviewer_body(next())).await).await;
    let other_token = app.org_token(&other).await;
    assert_eq!(app.post_as(&other_token, "/org/reviewers", &reviewer_body(next())).await.status(), 201);

    // Uploads (a file written).
    let (uploader, bystander) = (app.register_person().await, app.register_person().await);
    let uploader_token = app.token_of(&uploader).await;
    for _ in 0..3 {
        app.upload_pdf(&uploader_token).await;
    }
    assert_rate_limited(app.upload(&uploader_token, PDF.to_vec(), "证明.pdf", "application/pdf").await).await;
    app.upload_pdf(&app.token_of(&bystander).await).await;

    // Password changes (argon2): counted before anything else, so refused tries count too.
    let weak = serde_json::json!({"current_password": PASSWORD, "new_password": "short"});
    for _ in 0..3 {
        assert_eq!(app.post_as(&uploader_token, "/me/password", &weak).await.status(), 422);
    }
    assert_rate_limited(app.post_as(&uploader_token, "/me/password", &weak).await).await;
    assert_eq!(app.post_as(&app.token_of(&bystander).await, "/me/password", &weak).await.status(), 422);
}

/// Runs `n` requests at once and returns how long they took together, with their statuses.
async fn at_once(
    requests: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = reqwest::Response> + Send + '_>>>,
) -> (std::time::Duration, Vec<u16>) {
    let started = std::time::Instant::now();
    let responses = futures_util::future::join_all(requests).await;
    (started.elapsed(), responses.iter().map(|r| r.status().as_u16()).collect())
}

/// A request that will be refused for a taken name is refused before argon2: eight of them at
/// once take a fraction of the time eight accepted ones take (each hashing a password).
#[tokio::test]
async fn taken_names_are_refused_before_the_password_is_hashed() {
    let app = spawn_app().await;
    let org = app.register_org("institution").await;
    let token = app.org_token(&org).await;
    let taken = reviewer_body(next());
    assert_eq!(app.post_as(&token, "/org/reviewers", &taken).await.status(), 201);

    let accepted = (0..8).map(|_| reviewer_body(next())).collect::<Vec<_>>();
    let (hashing, statuses) =
        at_once(accepted.iter().map(|body| Box::pin(app.post_as(&token, "/org/reviewers", body)) as _).collect()).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");

    // The example: a taken username.
    let taken_username = (0..8)
        .map(|_| {
            let mut body = reviewer_body(next());
            body["username"] = taken["username"].clone();
            body
        })
        .collect::<Vec<_>>();
    // The same person already a reviewer here.
    let same_person = (0..8)
        .map(|_| {
            let mut body = reviewer_body(next());
            body["id_number"] = taken["id_number"].clone();
            body
        })
        .collect::<Vec<_>>();
    for (case, bodies) in [("username", &taken_username), ("same person", &same_person)] {
        let (refusing, statuses) =
            at_once(bodies.iter().map(|body| Box::pin(app.post_as(&token, "/org/reviewers", body)) as _).collect())
                .await;
        assert!(statuses.iter().all(|s| *s == 409), "{case}: {statuses:?}");
        assert!(refusing * 3 < hashing, "{case}: refusing took {refusing:?}, accepting {hashing:?}");
    }

    // A person registering with a taken username (anonymous, the same rule).
    let person = app.register_person().await;
    let bodies = (0..8)
        .map(|_| {
            let seq = next();
            serde_json::json!({"username": person.username, "password": PASSWORD, "real_name": "张三",
                "id_number": id_number(seq), "phone": phone(seq)})
        })
        .collect::<Vec<_>>();
    let (refusing, statuses) =
        at_once(bodies.iter().map(|body| Box::pin(app.post("/auth/register/person", body)) as _).collect()).await;
    assert!(statuses.iter().all(|s| *s == 409), "person: {statuses:?}");
    assert!(refusing * 3 < hashing, "person: refusing took {refusing:?}, accepting {hashing:?}");
}

/// 访问记录: the applicant sees which organisation's real-name account opened her declaration or
/// downloaded a file, and when; repeats within ten minutes are one line; nobody else sees it.
#[tokio::test]
async fn the_applicant_sees_who_opened_her_declaration() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (person, token, id) = app.submitted_declaration(&chain).await;
    app.state.clock.set(noon());
    let log = |token: String| {
        let app = &app;
        let id = id.clone();
        async move { app.get_as(&token, &format!("/declarations/{id}/access-log")).await }
    };
    // Her own reading is no news to her.
    app.declaration(&token, &id).await;
    let empty: serde_json::Value = log(token.clone()).await.json().await.unwrap();
    assert_eq!(empty, serde_json::json!([]));

    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    for _ in 0..3 {
        assert_eq!(app.get_as(&reviewer, &format!("/reviews/{id}")).await.status(), 200);
    }
    let read = app.declaration(&token, &id).await;
    let file = read["items"][0]["attachment_ids"][0].as_str().unwrap().to_string();
    assert_eq!(app.get_as(&reviewer, &format!("/attachments/{file}")).await.status(), 200);
    let admin = app.org_token(&chain.employer).await;
    assert_eq!(app.get_as(&admin, &format!("/reviews/{id}")).await.status(), 200);

    let entries: serde_json::Value = log(token.clone()).await.json().await.unwrap();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{entries:?}");
    let view = entries.iter().find(|e| e["action"] == "view" && e["username"] == chain.employer_reviewer).unwrap();
    assert_eq!(view["count"], 3);
    assert_eq!(view["org_name"], chain.employer.name.as_str());
    assert_eq!(view["account_name"], "刘审核");
    assert_eq!(view["action_label"], "查看申报");
    let download = entries.iter().find(|e| e["action"] == "download").unwrap();
    assert_eq!(download["attachment_name"], "证明.pdf");
    assert_eq!(download["action_label"], "下载材料");
    assert!(entries.iter().any(|e| e["action"] == "view" && e["username"] == chain.employer.admin_username.as_str()));

    // Eleven minutes later the same account opening it again is a new line.
    app.state.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(app.get_as(&reviewer, &format!("/reviews/{id}")).await.status(), 200);
    let entries: serde_json::Value = log(token.clone()).await.json().await.unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 4);
    assert_eq!(entries[0]["count"], 1, "newest first");

    // Nobody else reads it: another person 404, the organisations 403, nobody 401.
    let stranger = app.register_person().await;
    assert_eq!(log(app.token_of(&stranger).await).await.status(), 404);
    assert_eq!(log(reviewer.clone()).await.status(), 403);
    assert_eq!(log(app.admin_token().await).await.status(), 403);
    assert_eq!(app.get(&format!("/declarations/{id}/access-log")).await.status(), 401);
    let _ = person;
}
