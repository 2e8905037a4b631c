#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! Crash tests: the server is killed (SIGKILL, no chance to clean up) in the middle of an upload
//! and of a batch report; after a restart nothing is lost or half-done.

use std::time::Duration;

use e2e::{DEMO_PASSWORD, Server, id_number};
use serde_json::{Value, json};

/// A real one-page PDF: uploads must open.
const PDF: &[u8] = include_bytes!("../../api/tests/fixtures/files/certificate.pdf");

fn committed_files(server: &Server) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_name() != "tmp")
                    .map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(&server.data_dir.path().join("files"))
}

fn staged_files(server: &Server) -> usize {
    std::fs::read_dir(server.data_dir.path().join("files/tmp")).map(|d| d.count()).unwrap_or(0)
}

fn assert_consistent(server: &Server) {
    for check in [["check-storage"], ["verify-audit"]] {
        let output = server.admin(&check).unwrap();
        assert!(
            output.status.success(),
            "{check:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[tokio::test]
async fn a_kill_during_an_upload_leaves_no_row_and_no_committed_file() {
    let mut server = Server::start(&[]).await.unwrap();
    let nurse = server.login("nurse_zhang", DEMO_PASSWORD).await.unwrap();
    // A multipart body whose file never finishes: the first part arrives, then the client stalls.
    let head = b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\r\n%PDF-1.4\n".to_vec();
    let first: Vec<u8> = head.into_iter().chain(std::iter::repeat_n(b' ', 256 * 1024)).collect();
    let stream = futures_stream(first);
    let client = server.client.clone();
    let url = server.url("/attachments");
    let token = nurse.clone();
    let upload = tokio::spawn(async move {
        client
            .post(url)
            .bearer_auth(token)
            .header("content-type", "multipart/form-data; boundary=B")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
    });
    for _ in 0..100 {
        if staged_files(&server) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(staged_files(&server), 1, "the upload is being staged");
    server.kill();
    assert!(upload.await.unwrap().is_err(), "the client saw the connection die");

    server.spawn().unwrap();
    assert_eq!(committed_files(&server), 0, "nothing half-written was committed");
    assert_consistent(&server);
    let nurse = server.login("nurse_zhang", DEMO_PASSWORD).await.unwrap();
    let (status, _) = server.upload(&nurse, PDF.to_vec(), "after.pdf").await.unwrap();
    assert_eq!(status, 201);
    assert_eq!(committed_files(&server), 1);
    assert_consistent(&server);
}

/// Yields `first`, then never finishes.
fn futures_stream(
    first: Vec<u8>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + Sync + 'static {
    use futures_util::StreamExt;
    futures_util::stream::once(async move { Ok(first) }).chain(futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(Vec::new())
    }))
}

/// A declaration approved at the demo hospital, for a new person `seq`.
async fn approved_declaration(server: &Server, reviewer: &str, hospital: &str, seq: u32) -> String {
    let username = format!("crash{seq}");
    let id_number = id_number(seq);
    let (status, body) = server
        .post(
            None,
            "/auth/register/person",
            &json!({"username": username, "password": "Crash#2026pw", "real_name": "赵护士",
            "id_number": id_number, "phone": format!("1370000{seq:04}")}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    let token = server.login(&username, "Crash#2026pw").await.unwrap();
    let year = server.demo_plan_year(&token).await.unwrap();
    let (_, draft) = server
        .post(
            Some(&token),
            "/declarations",
            &json!({"year": year, "kind": "title", "series": "health", "level": "intermediate",
            "specialty": "护理学", "org_id": hospital}),
        )
        .await
        .unwrap();
    let id = draft["id"].as_str().unwrap().to_string();
    let gender = if id_number.as_bytes()[16] % 2 == 1 { "男" } else { "女" };
    server
        .patch(&token, &format!("/declarations/{id}"), &json!({"basic_confirmed": true, "info": {"gender": gender,
            "birth_date": "1988-08-08", "ethnicity": "汉族", "education": "大学本科", "major": "护理学", "position": "护士",
            "work_start_date": "2010-07-01", "profession_years": 15}}))
        .await
        .unwrap();
    let (_, upload) = server.upload(&token, PDF.to_vec(), "证明.pdf").await.unwrap();
    let evidence = upload["id"].as_str().unwrap();
    for (section, data) in [
        (
            "education",
            json!({"school": "山东大学", "major": "护理学", "education": "大学本科", "graduation_date": "2010-06-30"}),
        ),
        ("annual_review", json!({"year": 2025, "result": "合格"})),
        ("work", json!({"start_date": "2010-07-01", "org_name": "济阳区人民医院", "position": "护士"})),
        ("achievement", json!({"name": "护理成果", "kind": "论文", "date": "2024-01-01"})),
        ("continuing_education", json!({"year": 2025, "hours": 90, "credit_type": "I类学分"})),
    ] {
        let (status, body) = server
            .post(
                Some(&token),
                &format!("/declarations/{id}/items"),
                &json!({"section": section, "data": data, "attachment_ids": [evidence]}),
            )
            .await
            .unwrap();
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = server.submit(&token, &id).await.unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, body) = server.post(Some(reviewer), &format!("/reviews/{id}/approve"), &json!({})).await.unwrap();
    assert_eq!(status, 200, "{body}");
    id
}

#[tokio::test]
async fn a_kill_during_a_batch_report_moves_all_or_nothing() {
    let mut server = Server::start(&[]).await.unwrap();
    let reviewer = server.login("hospital_reviewer", DEMO_PASSWORD).await.unwrap();
    let (_, me) = server.get(Some(&reviewer), "/me").await.unwrap();
    let hospital = me["org"]["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for seq in 0..30 {
        ids.push(approved_declaration(&server, &reviewer, &hospital, seq).await);
    }
    let client = server.client.clone();
    let url = server.url("/reports");
    let token = reviewer.clone();
    let body = json!({"declaration_ids": ids});
    let report = tokio::spawn(async move { client.post(url).bearer_auth(token).json(&body).send().await });
    tokio::time::sleep(Duration::from_millis(15)).await;
    server.kill();
    let _ = report.await;

    server.spawn().unwrap();
    let reviewer = server.login("hospital_reviewer", DEMO_PASSWORD).await.unwrap();
    let count = |status: &'static str| {
        let server = &server;
        let reviewer = reviewer.clone();
        async move {
            let (_, page): (u16, Value) =
                server.get(Some(&reviewer), &format!("/reviews?status={status}&page_size=100")).await.unwrap();
            page["total"].as_u64().unwrap()
        }
    };
    let (approved, reported) = (count("approved").await, count("reported").await);
    assert!(
        (approved, reported) == (30, 0) || (approved, reported) == (0, 30),
        "half a batch moved: {approved} + {reported}"
    );
    let (_, history) = server.get(Some(&reviewer), "/reports").await.unwrap();
    assert_eq!(history["total"].as_u64().unwrap(), reported / 30, "a report row exists exactly when the batch moved");
    assert_consistent(&server);
    // Whichever way it went, the unit can finish the job.
    if approved == 30 {
        let (status, body) = server.post(Some(&reviewer), "/reports", &json!({"declaration_ids": ids})).await.unwrap();
        assert_eq!(status, 201, "{body}");
    }
    assert_eq!(count("reported").await, 30);
}
