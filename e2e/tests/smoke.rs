#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! The binary as a newcomer meets it: demo data, demo logins, docs, graceful shutdown.

use e2e::{ADMIN_PASSWORD, DEMO_PASSWORD, Server};
use serde_json::json;

#[tokio::test]
async fn the_demo_accounts_log_in_and_the_docs_render() -> anyhow::Result<()> {
    let server = Server::start(&[]).await?;
    let demo = [
        "jiyang_hrss",
        "jiyang_street",
        "jiyang_health",
        "jiyang_hospital",
        "luxin_machinery",
        "hospital_reviewer",
        "nurse_zhang",
    ];
    for username in demo {
        let token = server.login(username, DEMO_PASSWORD).await?;
        let (status, me) = server.get(Some(&token), "/me").await?;
        assert_eq!(status, 200, "{username}");
        assert_eq!(me["username"], username);
    }
    // The person also logs in with her ID number and her phone.
    server.login("370126199003050024", DEMO_PASSWORD).await?;
    server.login("13905310100", DEMO_PASSWORD).await?;
    server.login("admin", ADMIN_PASSWORD).await?;

    let docs = server.client.get(format!("{}/api/docs/", server.base)).send().await?;
    assert_eq!(docs.status(), 200);
    let (status, document) = server.get(None, "/openapi.json").await?;
    assert_eq!(status, 200);
    assert!(document["paths"]["/api/v1/auth/login"]["post"].is_object());
    let printed = server.output.lock().map(|lines| lines.join("\n")).unwrap_or_default();
    assert!(printed.contains(DEMO_PASSWORD), "demo passwords are printed on start");
    Ok(())
}

#[tokio::test]
async fn a_restart_keeps_data_and_does_not_seed_twice() -> anyhow::Result<()> {
    let mut server = Server::start(&[]).await?;
    let (status, _) = server
        .post(
            None,
            "/auth/register/person",
            &json!({
                "username": "restart_check", "password": "Restart#2026", "real_name": "重启测试",
                "id_number": "11010519491231002X", "phone": "13700000001",
            }),
        )
        .await?;
    assert_eq!(status, 201);
    assert!(server.terminate()?, "SIGTERM ends the process cleanly");
    server.spawn()?;
    server.login("restart_check", "Restart#2026").await?;
    server.login("nurse_zhang", DEMO_PASSWORD).await?;
    Ok(())
}

#[tokio::test]
async fn the_forgotten_password_flow_works_through_the_sms_outbox() -> anyhow::Result<()> {
    let server = Server::start(&[]).await?;
    let (status, _) = server.post(None, "/auth/password/forgot", &json!({"account": "nurse_zhang"})).await?;
    assert_eq!(status, 202);
    let messages = server.sms_outbox("13905310100")?;
    let code: String = messages
        .first()
        .and_then(|message| message.split("验证码为").nth(1))
        .map(|rest| rest.chars().take(6).collect())
        .unwrap_or_default();
    let (status, body) = server
        .post(
            None,
            "/auth/password/reset",
            &json!({"account": "nurse_zhang", "code": code, "new_password": "Brand#New2026"}),
        )
        .await?;
    assert_eq!(status, 204, "{body}");
    server.login("nurse_zhang", "Brand#New2026").await?;
    let output = server.admin(&["verify-audit"])?;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    Ok(())
}
