#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! What an operator relies on when instances come and go: SIGTERM lets the request in flight
//! finish before the process exits, and the probes answer.

use std::time::{Duration, Instant};

use e2e::{DEMO_PASSWORD, Server};

/// A real one-page PDF: uploads must open.
const PDF: &[u8] = include_bytes!("../../api/tests/fixtures/files/certificate.pdf");

/// An upload whose body is still arriving when SIGTERM comes: it is stored and answered 201,
/// and only then does the process exit, cleanly.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_an_upload_in_flight_finish() {
    let mut server = Server::start(&[("APP__SERVER__SHUTDOWN_TIMEOUT_SECS", "30")]).await.unwrap();
    let ready = server.client.get(format!("{}/readyz", server.base)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let token = server.login("nurse_zhang", DEMO_PASSWORD).await.unwrap();

    let (first_sent, first_sent_rx) = tokio::sync::oneshot::channel::<()>();
    let half = PDF.len() / 2;
    let chunks: Vec<Vec<u8>> = vec![PDF[..half].to_vec(), PDF[half..].to_vec()];
    let body = futures_util::stream::unfold((chunks.into_iter(), Some(first_sent)), |(mut rest, signal)| async move {
        let chunk = rest.next()?;
        let signal = match signal {
            Some(signal) => {
                let _ = signal.send(());
                None
            }
            // The second half comes well after SIGTERM.
            None => {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                None
            }
        };
        Some((Ok::<_, std::io::Error>(chunk), (rest, signal)))
    });
    let part = reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(body))
        .file_name("证明材料.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let upload = server
        .client
        .post(server.url("/attachments"))
        .bearer_auth(&token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send();
    let in_flight = tokio::spawn(upload);
    first_sent_rx.await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let stopping = tokio::task::spawn_blocking(move || server.terminate().unwrap());
    let answer = in_flight.await.unwrap().unwrap();
    assert_eq!(answer.status(), 201, "the upload in flight finished: {:?}", answer.text().await);
    assert!(stopping.await.unwrap(), "the process exits cleanly after it");
    assert!(started.elapsed() < Duration::from_secs(30), "within the shutdown timeout");
}
