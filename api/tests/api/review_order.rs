//! The review list read from the holder rows (issue 18): the database keeps each holder row's
//! order and standing in step with its declaration, pages by cursor are the pages by number, and
//! the count stops at 10,000.

use api::entities::{declaration, declaration_holder};
use api::services::reviews::Standing;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::*;

/// Every holder row of `id` carries its declaration's `updated_at` and the standing the service
/// computes from the declaration itself.
async fn assert_in_step(app: &TestApp, id: &str, step: &str) {
    let declaration = declaration::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    let holders = declaration_holder::Entity::find()
        .filter(declaration_holder::Column::DeclarationId.eq(id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(!holders.is_empty(), "{step}: no holder row");
    for holder in holders {
        let expected = Standing::of(&declaration, &holder.org_id, Some(holder.arrived_at));
        assert_eq!(holder.standing.as_deref(), Some(expected.as_str()), "{step}: standing at {}", holder.org_id);
        assert_eq!(holder.updated_at, Some(declaration.updated_at), "{step}: order at {}", holder.org_id);
    }
}

#[tokio::test]
async fn the_holder_rows_follow_every_change_of_the_declaration() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, person_token, id) = app.submitted_declaration(&chain).await;
    assert_in_step(&app, &id, "submitted").await;
    let employer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    let bureau = app.login(&chain.bureau_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&employer, &id).await.status(), 200);
    assert_in_step(&app, &id, "approved at the employer").await;
    assert_eq!(app.report(&employer, &[&id]).await.status(), 201);
    assert_in_step(&app, &id, "reported to the authority").await;
    assert_eq!(app.approve(&authority, &id).await.status(), 200);
    assert_eq!(app.report(&authority, &[&id]).await.status(), 201);
    assert_in_step(&app, &id, "reported to the bureau").await;
    assert_eq!(app.return_declaration(&bureau, &id, &json!({"opinion": "请补充材料"})).await.status(), 200);
    assert_in_step(&app, &id, "returned by the bureau").await;
    assert_eq!(app.submit(&person_token, &id).await.status(), 200);
    assert_in_step(&app, &id, "submitted again").await;
    let standing = |token: String| {
        let (app, id) = (&app, id.clone());
        async move {
            let list: Value = app.get_as(&token, "/reviews").await.json().await.unwrap();
            let row = list["items"].as_array().unwrap().iter().find(|r| r["id"] == id.as_str()).cloned().unwrap();
            row["standing"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(standing(employer.clone()).await, "pending");
    assert_eq!(standing(authority.clone()).await, "returned", "an earlier round's report");
    app.approve(&employer, &id).await;
    app.report(&employer, &[&id]).await;
    app.approve(&authority, &id).await;
    app.report(&authority, &[&id]).await;
    assert_eq!(app.approve(&bureau, &id).await.status(), 200, "受理");
    assert_in_step(&app, &id, "accepted").await;
    for token in [employer, authority, bureau] {
        assert_eq!(standing(token).await, "accepted");
    }
}

/// Ids of the list's pages walked by page number and by cursor.
async fn walk(app: &TestApp, token: &str, query: &str) -> (Vec<String>, Vec<String>) {
    let ids = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
    };
    let mut by_number = Vec::new();
    for n in 1..=4 {
        let page: Value =
            app.get_as(token, &format!("/reviews?{query}&page_size=4&page={n}")).await.json().await.unwrap();
        by_number.extend(ids(&page));
    }
    let mut by_cursor = Vec::new();
    let mut page: Value = app.get_as(token, &format!("/reviews?{query}&page_size=4")).await.json().await.unwrap();
    loop {
        by_cursor.extend(ids(&page));
        let Some(next) = page["next"].as_str() else { break };
        let response = app.get_as(token, &format!("/reviews?{query}&page_size=4&after={next}")).await;
        assert_eq!(response.status(), 200);
        page = response.json().await.unwrap();
        assert_eq!(page["total"], 9, "the count does not depend on the page");
    }
    (by_number, by_cursor)
}

#[tokio::test]
async fn pages_by_cursor_are_the_pages_by_number_in_every_order() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let mut ids = Vec::new();
    for _ in 0..9 {
        ids.push(app.submitted_declaration(&chain).await.2);
    }
    // Two share one `updated_at`, so the id must break the tie the same way in both walks.
    let at = api::db::now();
    declaration::Entity::update_many()
        .col_expr(declaration::Column::UpdatedAt, sea_orm::sea_query::Expr::value(at))
        .filter(declaration::Column::Id.is_in(ids[3..5].to_vec()))
        .exec(&app.state.db)
        .await
        .unwrap();
    for query in ["status=pending", "status=pending&order=asc", "sort=applicant_name", "sort=submitted_at&order=asc"] {
        let (by_number, by_cursor) = walk(&app, &reviewer, query).await;
        assert_eq!(by_number.len(), 9, "{query}");
        assert_eq!(by_cursor, by_number, "{query}");
        let mut unique = by_cursor.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 9, "{query}: no row twice");
    }
    // The default order is the newest change first.
    let (newest_first, _) = walk(&app, &reviewer, "status=pending").await;
    let list: Vec<declaration::Model> = declaration::Entity::find()
        .filter(declaration::Column::Id.is_in(ids.clone()))
        .all(&app.state.db)
        .await
        .unwrap();
    let mut expected: Vec<&declaration::Model> = list.iter().collect();
    expected.sort_by(|a, b| (b.updated_at, &b.id).cmp(&(a.updated_at, &a.id)));
    assert_eq!(newest_first, expected.iter().map(|d| d.id.clone()).collect::<Vec<_>>());

    // A cursor is checked, and is not mixed with a page number or with another order's kind.
    let first: Value = app.get_as(&reviewer, "/reviews?page_size=4").await.json().await.unwrap();
    let next = first["next"].as_str().unwrap().to_string();
    for bad in [
        "kbanana",
        "k1.'; DROP TABLE x",
        "o-1",
        "zzz",
        &format!("{next}&page=2"),
        &format!("{next}&sort=applicant_name"),
    ] {
        let response = app.get_as(&reviewer, &format!("/reviews?after={bad}")).await;
        assert_eq!(response.status(), 422, "{bad}");
        assert_eq!(fields(&problem(response).await), vec!["/after"], "{bad}");
    }
    // The last page says so.
    let last: Value = app.get_as(&reviewer, "/reviews?page_size=9").await.json().await.unwrap();
    assert!(last["next"].is_null());
    assert_eq!(last["total_capped"], false);
}

#[tokio::test]
async fn the_count_stops_at_ten_thousand_and_says_so() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, _, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    // 10,001 more copies of the declaration in other years, held by the same employer.
    let db = &app.state.db;
    let columns: Vec<String> =
        declaration::Column::iter().map(|c| sea_orm::IdenStatic::as_str(&c).to_string()).collect();
    let select: Vec<String> = columns
        .iter()
        .map(|c| match c.as_str() {
            "id" => "substr(d.id, 1, 24) || '-' || n.i".to_string(),
            "year" => "10000 + n.i".to_string(),
            other => format!("d.{other}"),
        })
        .collect();
    db.execute_unprepared(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001) \
         INSERT INTO declarations ({}) SELECT {} FROM declarations d, n WHERE d.id = '{id}'",
        columns.join(", "),
        select.join(", ")
    ))
    .await
    .unwrap();
    let prefix = &id[..24];
    db.execute_unprepared(&format!(
        "INSERT INTO declaration_holders (declaration_id, org_id, arrived_at) \
         SELECT d.id, h.org_id, h.arrived_at FROM declarations d, declaration_holders h \
         WHERE h.declaration_id = '{id}' AND d.id LIKE '{prefix}-%'"
    ))
    .await
    .unwrap();
    let page: Value = app.get_as(&reviewer, "/reviews?status=pending").await.json().await.unwrap();
    assert_eq!(page["total"], 10_000);
    assert_eq!(page["total_capped"], true);
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    assert_eq!(page["items"][0]["standing"], "pending", "the database filled the copies' standing");
    // Under the cap the count is exact.
    let one: Value = app.get_as(&reviewer, "/reviews?status=pending&year=10007").await.json().await.unwrap();
    assert_eq!((one["total"].clone(), one["total_capped"].clone()), (json!(1), json!(false)));
}

#[tokio::test]
async fn a_name_is_found_by_one_or_two_of_its_characters_on_every_backend() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (person, _, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let name: Vec<char> = person.real_name.chars().collect();
    let first: String = name[..1].iter().collect();
    let pair: String = name[name.len() - 2..].iter().collect();
    for q in [first.as_str(), pair.as_str(), person.real_name.as_str()] {
        let page: Value = app.get_as(&reviewer, &format!("/reviews?q={q}")).await.json().await.unwrap();
        assert!(page["items"].as_array().unwrap().iter().any(|r| r["id"] == id.as_str()), "{q}");
    }
    let page: Value = app.get_as(&reviewer, "/reviews?q=不在此列").await.json().await.unwrap();
    assert_eq!(page["total"], 0);
}

/// A cursor names a place in a list, not a right to read it: another employer's reviewer sending
/// it reads their own list from that place, never a row of the first employer's.
#[tokio::test]
async fn a_stranger_with_a_cursor_reads_only_their_own_list() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let other = app.chain().await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let stranger = app.login(&other.employer_reviewer, PASSWORD).await.access;
    let mut mine = Vec::new();
    for _ in 0..5 {
        mine.push(app.submitted_declaration(&chain).await.2);
    }
    let theirs = app.submitted_declaration(&other).await.2;
    let first: Value = app.get_as(&reviewer, "/reviews?page_size=2").await.json().await.unwrap();
    let next = first["next"].as_str().unwrap().to_string();
    // Ask from a place older than every row, so whatever the stranger may read is on the page.
    let oldest = format!("k{}.z", (api::db::now() + chrono::Duration::days(1)).timestamp_micros());
    for after in [next.as_str(), oldest.as_str()] {
        let response = app.get_as(&stranger, &format!("/reviews?after={after}")).await;
        assert_eq!(response.status(), 200, "{after}");
        let page: Value = response.json().await.unwrap();
        let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert!(ids.iter().all(|id| !mine.contains(&id.to_string())), "{after}: {ids:?}");
        assert_eq!(page["total"], 1, "{after}: the stranger's own count");
    }
    let page: Value = app.get_as(&stranger, &format!("/reviews?after={oldest}")).await.json().await.unwrap();
    assert_eq!(page["items"][0]["id"], theirs.as_str(), "the stranger's own row is found from that place");
    // The counts by standing come from the same holder rows: 5 待审核 here, 1 there.
    let summary: Value = app.get_as(&reviewer, "/reviews/summary").await.json().await.unwrap();
    let pending: i64 = summary
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["standing"] == "pending")
        .map(|c| c["count"].as_i64().unwrap())
        .sum();
    assert_eq!(pending, 5, "{summary}");
}
