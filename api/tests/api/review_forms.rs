//! 评审表 PDF (issue 15): real text, every section and opinion, a QR address that verifies it,
//! and the authorization matrix (owner, organisations reached; a stranger gets 404).

use serde_json::{Value, json};

use crate::helpers::*;

/// The text of every page, as a PDF reader extracts it (the font's ToUnicode map).
fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).expect("a PDF");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).expect("extractable text")
}

async fn download(app: &TestApp, token: &str, id: &str) -> (String, String) {
    let response = app.get_as(token, &format!("/declarations/{id}/review-form")).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let hash = response.headers()["x-content-hash"].to_str().unwrap().to_string();
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    (pdf_text(&bytes), hash)
}

async fn verification(app: &TestApp, hash: &str) -> Value {
    let response = app.get(&format!("/verify/forms/{hash}")).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_review_form_prints_every_section_and_opinion_and_its_qr_address_verifies_it() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (person, person_token, id) = app.submitted_declaration(&chain).await;
    let employer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let response =
        app.post_as(&employer, &format!("/reviews/{id}/approve"), &json!({"opinion": "材料齐全，同意上报"})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.report(&employer, &[&id]).await.status(), 201);
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let response =
        app.post_as(&authority, &format!("/reviews/{id}/approve"), &json!({"opinion": "同意推荐评审"})).await;
    assert_eq!(response.status(), 200);

    let (text, hash) = download(&app, &person_token, &id).await;
    for expected in [
        "专业技术职务任职资格评审表",
        person.real_name.as_str(),
        // Each section's values (the helper's complete declaration).
        "山东大学",
        "大学本科",
        "优秀",
        "济阳区人民医院",
        "护理质量改进项目",
        "I类学分",
        "护理学",
        // The evidence list.
        "证明材料清单",
        // Every level's opinion with its organisation and real-name reviewer.
        "材料齐全，同意上报",
        "同意推荐评审",
        "刘审核",
        chain.employer.name.as_str(),
        chain.authority.name.as_str(),
        "数据上报",
        // Page numbers.
        "第 1 页",
    ] {
        assert!(text.contains(expected), "the form lacks {expected:?}:\n{text}");
    }
    // The ID number is masked on paper too.
    assert!(!text.contains(&person.id_number));
    assert_eq!(hash.len(), 64);
    let address = format!("/verify/forms/{hash}");
    assert!(text.contains(&address), "the form prints its verification address");

    // Anyone (no login) can check it.
    let checked = verification(&app, &hash).await;
    assert_eq!(checked["current"], true, "{checked}");
    assert_eq!(checked["year"], 2026);
    assert!(checked["applicant"].as_str().unwrap().starts_with('李'));
    assert!(!checked["applicant"].as_str().unwrap().contains("护士"), "the public answer masks the name");

    // Every organisation it reached downloads the same content.
    assert_eq!(download(&app, &employer, &id).await.1, hash);
    assert_eq!(download(&app, &authority, &id).await.1, hash);

    // Once the record changes (the authority returns it), the printed form no longer verifies.
    let response = app
        .return_declaration(&authority, &id, &json!({"opinion": "请补充继续教育证明", "items": [], "add_sections": []}))
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let checked = verification(&app, &hash).await;
    assert_eq!(checked["current"], false, "{checked}");
    let (text, new_hash) = download(&app, &person_token, &id).await;
    assert_ne!(new_hash, hash);
    assert!(text.contains("请补充继续教育证明"));
    assert_eq!(verification(&app, &new_hash).await["current"], true);

    // A hash the platform never made is unknown.
    assert_eq!(app.get(&format!("/verify/forms/{}", "0".repeat(64))).await.status(), 404);
    assert_eq!(app.get("/verify/forms/not-a-hash").await.status(), 404);
}

#[tokio::test]
async fn a_stranger_gets_404_for_the_review_form_and_the_applicant_previews_her_draft() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let declaration = app.create_declaration(&token, &chain.employer, 2026).await;
    let id = declaration["id"].as_str().unwrap().to_string();

    // The draft: only its owner sees it, as a preview.
    let (text, _) = download(&app, &token, &id).await;
    assert!(text.contains("预览"), "{text}");
    assert!(text.contains("尚无审核意见"));
    let employer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    assert_eq!(app.get_as(&employer, &format!("/declarations/{id}/review-form")).await.status(), 404);

    // Submitted: the employer may print it; strangers still may not.
    app.complete_declaration(&token, &person, &id).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    download(&app, &employer, &id).await;
    let other_person = app.register_person().await;
    let other_token = app.token_of(&other_person).await;
    let sibling = app.register_org("institution").await;
    let (sibling_reviewer, _) = app.register_reviewer(&sibling).await;
    let sibling_token = app.login(&sibling_reviewer, PASSWORD).await.access;
    let sibling_admin = app.org_token(&sibling).await;
    // Not reported yet: the authority has not received it.
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let admin = app.admin_token().await;
    for stranger in [&other_token, &sibling_token, &sibling_admin, &authority, &admin] {
        let response = app.get_as(stranger, &format!("/declarations/{id}/review-form")).await;
        assert_eq!(response.status(), 404, "{}", response.text().await.unwrap_or_default());
    }
    assert_eq!(app.get(&format!("/declarations/{id}/review-form")).await.status(), 401);
}

/// An organisation printing the 评审表 opened the file: the applicant sees it in 访问记录, and the
/// print's audit row has the source address. The public check is limited per client IP.
#[tokio::test]
async fn an_organisation_printing_the_form_is_in_the_access_log_and_the_public_check_is_limited() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, person_token, id) = app.submitted_declaration(&chain).await;
    let log: Value = app.get_as(&person_token, &format!("/declarations/{id}/access-log")).await.json().await.unwrap();
    let before = log.as_array().map_or(0, Vec::len);
    let employer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let (_, hash) = download(&app, &employer, &id).await;
    let log: Value = app.get_as(&person_token, &format!("/declarations/{id}/access-log")).await.json().await.unwrap();
    assert_eq!(log.as_array().unwrap().len(), before + 1, "{log}");
    assert_eq!(log[0]["org_id"], chain.employer.id.as_str());
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let row = api::entities::audit_log::Entity::find()
        .filter(api::entities::audit_log::Column::Action.eq("review_form_print"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.ip.as_deref(), Some("127.0.0.1"));

    assert_eq!(app.get(&format!("/verify/forms/{hash}")).await.status(), 200);

    let limited = spawn_app_with(|settings| {
        settings.rate_limit.auth_per_minute = 1;
        settings.rate_limit.auth_burst = 2;
    })
    .await;
    let unknown = format!("/verify/forms/{}", "0".repeat(64));
    assert_eq!(limited.get(&unknown).await.status(), 404);
    assert_eq!(limited.get(&unknown).await.status(), 404);
    let refused = limited.get(&unknown).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
}
