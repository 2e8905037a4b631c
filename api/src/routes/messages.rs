//! 站内信: the caller's own messages, the unread count for the bell, and marking them read.

use actix_web::{get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{AuthUser, ClientIp};
use crate::entities::message;
use crate::error::{AppResult, Problem};
use crate::routes::json::Json;
use crate::routes::{Page, PageQuery};
use crate::services::{messages, reminders, sms};
use crate::state::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_messages)
        .service(unread_count)
        .service(read_all)
        .service(read_message)
        .service(get_preferences)
        .service(put_preferences)
        .service(urge)
        .service(todo);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDto {
    pub id: String,
    /// What happened, machine-readable: `declaration_returned`, `files_arrived`, `path_awaiting_audit` …
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where in the SPA the object is (`/declarations/<id>/progress`).
    pub link: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<message::Model> for MessageDto {
    fn from(m: message::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            title: m.title,
            body: m.body,
            link: m.link,
            object_type: m.object_type,
            object_id: m.object_id,
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageFilter {
    /// Only the unread ones.
    pub unread: Option<bool>,
}

/// 消息中心: the caller's messages, newest first.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    params(MessageFilter, PageQuery),
    responses(
        (status = 200, body = Page<MessageDto>),
        (status = 401, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[get("/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<MessageFilter>,
    paging: web::Query<PageQuery>,
) -> AppResult<web::Json<Page<MessageDto>>> {
    let (page, page_size) = paging.resolve()?;
    let (rows, total) = messages::list(&state, &user, filter.unread.unwrap_or(false), page, page_size).await?;
    Ok(web::Json(Page { items: rows.into_iter().map(MessageDto::from).collect(), total, page, page_size }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: u64,
}

/// The number on the bell: the caller's unread messages.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    responses((status = 200, body = UnreadCount), (status = 401, body = Problem))
)]
#[get("/messages/unread-count")]
pub async fn unread_count(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<UnreadCount>> {
    Ok(web::Json(UnreadCount { unread: messages::unread_count(&state, &user).await? }))
}

/// Marks one of the caller's messages read; anyone else's answers 404.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    responses(
        (status = 200, body = MessageDto),
        (status = 401, body = Problem),
        (status = 404, description = "No such message of the caller's", body = Problem),
    )
)]
#[post("/messages/{id}/read")]
pub async fn read_message(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<MessageDto>> {
    Ok(web::Json(messages::mark_read(&state, &user, &id).await?.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many messages were unread and are read now.
    pub marked: u64,
}

/// 全部已读: marks every unread message of the caller read.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    responses((status = 200, body = MarkedRead), (status = 401, body = Problem))
)]
#[post("/messages/read-all")]
pub async fn read_all(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<MarkedRead>> {
    Ok(web::Json(MarkedRead { marked: messages::mark_all_read(&state, &user).await? }))
}

/// 消息提醒设置: whether the account takes non-essential texts (progress, reminders). One-time
/// codes are always sent.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferences {
    pub sms_enabled: bool,
}

/// The caller's notification preferences.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    responses((status = 200, body = NotificationPreferences), (status = 401, body = Problem))
)]
#[get("/me/notifications")]
pub async fn get_preferences(
    state: web::Data<AppState>,
    user: AuthUser,
) -> AppResult<web::Json<NotificationPreferences>> {
    Ok(web::Json(NotificationPreferences { sms_enabled: sms::preferences(&state, &user).await? }))
}

/// Turns the caller's non-essential texts on or off.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    responses(
        (status = 200, body = NotificationPreferences),
        (status = 401, body = Problem),
        (status = 422, body = Problem),
    )
)]
#[put("/me/notifications")]
pub async fn put_preferences(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<NotificationPreferences>,
) -> AppResult<web::Json<NotificationPreferences>> {
    Ok(web::Json(NotificationPreferences { sms_enabled: sms::set_preferences(&state, &user, body.sms_enabled).await? }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Urged {
    /// The organisation holding the file, whose reviewers were told.
    pub holder_org_id: String,
    pub holder_org_name: String,
}

/// 催办: an organisation the file passed through urges the organisation holding it now; its
/// reviewers get a message. Once per file per day; audited.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Urged),
        (status = 401, body = Problem),
        (status = 403, description = "Not an organisation account", body = Problem),
        (status = 404, description = "The file never reached the caller's organisation", body = Problem),
        (status = 409, description = "Not held by another organisation now (nothing to urge)", body = Problem),
        (status = 429, description = "Already urged today (`urged_today`, with `retry_after`)", body = Problem),
    )
)]
#[post("/reviews/{id}/urge")]
pub async fn urge(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> AppResult<web::Json<Urged>> {
    let holder = reminders::urge(&state, &user, &id, ip.0).await?;
    Ok(web::Json(Urged { holder_org_id: holder.id, holder_org_name: holder.name }))
}

/// 待办: what waits for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct TodoCounts {
    /// Unread messages (the bell).
    pub unread: u64,
    /// Declarations pending at the caller's organisation.
    pub files_waiting: u64,
    /// Path applications awaiting the caller's organisation (org admins).
    pub paths_to_audit: u64,
    /// Organisations awaiting the bureau's 单位认证 (a bureau's admin).
    pub orgs_to_verify: u64,
}

/// The caller's 待办 counts, for the numbers on the menus and the bell.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    responses((status = 200, body = TodoCounts), (status = 401, body = Problem))
)]
#[get("/me/todo")]
pub async fn todo(state: web::Data<AppState>, user: AuthUser) -> AppResult<web::Json<TodoCounts>> {
    let todo = messages::todo(&state, &user).await?;
    Ok(web::Json(TodoCounts {
        unread: todo.unread,
        files_waiting: todo.files_waiting,
        paths_to_audit: todo.paths_to_audit,
        orgs_to_verify: todo.orgs_to_verify,
    }))
}
