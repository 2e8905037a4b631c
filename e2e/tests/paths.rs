#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! The path story of the guide's sections 二 and 四 over HTTP against the real binary.

use e2e::{DEMO_PASSWORD, Server};
use serde_json::{Value, json};

const PASSWORD: &str = "Unit#2026pw";

async fn register_org(server: &Server, name: &str, uscc: &str, kind: &str, admin: &str, phone: &str) -> String {
    let (status, body) = server
        .post(
            None,
            "/auth/register/org",
            &json!({
                "name": name, "uscc": uscc, "kind": kind, "region_code": "370126", "address": "济阳区",
                "contact_name": "王主任", "contact_phone": phone, "admin_username": admin, "admin_password": PASSWORD,
            }),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{body}");
    body["org_id"].as_str().unwrap().to_string()
}

async fn find_org(server: &Server, token: &str, name: &str, kind: &str) -> String {
    let query: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
    let (status, found) = server.get(Some(token), &format!("/orgs?q={query}&kind={kind}")).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(found["total"], 1, "{found}");
    found["items"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_institution_and_its_authority_open_paths_up_to_the_bureau() {
    let server = Server::start(&[]).await.unwrap();
    register_org(&server, "济阳区第二人民医院", "12370126MB0000007F", "institution", "second_hospital", "13800000101")
        .await;
    register_org(&server, "济阳区教育和体育局", "11370126MB0000008M", "authority", "jiyang_edu", "13800000102").await;
    let hospital = server.login("second_hospital", PASSWORD).await.unwrap();
    let authority = server.login("jiyang_edu", PASSWORD).await.unwrap();
    let bureau = server.login("jiyang_hrss", DEMO_PASSWORD).await.unwrap();

    // 上级或主管单位名称: searched by name, then chosen, once the bureau verified it (单位认证).
    let authority_id = find_org(&server, &hospital, "教育和体育局", "authority").await;
    let (status, _) =
        server.post(Some(&bureau), &format!("/bureau/orgs/{authority_id}/verify"), &json!({})).await.unwrap();
    assert_eq!(status, 200);
    let bureau_id = find_org(&server, &authority, "人力资源和社会保障局", "hrss").await;

    // A first application to the wrong level of series is rejected with a reason the applicant reads.
    let (status, wrong) = server
        .post(
            Some(&hospital),
            "/paths",
            &json!({"series": "school_teacher", "level": "senior", "parent_org_id": authority_id}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201);
    let wrong_id = wrong["id"].as_str().unwrap();
    let (status, _) = server
        .post(Some(&authority), &format!("/paths/{wrong_id}/reject"), &json!({"reason": "医院不申报中小学教师系列"}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let (_, own) = server.get(Some(&hospital), "/paths?status=rejected").await.unwrap();
    assert_eq!(own["items"][0]["reason"], "医院不申报中小学教师系列");
    assert_eq!(own["items"][0]["status_label"], "审核不通过");

    // The right application, and the authority's own to the bureau; both approved.
    let (status, path) = server
        .post(
            Some(&hospital),
            "/paths",
            &json!({"series": "health", "level": "intermediate", "parent_org_id": authority_id}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201);
    assert_eq!(path["parent"]["id"], authority_id.as_str(), "the audit org is the parent itself");
    let (status, upper) = server
        .post(
            Some(&authority),
            "/paths",
            &json!({"series": "health", "level": "intermediate", "parent_org_id": bureau_id}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201);

    let (_, pending) = server.get(Some(&authority), "/path-audits?status=pending").await.unwrap();
    assert_eq!(pending["total"], 1);
    let (status, _) = server
        .post(Some(&authority), &format!("/paths/{}/approve", path["id"].as_str().unwrap()), &json!({}))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let (_, bureau_pending) = server.get(Some(&bureau), "/path-audits?status=pending").await.unwrap();
    let ids: Vec<&Value> = bureau_pending["items"].as_array().unwrap().iter().map(|p| &p["id"]).collect();
    assert!(ids.contains(&&upper["id"]));
    let (status, _) = server
        .post(Some(&bureau), &format!("/paths/{}/approve", upper["id"].as_str().unwrap()), &json!({}))
        .await
        .unwrap();
    assert_eq!(status, 200);

    let (_, own) = server.get(Some(&hospital), "/paths?status=approved").await.unwrap();
    assert_eq!(own["total"], 1);
    let (_, own) = server.get(Some(&authority), "/paths?status=approved").await.unwrap();
    assert_eq!(own["total"], 1);

    // 之前已开通路径的不再重复申请.
    let (status, problem) = server
        .post(
            Some(&hospital),
            "/paths",
            &json!({"series": "health", "level": "intermediate", "parent_org_id": authority_id}),
        )
        .await
        .unwrap();
    assert_eq!(status, 409);
    assert_eq!(problem["code"], "path_exists");
}
