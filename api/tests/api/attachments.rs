//! 证明材料: typed by content, size-capped while streaming, stored durably, readable by few.

use serde_json::{Value, json};

use crate::helpers::*;

fn stored_files(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries.filter_map(Result::ok).map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum()
            })
            .unwrap_or(0)
    }
    walk(&app.storage_dir)
}

async fn attachment_rows(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    api::entities::attachment::Entity::find().count(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn a_png_renamed_pdf_is_stored_as_png() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let response = app.upload(&token, PNG.to_vec(), "学历证书.pdf", "application/pdf").await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["content_type"], "image/png");
    assert_eq!(body["filename"], "学历证书.pdf");
    assert_eq!(body["size"], PNG.len());
    assert_eq!(body["sha256"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn an_html_file_renamed_pdf_is_415_and_nothing_is_stored() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let html = b"<!doctype html><html><script>alert(1)</script></html>".to_vec();
    let response = app.upload(&token, html, "证书.pdf", "application/pdf").await;
    assert_eq!(response.status(), 415);
    assert!(problem(response).await["detail"].as_str().unwrap().contains("PDF、JPG、PNG"));
    assert_eq!(attachment_rows(&app).await, 0);
    assert_eq!(stored_files(&app), 0);
}

#[tokio::test]
async fn one_byte_over_the_limit_is_413_and_leaves_no_file_or_row() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let limit = 5 * 1024 * 1024;
    let mut too_big = PDF.to_vec();
    too_big.resize(limit + 1, b' ');
    let response = app.upload(&token, too_big, "big.pdf", "application/pdf").await;
    assert_eq!(response.status(), 413);
    assert_eq!(attachment_rows(&app).await, 0);
    assert_eq!(stored_files(&app), 0);

    let mut exactly = PDF.to_vec();
    exactly.resize(limit, b' ');
    assert_eq!(app.upload(&token, exactly, "ok.pdf", "application/pdf").await.status(), 201);
}

#[tokio::test]
async fn the_limit_holds_without_a_content_length_and_is_configurable() {
    let app = spawn_app_with(|settings| settings.storage.max_upload_bytes = 1024).await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    // A chunked body: no Content-Length to refuse early, so the stream is cut while reading.
    let mut body = b"--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n".to_vec();
    body.extend_from_slice(PDF);
    body.extend(std::iter::repeat_n(b' ', 4096));
    body.extend_from_slice(b"\r\n--X--\r\n");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body.chunks(512).map(|c| Ok(c.to_vec())).collect();
    let stream = futures_util::stream::iter(chunks);
    let response = app
        .client
        .post(app.url("/attachments"))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=X")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(attachment_rows(&app).await, 0);
}

#[tokio::test]
async fn an_empty_file_or_a_missing_field_is_refused() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let response = app.upload(&token, Vec::new(), "empty.pdf", "application/pdf").await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/file"]);
    let form = reqwest::multipart::Form::new().text("note", "no file here");
    let response = app.client.post(app.url("/attachments")).bearer_auth(&token).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(attachment_rows(&app).await, 0);
}

#[tokio::test]
async fn identical_content_is_stored_once() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let first = app.upload_pdf(&token).await;
    let second = app.upload_pdf(&token).await;
    assert_ne!(first, second);
    assert_eq!(attachment_rows(&app).await, 2);
    assert_eq!(stored_files(&app), 1);
}

#[tokio::test]
async fn only_persons_upload() {
    let app = spawn_app().await;
    let hospital = app.register_org("institution").await;
    let token = app.org_token(&hospital).await;
    assert_eq!(app.upload(&token, PDF.to_vec(), "a.pdf", "application/pdf").await.status(), 403);
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("a.pdf"));
    assert_eq!(app.client.post(app.url("/attachments")).multipart(form).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn downloads_are_for_the_owner_and_the_orgs_the_declaration_reached() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.create_declaration(&token, &chain.employer, 2026).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    let read: Value = app.get_as(&token, &format!("/declarations/{id}")).await.json().await.unwrap();
    let attachment = read["items"][0]["attachment_ids"][0].as_str().unwrap().to_string();

    let response = app.get_as(&token, &format!("/attachments/{attachment}")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"), "{disposition}");
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    let stranger = app.register_person().await;
    let stranger_token = app.token_of(&stranger).await;
    let employer = app.org_token(&chain.employer).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let authority = app.org_token(&chain.authority).await;
    let admin = app.admin_token().await;
    for token in [&stranger_token, &employer, &reviewer, &authority, &admin] {
        assert_eq!(app.get_as(token, &format!("/attachments/{attachment}")).await.status(), 404, "before submission");
    }
    assert_eq!(app.post_as(&token, &format!("/declarations/{id}/submit"), &json!({})).await.status(), 200);
    assert_eq!(app.get_as(&employer, &format!("/attachments/{attachment}")).await.status(), 200);
    assert_eq!(app.get_as(&reviewer, &format!("/attachments/{attachment}")).await.status(), 200);
    for token in [&stranger_token, &authority, &admin] {
        assert_eq!(app.get_as(token, &format!("/attachments/{attachment}")).await.status(), 404, "not reached");
    }
    assert_eq!(app.get_as(&token, "/attachments/not-an-id").await.status(), 404);
}
