//! 导出Excel (issue 15): the review list's export has exactly the filtered rows, masked unless
//! the holder asks; formula-like cells are escaped; 上报记录 open to their names and export a
//! 花名册; every export is audited; strangers get 404.

use serde_json::{Value, json};

use crate::helpers::*;

/// Every row of the first sheet, each cell as text.
pub fn read_sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
    let range = workbook.worksheet_range_at(0).expect("a sheet").expect("readable");
    range.rows().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect()
}

async fn sheet(app: &TestApp, token: &str, path: &str) -> Vec<Vec<String>> {
    let response = app.get_as(token, path).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(response.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    read_sheet(&response.bytes().await.unwrap())
}

/// A person named `name` with a submitted declaration at the chain's employer.
async fn submitted_by(app: &TestApp, chain: &Chain, name: &str) -> (Person, String) {
    let seq = next();
    let person = Person {
        id: String::new(),
        username: format!("person{seq}"),
        password: PASSWORD.into(),
        real_name: name.into(),
        id_number: id_number(seq),
        phone: phone(seq),
    };
    let response = app
        .post(
            "/auth/register/person",
            &json!({"username": person.username, "password": person.password, "real_name": person.real_name,
                    "id_number": person.id_number, "phone": person.phone}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
    let token = app.token_of(&person).await;
    let declaration = app.create_declaration(&token, &chain.employer, 2026).await;
    let id = declaration["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);
    (person, id)
}

fn masked_id(id_number: &str) -> String {
    format!("{}********{}", &id_number[..6], &id_number[14..])
}

#[tokio::test]
async fn the_review_export_has_exactly_the_filtered_rows_masked_unless_the_holder_asks() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (approved_person, approved) = submitted_by(&app, &chain, "王护士").await;
    let (pending_person, _) = submitted_by(&app, &chain, "=HYPERLINK(\"http://x\")").await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&reviewer, &approved).await.status(), 200);

    let rows = sheet(&app, &reviewer, "/exports/reviews?status=pending").await;
    let listed: Value = app.get_as(&reviewer, "/reviews?status=pending").await.json().await.unwrap();
    assert_eq!(listed["total"], 1);
    assert_eq!(rows.len(), 2, "a header and exactly the filtered row: {rows:?}");
    assert_eq!(rows[0][1], "姓名");
    // The formula-like name is escaped, not run.
    assert_eq!(rows[1][1], "'=HYPERLINK(\"http://x\")");
    assert_eq!(rows[1][2], masked_id(&pending_person.id_number));
    assert_eq!(rows[1][2], listed["items"][0]["id_number_masked"].as_str().unwrap());
    assert_eq!(rows[1][11], "待审核");

    let all = sheet(&app, &reviewer, "/exports/reviews").await;
    assert_eq!(all.len(), 3);
    let approved_rows = sheet(&app, &reviewer, "/exports/reviews?status=approved&year=2026&q=王").await;
    assert_eq!(approved_rows.len(), 2);
    assert_eq!(approved_rows[1][1], "王护士");
    assert_eq!(approved_rows[1][3], format!("{}****{}", &approved_person.phone[..3], &approved_person.phone[7..]));
    assert_eq!(sheet(&app, &reviewer, "/exports/reviews?year=2025").await.len(), 1, "only the header");

    // The holder may ask for the full numbers.
    let full = sheet(&app, &reviewer, "/exports/reviews?status=approved&unmasked=true").await;
    assert_eq!(full[1][2], approved_person.id_number);
    assert_eq!(full[1][3], approved_person.phone);
    assert_eq!(app.audit_count("export_review_list").await, 5);

    // Not an organisation account: no list to export.
    let person_token = app.token_of(&approved_person).await;
    assert_eq!(app.get_as(&person_token, "/exports/reviews").await.status(), 403);
    assert_eq!(app.get("/exports/reviews").await.status(), 401);
}

#[tokio::test]
async fn a_report_opens_to_its_names_and_its_roster_is_masked_except_for_the_holder() {
    let app = spawn_app().await;
    let chain = app.chain().await;
    let (person, id) = submitted_by(&app, &chain, "赵护士").await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    assert_eq!(app.approve(&reviewer, &id).await.status(), 200);
    let report: Value = app.report(&reviewer, &[&id]).await.json().await.unwrap();
    let report_id = report["id"].as_str().unwrap();

    let detail: Value = app.get_as(&reviewer, &format!("/reports/{report_id}")).await.json().await.unwrap();
    assert_eq!(detail["count"], 1);
    assert_eq!(detail["from_org_name"], chain.employer.name.as_str());
    assert_eq!(detail["to_org_name"], chain.authority.name.as_str());
    assert_eq!(detail["declarations"][0]["applicant_name"], "赵护士");
    assert_eq!(detail["declarations"][0]["id"], id.as_str());
    let authority = app.login(&chain.authority_reviewer, PASSWORD).await.access;
    assert_eq!(app.get_as(&authority, &format!("/reports/{report_id}")).await.status(), 200);

    // The sender no longer holds it: masked even on request. The receiver holds it: full.
    let sent = sheet(&app, &reviewer, &format!("/reports/{report_id}/roster?unmasked=true")).await;
    assert_eq!(sent[0][0], "上报花名册");
    assert_eq!(sent[1][..2], ["上报单位".to_string(), chain.employer.name.clone()]);
    assert_eq!(sent[2][1], chain.authority.name);
    assert_eq!(sent[4][1], "1");
    let header = sent.iter().position(|r| r.first().map(String::as_str) == Some("序号")).unwrap();
    assert_eq!(sent[header + 1][1], "赵护士");
    assert_eq!(sent[header + 1][2], masked_id(&person.id_number));
    let received = sheet(&app, &authority, &format!("/reports/{report_id}/roster?unmasked=true")).await;
    assert_eq!(received[header + 1][2], person.id_number);
    assert_eq!(app.audit_count("export_report_roster").await, 2);

    // Strangers: an unrelated organisation, the bureau it has not reached yet.
    let sibling = app.register_org("institution").await;
    let (sibling_reviewer, _) = app.register_reviewer(&sibling).await;
    let sibling_token = app.login(&sibling_reviewer, PASSWORD).await.access;
    let bureau = app.login(&chain.bureau_reviewer, PASSWORD).await.access;
    for stranger in [&sibling_token, &bureau] {
        assert_eq!(app.get_as(stranger, &format!("/reports/{report_id}")).await.status(), 404);
        assert_eq!(app.get_as(stranger, &format!("/reports/{report_id}/roster")).await.status(), 404);
    }
}
