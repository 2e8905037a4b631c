//! The seed guide's whole story over HTTP (`tests/story.rs` runs it on one instance,
//! `tests/instances.rs` alternating between two behind one database): units and a person
//! register, paths are opened up to the bureau, reviewers are registered, the person declares and
//! is returned twice, the hospital reports her (数据上报, retried with its Idempotency-Key), the
//! bureau accepts, a committee draws experts who vote by secret ballot until the session closes
//! with 评审通过, the result is published (公示), the period passes, the result becomes final
//! with an electronic certificate, and anyone checks that certificate without logging in.
//!
//! Every request goes through a [`Rotation`]: with one instance that is the instance; with
//! several, each request goes to the next one, so no step can lean on what the previous step left
//! in one process's memory.
//!
//! The period passes on a further instance started on the same database with its rules' clock
//! ahead (`APP__CLOCK__OFFSET_DAYS`, read once at start): its periodic job makes the ended 公示
//! final, as it would on the first working day after the period.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test's steps: a failed step is the test failing

use crate::{DEMO_PASSWORD, Rotation};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};

const PASSWORD: &str = "Story#2026pw";
/// The platform's public address, which certificates' QR codes carry.
pub const PUBLIC_URL: &str = "https://zhicheng.example.gov.cn";
/// A real one-page PDF: uploads must open.
const PDF: &[u8] = include_bytes!("../../api/tests/fixtures/files/certificate.pdf");

async fn ok(api: &Rotation<'_>, token: Option<&str>, path: &str, body: Value) -> Value {
    let (status, answer) = api.post(token, path, &body).await.unwrap();
    assert!((200..300).contains(&status), "POST {path} answered {status}: {answer}");
    answer
}

async fn find(api: &Rotation<'_>, token: &str, name: &str) -> String {
    let query: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
    let (_, found) = api.get(Some(token), &format!("/orgs?q={query}")).await.unwrap();
    assert_eq!(found["total"], 1, "{name}: {found}");
    found["items"][0]["id"].as_str().unwrap().to_string()
}

/// 确认申报 with the plan's 诚信承诺书 accepted.
async fn submit(api: &Rotation<'_>, token: &str, id: &str) -> Value {
    let (status, answer) = api.submit(token, id).await.unwrap();
    assert_eq!(status, 200, "submit answered {status}: {answer}");
    answer
}

async fn evidence(api: &Rotation<'_>, token: &str) -> String {
    let (status, body) = api.upload(token, PDF.to_vec(), "证明材料.pdf").await.unwrap();
    assert_eq!(status, 201);
    body["id"].as_str().unwrap().to_string()
}

/// What the instances the story runs on need besides the defaults of [`crate::Server::start`].
pub const SETTINGS: &[(&str, &str)] = &[("APP__SECURITY__PUBLIC_URL", PUBLIC_URL)];

/// Runs the whole story through `api`, whose instances were started with [`SETTINGS`] on one
/// fresh database with demo data.
pub async fn the_seed_story(api: &Rotation<'_>) {
    // 一、注册开户
    for (name, uscc, kind, admin, phone) in [
        ("济阳区中医医院", "12370126MB0000007F", "institution", "tcm_hospital", "13800000201"),
        ("济阳区医疗保障局", "11370126MB0000008M", "authority", "jiyang_medical", "13800000202"),
    ] {
        ok(api, None, "/auth/register/org", json!({"name": name, "uscc": uscc, "kind": kind, "region_code": "370126",
            "address": "济阳区", "contact_name": "王主任", "contact_phone": phone, "admin_username": admin, "admin_password": PASSWORD})).await;
    }
    ok(
        api,
        None,
        "/auth/register/person",
        json!({"username": "nurse_wang", "password": PASSWORD, "real_name": "王护士",
        "id_number": "11010519491231002X", "phone": "13700000301"}),
    )
    .await;
    let hospital = api.login("tcm_hospital", PASSWORD).await.unwrap();
    let authority = api.login("jiyang_medical", PASSWORD).await.unwrap();
    let bureau = api.login("jiyang_hrss", DEMO_PASSWORD).await.unwrap();
    let nurse = api.login("11010519491231002X", PASSWORD).await.unwrap();

    // 单位认证: the new authority is no parent until the bureau vouches for it (单位认证审核).
    let authority_id = find(api, &hospital, "医疗保障局").await;
    let (status, refused) = api
        .post(
            Some(&hospital),
            "/paths",
            &json!({"series": "health", "level": "deputy_senior", "parent_org_id": authority_id}),
        )
        .await
        .unwrap();
    assert_eq!(status, 422, "an unverified parent: {refused}");
    let (_, waiting) = api.get(Some(&bureau), "/bureau/orgs?verification=unverified").await.unwrap();
    assert_eq!(waiting["items"][0]["id"], authority_id.as_str(), "{waiting}");
    ok(api, Some(&bureau), &format!("/bureau/orgs/{authority_id}/verify"), json!({})).await;

    // 二、路径开通, up to the bureau.
    let bureau_id = find(api, &authority, "人力资源和社会保障局").await;
    let lower = ok(
        api,
        Some(&hospital),
        "/paths",
        json!({"series": "health", "level": "deputy_senior", "parent_org_id": authority_id}),
    )
    .await;
    let upper = ok(
        api,
        Some(&authority),
        "/paths",
        json!({"series": "health", "level": "deputy_senior", "parent_org_id": bureau_id}),
    )
    .await;
    ok(api, Some(&authority), &format!("/paths/{}/approve", lower["id"].as_str().unwrap()), json!({})).await;
    ok(api, Some(&bureau), &format!("/paths/{}/approve", upper["id"].as_str().unwrap()), json!({})).await;

    // 提示1: real-name reviewers at each level.
    let mut reviewers = Vec::new();
    for (token, username, name, id_number, phone) in [
        (&hospital, "tcm_reviewer", "孙审核", "360426199101010071", "13800000211"),
        (&authority, "medical_reviewer", "周审核", "110102199101010078", "13800000212"),
        (&bureau, "hrss_reviewer", "吴审核", "44011320141005001X", "13800000213"),
    ] {
        let (status, problem) = api.post(Some(token), "/reviews/x/approve", &json!({})).await.unwrap();
        assert!(status == 403 || status == 404, "{problem}");
        ok(
            api,
            Some(token),
            "/org/reviewers",
            json!({"real_name": name, "id_number": id_number, "phone": phone,
            "username": username, "password": PASSWORD}),
        )
        .await;
        reviewers.push(api.login(username, PASSWORD).await.unwrap());
    }
    let (hospital_reviewer, authority_reviewer, bureau_reviewer) = (&reviewers[0], &reviewers[1], &reviewers[2]);

    // 三、个人数据申报 inside the year's plan (申报计划) the bureau published, then 确认申报.
    let (_, open) = api.get(Some(&nurse), "/plans?open=true").await.unwrap();
    let plan = open["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["bureau"]["id"] == bureau_id.as_str())
        .expect("the bureau's open plan")
        .clone();
    assert!(
        plan["scopes"].as_array().unwrap().iter().any(|s| s["series"] == "health" && s["level"] == "deputy_senior")
    );
    assert!(plan["seconds_to_close"].as_i64().unwrap() > 0);
    let year = plan["year"].as_i64().unwrap();
    let hospital_id = find(api, &nurse, "中医医院").await;
    let draft = ok(
        api,
        Some(&nurse),
        "/declarations",
        json!({"year": year, "kind": "title", "series": "health",
        "level": "deputy_senior", "specialty": "护理学", "org_id": hospital_id, "plan_id": plan["id"]}),
    )
    .await;
    assert_eq!(draft["plan"]["id"], plan["id"]);
    let id = draft["id"].as_str().unwrap().to_string();
    let rules: Vec<&str> =
        draft["eligibility"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(rules, ["title_years", "profession_years", "annual_review", "continuing_education"]);
    let (status, _) = api
        .patch(&nurse, &format!("/declarations/{id}"), &json!({"basic_confirmed": true, "info": {"gender": "女", "birth_date": "1949-12-31",
            "ethnicity": "汉族", "education": "大学本科", "major": "护理学", "position": "主管护师", "work_start_date": "1970-07-01",
            "profession_years": 40, "current_title_level": "中级", "current_title_date": "1990-12-01"}}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    for (section, data, needs_evidence) in [
        (
            "education",
            json!({"school": "山东医学院", "major": "护理学", "education": "大学本科", "graduation_date": "1970-06-30"}),
            true,
        ),
        // 资格条件 of 卫生/副高级 (demo data): 中级 held 5 years, 年度考核 and 继续教育 each of the last 3 years.
        ("annual_review", json!({"year": year - 1, "result": "优秀"}), false),
        ("annual_review", json!({"year": year - 2, "result": "合格"}), false),
        ("annual_review", json!({"year": year - 3, "result": "合格"}), false),
        ("work", json!({"start_date": "1970-07-01", "org_name": "济阳区中医医院", "position": "护士"}), false),
        ("achievement", json!({"name": "中医护理技术推广", "kind": "获奖", "date": "2024-10-01"}), true),
        ("continuing_education", json!({"year": year - 1, "hours": 100, "credit_type": "I类学分"}), true),
        ("continuing_education", json!({"year": year - 2, "hours": 90, "credit_type": "I类学分"}), true),
        ("continuing_education", json!({"year": year - 3, "hours": 96, "credit_type": "II类学分"}), true),
    ] {
        let attachment_ids = if needs_evidence { vec![evidence(api, &nurse).await] } else { vec![] };
        ok(
            api,
            Some(&nurse),
            &format!("/declarations/{id}/items"),
            json!({"section": section, "data": data, "attachment_ids": attachment_ids}),
        )
        .await;
    }
    submit(api, &nurse, &id).await;

    // 四、审核: returned with an item opinion; the nurse fixes exactly that item.
    let (_, review) = api.get(Some(hospital_reviewer), &format!("/reviews/{id}")).await.unwrap();
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
        api,
        Some(hospital_reviewer),
        &format!("/reviews/{id}/return"),
        json!({"opinion": "获奖证书不清晰",
        "items": [{"item_id": achievement, "opinion": "请上传清晰的获奖证书"}]}),
    )
    .await;
    let (status, _) = api
        .patch(
            &nurse,
            &format!("/declarations/{id}/items/{work}"),
            &json!({"data": {"start_date": "1970-07-01", "org_name": "别处", "position": "护士"}}),
        )
        .await
        .unwrap();
    assert_eq!(status, 409, "an unflagged item stays locked");
    let clearer = evidence(api, &nurse).await;
    let (status, _) = api
        .patch(&nurse, &format!("/declarations/{id}/items/{achievement}"), &json!({"attachment_ids": [clearer]}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    submit(api, &nurse, &id).await;

    // Approved, re-reviewed and returned once more (通过未上报 → 退回), then approved and reported.
    ok(api, Some(hospital_reviewer), &format!("/reviews/{id}/approve"), json!({})).await;
    let (_, approved) = api.get(Some(hospital_reviewer), "/reviews?status=approved").await.unwrap();
    assert_eq!(approved["total"], 1);
    ok(
        api,
        Some(hospital_reviewer),
        &format!("/reviews/{id}/return"),
        json!({"opinion": "复核：请补充年度考核",
        "add_sections": ["annual_review"]}),
    )
    .await;
    ok(
        api,
        Some(&nurse),
        &format!("/declarations/{id}/items"),
        json!({"section": "annual_review", "data": {"year": year - 4, "result": "合格"}}),
    )
    .await;
    submit(api, &nurse, &id).await;
    ok(api, Some(hospital_reviewer), &format!("/reviews/{id}/approve"), json!({"opinion": "同意上报"})).await;

    // 五、数据上报: filter by year, level and series, tick, report.
    let (_, ticked) = api
        .get(
            Some(hospital_reviewer),
            &format!("/reviews?status=approved&year={year}&level=deputy_senior&series=health"),
        )
        .await
        .unwrap();
    let ids: Vec<&str> = ticked["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()]);
    // Sent with an Idempotency-Key, as an integrator's client does; its answer is lost, so it is
    // sent again (on the next instance when the story alternates).
    let key = [("idempotency-key", "story-hospital-report-1")];
    let batch = json!({"declaration_ids": ids});
    let (status, report) = api.post_with(Some(hospital_reviewer), "/reports", &batch, &key).await.unwrap();
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["to_org_id"], authority_id.as_str());
    let (status, again) = api.post_with(Some(hospital_reviewer), "/reports", &batch, &key).await.unwrap();
    assert_eq!((status, &again), (200, &report), "the retry answers the first report");
    // The key is spent on that batch, on every instance. A retry of the same batch would also be
    // recognised without its key (every id already reported by this organisation), so this is the
    // request that shows the key itself is shared: were keys kept by the process that made the
    // report, the other would judge the batch afresh and answer `report_refused`. Sent twice, so
    // that with two instances in turn one of the two is the instance that did not make the report.
    let other = json!({"declaration_ids": [id.as_str(), "no-such-declaration"]});
    for _ in 0..2 {
        let (status, reused) = api.post_with(Some(hospital_reviewer), "/reports", &other, &key).await.unwrap();
        assert_eq!((status, reused["code"].as_str()), (422, Some("idempotency_key_reused")), "{reused}");
    }
    let (_, sent) = api.get(Some(hospital_reviewer), "/reports?direction=sent").await.unwrap();
    assert_eq!(sent["total"], 1, "one report, however often it was sent: {sent}");

    ok(api, Some(authority_reviewer), &format!("/reviews/{id}/approve"), json!({})).await;
    let report = ok(api, Some(authority_reviewer), "/reports", json!({"declaration_ids": [id]})).await;
    assert_eq!(report["to_org_id"], bureau_id.as_str());
    let accepted = ok(api, Some(bureau_reviewer), &format!("/reviews/{id}/approve"), json!({"opinion": "受理"})).await;
    assert_eq!(accepted["standing"], "accepted");

    // 申报进度: the person's timeline shows every step.
    let (_, declaration) = api.get(Some(&nurse), &format!("/declarations/{id}")).await.unwrap();
    assert_eq!(declaration["status"], "accepted");
    let (_, events) = api.get(Some(&nurse), &format!("/declarations/{id}/events")).await.unwrap();
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

    // 评委会: the 卫生健康局 forms a 卫生系列副高级 committee, the bureau approves it and routes its
    // accepted 卫生/副高级 declarations to it; 19 experts enter the library, two of them from the
    // applicant's own hospital.
    let health = api.login("jiyang_health", DEMO_PASSWORD).await.unwrap();
    let committee = ok(
        api,
        Some(&health),
        "/committees",
        json!({"name": "济阳区卫生系列副高级职称评审委员会",
        "series": "health", "levels": ["deputy_senior"], "bureau_org_id": bureau_id}),
    )
    .await;
    assert_eq!(committee["levels"][0]["min_members"], 17);
    let committee_id = committee["id"].as_str().unwrap().to_string();
    ok(api, Some(&bureau), &format!("/committees/{committee_id}/approve"), json!({})).await;
    let route = ok(
        api,
        Some(&bureau),
        "/committee-routes",
        json!({"committee_id": committee_id, "series": "health", "level": "deputy_senior"}),
    )
    .await;
    ok(api, Some(&health), &format!("/committee-routes/{}/approve", route["id"].as_str().unwrap()), json!({})).await;
    let health_id = find(api, &nurse, "卫生健康局").await;
    let mut experts = Vec::new();
    for seq in 1..=19u32 {
        let first17 = format!("37012619700101{:03}", 100 + seq * 2 + 1);
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17.bytes().zip(weights).map(|(d, w)| u32::from(d - b'0') * w).sum();
        let id_number = format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char);
        let home = if seq <= 2 { &hospital_id } else { &health_id };
        let expert = ok(
            api,
            Some(&health),
            &format!("/committees/{committee_id}/experts"),
            json!({
            "real_name": "钱专家", "id_number": id_number, "phone": format!("137000004{seq:02}"),
            "username": format!("story_expert{seq:02}"), "password": PASSWORD, "org_id": home, "series": "health",
            "specialty": "护理学", "level": if seq % 2 == 0 { "senior" } else { "deputy_senior" },
            "reason": "从事护理工作二十年，推荐入库"}),
        )
        .await;
        experts.push((expert["id"].as_str().unwrap().to_string(), format!("story_expert{seq:02}"), seq <= 2));
    }
    // 评审会: the accepted declaration is gathered (评审中), 17 experts are drawn from a sealed seed.
    let until = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let session = ok(api, Some(&health), &format!("/committees/{committee_id}/sessions"), json!({
        "name": format!("{year}年度卫生系列副高级评审会"), "year": year, "level": "deputy_senior", "vote_until": until})).await;
    let session_id = session["id"].as_str().unwrap().to_string();
    let gathered = ok(api, Some(&health), &format!("/review-sessions/{session_id}/gather"), json!({})).await;
    assert_eq!(gathered["added"], 1);
    let (_, declaration) = api.get(Some(&nurse), &format!("/declarations/{id}")).await.unwrap();
    assert_eq!(declaration["status"], "in_review");
    let sealed = ok(api, Some(&health), &format!("/review-sessions/{session_id}/draws"), json!({"count": 17})).await;
    let draw_id = sealed["id"].as_str().unwrap().to_string();
    let record = ok(api, Some(&health), &format!("/review-sessions/{session_id}/draws/{draw_id}/run"), json!({})).await;
    assert_eq!(record["seed"], sealed["seed"]);
    let drawn: Vec<String> = serde_json::from_value(record["output"].clone()).unwrap();
    assert_eq!(drawn.len(), 17);
    for (expert, _, from_hospital) in &experts {
        if *from_hospital {
            assert!(!drawn.contains(expert), "an expert of the applicant's hospital was drawn");
        }
    }
    let (_, replay) =
        api.get(Some(&health), &format!("/review-sessions/{session_id}/draws/{draw_id}/replay")).await.unwrap();
    assert_eq!(replay["matches"], true);

    // 信息评审: 12 of the 17 (the quorum) sign in with their second factor and vote: 9 同意.
    let mut voters = 0;
    for (expert, username, _) in &experts {
        if !drawn.contains(expert) || voters == 12 {
            continue;
        }
        let first = api.login(username, PASSWORD).await.unwrap();
        let enrollment = ok(api, Some(&first), "/me/totp", json!({"password": PASSWORD})).await;
        let secret = totp_rs::Secret::Encoded(enrollment["secret"].as_str().unwrap().to_string()).to_bytes().unwrap();
        let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret, None, String::new());
        let now = chrono::Utc::now().timestamp() as u64;
        ok(api, Some(&first), "/me/totp/confirm", json!({"code": totp.generate(now)})).await;
        let login = ok(
            api,
            None,
            "/auth/login",
            json!({"account": username, "password": PASSWORD, "totp_code": totp.generate(now + 30)}),
        )
        .await;
        let token = login["access_token"].as_str().unwrap().to_string();
        let (status, read) =
            api.get(Some(&token), &format!("/review-sessions/{session_id}/declarations/{id}")).await.unwrap();
        assert_eq!(status, 200);
        assert_eq!(read["declaration"]["applicant"]["name"], "王护士");
        assert_eq!(read["declaration"]["applicant"]["id_number"], "110105********002X");
        let choice = match voters {
            0..=8 => "agree",
            9 | 10 => "disagree",
            _ => "abstain",
        };
        let (status, _) = api
            .post(
                Some(&token),
                &format!("/review-sessions/{session_id}/declarations/{id}/vote"),
                &json!({"choice": choice, "opinion": "业绩符合副高级评审条件"}),
            )
            .await
            .unwrap();
        assert_eq!(status, 204);
        voters += 1;
    }
    let (_, progress) = api.get(Some(&health), &format!("/review-sessions/{session_id}/progress")).await.unwrap();
    assert_eq!(progress["declarations"][0]["voted"].as_array().unwrap().len(), 12);
    assert!(!progress.to_string().contains("agree"), "the board never shows how anyone voted");

    // 结束评审会: 9 同意 of 12 present (quorum 12 of 17) passes.
    let closed = ok(api, Some(&health), &format!("/review-sessions/{session_id}/close"), json!({})).await;
    assert_eq!(closed["declarations"][0]["result"]["result"], "passed");
    assert_eq!(closed["declarations"][0]["result"]["present"], 12);
    assert_eq!(closed["declarations"][0]["result"]["agree"], 9);
    let (_, declaration) = api.get(Some(&nurse), &format!("/declarations/{id}")).await.unwrap();
    assert_eq!(declaration["status"], "passed");
    let (_, events) = api.get(Some(&nurse), &format!("/declarations/{id}/events")).await.unwrap();
    let tail: Vec<String> = events
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .take(2)
        .map(|e| format!("{}@{}", e["action"].as_str().unwrap(), e["org_name"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(tail, ["pass@济南市济阳区卫生健康局", "assign@济南市济阳区卫生健康局"]);
    assert!(!events.to_string().contains("钱专家"), "no expert in the applicant's timeline");

    // 发布公示: the committee's admin publishes the session's result for 5 working days; the public
    // page (no login) shows her masked ID number only.
    let published =
        ok(api, Some(&health), &format!("/review-sessions/{session_id}/publish"), json!({"working_days": 5})).await;
    assert_eq!(published["status"], "open");
    let publicity_id = published["id"].as_str().unwrap().to_string();
    let ends_on = chrono::NaiveDate::parse_from_str(published["ends_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let (_, declaration) = api.get(Some(&nurse), &format!("/declarations/{id}")).await.unwrap();
    assert_eq!(declaration["status"], "publicized");
    let (status, page) = api.get(None, &format!("/public/publicities/{publicity_id}")).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(page["entries"][0]["id_number_masked"], "110105********002X");
    assert_eq!(page["entries"][0]["state"], "publicized");
    assert!(!page.to_string().contains("11010519491231002X") && !page.to_string().contains("13700000301"));
    // The result is not final while the period runs, not even at the committee's word.
    let (status, early) =
        api.post(Some(&health), &format!("/publicities/{publicity_id}/finalise"), &json!({})).await.unwrap();
    assert_eq!((status, early["code"].as_str()), (422, Some("publicity_not_ended")), "{early}");

    // 公示期满: one more instance starts with its clock on the first day after the period (Beijing),
    // and its periodic job makes the result final and issues the certificate. The clocks of the
    // instances the story talks to were never moved: they answer everything that follows.
    let beijing_today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let offset = ((ends_on - beijing_today).num_days() + 1).to_string();
    let nurse = api.login("11010519491231002X", PASSWORD).await.unwrap();
    let (_, none) = api.get(Some(&nurse), "/me/certificates").await.unwrap();
    assert_eq!(none, json!([]), "no certificate while the period runs");
    let later = api.first().sibling(&[("APP__CLOCK__OFFSET_DAYS", offset.as_str())]).unwrap();
    let mut certificates = Value::Null;
    for _ in 0..240 {
        let (status, mine) = api.get(Some(&nurse), "/me/certificates").await.unwrap();
        assert_eq!(status, 200, "{mine}");
        if mine.as_array().is_some_and(|c| !c.is_empty()) {
            certificates = mine;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let logged = later.output.lock().unwrap().join("\n");
    assert!(logged.contains("clock.offset_days"), "the moved clock is logged as a warning: {logged}");
    assert_eq!(certificates.as_array().map(Vec::len), Some(1), "no certificate after the period: {logged}");
    let certificate = certificates[0].clone();
    let number = certificate["number"].as_str().unwrap().to_string();
    assert_eq!(certificate["status"], "valid");
    assert_eq!(certificate["holder_name"], "王护士");
    assert_eq!(certificate["id_number_masked"], "110105********002X");
    assert!(certificate["issued_on"].as_str().unwrap() > ends_on.format("%Y-%m-%d").to_string().as_str());
    assert_eq!(certificate["verify_url"], format!("{PUBLIC_URL}/verify/{number}"));
    let (_, declaration) = api.get(Some(&nurse), &format!("/declarations/{id}")).await.unwrap();
    assert_eq!(declaration["status"], "certified");
    let (_, events) = api.get(Some(&nurse), &format!("/declarations/{id}/events")).await.unwrap();
    let last = events.as_array().unwrap().last().unwrap();
    assert_eq!((last["action"].as_str(), last["actor_name"].as_str()), (Some("certify"), Some("评审结果公示期满")));
    let (_, page) = api.get(None, &format!("/public/publicities/{publicity_id}")).await.unwrap();
    assert_eq!((page["status"].as_str(), page["entries"][0]["state"].as_str()), (Some("final"), Some("certified")));

    // 证书核验 with no login: valid, with the holder's data masked.
    let (status, checked) = api.get(None, &format!("/verify/{number}")).await.unwrap();
    assert_eq!(status, 200, "{checked}");
    assert_eq!(checked["status"], "valid");
    assert_eq!(checked["holder_name"], "王护士");
    assert_eq!(checked["id_number_masked"], "110105********002X");
    assert_eq!(checked["verify_url"], certificate["verify_url"]);
    assert!(!checked.to_string().contains("11010519491231002X") && !checked.to_string().contains("13700000301"));
    let (status, _) = api.get(None, "/verify/ZC20260000000000").await.unwrap();
    assert_eq!(status, 404, "a made-up number is no certificate");

    // The PDF: its Ed25519 signature checks against the published public key, and fails for one
    // changed byte; it prints the masked ID number only; its QR code is the verification address.
    let server = api.next();
    let response = server
        .client
        .get(server.url(&format!("/me/certificates/{number}/pdf")))
        .bearer_auth(&nurse)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-signature"].to_str().unwrap(), certificate["signature"].as_str().unwrap());
    let pdf = response.bytes().await.unwrap().to_vec();
    let (status, key) = api.get(None, "/verify/public-key").await.unwrap();
    assert_eq!((status, key["algorithm"].as_str()), (200, Some("Ed25519")));
    let key: [u8; 32] = BASE64.decode(key["public_key"].as_str().unwrap()).unwrap().try_into().unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap();
    let signature =
        ed25519_dalek::Signature::from_slice(&BASE64.decode(certificate["signature"].as_str().unwrap()).unwrap())
            .unwrap();
    assert!(key.verify_strict(&pdf, &signature).is_ok(), "the platform's signature over the PDF");
    let mut forged = pdf.clone();
    let middle = forged.len() / 2;
    forged[middle] ^= 1;
    assert!(key.verify_strict(&forged, &signature).is_err(), "one changed byte fails the signature");
    for (bytes, genuine) in [(&pdf, true), (&forged, false)] {
        let server = api.next();
        let response = server
            .client
            .post(server.url(&format!("/verify/{number}/pdf")))
            .header("content-type", "application/pdf")
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.json::<Value>().await.unwrap()["genuine"], genuine, "the site's own PDF check");
    }
    let (lines, qr) = read_certificate(&pdf);
    assert!(lines.contains(&format!("证书编号：{number}")), "{lines:?}");
    assert!(lines.contains(&"身份证号：110105********002X".to_string()), "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("11010519491231002X")), "no full ID number in the PDF");
    assert_eq!(qr, certificate["verify_url"].as_str().unwrap(), "the QR code encodes the verification address");
    drop(later);

    // 谁查询了我: the holder sees the anonymous check.
    let (_, checks) = api.get(Some(&nurse), &format!("/me/certificates/{number}/checks")).await.unwrap();
    let checks = checks.as_array().unwrap();
    assert!(checks.iter().any(|c| c["via"] == "lookup" && c["checker_org_name"].is_null()), "{checks:?}");
    assert!(checks.iter().any(|c| c["via"] == "pdf"), "{checks:?}");

    // The audit chain holds.
    let output = api.first().admin(&["verify-audit"]).unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}

/// The text lines of a certificate PDF and what its QR code says. The QR is drawn as filled
/// squares; they are painted onto a white raster (with a quiet zone) and read back with rqrr, a
/// decoder that shares nothing with the encoder the server uses.
fn read_certificate(pdf: &[u8]) -> (Vec<String>, String) {
    let document = lopdf::Document::load_mem(pdf).unwrap();
    let pages = document.get_pages();
    assert_eq!(pages.len(), 1, "one page");
    let page = *pages.values().next().unwrap();
    let content = lopdf::content::Content::decode(&document.get_page_content(page)).unwrap();
    let mut lines = Vec::new();
    let mut squares = Vec::new();
    for operation in &content.operations {
        match operation.operator.as_str() {
            "Tj" => {
                let bytes = operation.operands[0].as_str().unwrap();
                let units: Vec<u16> = bytes.chunks(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]])).collect();
                lines.push(String::from_utf16(&units).unwrap());
            }
            "re" => {
                let n: Vec<f32> = operation.operands.iter().map(|o| o.as_float().unwrap()).collect();
                squares.push((n[0], n[1], n[2], n[3]));
            }
            _ => {}
        }
    }
    assert!(!squares.is_empty(), "the PDF draws a QR code");
    let left = squares.iter().map(|s| s.0).fold(f32::MAX, f32::min);
    let right = squares.iter().map(|s| s.0 + s.2).fold(f32::MIN, f32::max);
    let bottom = squares.iter().map(|s| s.1).fold(f32::MAX, f32::min);
    let top = squares.iter().map(|s| s.1 + s.3).fold(f32::MIN, f32::max);
    let (scale, quiet) = (3.0_f32, 16.0_f32);
    let width = ((right - left + 2.0 * quiet) * scale) as usize;
    let height = ((top - bottom + 2.0 * quiet) * scale) as usize;
    let mut raster = vec![255u8; width * height];
    for &(x, y, w, h) in &squares {
        // PDF units to pixels; the PDF's y axis points up, the raster's down.
        let column = |u: f32| ((u - left + quiet) * scale).round() as usize;
        let row = |v: f32| ((top + quiet - v) * scale).round() as usize;
        for r in row(y + h)..row(y) {
            raster[r * width + column(x)..r * width + column(x + w)].fill(0);
        }
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| raster[y * width + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    let (_, text) = grids[0].decode().unwrap();
    (lines, text)
}
