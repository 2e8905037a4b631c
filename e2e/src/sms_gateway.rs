//! A stand-in for a province's SMS platform (`APP__SMS__GATEWAY=http`): it records every text it
//! is sent and answers only after a delay, so a test sees how often each text was sent and how many
//! calls were in flight at once (several workers at work).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

struct Received {
    delay: Duration,
    texts: Mutex<Vec<Value>>,
    in_flight: AtomicUsize,
    most_at_once: AtomicUsize,
}

pub struct SmsGateway {
    /// Where the platform posts `{id, phone, content}`.
    pub url: String,
    received: Arc<Received>,
    handle: ServerHandle,
}

impl SmsGateway {
    /// Serves on a free port in the background; each call is answered 200 after `delay`.
    /// Call from within a Tokio runtime.
    pub async fn start(delay: Duration) -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://127.0.0.1:{}/sms", listener.local_addr()?.port());
        let received = Arc::new(Received {
            delay,
            texts: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            most_at_once: AtomicUsize::new(0),
        });
        let data = web::Data::from(received.clone());
        let server = HttpServer::new(move || App::new().app_data(data.clone()).route("/sms", web::post().to(receive)))
            .workers(1)
            .disable_signals()
            .listen(listener)?
            .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self { url, received, handle })
    }

    /// The platform's settings that send its texts here.
    pub fn settings(&self) -> [(&str, &str); 2] {
        [("APP__SMS__GATEWAY", "http"), ("APP__SMS__HTTP_URL", self.url.as_str())]
    }

    /// Every call received so far (`{id, phone, content}`), in order of arrival.
    pub fn texts(&self) -> Vec<Value> {
        self.received.texts.lock().map(|texts| texts.clone()).unwrap_or_default()
    }

    /// The most calls that were being answered at one moment.
    pub fn most_at_once(&self) -> usize {
        self.received.most_at_once.load(Ordering::SeqCst)
    }

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}

async fn receive(received: web::Data<Received>, text: web::Json<Value>) -> HttpResponse {
    let now = received.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    received.most_at_once.fetch_max(now, Ordering::SeqCst);
    if let Ok(mut texts) = received.texts.lock() {
        texts.push(text.into_inner());
    }
    tokio::time::sleep(received.delay).await;
    received.in_flight.fetch_sub(1, Ordering::SeqCst);
    HttpResponse::Ok().json(json!({"ok": true}))
}
