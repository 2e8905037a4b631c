#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
//! The seed guide's whole story over HTTP against the real binary (SQLite, or PostgreSQL when
//! TEST_DATABASE_URL is set), on one instance. The steps are `e2e::story`; `tests/instances.rs`
//! runs the same steps alternating between two instances.

use e2e::{Rotation, Server, story};

#[tokio::test]
async fn the_seed_story_from_registration_to_acceptance() {
    let server = Server::start(story::SETTINGS).await.unwrap();
    story::the_seed_story(&Rotation::new(&[&server])).await;
}
