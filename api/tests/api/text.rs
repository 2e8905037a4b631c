//! Text that cannot be trusted (issue 11 §3): invisible and bidirectional characters, line
//! separators in single-line fields, full-width codes, the middle dots of minority names, and a
//! NUL byte anywhere in any operation of the document.

use serde_json::{Value, json};

use crate::helpers::*;

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Registers a person with `real_name` (and otherwise fresh data), returning the answer.
async fn register_named(app: &TestApp, real_name: &str) -> reqwest::Response {
    let seq = next();
    app.post(
        "/auth/register/person",
        &json!({"username": format!("text{seq}"), "password": PASSWORD, "real_name": real_name,
                "id_number": id_number(seq), "phone": phone(seq)}),
    )
    .await
}

/// The real name `/me` shows for a person registered with `real_name` (asserting 201).
async fn stored_name(app: &TestApp, real_name: &str) -> String {
    let seq = next();
    let username = format!("text{seq}");
    let response = app
        .post(
            "/auth/register/person",
            &json!({"username": username, "password": PASSWORD, "real_name": real_name,
                    "id_number": id_number(seq), "phone": phone(seq)}),
        )
        .await;
    assert_eq!(response.status(), 201, "{real_name:?}: {}", response.text().await.unwrap_or_default());
    let token = app.login(&username, PASSWORD).await.access;
    let me: Value = app.get_as(&token, "/me").await.json().await.unwrap();
    me["real_name"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn zero_width_characters_and_byte_order_marks_never_reach_a_stored_name() {
    let app = spawn_app().await;
    assert_eq!(stored_name(&app, "张\u{200B}三").await, "张三");
    assert_eq!(stored_name(&app, "\u{FEFF}李四").await, "李四");
    assert_eq!(stored_name(&app, "王\u{2060}五\u{200D}").await, "王五");
    // NFC: a decomposed é is stored composed, so it is found by the composed one.
    assert_eq!(stored_name(&app, "Rene\u{301}e").await, "Ren\u{E9}e");

    // An organisation name too.
    let seq = next();
    let body = json!({
        "name": format!("\u{200B}济阳区测试\u{FEFF}医院{seq}"), "uscc": uscc(seq), "kind": "institution",
        "region_code": "370126", "address": "山东省济南市济阳区", "contact_name": "王主任",
        "contact_phone": phone(seq), "admin_username": format!("org{seq}"), "admin_password": PASSWORD,
    });
    assert_eq!(app.post("/auth/register/org", &body).await.status(), 201);
    let token = app.admin_token().await;
    let found: Value = app
        .get_as(&token, &format!("/orgs?q={}", urlencode(&format!("济阳区测试医院{seq}"))))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1, "{found}");
}

#[tokio::test]
async fn bidirectional_controls_are_refused_with_a_pointer_to_their_field() {
    let app = spawn_app().await;
    for name in ["王\u{202E}五", "\u{2066}赵六\u{2069}", "钱\u{200F}七", "孙\u{061C}八"] {
        let response = register_named(&app, name).await;
        assert_eq!(response.status(), 422, "{name:?}");
        assert_eq!(fields(&problem(response).await), ["/real_name"], "{name:?}");
    }

    // The example of the issue: `invoice\u202egpj.exe` shows as `invoiceexe.jpg`.
    let person = app.register_person().await;
    let token = app.token_of(&person).await;
    for filename in ["invoice\u{202E}gpj.exe", "学历证书\u{202E}fdp.bat", "\u{2067}证明.pdf"] {
        let response = app.upload(&token, PDF.to_vec(), filename, "application/pdf").await;
        assert_eq!(response.status(), 422, "{filename:?}");
        assert_eq!(fields(&problem(response).await), ["/file"], "{filename:?}");
    }
    // Anywhere in a body, however deep.
    let employer = app.register_org("institution").await;
    let declaration = app.create_declaration(&token, &employer, 2026).await;
    let id = declaration["id"].as_str().unwrap();
    let response = app
        .post_as(
            &token,
            &format!("/declarations/{id}/items"),
            &json!({"section": "work", "data": {"start_date": "2012-07-01", "org_name": "济阳\u{202D}医院", "position": "护士"},
                    "attachment_ids": []}),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["/data/org_name"]);
}

#[tokio::test]
async fn other_format_and_control_characters_are_refused() {
    let app = spawn_app().await;
    for name in ["张\u{AD}三", "李\u{7}四", "王\u{1B}五", "赵\u{E0041}六"] {
        let response = register_named(&app, name).await;
        assert_eq!(response.status(), 422, "{name:?}");
        assert_eq!(fields(&problem(response).await), ["/real_name"], "{name:?}");
    }
}

#[tokio::test]
async fn single_line_fields_refuse_line_separators_and_free_text_keeps_its_lines() {
    let app = spawn_app().await;
    for name in ["张\u{2028}三", "李\u{2029}四", "王\n五", "赵\r\n六"] {
        let response = register_named(&app, name).await;
        assert_eq!(response.status(), 422, "{name:?}");
        assert_eq!(fields(&problem(response).await), ["/real_name"], "{name:?}");
    }
    let seq = next();
    let body = json!({
        "name": format!("济阳区\u{2028}医院{seq}"), "uscc": uscc(seq), "kind": "institution",
        "region_code": "370126", "address": "山东省济南市济阳区", "contact_name": "王主任",
        "contact_phone": phone(seq), "admin_username": format!("org{seq}"), "admin_password": PASSWORD,
    });
    let response = app.post("/auth/register/org", &body).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), ["/name"]);

    // An opinion is multi-line: its paragraphs survive, with one kind of line break.
    let chain = app.chain().await;
    let (_, _, id) = app.submitted_declaration(&chain).await;
    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    let response = app
        .return_declaration(
            &reviewer,
            &id,
            &json!({"opinion": "请补充材料：\r\n1. 学历证书\u{2029}2. 继续教育证明\u{200B}", "items": []}),
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let returned = app.get_as(&reviewer, &format!("/reviews/{id}")).await.text().await.unwrap();
    assert!(returned.contains(r"请补充材料：\n1. 学历证书\n2. 继续教育证明"), "{returned}");
    assert!(!returned.contains('\u{200B}'));
}

fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' | 'a'..='z' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap(),
            other => other,
        })
        .collect()
}

#[tokio::test]
async fn codes_typed_in_full_width_digits_are_read_as_digits() {
    let app = spawn_app().await;
    let seq = next();
    let (id, mobile) = (id_number(seq), phone(seq));
    let response = app
        .post(
            "/auth/register/person",
            &json!({"username": full_width(&format!("fwuser{seq}")), "password": PASSWORD, "real_name": "全角",
                    "id_number": full_width(&id), "phone": full_width(&format!("{}－{}", &mobile[..3], &mobile[3..]))}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
    // Stored as ASCII: each logs in typed either way.
    for account in [id.clone(), full_width(&id), mobile.clone(), full_width(&mobile), format!("fwuser{seq}")] {
        assert_eq!(app.try_login(&account, PASSWORD).await.status(), 200, "{account}");
    }

    // A credit code (and the contact phone) of an organisation.
    let seq = next();
    let code = uscc(seq);
    let body = json!({
        "name": format!("全角医院{seq}"), "uscc": full_width(&code), "kind": "institution",
        "region_code": full_width("370126"), "address": "山东省济南市济阳区", "contact_name": "王主任",
        "contact_phone": full_width(&phone(seq)), "admin_username": format!("org{seq}"), "admin_password": PASSWORD,
    });
    let response = app.post("/auth/register/org", &body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
    // The same code in ASCII is the same organisation.
    let again = json!({
        "name": format!("另一家医院{seq}"), "uscc": code, "kind": "institution",
        "region_code": "370126", "address": "山东省济南市济阳区", "contact_name": "王主任",
        "contact_phone": phone(seq), "admin_username": format!("other{seq}"), "admin_password": PASSWORD,
    });
    assert_eq!(app.post("/auth/register/org", &again).await.status(), 409);
}

#[tokio::test]
async fn every_middle_dot_of_a_minority_name_finds_the_same_person() {
    let app = spawn_app().await;
    assert_eq!(stored_name(&app, "阿依古丽•买买提").await, "阿依古丽·买买提");
    assert_eq!(stored_name(&app, "热依拉・吐尔逊").await, "热依拉·吐尔逊");
    assert_eq!(stored_name(&app, "巴特尔‧其木格").await, "巴特尔·其木格");

    let chain = app.chain().await;
    let seq = next();
    let person = Person {
        id: String::new(),
        username: format!("dot{seq}"),
        password: PASSWORD.into(),
        real_name: "阿依古丽•买买提".into(),
        id_number: id_number(seq),
        phone: phone(seq),
    };
    let response = app
        .post(
            "/auth/register/person",
            &json!({"username": person.username, "password": PASSWORD, "real_name": person.real_name,
                    "id_number": person.id_number, "phone": person.phone}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let token = app.token_of(&person).await;
    let declaration = app.create_declaration(&token, &chain.employer, 2026).await;
    let id = declaration["id"].as_str().unwrap().to_string();
    app.complete_declaration(&token, &person, &id).await;
    assert_eq!(app.submit(&token, &id).await.status(), 200);

    let reviewer = app.login(&chain.employer_reviewer, PASSWORD).await.access;
    for typed in ["阿依古丽·买买提", "阿依古丽•买买提", "阿依古丽・买买提", "阿依古丽･买买提", "古丽‧买"]
    {
        let found: Value =
            app.get_as(&reviewer, &format!("/reviews?q={}", urlencode(typed))).await.json().await.unwrap();
        assert_eq!(found["total"], 1, "{typed}: {found}");
        assert_eq!(found["items"][0]["id"], id.as_str());
    }
}

/// A body for `schema` with a NUL in every string.
fn nul_sample(schema: &Value, document: &Value, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return nul_sample(&document["components"]["schemas"][name], document, depth + 1);
    }
    if let Some(parts) = schema["allOf"].as_array() {
        let mut merged = serde_json::Map::new();
        for part in parts {
            if let Value::Object(object) = nul_sample(part, document, depth + 1) {
                merged.extend(object);
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(choices) = schema[key].as_array() {
            let choice = choices.iter().find(|c| c["type"] != "null").unwrap_or(&Value::Null);
            return nul_sample(choice, document, depth + 1);
        }
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).find(|k| *k != "null").unwrap_or("string"),
        Value::String(kind) => kind.as_str(),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match kind {
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        "array" => json!([nul_sample(&schema["items"], document, depth + 1)]),
        "object" => {
            let mut object = serde_json::Map::new();
            if let Some(properties) = schema["properties"].as_object() {
                for (name, property) in properties {
                    object.insert(name.clone(), nul_sample(property, document, depth + 1));
                }
            }
            if let Some(extra) = schema.get("additionalProperties").filter(|extra| extra.is_object()) {
                object.insert("key".into(), nul_sample(extra, document, depth + 1));
            }
            Value::Object(object)
        }
        _ => json!("a\u{0}b"),
    }
}

/// Every operation of the served document, with a NUL in each path and query parameter in
/// turn and in every string of its JSON body, as anonymous and as each kind of account: never a
/// 500 (PostgreSQL refuses NUL in text), and 422 wherever the NUL is in the address.
#[tokio::test]
async fn a_nul_byte_anywhere_in_any_operation_is_refused_never_a_500() {
    let app = spawn_app().await;
    let document: Value = app.get("/openapi.json").await.json().await.unwrap();
    let chain = app.chain().await;
    let person = app.register_person().await;
    let mut tokens = vec![None, Some(app.token_of(&person).await), Some(app.admin_token().await)];
    for org in [&chain.employer, &chain.authority, &chain.bureau] {
        tokens.push(Some(app.org_token(org).await));
    }
    tokens.push(Some(app.login(&chain.employer_reviewer, PASSWORD).await.access));

    let mut failures = Vec::new();
    let mut operations = 0;
    for (template, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Ok(method) = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()) else { continue };
            let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
            let body = operation["requestBody"]["content"]["application/json"]["schema"].clone();
            // (where the NUL is, the url, the body)
            let mut requests: Vec<(String, String, Option<Value>)> = Vec::new();
            let fill = |nul_in: Option<&str>| {
                let mut path = template.clone();
                let mut query = Vec::new();
                for parameter in &parameters {
                    let name = parameter["name"].as_str().unwrap();
                    let value = if nul_in == Some(name) { "a%00b" } else { "x" };
                    match parameter["in"].as_str() {
                        Some("path") => path = path.replace(&format!("{{{name}}}"), value),
                        Some("query") if nul_in == Some(name) => query.push(format!("{name}={value}")),
                        _ => {}
                    }
                }
                if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) }
            };
            for parameter in &parameters {
                if matches!(parameter["in"].as_str(), Some("path" | "query")) {
                    let name = parameter["name"].as_str().unwrap();
                    requests.push((format!("{name} ({})", parameter["in"]), fill(Some(name)), None));
                }
            }
            // A body of only numbers and booleans (e.g. 短信提醒 preferences) has nowhere to put a NUL.
            let sample = nul_sample(&body, &document, 0);
            if body.is_object() && sample.to_string().contains("\\u0000") {
                requests.push(("body".into(), fill(None), Some(sample)));
            }
            for (what, url, body) in requests {
                operations += 1;
                let mut statuses = Vec::new();
                for token in &tokens {
                    let mut request = app.client.request(method.clone(), format!("{}{url}", app.address));
                    if let Some(token) = token {
                        request = request.bearer_auth(token);
                    }
                    if let Some(body) = &body {
                        request = request.json(body);
                    }
                    statuses.push(request.send().await.unwrap().status().as_u16());
                }
                let refused = if body.is_some() { statuses.contains(&422) } else { statuses.iter().all(|s| *s == 422) };
                if statuses.contains(&500) || !refused {
                    failures.push(format!("{method} {url} NUL in {what}: {statuses:?}"));
                }
            }
        }
    }
    assert!(operations > 50, "only {operations} requests were tried");
    assert!(failures.is_empty(), "{} of {operations}:\n{}", failures.len(), failures.join("\n"));
}
