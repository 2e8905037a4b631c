//! The OpenAPI 3.1 document, generated from the handlers; `zhicheng openapi` prints it.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::rate_limit::AuthLimiter;

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
        (name = "reviewers", description = "实名制审核人员"),
        (name = "forms", description = "申报表单模板"),
        (name = "declarations", description = "个人数据申报与申报进度"),
        (name = "attachments", description = "证明材料"),
        (name = "reviews", description = "职称申报数据审核"),
        (name = "reports", description = "职称申报数据上报"),
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
pub fn document(limiter: &AuthLimiter) -> utoipa::openapi::OpenApi {
    let (_, document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(|config| crate::routes::configure(config, limiter)))
        .split_for_parts();
    document
}

/// The document as committed under `openapi/openapi.json`.
pub fn document_json(limiter: &AuthLimiter) -> anyhow::Result<String> {
    Ok(format!("{}\n", document(limiter).to_pretty_json()?))
}
