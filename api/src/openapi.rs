//! The OpenAPI 3.1 document, generated from the handlers; `zhicheng openapi` prints it.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "职称申报评审服务平台 API",
        version = "1.0.0",
        description = "Professional-title declaration platform: individuals declare, employers review, and \
                       declarations climb the reporting path to the district HR and social security bureau. \
                       Errors are RFC 9457 problem+json with a stable `code`."
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "注册开户、登录与找回用户名/密码"),
        (name = "account", description = "当前账号"),
        (name = "admin", description = "平台管理"),
        (name = "catalogue", description = "职称系列、级别与专业"),
        (name = "orgs", description = "单位查询"),
        (name = "paths", description = "单位路径申请与路径审核"),
        (name = "plans", description = "申报计划、延期与各级截止时间"),
        (name = "reviewers", description = "实名制审核人员"),
        (name = "forms", description = "申报表单模板"),
        (name = "declarations", description = "个人数据申报与申报进度"),
        (name = "attachments", description = "证明材料"),
        (name = "reviews", description = "职称申报数据审核"),
        (name = "reports", description = "职称申报数据上报"),
        (name = "messages", description = "站内信（消息中心）"),
        (name = "committees", description = "评委会、评委会路径与评委专家库"),
        (name = "review-sessions", description = "评审会：专家抽取、信息评审、投票与评审结果"),
        (name = "publicity", description = "评审结果公示、异议、职称电子证书与证书核验"),
        (name = "sso", description = "山东省政务统一平台登录（OpenID Connect）"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// Builds the document exactly as the server mounts the routes.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::configure))
        .split_for_parts();
    describe_problems(&mut document);
    document
}

/// Every error answer is `application/problem+json`, and a few can come from any operation
/// (a malformed body, a body too large or of the wrong type, an unexpected failure): the
/// handlers list their own statuses, this adds the shared ones once, in one place.
fn describe_problems(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = || {
        ContentBuilder::new()
            .schema(Some(RefOr::<utoipa::openapi::schema::Schema>::Ref(Ref::from_schema_name("Problem"))))
            .build()
    };
    let shared = |description: &str| {
        ResponseBuilder::new().description(description).content("application/problem+json", problem()).build()
    };
    for (path, item) in document.paths.paths.iter_mut() {
        let rate_limited = path.starts_with("/api/v1/auth/");
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            let responses = &mut operation.responses.responses;
            for (status, response) in responses.iter_mut() {
                if let RefOr::T(response) = response
                    && !status.starts_with('2')
                    && let Some(content) = response.content.shift_remove("application/json")
                {
                    response.content.insert("application/problem+json".into(), content);
                }
            }
            let mut add = |status: &str, description: &str| {
                responses.entry(status.into()).or_insert_with(|| RefOr::T(shared(description)));
            };
            add("500", "Unexpected failure; the body carries a request id and nothing internal");
            if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                add("401", "No valid access token");
                add("403", "The account's role may not do this");
            }
            // Path and query values pass the text rules (routes::uri) before any handler sees them.
            let has_parameters = operation.parameters.as_ref().is_some_and(|parameters| !parameters.is_empty());
            if has_parameters {
                add(
                    "422",
                    "A path or query parameter is invalid (or holds control, format or bidirectional characters); `errors` names it",
                );
            }
            if rate_limited {
                add("429", "Too many requests from this address; `Retry-After` says when to retry");
            }
            if operation.request_body.is_some() {
                add("400", "The body is not valid JSON or multipart");
                add("413", "The body is larger than allowed");
                add("415", "The body is not of the documented content type");
            }
        }
    }
}

/// The document as committed under `openapi/openapi.json`.
pub fn document_json() -> anyhow::Result<String> {
    Ok(format!("{}\n", document().to_pretty_json()?))
}
