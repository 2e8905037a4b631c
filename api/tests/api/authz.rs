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
    Attachment,
    ReadReview,
    Approve,
    Return,
    Report,
}

const ALL: [Action; 12] = [
    Action::ReadDeclaration,
    Action::EditDeclaration,
    Action::EditItem,
    Action::DeleteItem,
    Action::Submit,
    Action::Events,
    Action::Form,
    Action::Attachment,
    Action::ReadReview,
    Action::Approve,
    Action::Return,
    Action::Report,
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
        Action::Attachment => app.client.get(app.url(&format!("/attachments/{a}"))),
        Action::ReadReview => app.client.get(app.url(&format!("/reviews/{d}"))),
        Action::Approve => app.client.post(app.url(&format!("/reviews/{d}/approve"))).json(&json!({})),
        Action::Return => app.client.post(app.url(&format!("/reviews/{d}/return"))).json(&json!({"opinion": "matrix"})),
        Action::Report => app.client.post(app.url("/reports")).json(&json!({"declaration_ids": [d]})),
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
        ReadDeclaration | EditDeclaration | EditItem | DeleteItem | Submit => {
            if is_person(subject) {
                404
            } else {
                403
            }
        }
        Events | Form | Attachment => 404,
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
            ("owner", ReadDeclaration | Events | Form | Attachment) => 200,
            ("owner", EditDeclaration | EditItem | DeleteItem | Submit) => SKIP,
            ("owner", ReadReview | Approve | Return | Report) => 403,
            _ => denied(subject, action),
        }
    })
    .await;

    // Pending at the employer: the employer sees it; only its reviewer decides.
    assert_eq!(
        app.post_as(&world.owner, &format!("/declarations/{}/submit", world.declaration), &json!({})).await.status(),
        200
    );
    check_matrix(&app, &world, "pending", |subject, action| {
        use Action::*;
        match (subject, action) {
            ("owner", ReadDeclaration | Events | Form | Attachment | Submit) => 200,
            ("owner", EditDeclaration | EditItem | DeleteItem) => 409,
            ("owner", ReadReview | Approve | Return | Report) => 403,
            ("employer_admin" | "employer_reviewer", Events | Form | Attachment | ReadReview) => 200,
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
            ("owner", ReadDeclaration | Events | Form | Attachment) => 200,
            ("owner", EditDeclaration | EditItem | DeleteItem | Submit) => 409,
            ("owner", ReadReview | Approve | Return | Report) => 403,
            (
                "employer_admin" | "employer_reviewer" | "authority_admin" | "authority_reviewer",
                Events | Form | Attachment | ReadReview,
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
