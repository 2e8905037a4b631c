//! 本次修改: a resubmission carries what it held at the return, so the reviewer sees each changed
//! item before and after, and the files added and removed; the bureau's 不予受理 is a return.

use serde_json::{Value, json};

use crate::helpers::*;

fn item_id(declaration: &Value, section: &str) -> String {
    declaration["items"].as_array().unwrap().iter().find(|i| i["section"] == section).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_resubmission_shows_each_item_as_it_was_at_the_return() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, token, id) = app.submitted_declaration(&chain).await;
    let before = app.declaration(&token, &id).await;
    let education = item_id(&before, "education");
    let work = item_id(&before, "work");
    let old_file = before["items"].as_array().unwrap().iter().find(|i| i["id"] == education.as_str()).unwrap()
        ["attachments"][0]["id"]
        .clone();

    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    // Never returned: nothing to compare, and the list does not mark it.
    let review: Value = app.get_as(&reviewer, &format!("/reviews/{id}")).await.json().await.unwrap();
    assert_eq!(review["since_return"], Value::Null);
    let list: Value = app.get_as(&reviewer, "/reviews?status=pending").await.json().await.unwrap();
    assert_eq!(list["items"][0]["resubmitted"], false);

    let response = app
        .return_declaration(
            &reviewer,
            &id,
            &json!({"opinion": "学历信息有误", "items": [{"item_id": education, "opinion": "毕业院校填写有误"}],
                    "add_sections": ["title"]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    // While it is with the applicant there is no resubmission to compare yet.
    let review: Value = app.get_as(&reviewer, &format!("/reviews/{id}")).await.json().await.unwrap();
    assert_eq!(review["since_return"], Value::Null);

    let new_file = app.upload_pdf(&token).await;
    let changed = app
        .patch_as(
            &token,
            &format!("/declarations/{id}/items/{education}"),
            &json!({"data": {"school": "山东第一医科大学", "major": "护理学", "education": "大学本科",
                              "graduation_date": "2012-06-30"}, "attachment_ids": [new_file]}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let title_file = app.upload_pdf(&token).await;
    let added = app
        .post_as(
            &token,
            &format!("/declarations/{id}/items"),
            &json!({"section": "title", "data": {"title_name": "护师", "obtained_date": "2015-12-01"},
                    "attachment_ids": [title_file]}),
        )
        .await;
    assert_eq!(added.status(), 201);
    let resubmitted = app.submit(&token, &id).await;
    assert_eq!(resubmitted.status(), 200);

    let review: Value = app.get_as(&reviewer, &format!("/reviews/{id}")).await.json().await.unwrap();
    let since = &review["since_return"];
    assert_eq!(since["org_id"], chain.employer.id.as_str());
    let was = |item: &str| since["items"].as_array().unwrap().iter().find(|i| i["id"] == item).cloned();
    let education_then = was(&education).expect("the flagged item as it was");
    assert_eq!(education_then["data"]["school"], "山东大学", "the value before the change");
    assert_eq!(education_then["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(education_then["attachments"][0]["id"], old_file);
    assert_eq!(education_then["attachments"][0]["filename"], "证明.pdf");
    assert_eq!(was(&work).unwrap()["data"]["org_name"], "济阳区人民医院", "unchanged items are kept too");
    assert_eq!(since["items"].as_array().unwrap().len(), before["items"].as_array().unwrap().len());
    assert!(since["items"].as_array().unwrap().iter().all(|i| i["section"] != "title"), "the new item was not there");
    assert_eq!(since["info"]["ethnicity"], "汉族");
    // …and the declaration as it is now.
    let now = review["declaration"]["items"].as_array().unwrap();
    let education_now = now.iter().find(|i| i["id"] == education.as_str()).unwrap();
    assert_eq!(education_now["data"]["school"], "山东第一医科大学");
    assert_eq!(education_now["attachments"][0]["id"], new_file.as_str());

    let list: Value = app.get_as(&reviewer, "/reviews?status=pending").await.json().await.unwrap();
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["resubmitted"], true, "the list marks a resubmission");

    // A stranger's organisation still cannot read any of it.
    let stranger = app.register_org("institution").await;
    let stranger_reviewer = app.register_reviewer(&stranger).await.0;
    let stranger_token = app.login(&stranger_reviewer, PASSWORD).await.access;
    assert_eq!(app.get_as(&stranger_token, &format!("/reviews/{id}")).await.status(), 404);
}

#[tokio::test]
async fn a_snapshot_is_never_rewritten() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, _, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let response =
        app.return_declaration(&reviewer, &id, &json!({"opinion": "请补充", "items": [], "add_sections": []})).await;
    assert_eq!(response.status(), 200);
    let db = &app.state.db;
    use sea_orm::ConnectionTrait;
    let update = db.execute_unprepared("UPDATE declaration_snapshots SET info = '{}'").await;
    assert!(update.is_err(), "snapshots are append-only");
    let delete = db.execute_unprepared("DELETE FROM declaration_snapshots").await;
    assert!(delete.is_err(), "snapshots are append-only");
}

/// The bureau's decision is 受理 or 不予受理; 不予受理 needs a reason and sends the file back to the
/// applicant with it.
#[tokio::test]
async fn the_bureau_not_accepting_returns_it_to_the_applicant_with_the_reason() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (_, token, id) = app.submitted_declaration(&chain).await;
    for (reviewer, to) in [(&chain.employer_reviewer, &chain.authority), (&chain.authority_reviewer, &chain.bureau)] {
        let reviewer = app.login(reviewer, PASSWORD).await.access;
        assert_eq!(app.approve(&reviewer, &id).await.status(), 200);
        let reported = app.report(&reviewer, &[id.as_str()]).await;
        assert_eq!(reported.status(), 201, "report to {}", to.name);
    }
    let bureau = app.login(&chain.bureau_reviewer, PASSWORD).await.access;
    let without = app.return_declaration(&bureau, &id, &json!({"opinion": " ", "items": [], "add_sections": []})).await;
    assert_eq!(without.status(), 422);
    assert!(fields(&problem(without).await).contains(&"/opinion".to_string()));
    let refused = app
        .return_declaration(
            &bureau,
            &id,
            &json!({"opinion": "不符合申报条件：现职称年限不足", "items": [], "add_sections": []}),
        )
        .await;
    assert_eq!(refused.status(), 200);
    let declaration = app.declaration(&token, &id).await;
    assert_eq!(declaration["status"], "returned");
    assert_eq!(declaration["return_opinion"], "不符合申报条件：现职称年限不足");
    let events: Value = app.get_as(&token, &format!("/declarations/{id}/events")).await.json().await.unwrap();
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "return");
    assert_eq!(last["org_id"], chain.bureau.id.as_str());
}
