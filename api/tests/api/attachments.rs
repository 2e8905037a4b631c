//! 证明材料: typed by content, size-capped while streaming, stored durably, readable by few.

use serde_json::Value;

use crate::helpers::*;

/// Files in the store (the local folder or the S3 bucket) and uploads left in the staging folder.
async fn stored_files(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries.filter_map(Result::ok).map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum()
            })
            .unwrap_or(0)
    }
    let everything = chrono::Utc::now() + chrono::Duration::days(1);
    walk(&app.storage_dir.join("tmp")) + app.state.storage.keys_older_than(everything).await.unwrap().len()
}

async fn attachment_rows(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    api::entities::attachment::Entity::find().count(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn a_png_renamed_pdf_is_stored_and_named_as_png() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let response = app.upload(&token, PNG.to_vec(), "学历证书.pdf", "application/pdf").await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["content_type"], "image/png");
    assert_eq!(body["filename"], "学历证书.png");
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
    assert_eq!(stored_files(&app).await, 0);
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
    assert_eq!(stored_files(&app).await, 0);

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
    let response = app
        .client
        .post(app.url("/attachments"))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=X")
        .body("--X--\r\n")
        .send()
        .await
        .unwrap();
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
    assert_eq!(stored_files(&app).await, 1);
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
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    assert_eq!(app.get_as(&employer, &format!("/attachments/{attachment}")).await.status(), 200);
    assert_eq!(app.get_as(&reviewer, &format!("/attachments/{attachment}")).await.status(), 200);
    for token in [&stranger_token, &authority, &admin] {
        assert_eq!(app.get_as(token, &format!("/attachments/{attachment}")).await.status(), 404, "not reached");
    }
    assert_eq!(app.get_as(&token, "/attachments/not-an-id").await.status(), 404);
}

#[tokio::test]
async fn other_multipart_parts_are_refused_unread() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let form = reqwest::multipart::Form::new()
        .text("comment", "x".repeat(10_000))
        .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("a.pdf"));
    let response = app.client.post(app.url("/attachments")).bearer_auth(&token).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/file"]);
}

/// One member of the shared set of evidence files (`api/tests/fixtures/files/manifest.json`).
#[derive(serde::Deserialize)]
struct Member {
    file: String,
    name: String,
    kind: Option<String>,
    accept: bool,
    status: Option<u16>,
    stored_as: Option<String>,
    reason: String,
}

fn fixtures() -> (std::path::PathBuf, Vec<Member>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/files");
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    (dir, serde_json::from_value(manifest["files"].clone()).unwrap())
}

#[test]
fn the_server_sniffs_the_shared_files_as_the_manifest_says() {
    use api::domain::evidence::{EvidenceKind, sniff};
    let (dir, members) = fixtures();
    for member in &members {
        let bytes = std::fs::read(dir.join(&member.file)).unwrap();
        let kind = sniff(&bytes).map(|kind| match kind {
            EvidenceKind::Pdf => "pdf",
            EvidenceKind::Jpeg => "jpg",
            EvidenceKind::Png => "png",
        });
        assert_eq!(kind, member.kind.as_deref(), "{}: {}", member.file, member.reason);
    }
}

#[tokio::test]
async fn the_server_accepts_and_refuses_the_shared_files_as_the_manifest_says() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let (dir, members) = fixtures();
    assert!(members.iter().filter(|m| !m.accept && m.status == Some(422)).count() >= 4);
    for member in &members {
        let bytes = std::fs::read(dir.join(&member.file)).unwrap();
        let response = app.upload(&token, bytes, &member.name, "application/octet-stream").await;
        let what = format!("{} ({})", member.file, member.reason);
        if member.accept {
            assert_eq!(response.status(), 201, "{what}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["filename"].as_str(), member.stored_as.as_deref(), "{what}");
            // Served under the same name.
            let download = app.get_as(&token, &format!("/attachments/{}", body["id"].as_str().unwrap())).await;
            let disposition = download.headers()["content-disposition"].to_str().unwrap().to_string();
            let encoded = percent_encoding::utf8_percent_encode(
                member.stored_as.as_deref().unwrap(),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string();
            assert!(disposition.ends_with(&format!("UTF-8''{encoded}")), "{what}: {disposition}");
        } else {
            assert_eq!(Some(response.status().as_u16()), member.status, "{what}");
            let body = problem(response).await;
            if member.status == Some(422) {
                assert_eq!(body["code"], "file_unreadable", "{what}");
                assert_eq!(fields(&body), vec!["/file"], "{what}");
                assert!(body["detail"].as_str().unwrap().contains("无法打开"), "{what}");
            }
        }
    }
    let accepted = members.iter().filter(|m| m.accept).count() as u64;
    assert_eq!(attachment_rows(&app).await, accepted, "nothing refused was recorded");
}

#[tokio::test]
async fn a_long_name_is_shortened_before_the_extension_the_bytes_have() {
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    for (name, bytes, ending) in [
        (format!("{}.pdf", "材".repeat(250)), PDF, "材.pdf"),
        (format!("{}.bat", "证".repeat(250)), PDF, "证.pdf"),
        ("料".repeat(250), PNG, "料.png"),
    ] {
        let response = app.upload(&token, bytes.to_vec(), &name, "application/octet-stream").await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        let stored = body["filename"].as_str().unwrap();
        assert_eq!(stored.chars().count(), 200, "{stored}");
        assert!(stored.ends_with(ending), "{stored}");
    }
}

#[tokio::test]
async fn an_account_past_its_file_count_is_refused_with_a_clear_message() {
    let app = spawn_app_with(|settings| settings.storage.max_files_per_account = 3).await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    for _ in 0..3 {
        app.upload_pdf(&token).await;
    }
    let response = app.upload(&token, PNG.to_vec(), "第四个.png", "image/png").await;
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    assert_eq!(body["code"], "upload_quota_exceeded");
    assert_eq!(fields(&body), vec!["/file"]);
    assert!(body["detail"].as_str().unwrap().contains("3个的上限"), "{body}");
    assert_eq!(attachment_rows(&app).await, 3);
    // Another account has its own quota.
    let other = app.register_person().await;
    let other_token = app.token_of(&other).await;
    app.upload_pdf(&other_token).await;
}

#[tokio::test]
async fn an_account_past_its_bytes_is_refused_and_parallel_uploads_cannot_pass_it() {
    let per_file = PDF.len() as u64;
    let app = spawn_app_with(|settings| settings.storage.max_bytes_per_account = per_file * 4 + 10).await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    // Ten at once: exactly four fit, however they interleave.
    let uploads = (0..10).map(|_| app.upload(&token, PDF.to_vec(), "a.pdf", "application/pdf"));
    let statuses: Vec<u16> =
        futures_util::future::join_all(uploads).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 4, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 6, "{statuses:?}");
    assert_eq!(attachment_rows(&app).await, 4);
    let response = app.upload(&token, PDF.to_vec(), "a.pdf", "application/pdf").await;
    let body = problem(response).await;
    assert_eq!(body["code"], "upload_quota_exceeded");
    assert!(body["detail"].as_str().unwrap().contains("MB的上限"), "{body}");
}

#[tokio::test]
async fn unlinked_uploads_are_removed_after_the_grace_period_and_linked_ones_kept() {
    use api::jobs::{Runner, kinds};
    use chrono::Duration;
    use sea_orm::EntityTrait;

    let app = spawn_app_with(|settings| settings.jobs.enabled = false).await;
    let chain = app.chain().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    // Linked: the declaration's item uses it.
    let id = app.create_declaration(&token, &chain.employer, 2026).await["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    let read: Value = app.get_as(&token, &format!("/declarations/{id}")).await.json().await.unwrap();
    let linked = read["items"][0]["attachment_ids"][0].as_str().unwrap().to_string();
    // Orphans: one with bytes of its own, one sharing its stored file with the linked upload.
    let own_bytes = app.upload(&token, PNG.to_vec(), "扫描件.png", "image/png").await.json::<Value>().await.unwrap();
    let orphan = own_bytes["id"].as_str().unwrap().to_string();
    let shared = app.upload_pdf(&token).await;
    let files_before = stored_files(&app).await;
    let rows_before = attachment_rows(&app).await;

    let runner = Runner::new(app.state.clone(), kinds::registry());
    // Within the grace period: nothing goes.
    app.state.clock.advance(Duration::hours(23));
    runner.schedule_due().await.unwrap();
    runner.drain().await.unwrap();
    assert_eq!(attachment_rows(&app).await, rows_before);

    // Past it. A fresh orphan, uploaded an hour ago by the rules' clock (record timestamps come
    // from the wall clock, so the test dates it there), stays.
    app.state.clock.advance(Duration::hours(2));
    let fresh_body: Value = app.upload(&token, PDF.to_vec(), "新.pdf", "application/pdf").await.json().await.unwrap();
    let fresh = fresh_body["id"].as_str().unwrap().to_string();
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        let row =
            api::entities::attachment::Entity::find_by_id(fresh.clone()).one(&app.state.db).await.unwrap().unwrap();
        let mut row: api::entities::attachment::ActiveModel = row.into();
        row.created_at = Set(app.state.clock.now() - Duration::hours(1));
        row.update(&app.state.db).await.unwrap();
    }
    let attachment = |id: String| {
        let db = app.state.db.clone();
        async move { api::entities::attachment::Entity::find_by_id(id).one(&db).await.unwrap() }
    };
    assert!(attachment(fresh.clone()).await.is_some());
    runner.schedule_due().await.unwrap();
    runner.drain().await.unwrap();

    assert!(attachment(orphan.clone()).await.is_none(), "the orphan with its own file is removed");
    assert!(attachment(shared.clone()).await.is_none(), "the orphan sharing a file is removed");
    assert!(attachment(linked.clone()).await.is_some(), "the linked upload is kept");
    assert!(attachment(fresh.clone()).await.is_some(), "the fresh orphan is kept");
    assert_eq!(attachment_rows(&app).await, rows_before - 2 + 1, "only the two old orphans went");
    assert_eq!(stored_files(&app).await, files_before - 1, "only the file no row uses any more is deleted");
    let download = app.get_as(&token, &format!("/attachments/{linked}")).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF, "the shared file is still there");
}

#[tokio::test]
async fn a_file_kept_under_a_wrong_extension_before_is_served_under_its_type() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let app = spawn_app().await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.upload_pdf(&token).await;
    let row = api::entities::attachment::Entity::find_by_id(id.clone()).one(&app.state.db).await.unwrap().unwrap();
    let mut row: api::entities::attachment::ActiveModel = row.into();
    row.filename = Set("学历证书.bat".into());
    row.update(&app.state.db).await.unwrap();
    let response = app.get_as(&token, &format!("/attachments/{id}")).await;
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.ends_with("%2Epdf"), "{disposition}");
    assert!(disposition.contains("filename=\"____.pdf\""), "{disposition}");
}

/// A crash between storing a file and committing its row leaves a file no row uses (never the
/// other way round). The `uploads.orphans` sweep removes such a file once it is past the grace,
/// and keeps every file a row uses and every one written since.
#[tokio::test]
async fn a_stored_file_no_row_uses_is_swept_once_past_the_grace() {
    use sha2::Digest;
    let app = spawn_app_with(|settings| settings.jobs.enabled = false).await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let used = app.upload_pdf(&token).await;
    // What a crash after `commit` leaves: the file, no row.
    let bytes = b"%PDF-1.4 bytes a crash left behind".to_vec();
    let staged = app.state.storage.staging_dir().join("crash.part");
    std::fs::write(&staged, &bytes).unwrap();
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    let left = app.state.storage.commit(&staged, &sha256).await.unwrap();
    assert_eq!(stored_files(&app).await, 2);

    // Within the grace (written after the cutoff): kept.
    let before = chrono::Utc::now() - chrono::Duration::hours(1);
    assert_eq!(api::services::attachments::remove_unused_files_before(&app.state, before).await.unwrap(), 0);
    assert_eq!(stored_files(&app).await, 2);

    let after = chrono::Utc::now() + chrono::Duration::seconds(5);
    assert_eq!(api::services::attachments::remove_unused_files_before(&app.state, after).await.unwrap(), 1);
    assert_eq!(app.state.storage.size_of(&left).await.unwrap(), None, "the file no row uses is gone");
    assert_eq!(stored_files(&app).await, 1);
    let download = app.get_as(&token, &format!("/attachments/{used}")).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF, "the file a row uses stays");
}

/// With `TEST_S3_ENDPOINT` (`make test-s3`): an upload is an object in the bucket under the test's
/// prefix and its content key, readable from the store itself, and nothing but the staging folder
/// is written locally.
#[tokio::test]
async fn with_s3_an_upload_is_an_object_in_the_bucket_and_not_a_local_file() {
    let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
        eprintln!("skipped: needs TEST_S3_ENDPOINT (make test-s3)");
        return;
    };
    let app = spawn_app().await;
    assert_eq!(app.settings.storage.backend, "s3");
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    app.upload_pdf(&token).await;
    use sha2::Digest;
    let sha256 = hex::encode(sha2::Sha256::digest(PDF));
    let s3 = &app.settings.storage.s3;
    // moto serves an unsigned GET; the bytes come from the store, not through the API.
    let url = format!("{endpoint}/{}/{}/{}/{}/{sha256}", s3.bucket, s3.prefix, &sha256[..2], &sha256[2..4]);
    let object = app.client.get(&url).send().await.unwrap();
    assert_eq!(object.status(), 200, "{url}");
    assert_eq!(object.bytes().await.unwrap().as_ref(), PDF);
    let local: Vec<_> = std::fs::read_dir(&app.storage_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(local, vec![std::ffi::OsString::from("tmp")], "only the staging folder is local");
}

/// The query parameters of a URL, decoded.
fn query_of(url: &str) -> std::collections::HashMap<String, String> {
    reqwest::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

/// With `TEST_S3_ENDPOINT` (`make test-s3`) and `storage.presign_seconds`: a download the caller
/// may make is a 302 to a presigned URL of the store, valid that long, that serves the same bytes
/// under the file's name and type; a stranger gets 404 and no URL; the read is logged.
#[tokio::test]
async fn with_s3_and_presigning_a_download_is_a_short_lived_url_and_a_stranger_gets_none() {
    if std::env::var("TEST_S3_ENDPOINT").is_err() {
        eprintln!("skipped: needs TEST_S3_ENDPOINT (make test-s3)");
        return;
    }
    let app = spawn_app_with(|settings| settings.storage.presign_seconds = 30).await;
    let chain = app.chain().await;
    let (_, token, id) = app.submitted_declaration(&chain).await;
    let read = app.declaration(&token, &id).await;
    let file = read["items"][0]["attachment_ids"][0].as_str().unwrap().to_string();

    // Strangers first: no URL, no redirect, the same 404 problem as for an id that does not exist.
    let stranger = app.register_person().await;
    let stranger_token = app.token_of(&stranger).await;
    let authority = app.org_token(&chain.authority).await;
    for token in [&stranger_token, &authority] {
        let refused = app.get_as(token, &format!("/attachments/{file}")).await;
        assert_eq!(refused.status(), 404);
        assert!(refused.headers().get("location").is_none(), "a stranger is handed no URL");
        assert_eq!(refused.headers()["content-type"], "application/problem+json");
        assert!(!refused.text().await.unwrap().contains("X-Amz"), "nor a URL in the body");
    }

    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    for token in [&token, &reviewer] {
        let redirect = app.get_as(token, &format!("/attachments/{file}")).await;
        assert_eq!(redirect.status(), 302);
        assert_eq!(redirect.headers()["cache-control"], "no-store", "nobody caches the URL");
        let location = redirect.headers()["location"].to_str().unwrap().to_string();
        let endpoint = std::env::var("TEST_S3_ENDPOINT").unwrap();
        assert!(location.starts_with(&endpoint), "{location}");
        let query = query_of(&location);
        // Short-lived: the signature says 30 seconds from now (moto checks no signature or
        // expiry, so the parameters are what can be checked here; s3s-fs or AWS refuse it after).
        assert_eq!(query["X-Amz-Expires"], "30", "{location}");
        let signed_at = chrono::NaiveDateTime::parse_from_str(&query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").unwrap();
        let age = chrono::Utc::now().naive_utc() - signed_at;
        assert!(age < chrono::Duration::seconds(10) && age > chrono::Duration::seconds(-10), "signed {age} ago");
        assert!(query.contains_key("X-Amz-Signature"));
        assert_eq!(query["response-content-type"], "application/pdf");
        assert_eq!(query["response-cache-control"], "no-store");

        // The URL alone (no token) gives the same bytes, under the file's real name and type.
        let object = reqwest::Client::new().get(&location).send().await.unwrap();
        assert_eq!(object.status(), 200, "{location}");
        assert_eq!(object.headers()["content-type"], "application/pdf");
        assert_eq!(object.headers()["cache-control"], "no-store");
        let disposition = object.headers()["content-disposition"].to_str().unwrap().to_string();
        assert_eq!(disposition, query["response-content-disposition"]);
        assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"), "{disposition}");
        assert!(disposition.ends_with("%2Epdf"), "{disposition}");
        assert_eq!(object.bytes().await.unwrap().as_ref(), PDF);
    }

    // Handing out the URL is a download in the applicant's 访问记录.
    let log: Value = app.get_as(&token, &format!("/declarations/{id}/access-log")).await.json().await.unwrap();
    let downloads: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["action"] == "download").collect();
    assert_eq!(downloads.len(), 1, "{log}");
    assert_eq!(downloads[0]["username"], chain.employer_reviewer.as_str());
}

/// Presigning is for a store that can sign: with the local folder the setting changes nothing,
/// the file is streamed with its headers.
#[tokio::test]
async fn with_the_local_folder_presigning_still_streams_the_file() {
    if std::env::var("TEST_S3_ENDPOINT").is_ok() {
        eprintln!("skipped: the local folder only");
        return;
    }
    let app = spawn_app_with(|settings| settings.storage.presign_seconds = 30).await;
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    let id = app.upload_pdf(&token).await;
    let response = app.get_as(&token, &format!("/attachments/{id}")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
}
