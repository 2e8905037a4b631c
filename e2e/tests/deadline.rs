#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! The close at the minute, on the real binary's own clock: the bureau moves the demo plan's close
//! to the next whole minute; one applicant confirms in time, the other — ready just the same — is
//! refused once the minute has struck, with the window named (申报已于…截止). The server decides by
//! its clock, never the client's, so this test waits for the minute rather than claiming a time.

use chrono::{DurationRound, FixedOffset, TimeDelta, Utc};
use e2e::{DEMO_PASSWORD, Server};
use serde_json::json;

/// A real one-page PDF: uploads must open.
const PDF: &[u8] = include_bytes!("../../api/tests/fixtures/files/certificate.pdf");

fn id_number(seq: u32) -> String {
    let first17 = format!("37012619900303{:03}", seq % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(weights).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A new person with a complete 卫生/中级 draft at the demo hospital, ready to confirm.
async fn ready_declaration(server: &Server, hospital: &str, seq: u32) -> (String, String) {
    let username = format!("deadline{seq}");
    let id_number = id_number(seq);
    let (status, body) = server
        .post(
            None,
            "/auth/register/person",
            &json!({"username": username, "password": "Close#2026pw", "real_name": "钱护士",
            "id_number": id_number, "phone": format!("1370001{seq:04}")}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    let token = server.login(&username, "Close#2026pw").await.unwrap();
    let year = server.demo_plan_year(&token).await.unwrap();
    let (status, draft) = server
        .post(
            Some(&token),
            "/declarations",
            &json!({"year": year, "kind": "title", "series": "health", "level": "intermediate",
            "specialty": "护理学", "org_id": hospital}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{draft}");
    let id = draft["id"].as_str().unwrap().to_string();
    let gender = if id_number.as_bytes()[16] % 2 == 1 { "男" } else { "女" };
    let (status, body) = server
        .patch(&token, &format!("/declarations/{id}"), &json!({"basic_confirmed": true, "info": {"gender": gender,
            "birth_date": "1990-03-03", "ethnicity": "汉族", "education": "大学本科", "major": "护理学", "position": "护士",
            "work_start_date": "2012-07-01", "profession_years": 12}}))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let (_, upload) = server.upload(&token, PDF.to_vec(), "证明.pdf").await.unwrap();
    let evidence = upload["id"].as_str().unwrap();
    for (section, data) in [
        (
            "education",
            json!({"school": "山东大学", "major": "护理学", "education": "大学本科", "graduation_date": "2012-06-30"}),
        ),
        ("annual_review", json!({"year": year - 1, "result": "合格"})),
        ("work", json!({"start_date": "2012-07-01", "org_name": "济阳区人民医院", "position": "护士"})),
        ("achievement", json!({"name": "护理成果", "kind": "论文", "date": "2024-01-01"})),
        ("continuing_education", json!({"year": year - 1, "hours": 90, "credit_type": "I类学分"})),
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
    (token, id)
}

#[tokio::test]
async fn the_plan_closes_at_the_minute_one_applicant_in_time_the_other_refused() {
    let server = Server::start(&[]).await.unwrap();
    let reviewer = server.login("hospital_reviewer", DEMO_PASSWORD).await.unwrap();
    let (_, me) = server.get(Some(&reviewer), "/me").await.unwrap();
    let hospital = me["org"]["id"].as_str().unwrap().to_string();
    let (early_token, early) = ready_declaration(&server, &hospital, 1).await;
    let (late_token, late) = ready_declaration(&server, &hospital, 2).await;

    // The bureau moves the close to the next whole minute (at least 5 seconds away).
    let bureau = server.login("jiyang_hrss", DEMO_PASSWORD).await.unwrap();
    let (_, declaration) = server.get(Some(&early_token), &format!("/declarations/{early}")).await.unwrap();
    let plan_id = declaration["plan"]["id"].as_str().unwrap().to_string();
    let minute = TimeDelta::minutes(1);
    let mut close = (Utc::now() + minute).duration_trunc(minute).unwrap();
    if close - Utc::now() < TimeDelta::seconds(5) {
        close += minute;
    }
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
    let (status, plan) = server
        .patch(&bureau, &format!("/plans/{plan_id}"), &json!({"closes_at": close.with_timezone(&beijing).to_rfc3339()}))
        .await
        .unwrap();
    assert_eq!(status, 200, "{plan}");
    let words = format!("申报已于{}截止", close.with_timezone(&beijing).format("%Y年%-m月%-d日%H:%M"));

    // In time: the first applicant confirms before the minute.
    let (status, body) = server.submit(&early_token, &early).await.unwrap();
    assert!(Utc::now() < close, "the submit must happen before the close for this test to mean anything");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "pending");

    // The minute strikes; the second applicant, just as ready, is refused with the window named.
    let wait = (close - Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(1500);
    tokio::time::sleep(wait).await;
    let (status, problem) = server.submit(&late_token, &late).await.unwrap();
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["detail"], words.as_str(), "{problem}");
    let pointers: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(pointers, ["/plan_id"]);
    let (_, still) = server.get(Some(&late_token), &format!("/declarations/{late}")).await.unwrap();
    assert_eq!(still["status"], "draft");
    assert_eq!(still["plan"]["seconds_to_submit_until"], 0);

    // The one in time stays in the chain: the hospital has it.
    let (_, pending) = server.get(Some(&reviewer), "/reviews?status=pending").await.unwrap();
    let ids: Vec<&str> = pending["items"].as_array().unwrap().iter().filter_map(|r| r["id"].as_str()).collect();
    assert!(ids.contains(&early.as_str()) && !ids.contains(&late.as_str()), "{pending}");
}
