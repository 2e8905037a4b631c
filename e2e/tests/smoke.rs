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
    // The text is queued and sent by the server's jobs worker: wait for it.
    let mut messages = Vec::new();
    for _ in 0..100 {
        messages = server.sms_outbox("13905310100")?;
        if !messages.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
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

#[tokio::test]
async fn a_reviewer_with_a_second_factor_signs_in_with_a_code_and_an_operator_can_remove_it() -> anyhow::Result<()> {
    use totp_rs::{Algorithm, Secret, TOTP};
    let server = Server::start(&[]).await?;
    let token = server.login("hospital_reviewer", DEMO_PASSWORD).await?;
    let (status, enrollment) = server.post(Some(&token), "/me/totp", &json!({"password": DEMO_PASSWORD})).await?;
    assert_eq!(status, 201, "{enrollment}");
    let secret = Secret::Encoded(enrollment["secret"].as_str().unwrap().to_string()).to_bytes().unwrap();
    let app = TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, secret, None, String::new());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let (status, _) = server.post(Some(&token), "/me/totp/confirm", &json!({"code": app.generate(now)})).await?;
    assert_eq!(status, 204);
    let login =
        |code: Option<String>| json!({"account": "hospital_reviewer", "password": DEMO_PASSWORD, "totp_code": code});
    let (status, problem) = server.post(None, "/auth/login", &login(None)).await?;
    assert_eq!((status, problem["code"].as_str()), (401, Some("totp_required")));
    let (status, tokens) = server.post(None, "/auth/login", &login(Some(app.generate(now + 30)))).await?;
    assert_eq!(status, 200);
    let token = tokens["access_token"].as_str().unwrap().to_string();
    assert_eq!(server.get(Some(&token), "/me").await?.0, 200);

    // The phone is lost: the operator removes the second factor, and the password alone signs in.
    let output = server.admin(&["reset-totp", "--username", "hospital_reviewer"])?;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (status, _) = server.get(Some(&token), "/me").await?;
    assert_eq!(status, 401, "its sessions ended");
    server.login("hospital_reviewer", DEMO_PASSWORD).await?;
    Ok(())
}
