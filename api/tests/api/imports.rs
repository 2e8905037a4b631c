//! 批量导入 (issue 15): one bad row imports nothing and is named by row and column; a good sheet
//! opens every account, each activated by an SMS code.

use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

use crate::helpers::*;

fn sheet(rows: &[Vec<String>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, value).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("人员.xlsx");
    let form = reqwest::multipart::Form::new().part("file", part);
    app.client.post(app.url("/org/imports")).bearer_auth(token).multipart(form).send().await.unwrap()
}

fn header() -> Vec<String> {
    ["姓名", "身份证号", "手机号码", "专业"].iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn one_bad_row_imports_nothing_and_a_good_sheet_opens_accounts_activated_by_sms() {
    let app = spawn_app().await;
    let employer = app.register_org("institution").await;
    let admin = app.org_token(&employer).await;

    let template = app.get_as(&admin, "/org/imports/template").await;
    assert_eq!(template.status(), 200);
    let template_rows = crate::exports::read_sheet(&template.bytes().await.unwrap());
    assert_eq!(template_rows[0], header());

    let people: Vec<(u32, &str)> = vec![(next(), "周护士"), (next(), "吴护士"), (next(), "郑护士")];
    let mut rows = vec![header()];
    for (seq, name) in &people {
        rows.push(vec![name.to_string(), id_number(*seq), phone(*seq), "护理学".into()]);
    }
    let mut bad = rows.clone();
    bad[3][2] = "1234".into();
    let response = upload(&app, &admin, sheet(&bad)).await;
    assert_eq!(response.status(), 422);
    let body = problem(response).await;
    assert_eq!(fields(&body), vec!["/rows/4/phone"]);
    assert!(body["errors"][0]["message"].as_str().unwrap().starts_with("第4行C列（手机号码）"), "{body}");
    // Nothing was imported: the good rows' people have no account, nobody was texted.
    assert_eq!(app.audit_count("import_applicants").await, 0);
    let (seq, _) = people[0];
    assert!(app.sms_code(&phone(seq)).await.is_none());

    let response = upload(&app, &admin, sheet(&rows)).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["imported"], 3);
    assert_eq!(body["people"][0]["real_name"], "周护士");
    assert_eq!(body["people"][0]["row"], 2);

    // She sets her own password with the code the SMS carried, then logs in by ID number.
    let code = app.sms_code(&phone(seq)).await.expect("an activation SMS");
    let reset = json!({"account": phone(seq), "code": code, "new_password": "Fresh#2027zc"});
    assert_eq!(app.post("/auth/password/reset", &reset).await.status(), 204);
    let tokens = app.login(&id_number(seq), "Fresh#2027zc").await;
    let me: Value = app.get_as(&tokens.access, "/me").await.json().await.unwrap();
    assert_eq!(me["role"], "person");

    // The same sheet again: every row is already registered, nothing changes.
    let response = upload(&app, &admin, sheet(&rows)).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["/rows/2/id_number", "/rows/3/id_number", "/rows/4/id_number"]);
    assert_eq!(app.audit_count("import_applicants").await, 1);

    // Only an organisation's admin imports.
    let (reviewer, _) = app.register_reviewer(&employer).await;
    let reviewer_token = app.login(&reviewer, PASSWORD).await.access;
    assert_eq!(upload(&app, &reviewer_token, sheet(&rows)).await.status(), 403);
}
