#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! The applicant's side of the guide's section 三 over HTTP against the real binary: copy last
//! year's declaration, complete it with uploads, and submit; the employer's path is required.

use e2e::{DEMO_PASSWORD, Server};
use serde_json::{Value, json};

/// A real one-page PDF: uploads must open.
const PDF: &[u8] = include_bytes!("../../api/tests/fixtures/files/certificate.pdf");

async fn find_org(server: &Server, token: &str, name: &str) -> String {
    let query: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
    let (_, found) = server.get(Some(token), &format!("/orgs?q={query}")).await.unwrap();
    found["items"][0]["id"].as_str().unwrap().to_string()
}

async fn pdf(server: &Server, token: &str, name: &str) -> String {
    let (status, body) = server.upload(token, PDF.to_vec(), name).await.unwrap();
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_nurse_copies_last_year_completes_it_with_evidence_and_submits() {
    let server = Server::start(&[]).await.unwrap();
    let nurse = server.login("nurse_zhang", DEMO_PASSWORD).await.unwrap();
    let hospital = find_org(&server, &nurse, "济阳区人民医院").await;
    let enterprise = find_org(&server, &nurse, "鲁信精密机械").await;
    // This year's plan is the demo bureau's; last year's is published for the story.
    let this_year = server.demo_plan_year(&nurse).await.unwrap();
    let bureau = server.login("jiyang_hrss", DEMO_PASSWORD).await.unwrap();
    server.ensure_plan(&bureau, this_year - 1, &["health"]).await.unwrap();

    // Last year's declaration, with info and evidence.
    let (status, last_year) = server
        .post(
            Some(&nurse),
            "/declarations",
            &json!({"year": this_year - 1, "kind": "title", "series": "health",
            "level": "assistant", "specialty": "护理学", "org_id": hospital}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{last_year}");
    let last_id = last_year["id"].as_str().unwrap();
    let info = json!({"gender": "女", "birth_date": "1990-03-05", "ethnicity": "汉族", "education": "大学本科",
        "major": "护理学", "position": "护士", "work_start_date": "2012-07-01", "profession_years": 13});
    let (status, _) = server.patch(&nurse, &format!("/declarations/{last_id}"), &json!({"info": info})).await.unwrap();
    assert_eq!(status, 200);
    let diploma = pdf(&server, &nurse, "毕业证书.pdf").await;
    let (status, _) = server
        .post(Some(&nurse), &format!("/declarations/{last_id}/items"), &json!({"section": "education",
            "data": {"school": "山东第一医科大学", "major": "护理学", "education": "大学本科", "graduation_date": "2012-06-30"},
            "attachment_ids": [diploma]}))
        .await
        .unwrap();
    assert_eq!(status, 201);

    // 采用往年申报信息 — but at first with the wrong employer, which has no 卫生 path.
    let (status, draft) = server
        .post(
            Some(&nurse),
            "/declarations",
            &json!({"year": this_year, "kind": "title", "series": "health",
            "level": "intermediate", "specialty": "护理学", "org_id": enterprise, "copy_from": last_id}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{draft}");
    let id = draft["id"].as_str().unwrap().to_string();
    assert_eq!(draft["info"], info);
    assert_eq!(draft["items"][0]["attachment_ids"], json!([diploma]));

    // Complete the rest with uploads.
    let (status, _) =
        server.patch(&nurse, &format!("/declarations/{id}"), &json!({"basic_confirmed": true})).await.unwrap();
    assert_eq!(status, 200);
    let sections = [
        ("annual_review", json!({"year": 2025, "result": "优秀"}), false),
        ("work", json!({"start_date": "2012-07-01", "org_name": "济阳区人民医院", "position": "护士"}), false),
        ("achievement", json!({"name": "降低住院患者跌倒率的护理干预", "kind": "论文", "date": "2025-03-01"}), true),
        ("continuing_education", json!({"year": 2025, "hours": 96, "credit_type": "I类学分"}), true),
    ];
    for (section, data, evidence) in sections {
        let attachment_ids =
            if evidence { vec![pdf(&server, &nurse, &format!("{section}.pdf")).await] } else { vec![] };
        let (status, body) = server
            .post(
                Some(&nurse),
                &format!("/declarations/{id}/items"),
                &json!({"section": section, "data": data, "attachment_ids": attachment_ids}),
            )
            .await
            .unwrap();
        assert_eq!(status, 201, "{section}: {body}");
    }

    // The employer lacks the path: the submit names exactly that.
    let (status, problem) = server.submit(&nurse, &id).await.unwrap();
    assert_eq!(status, 422);
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["/org_id"], "{problem}");

    let (status, _) = server.patch(&nurse, &format!("/declarations/{id}"), &json!({"org_id": hospital})).await.unwrap();
    assert_eq!(status, 200);
    let (status, submitted) = server.submit(&nurse, &id).await.unwrap();
    assert_eq!(status, 200, "{submitted}");
    assert_eq!(submitted["status"], "pending");
    assert_eq!(submitted["holder_org_name"], "济南市济阳区人民医院");

    // 申报进度 shows it, and the hospital can now open the evidence.
    let (_, events) = server.get(Some(&nurse), &format!("/declarations/{id}/events")).await.unwrap();
    let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "submit"]);
    let hospital_admin = server.login("jiyang_hospital", DEMO_PASSWORD).await.unwrap();
    let response = server
        .client
        .get(server.url(&format!("/attachments/{diploma}")))
        .bearer_auth(&hospital_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    let (status, _): (u16, Value) =
        server.get(Some(&hospital_admin), &format!("/declarations/{id}/events")).await.unwrap();
    assert_eq!(status, 200);
}
