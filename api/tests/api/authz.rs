//! The authorization matrix: every subject against every object, action and state. Allowed cells
//! succeed; denied cells fail with the expected status and change nothing.

use serde_json::{Value, json};

use crate::helpers::*;

struct World {
    chain: Chain,
    owner: String,
    colleague: String,
    sibling_admin: String,
    sibling_reviewer: String,
    employer_admin: String,
    employer_reviewer: String,
    authority_admin: String,
    authority_reviewer: String,
    township_admin: String,
    bureau_reviewer: String,
    unrelated_admin: String,
    platform_admin: String,
    declaration: String,
    item: String,
    attachment: String,
}

async fn world(app: &TestApp) -> World {
    let chain = app.chain().await;
    let sibling = app.register_org("institution").await;
    app.open_path(&sibling, "health", "intermediate", &chain.authority).await;
    let (sibling_reviewer, _) = app.register_reviewer(&sibling).await;
    let township = app.register_org("township").await;
    let unrelated = app.register_org("enterprise").await;
    let (owner, owner_token, declaration) = {
        let person = app.register_person().await;
        let token = app.token_of(&person).await;
        let id = app.create_declaration(&token, &chain.employer, 2026).await["id"].as_str().unwrap().to_string();
        app.complete_declaration(&token, &person, &id).await;
        (person, token, id)
    };
    let _ = owner;
    let colleague = app.register_person().await;
    let read = app.declaration(&owner_token, &declaration).await;
    World {
        owner: owner_token,
        colleague: app.token_of(&colleague).await,
        sibling_admin: app.org_token(&sibling).await,
        sibling_reviewer: app.login(&sibling_reviewer, PASSWORD).await.access,
        employer_admin: app.org_token(&chain.employer).await,
        employer_reviewer: app.login(&chain.employer_reviewer, PASSWORD).await.access,
        authority_admin: app.org_token(&chain.authority).await,
        authority_reviewer: app.login(&chain.authority_reviewer, PASSWORD).await.access,
        township_admin: app.org_token(&township).await,
        bureau_reviewer: app.login(&chain.bureau_reviewer, PASSWORD).await.access,
        unrelated_admin: app.org_token(&unrelated).await,
        platform_admin: app.admin_token().await,
        item: read["items"][0]["id"].as_str().unwrap().to_string(),
        attachment: read["items"][0]["attachment_ids"][0].as_str().unwrap().to_string(),
        declaration,
        chain,
    }
}

#[derive(Clone, Copy, Debug)]
enum Action {
    ReadDeclaration,
    EditDeclaration,
    EditItem,
    DeleteItem,
    Submit,
    Events,
    Form,
    /// 评审表 PDF (issue 15).
    ReviewForm,
    Attachment,
    ReadReview,
    Approve,
    Return,
    Report,
    AccessLog,
}

const ALL: [Action; 14] = [
    Action::ReadDeclaration,
    Action::EditDeclaration,
    Action::EditItem,
    Action::DeleteItem,
    Action::Submit,
    Action::Events,
    Action::Form,
    Action::ReviewForm,
    Action::Attachment,
    Action::ReadReview,
    Action::Approve,
    Action::Return,
    Action::Report,
    Action::AccessLog,
];

async fn act(app: &TestApp, world: &World, token: Option<&str>, action: Action) -> u16 {
    let (d, i, a) = (&world.declaration, &world.item, &world.attachment);
    let request = match action {
        Action::ReadDeclaration => app.client.get(app.url(&format!("/declarations/{d}"))),
        Action::EditDeclaration => {
            app.client.patch(app.url(&format!("/declarations/{d}"))).json(&json!({"info": {"ethnicity": "回族"}}))
        }
        Action::EditItem => {
            app.client.patch(app.url(&format!("/declarations/{d}/items/{i}"))).json(&json!({"attachment_ids": []}))
        }
        Action::DeleteItem => app.client.delete(app.url(&format!("/declarations/{d}/items/{i}"))),
        Action::Submit => app.client.post(app.url(&format!("/declarations/{d}/submit"))).json(&json!({})),
        Action::Events => app.client.get(app.url(&format!("/declarations/{d}/events"))),
        Action::Form => app.client.get(app.url(&format!("/declarations/{d}/form"))),
        Action::ReviewForm => app.client.get(app.url(&format!("/declarations/{d}/review-form"))),
        Action::Attachment => app.client.get(app.url(&format!("/attachments/{a}"))),
        Action::ReadReview => app.client.get(app.url(&format!("/reviews/{d}"))),
        Action::Approve => app.client.post(app.url(&format!("/reviews/{d}/approve"))).json(&json!({})),
        Action::Return => app.client.post(app.url(&format!("/reviews/{d}/return"))).json(&json!({"opinion": "matrix"})),
        Action::Report => app.client.post(app.url("/reports")).json(&json!({"declaration_ids": [d]})),
        Action::AccessLog => app.client.get(app.url(&format!("/declarations/{d}/access-log"))),
    };
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    request.send().await.unwrap().status().as_u16()
}

/// A fingerprint of everything a denied action must not change.
async fn fingerprint(app: &TestApp, world: &World) -> Value {
    let declaration = app.declaration(&world.owner, &world.declaration).await;
    let events: Value =
        app.get_as(&world.owner, &format!("/declarations/{}/events", world.declaration)).await.json().await.unwrap();
    json!({"status": declaration["status"], "holder": declaration["holder_org_id"], "version": declaration["version"],
        "items": declaration["items"], "info": declaration["info"], "events": events.as_array().unwrap().len()})
}

/// Allowed writes: other tests show they succeed; performing them here would change the state under test.
const SKIP: u16 = 0;

/// Runs every (subject, action) cell against its expected status.
async fn check_matrix(app: &TestApp, world: &World, state: &str, expect: impl Fn(&str, Action) -> u16) {
    let subjects: Vec<(&str, Option<&str>)> = vec![
        ("owner", Some(&world.owner)),
        ("colleague", Some(&world.colleague)),
        ("sibling_admin", Some(&world.sibling_admin)),
        ("sibling_reviewer", Some(&world.sibling_reviewer)),
        ("employer_admin", Some(&world.employer_admin)),
        ("employer_reviewer", Some(&world.employer_reviewer)),
        ("authority_admin", Some(&world.authority_admin)),
        ("authority_reviewer", Some(&world.authority_reviewer)),
        ("township_admin", Some(&world.township_admin)),
        ("bureau_reviewer", Some(&world.bureau_reviewer)),
        ("unrelated_admin", Some(&world.unrelated_admin)),
        ("platform_admin", Some(&world.platform_admin)),
        ("anonymous", None),
    ];
    let before = fingerprint(app, world).await;
    let mut failures = Vec::new();
    for (name, token) in &subjects {
        for action in ALL {
            let expected = expect(name, action);
            if expected == SKIP {
                continue;
            }
            let got = act(app, world, *token, action).await;
            if got != expected {
                failures.push(format!("{state}: {name} {action:?} expected {expected}, got {got}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(fingerprint(app, world).await, before, "{state}: a denied action changed something");
}

fn is_person(subject: &str) -> bool {
    matches!(subject, "owner" | "colleague")
}

fn is_org(subject: &str) -> bool {
    !is_person(subject) && subject != "platform_admin" && subject != "anonymous"
}

/// The answer of a subject the object was never shown to.
fn denied(subject: &str, action: Action) -> u16 {
    use Action::*;
    if subject == "anonymous" {
        return 401;
    }
    match action {
        // Person-only endpoints: other roles are refused by role, other persons by object.
        ReadDeclaration | EditDeclaration | EditItem | DeleteItem | Submit | AccessLog => {
            if is_person(subject) {
                404
            } else {
                403
            }
        }
        Events | Form | ReviewForm | Attachment => 404,
        ReadReview | Approve | Return => {
            if is_org(subject) {
                404
            } else {
                403
            }
        }
        // Units without a real-name reviewer cannot report at all (提示1); the others are told
        // the id is not theirs, in a 422 that moves nothing; the bureau is told it is the top.
        Report => match subject {
            "township_admin" | "unrelated_admin" => 403,
            _ if is_org(subject) => 422,
            _ => 403,
        },
    }
}

#[tokio::test]
async fn the_matrix_holds_for_a_draft_a_pending_and_a_reported_declaration() {
    let app = spawn_app().await;
    let world = world(&app).await;

    // A draft is the applicant's alone.
    check_matrix(&app, &world, "draft", |subject, action| {
        use Action::*;
        match (subject, action) {
            ("owner", ReadDeclaration | Events | Form | ReviewForm | Attachment | AccessLog) => 200,
            ("owner", EditDeclaration | EditItem | DeleteItem | Submit) => SKIP,
            ("owner", ReadReview | Approve | Return | Report) => 403,
            _ => denied(subject, action),
        }
    })
    .await;

    // Pending at the employer: the employer sees it; only its reviewer decides.
    assert_eq!(app.submit(&world.owner, &world.declaration).await.status(), 200);
    check_matrix(&app, &world, "pending", |subject, action| {
        use Action::*;
        match (subject, action) {
            ("owner", ReadDeclaration | Events | Form | ReviewForm | Attachment | Submit | AccessLog) => 200,
            ("owner", EditDeclaration | EditItem | DeleteItem) => 409,
            ("owner", ReadReview | Approve | Return | Report) => 403,
            ("employer_admin" | "employer_reviewer", Events | Form | ReviewForm | Attachment | ReadReview) => 200,
            ("employer_admin", Approve | Return) => 403,
            ("employer_reviewer", Approve | Return) => SKIP,
            ("employer_admin" | "employer_reviewer", Report) => 422,
            _ => denied(subject, action),
        }
    })
    .await;

    // Reported to the authority: the employer still sees it but no longer decides.
    assert_eq!(app.approve(&world.employer_reviewer, &world.declaration).await.status(), 200);
    assert_eq!(app.report(&world.employer_reviewer, &[&world.declaration]).await.status(), 201);
    check_matrix(&app, &world, "reported", |subject, action| {
        use Action::*;
        match (subject, action) {
            ("owner", ReadDeclaration | Events | Form | ReviewForm | Attachment | AccessLog) => 200,
            ("owner", EditDeclaration | EditItem | DeleteItem | Submit) => 409,
            ("owner", ReadReview | Approve | Return | Report) => 403,
            (
                "employer_admin" | "employer_reviewer" | "authority_admin" | "authority_reviewer",
                Events | Form | ReviewForm | Attachment | ReadReview,
            ) => 200,
            ("employer_admin" | "authority_admin", Approve | Return) => 403,
            ("employer_reviewer", Approve | Return) => 409,
            ("authority_reviewer", Approve | Return) => SKIP,
            // The very batch the employer sent: a retry, answered with the first report.
            ("employer_admin" | "employer_reviewer", Report) => 200,
            ("authority_admin" | "authority_reviewer", Report) => 422,
            _ => denied(subject, action),
        }
    })
    .await;
    let _ = &world.chain;
}

#[tokio::test]
async fn path_decisions_belong_to_the_parents_admin_alone() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let hospital = app.register_org("institution").await;
    let path = app.apply_path(&hospital, "health", "senior", &world.chain.authority).await;
    let hospital_admin = app.org_token(&hospital).await;
    for (name, token, expected) in [
        ("applicant admin", &hospital_admin, 404),
        ("sibling admin", &world.sibling_admin, 404),
        ("authority reviewer", &world.authority_reviewer, 403),
        ("bureau reviewer", &world.bureau_reviewer, 403),
        ("person", &world.owner, 403),
        ("platform admin", &world.platform_admin, 403),
    ] {
        assert_eq!(
            app.post_as(token, &format!("/paths/{path}/approve"), &json!({})).await.status(),
            expected,
            "{name}"
        );
        assert_eq!(
            app.post_as(token, &format!("/paths/{path}/reject"), &json!({"reason": "x"})).await.status(),
            expected,
            "{name}"
        );
    }
    let audits: Value = app.get_as(&world.authority_admin, "/path-audits?status=pending").await.json().await.unwrap();
    assert_eq!(audits["total"], 1, "still pending");
}

#[tokio::test]
async fn a_path_application_is_withdrawn_by_its_own_admin_alone() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let hospital = app.register_org("institution").await;
    let path = app.apply_path(&hospital, "health", "senior", &world.chain.authority).await;
    let hospital_admin = app.org_token(&hospital).await;
    for (name, token, expected) in [
        ("the parent's admin", &world.authority_admin, 404),
        ("sibling admin", &world.sibling_admin, 404),
        ("authority reviewer", &world.authority_reviewer, 403),
        ("person", &world.owner, 403),
        ("platform admin", &world.platform_admin, 403),
    ] {
        let response = app.post_as(token, &format!("/paths/{path}/withdraw"), &json!({})).await;
        assert_eq!(response.status(), expected, "{name}");
    }
    let audits: Value = app.get_as(&world.authority_admin, "/path-audits?status=pending").await.json().await.unwrap();
    assert_eq!(audits["total"], 1, "still pending");
    let withdrawn = app.post_as(&hospital_admin, &format!("/paths/{path}/withdraw"), &json!({})).await;
    assert_eq!(withdrawn.status(), 200);
}

#[tokio::test]
async fn org_verification_belongs_to_the_bureaus_admin_alone() {
    let app = spawn_app().await;
    let world = world(&app).await;
    // A bureau of another district, and an org waiting in this one.
    let mut body = TestApp::new_org_body("hrss");
    body["region_code"] = json!("370102");
    let admin = app.admin_token().await;
    assert_eq!(app.post_as(&admin, "/admin/orgs", &body).await.status(), 201);
    let other_bureau = app.login(body["admin_username"].as_str().unwrap(), PASSWORD).await.access;
    let waiting = app.register_unverified_org("township").await;
    let waiting_admin = app.org_token(&waiting).await;
    let bureau_admin = app.org_token(&world.chain.bureau).await;

    let actions: [(&str, Value); 4] = [
        ("verify", json!({})),
        ("refuse", json!({"reason": "材料不符"})),
        ("disable", json!({})),
        ("reset-password", json!({})),
    ];
    for (name, token, expected) in [
        ("the org itself", &waiting_admin, 403),
        ("authority admin", &world.authority_admin, 403),
        ("township admin", &world.township_admin, 403),
        ("unrelated admin", &world.unrelated_admin, 403),
        ("bureau reviewer", &world.bureau_reviewer, 403),
        ("person", &world.owner, 403),
        ("platform admin", &world.platform_admin, 403),
        ("another district's bureau", &other_bureau, 404),
    ] {
        for (action, body) in &actions {
            let response = app.post_as(token, &format!("/bureau/orgs/{}/{action}", waiting.id), body).await;
            assert_eq!(response.status(), expected, "{name} {action}");
        }
        let list = app.get_as(token, "/bureau/orgs").await;
        if expected == 404 {
            let page: Value = list.json().await.unwrap();
            assert!(page["items"].as_array().unwrap().iter().all(|o| o["id"] != waiting.id.as_str()), "{name} list");
        } else {
            assert_eq!(list.status(), 403, "{name} list");
        }
    }
    // Nothing changed: still waiting, still signing in with its own password.
    let pending: Value = app.get_as(&bureau_admin, "/bureau/orgs?verification=unverified").await.json().await.unwrap();
    assert!(pending["items"].as_array().unwrap().iter().any(|o| o["id"] == waiting.id.as_str()));
    app.login(&waiting.admin_username, PASSWORD).await;
    for action in ["org_verified", "org_verification_refused", "org_disabled", "org_admin_password_reset"] {
        assert_eq!(app.audit_count(action).await, 0, "{action}");
    }
    // The bureau's own admin may; an enterprise needs no verification, and an unknown id is 404.
    let response = app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/verify", waiting.id), &json!({})).await;
    assert_eq!(response.status(), 200);
    let enterprise = app.register_org("enterprise").await;
    let response = app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/verify", enterprise.id), &json!({})).await;
    assert_eq!(response.status(), 422);
    let response = app.post_as(&bureau_admin, "/bureau/orgs/no-such-org/verify", &json!({})).await;
    assert_eq!(response.status(), 404);
    let response =
        app.post_as(&bureau_admin, &format!("/bureau/orgs/{}/verify", world.chain.bureau.id), &json!({})).await;
    assert_eq!(response.status(), 404, "a bureau is not its own subject");
}

#[tokio::test]
async fn a_message_is_its_recipients_alone_and_only_orgs_the_file_passed_may_urge() {
    use api::entities::message;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_app().await;
    let world = world(&app).await;
    assert_eq!(app.submit(&world.owner, &world.declaration).await.status(), 200);
    let recipient = app.caller(&world.chain.employer_reviewer).await.id;
    let note = message::Entity::find()
        .filter(message::Column::AccountId.eq(recipient))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("the employer's reviewer was told");
    let subjects: Vec<(&str, Option<&str>)> = vec![
        ("owner", Some(&world.owner)),
        ("colleague", Some(&world.colleague)),
        ("sibling_admin", Some(&world.sibling_admin)),
        ("sibling_reviewer", Some(&world.sibling_reviewer)),
        ("employer_admin", Some(&world.employer_admin)),
        ("authority_admin", Some(&world.authority_admin)),
        ("authority_reviewer", Some(&world.authority_reviewer)),
        ("township_admin", Some(&world.township_admin)),
        ("bureau_reviewer", Some(&world.bureau_reviewer)),
        ("unrelated_admin", Some(&world.unrelated_admin)),
        ("platform_admin", Some(&world.platform_admin)),
        ("anonymous", None),
    ];
    let mut failures = Vec::new();
    for (name, token) in &subjects {
        let read = app.client.post(app.url(&format!("/messages/{}/read", note.id)));
        let urge = app.client.post(app.url(&format!("/reviews/{}/urge", world.declaration)));
        let (read, urge) = match token {
            Some(token) => (read.bearer_auth(token), urge.bearer_auth(token)),
            None => (read, urge),
        };
        let read = read.send().await.unwrap().status().as_u16();
        let urge = urge.send().await.unwrap().status().as_u16();
        let expected_read = if *name == "anonymous" { 401 } else { 404 };
        // Held by the employer: its own members have nothing to urge; orgs it never reached 404.
        let expected_urge = match *name {
            "anonymous" => 401,
            "employer_admin" => 409,
            _ if is_org(name) => 404,
            _ => 403,
        };
        if read != expected_read || urge != expected_urge {
            failures.push(format!("{name}: read {read} (want {expected_read}), urge {urge} (want {expected_urge})"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let after = message::Entity::find_by_id(note.id).one(&app.state.db).await.unwrap().unwrap();
    assert!(after.read_at.is_none(), "a stranger marked it read");
}

/// 评委会: committees, the expert library, sessions, draws and votes. Strangers get 404 and
/// change nothing; those who may see a committee but do not administer it get 403.
#[tokio::test]
async fn committees_experts_sessions_and_votes_are_refused_to_everyone_but_their_people() {
    use crate::committees::{board, expert_token};
    let app = spawn_app().await;
    let board = board(&app).await;
    let (applicant, declaration) = board.accepted(&app).await;
    let hospital = app.register_org("institution").await;
    let mut experts = Vec::new();
    for _ in 0..12 {
        experts.push(board.expert(&app, &hospital, "intermediate").await);
    }
    let session = board.session(&app).await;
    let run = board.draw(&app, &session, json!({"count": 11})).await;
    assert_eq!(run.status(), 200);
    let record: Value = run.json().await.unwrap();
    let draw = record["id"].as_str().unwrap().to_string();
    let output: Vec<String> = serde_json::from_value(record["output"].clone()).unwrap();
    let (undrawn, undrawn_name) = experts.iter().find(|(id, _)| !output.contains(id)).unwrap().clone();
    let drawn = experts.iter().find(|(id, _)| output.contains(id)).unwrap().0.clone();
    let undrawn_token = expert_token(&app, &undrawn_name).await;
    let _ = undrawn;

    let unrelated = app.register_org("enterprise").await;
    let other_committee_former = app.register_org("authority").await;
    let person = app.register_person().await;
    let strangers = [
        ("unrelated org admin", app.org_token(&unrelated).await),
        ("another authority", app.org_token(&other_committee_former).await),
        ("a person", app.token_of(&person).await),
        ("the applicant", applicant.clone()),
        ("the employer's reviewer", app.login(&board.chain.employer_reviewer, PASSWORD).await.access),
        ("an undrawn expert", undrawn_token.clone()),
    ];
    let committee = &board.committee;
    let reads = [
        format!("/committees/{committee}"),
        format!("/committees/{committee}/experts"),
        format!("/review-sessions/{session}"),
        format!("/review-sessions/{session}/progress"),
        format!("/review-sessions/{session}/draws/{draw}/replay"),
        format!("/review-sessions/{session}/declarations/{declaration}"),
    ];
    let writes = [
        (format!("/committees/{committee}/approve"), json!({})),
        (format!("/committees/{committee}/experts/{drawn}/remove"), json!({"reason": "x"})),
        (
            format!("/committees/{committee}/sessions"),
            json!({"name": "越权评审会", "year": 2026, "level": "intermediate", "vote_until": "2099-01-01T00:00:00Z"}),
        ),
        (format!("/review-sessions/{session}/gather"), json!({})),
        (format!("/review-sessions/{session}/draws"), json!({"count": 11})),
        (format!("/review-sessions/{session}/draws/{draw}/run"), json!({})),
        (format!("/review-sessions/{session}/members/{drawn}/decline"), json!({"reason": "x"})),
        (format!("/review-sessions/{session}/declarations/{declaration}/vote"), json!({"choice": "agree"})),
        (format!("/review-sessions/{session}/declarations/{declaration}/recuse"), json!({"reason": "x"})),
        (format!("/review-sessions/{session}/close"), json!({})),
    ];
    for (who, token) in &strangers {
        for path in &reads {
            let status = app.get_as(token, path).await.status();
            // A person or an expert is refused by role before any object is looked at (403) on
            // the committee-admin lists; every object lookup is 404.
            assert_eq!(status, 404, "{who} GET {path}");
        }
        for (path, body) in &writes {
            let status = app.post_as(token, path, body).await.status();
            assert!(status == 404 || status == 403, "{who} POST {path}: {status}");
            if path.ends_with("/vote") || path.contains("/review-sessions/") && !path.ends_with("/sessions") {
                assert_eq!(status, 404, "{who} POST {path}");
            }
        }
    }
    // The bureau that approved the committee and the platform admin see the committee, not the
    // library's administration nor the session.
    for (who, token) in [("bureau", board.bureau_admin.clone()), ("platform admin", app.admin_token().await)] {
        assert_eq!(app.get_as(&token, &format!("/committees/{committee}")).await.status(), 200, "{who}");
        assert_eq!(app.get_as(&token, &format!("/committees/{committee}/experts")).await.status(), 403, "{who}");
        assert_eq!(app.get_as(&token, &format!("/review-sessions/{session}")).await.status(), 404, "{who}");
        assert_eq!(app.post_as(&token, &format!("/review-sessions/{session}/close"), &json!({})).await.status(), 404);
    }
    // Nothing changed.
    let read: Value =
        app.get_as(&board.former_token, &format!("/review-sessions/{session}")).await.json().await.unwrap();
    assert_eq!(read["status"], "open");
    assert_eq!(read["members"].as_array().unwrap().iter().filter(|m| m["status"] == "drawn").count(), 11);
    assert_eq!(read["draws"].as_array().unwrap().len(), 1);
    let library: Value =
        app.get_as(&board.former_token, &format!("/committees/{committee}/experts")).await.json().await.unwrap();
    assert_eq!(library.as_array().unwrap().len(), 12);
    let progress: Value =
        app.get_as(&board.former_token, &format!("/review-sessions/{session}/progress")).await.json().await.unwrap();
    assert!(progress["declarations"].as_array().unwrap().iter().all(|d| d["voted"].as_array().unwrap().is_empty()));
}

/// 公示, objections and certificates: strangers get 404 and change nothing; the objector's
/// identity and the holder's certificate are theirs alone.
#[tokio::test]
async fn publicity_objections_and_certificates_are_refused_to_everyone_but_their_people() {
    use crate::publicity::closed_session;
    let app = spawn_app().await;
    let closed = closed_session(&app).await;
    let former = closed.board.former_token.clone();
    let unrelated = app.register_org("enterprise").await;
    let other_former = app.register_org("authority").await;
    let person = app.register_person().await;
    let strangers = [
        ("unrelated org admin", app.org_token(&unrelated).await),
        ("another authority", app.org_token(&other_former).await),
        ("a person", app.token_of(&person).await),
        ("the employer's reviewer", app.login(&closed.board.chain.employer_reviewer, PASSWORD).await.access),
        ("the platform admin", app.admin_token().await),
    ];
    let publish = format!("/review-sessions/{}/publish", closed.session);
    for (who, token) in strangers.iter().chain([("the applicant", closed.applicant_token.clone())].iter()) {
        assert_eq!(app.post_as(token, &publish, &json!({})).await.status(), 404, "{who} publishes");
    }
    assert_eq!(app.get("/public/publicities").await.json::<Value>().await.unwrap().as_array().unwrap().len(), 0);
    let response = app.post_as(&former, &publish, &json!({})).await;
    assert_eq!(response.status(), 201);
    let publicity = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let objector = app.token_of(&app.register_person().await).await;
    let response = app
        .post_as(
            &objector,
            &format!("/publicities/{publicity}/objections"),
            &json!({"declaration_id": closed.passing, "reason": "业绩材料与事实不符"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let objection = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let stranger_list =
        strangers.iter().chain([("the applicant", closed.applicant_token.clone())].iter()).cloned().collect::<Vec<_>>();
    for (who, token) in &stranger_list {
        assert_eq!(
            app.get_as(token, &format!("/publicities/{publicity}/objections")).await.status(),
            404,
            "{who} desk"
        );
        let answer = json!({"decision": "upheld", "answer": "越权处理"});
        assert_eq!(
            app.post_as(token, &format!("/objections/{objection}/answer"), &answer).await.status(),
            404,
            "{who}"
        );
        assert_eq!(app.post_as(token, &format!("/publicities/{publicity}/finalise"), &json!({})).await.status(), 404);
        let mine: Value = app.get_as(token, "/me/objections").await.json().await.unwrap();
        assert!(mine.as_array().unwrap().is_empty(), "{who} sees no one's objection");
    }
    let desk: Value = app.get_as(&former, &format!("/publicities/{publicity}/objections")).await.json().await.unwrap();
    assert_eq!(desk[0]["status"], "open", "nothing changed");
    let answer = json!({"decision": "dismissed", "answer": "经核实，材料属实"});
    assert_eq!(app.post_as(&former, &format!("/objections/{objection}/answer"), &answer).await.status(), 200);

    app.state.clock.advance(chrono::Duration::days(20));
    for (who, token) in &stranger_list {
        assert_eq!(
            app.post_as(token, &format!("/publicities/{publicity}/finalise"), &json!({})).await.status(),
            404,
            "{who}"
        );
    }
    assert_eq!(app.post_as(&former, &format!("/publicities/{publicity}/finalise"), &json!({})).await.status(), 200);
    let certificates: Value = app.get_as(&closed.applicant_token, "/me/certificates").await.json().await.unwrap();
    let number = certificates[0]["number"].as_str().unwrap().to_string();
    let mut refused = stranger_list.iter().filter(|(who, _)| *who != "the applicant").cloned().collect::<Vec<_>>();
    refused.push(("the committee's admin", former.clone()));
    for (who, token) in &refused {
        assert_eq!(app.get_as(token, &format!("/me/certificates/{number}/pdf")).await.status(), 404, "{who} pdf");
        assert_eq!(app.get_as(token, &format!("/me/certificates/{number}/checks")).await.status(), 404, "{who}");
        let mine: Value = app.get_as(token, "/me/certificates").await.json().await.unwrap();
        assert!(mine.as_array().unwrap().is_empty(), "{who}");
        let revoke =
            app.post_as(token, &format!("/certificates/{number}/revoke"), &json!({"reason": "越权撤销"})).await;
        assert_eq!(revoke.status(), 404, "{who} revokes");
    }
    let applicant_revoke = app
        .post_as(&closed.applicant_token, &format!("/certificates/{number}/revoke"), &json!({"reason": "越权撤销"}))
        .await;
    assert_eq!(applicant_revoke.status(), 404);
    let verified: Value = app.get(&format!("/verify/{number}")).await.json().await.unwrap();
    assert_eq!(verified["status"], "valid", "nothing changed");
}
