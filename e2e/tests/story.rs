#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! The seed guide's whole story over HTTP against the real binary (SQLite, or PostgreSQL when
//! TEST_DATABASE_URL is set): units and a person register, paths are opened up to the bureau,
//! reviewers are registered, the person declares and is returned twice, and the bureau accepts.

use e2e::{DEMO_PASSWORD, Server};
use serde_json::{Value, json};

const PASSWORD: &str = "Story#2026pw";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

async fn ok(server: &Server, token: Option<&str>, path: &str, body: Value) -> Value {
    let (status, answer) = server.post(token, path, &body).await.unwrap();
    assert!((200..300).contains(&status), "POST {path} answered {status}: {answer}");
    answer
}

async fn find(server: &Server, token: &str, name: &str) -> String {
    let query: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
    let (_, found) = server.get(Some(token), &format!("/orgs?q={query}")).await.unwrap();
    assert_eq!(found["total"], 1, "{name}: {found}");
    found["items"][0]["id"].as_str().unwrap().to_string()
}

async fn evidence(server: &Server, token: &str) -> String {
    let (status, body) = server.upload(token, PDF.to_vec(), "证明材料.pdf").await.unwrap();
    assert_eq!(status, 201);
    body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_seed_story_from_registration_to_acceptance() {
    let server = Server::start(&[]).await.unwrap();

    // 一、注册开户
    for (name, uscc, kind, admin, phone) in [
        ("济阳区中医医院", "12370126MB0000007F", "institution", "tcm_hospital", "13800000201"),
        ("济阳区医疗保障局", "11370126MB0000008M", "authority", "jiyang_medical", "13800000202"),
    ] {
        ok(&server, None, "/auth/register/org", json!({"name": name, "uscc": uscc, "kind": kind, "region_code": "370126",
            "address": "济阳区", "contact_name": "王主任", "contact_phone": phone, "admin_username": admin, "admin_password": PASSWORD})).await;
    }
    ok(
        &server,
        None,
        "/auth/register/person",
        json!({"username": "nurse_wang", "password": PASSWORD, "real_name": "王护士",
        "id_number": "11010519491231002X", "phone": "13700000301"}),
    )
    .await;
    let hospital = server.login("tcm_hospital", PASSWORD).await.unwrap();
    let authority = server.login("jiyang_medical", PASSWORD).await.unwrap();
    let bureau = server.login("jiyang_hrss", DEMO_PASSWORD).await.unwrap();
    let nurse = server.login("11010519491231002X", PASSWORD).await.unwrap();

    // 二、路径开通, up to the bureau.
    let authority_id = find(&server, &hospital, "医疗保障局").await;
    let bureau_id = find(&server, &authority, "人力资源和社会保障局").await;
    let lower = ok(
        &server,
        Some(&hospital),
        "/paths",
        json!({"series": "health", "level": "deputy_senior", "parent_org_id": authority_id}),
    )
    .await;
    let upper = ok(
        &server,
        Some(&authority),
        "/paths",
        json!({"series": "health", "level": "deputy_senior", "parent_org_id": bureau_id}),
    )
    .await;
    ok(&server, Some(&authority), &format!("/paths/{}/approve", lower["id"].as_str().unwrap()), json!({})).await;
    ok(&server, Some(&bureau), &format!("/paths/{}/approve", upper["id"].as_str().unwrap()), json!({})).await;

    // 提示1: real-name reviewers at each level.
    let mut reviewers = Vec::new();
    for (token, username, name, id_number, phone) in [
        (&hospital, "tcm_reviewer", "孙审核", "360426199101010071", "13800000211"),
        (&authority, "medical_reviewer", "周审核", "110102199101010078", "13800000212"),
        (&bureau, "hrss_reviewer", "吴审核", "44011320141005001X", "13800000213"),
    ] {
        let (status, problem) = server.post(Some(token), "/reviews/x/approve", &json!({})).await.unwrap();
        assert!(status == 403 || status == 404, "{problem}");
        ok(
            &server,
            Some(token),
            "/org/reviewers",
            json!({"real_name": name, "id_number": id_number, "phone": phone,
            "username": username, "password": PASSWORD}),
        )
        .await;
        reviewers.push(server.login(username, PASSWORD).await.unwrap());
    }
    let (hospital_reviewer, authority_reviewer, bureau_reviewer) = (&reviewers[0], &reviewers[1], &reviewers[2]);

    // 三、个人数据申报 with evidence, then 确认申报.
    let hospital_id = find(&server, &nurse, "中医医院").await;
    let draft = ok(
        &server,
        Some(&nurse),
        "/declarations",
        json!({"year": 2026, "kind": "title", "series": "health",
        "level": "deputy_senior", "specialty": "护理学", "org_id": hospital_id}),
    )
    .await;
    let id = draft["id"].as_str().unwrap().to_string();
    let (status, _) = server
        .patch(&nurse, &format!("/declarations/{id}"), &json!({"basic_confirmed": true, "info": {"gender": "女", "birth_date": "1949-12-31",
            "ethnicity": "汉族", "education": "大学本科", "major": "护理学", "position": "主管护师", "work_start_date": "1970-07-01",
            "profession_years": 40}}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    for (section, data, needs_evidence) in [
        (
            "education",
            json!({"school": "山东医学院", "major": "护理学", "education": "大学本科", "graduation_date": "1970-06-30"}),
            true,
        ),
        ("annual_review", json!({"year": 2025, "result": "优秀"}), false),
        ("work", json!({"start_date": "1970-07-01", "org_name": "济阳区中医医院", "position": "护士"}), false),
        ("achievement", json!({"name": "中医护理技术推广", "kind": "获奖", "date": "2024-10-01"}), true),
        ("continuing_education", json!({"year": 2025, "hours": 100, "credit_type": "I类学分"}), true),
    ] {
        let attachment_ids = if needs_evidence { vec![evidence(&server, &nurse).await] } else { vec![] };
        ok(
            &server,
            Some(&nurse),
            &format!("/declarations/{id}/items"),
            json!({"section": section, "data": data, "attachment_ids": attachment_ids}),
        )
        .await;
    }
    ok(&server, Some(&nurse), &format!("/declarations/{id}/submit"), json!({})).await;

    // 四、审核: returned with an item opinion; the nurse fixes exactly that item.
    let (_, review) = server.get(Some(hospital_reviewer), &format!("/reviews/{id}")).await.unwrap();
    let achievement = review["declaration"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["section"] == "achievement")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let work =
        review["declaration"]["items"].as_array().unwrap().iter().find(|i| i["section"] == "work").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
    ok(
        &server,
        Some(hospital_reviewer),
        &format!("/reviews/{id}/return"),
        json!({"opinion": "获奖证书不清晰",
        "items": [{"item_id": achievement, "opinion": "请上传清晰的获奖证书"}]}),
    )
    .await;
    let (status, _) = server
        .patch(
            &nurse,
            &format!("/declarations/{id}/items/{work}"),
            &json!({"data": {"start_date": "1970-07-01", "org_name": "别处", "position": "护士"}}),
        )
        .await
        .unwrap();
    assert_eq!(status, 409, "an unflagged item stays locked");
    let clearer = evidence(&server, &nurse).await;
    let (status, _) = server
        .patch(&nurse, &format!("/declarations/{id}/items/{achievement}"), &json!({"attachment_ids": [clearer]}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    ok(&server, Some(&nurse), &format!("/declarations/{id}/submit"), json!({})).await;

    // Approved, re-reviewed and returned once more (通过未上报 → 退回), then approved and reported.
    ok(&server, Some(hospital_reviewer), &format!("/reviews/{id}/approve"), json!({})).await;
    let (_, approved) = server.get(Some(hospital_reviewer), "/reviews?status=approved").await.unwrap();
    assert_eq!(approved["total"], 1);
    ok(
        &server,
        Some(hospital_reviewer),
        &format!("/reviews/{id}/return"),
        json!({"opinion": "复核：请补充年度考核",
        "add_sections": ["annual_review"]}),
    )
    .await;
    ok(
        &server,
        Some(&nurse),
        &format!("/declarations/{id}/items"),
        json!({"section": "annual_review", "data": {"year": 2024, "result": "合格"}}),
    )
    .await;
    ok(&server, Some(&nurse), &format!("/declarations/{id}/submit"), json!({})).await;
    ok(&server, Some(hospital_reviewer), &format!("/reviews/{id}/approve"), json!({"opinion": "同意上报"})).await;

    // 五、数据上报: filter by year, level and series, tick, report.
    let (_, ticked) = server
        .get(Some(hospital_reviewer), "/reviews?status=approved&year=2026&level=deputy_senior&series=health")
        .await
        .unwrap();
    let ids: Vec<&str> = ticked["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()]);
    let report = ok(&server, Some(hospital_reviewer), "/reports", json!({"declaration_ids": ids})).await;
    assert_eq!(report["to_org_id"], authority_id.as_str());

    ok(&server, Some(authority_reviewer), &format!("/reviews/{id}/approve"), json!({})).await;
    let report = ok(&server, Some(authority_reviewer), "/reports", json!({"declaration_ids": [id]})).await;
    assert_eq!(report["to_org_id"], bureau_id.as_str());
    let accepted =
        ok(&server, Some(bureau_reviewer), &format!("/reviews/{id}/approve"), json!({"opinion": "受理"})).await;
    assert_eq!(accepted["standing"], "accepted");

    // 申报进度: the person's timeline shows every step.
    let (_, declaration) = server.get(Some(&nurse), &format!("/declarations/{id}")).await.unwrap();
    assert_eq!(declaration["status"], "accepted");
    let (_, events) = server.get(Some(&nurse), &format!("/declarations/{id}/events")).await.unwrap();
    let steps: Vec<String> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}@{}", e["action"].as_str().unwrap(), e["org_name"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        steps,
        [
            "create@",
            "submit@济阳区中医医院",
            "return@济阳区中医医院",
            "resubmit@济阳区中医医院",
            "approve@济阳区中医医院",
            "return@济阳区中医医院",
            "resubmit@济阳区中医医院",
            "approve@济阳区中医医院",
            "report@济阳区中医医院",
            "approve@济阳区医疗保障局",
            "report@济阳区医疗保障局",
            "accept@济南市济阳区人力资源和社会保障局",
        ]
    );
    let actors: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "approve")
        .map(|e| e["actor_name"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["孙审核", "孙审核", "周审核"]);
    assert_eq!(events[2]["detail"]["items"][0]["opinion"], "请上传清晰的获奖证书");

    // The audit chain holds.
    let output = server.admin(&["verify-audit"]).unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}
