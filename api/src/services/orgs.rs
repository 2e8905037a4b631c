//! Organisation lookups: search by name (public fields only) and loading by id, and the rules of
//! 单位认证 that other services ask (is it verified, is its name taken by a verified one).

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::domain::{OrgKind, OrgVerification};
use crate::entities::org;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Active organisations whose name contains `q`, optionally of one kind, ordered by name. With
/// `as_parent` only those that may be chosen as a parent: verified orgs of a parent kind.
pub async fn search(
    db: &impl ConnectionTrait,
    q: Option<&str>,
    kind: Option<OrgKind>,
    as_parent: bool,
    page: u64,
    page_size: u64,
) -> AppResult<(Vec<org::Model>, u64)> {
    let mut query = org::Entity::find().filter(org::Column::Status.eq("active"));
    if as_parent {
        let parent_kinds = [OrgKind::Authority, OrgKind::Township, OrgKind::Hrss].map(OrgKind::as_str);
        query = query
            .filter(org::Column::Kind.is_in(parent_kinds))
            .filter(org::Column::Verification.eq(OrgVerification::Verified.as_str()));
    }
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(Expr::col(org::Column::Name).like(LikeExpr::new(pattern).escape('\\')));
    }
    if let Some(kind) = kind {
        query = query.filter(org::Column::Kind.eq(kind.as_str()));
    }
    let paginator = query.order_by_asc(org::Column::Name).order_by_asc(org::Column::Id).paginate(db, page_size);
    let total = paginator.num_items().await?;
    Ok((paginator.fetch_page(page - 1).await?, total))
}

/// Loads the named organisations in one query, keyed by id.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = String>,
) -> AppResult<HashMap<String, org::Model>> {
    let mut ids: Vec<String> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(org::Entity::find()
        .filter(org::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect())
}

/// Whether an active organisation can send a declaration of `series`/`level` up (申报单位的上报路径):
/// a bureau needs none; any other needs an approved path. A missing or inactive organisation is 404.
/// Any account may ask, so that a person learns it before she fills a whole declaration (SPEC §3:
/// 确认申报 refuses a declaration whose employer has no path).
pub async fn can_report(
    db: &impl ConnectionTrait,
    org_id: &str,
    series: &str,
    level: crate::domain::Level,
) -> AppResult<bool> {
    let org = org::Entity::find_by_id(org_id.to_string())
        .one(db)
        .await?
        .filter(|o| o.status == "active")
        .ok_or(crate::error::AppError::NotFound)?;
    if org.kind == OrgKind::Hrss.as_str() {
        return Ok(true);
    }
    let Some(parent_id) = crate::services::paths::approved_parent(db, org_id, series, level.as_str()).await? else {
        return Ok(false);
    };
    let parent = org::Entity::find_by_id(parent_id).one(db).await?;
    Ok(parent.is_some_and(|p| p.status == "active" && is_verified(&p)))
}

/// Whether an organisation has been vouched for (单位认证).
pub fn is_verified(org: &org::Model) -> bool {
    org.verification == OrgVerification::Verified.as_str()
}

/// The spelling two organisation names are compared by: full-width letters, digits and brackets
/// as their ASCII forms, no whitespace or zero-width characters, lower case. `卫生健康局` and
/// `卫生 健康局` are one name, and so are `（济阳）` and `(济阳)`.
pub fn name_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The county (区县) part of a region code: two organisations are in the same region when it matches.
fn county(region_code: &str) -> &str {
    region_code.get(..6).unwrap_or(region_code)
}

/// The prefix of region codes a bureau oversees: `370126` a district, `370100` a whole city.
pub fn oversight_prefix(region_code: &str) -> &str {
    let mut prefix = county(region_code);
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    prefix
}

/// Whether the bureau `bureau` oversees `org` (单位认证审核, 单位密码重置).
pub fn oversees(bureau: &org::Model, org: &org::Model) -> bool {
    bureau.kind == OrgKind::Hrss.as_str()
        && org.kind != OrgKind::Hrss.as_str()
        && org.region_code.starts_with(oversight_prefix(&bureau.region_code))
}

/// Refuses a name a verified organisation of the same region already has (a look-alike of the
/// real 卫生健康局), naming whom to contact. `except` is the organisation being verified itself.
pub async fn ensure_name_free(
    state: &AppState,
    db: &impl ConnectionTrait,
    name: &str,
    region_code: &str,
    except: Option<&str>,
) -> AppResult<()> {
    let key = name_key(name);
    let same_region = org::Entity::find()
        .filter(org::Column::Verification.eq(OrgVerification::Verified.as_str()))
        .filter(Expr::col(org::Column::RegionCode).like(format!("{}%", county(region_code))))
        .all(db)
        .await?;
    let Some(verified) = same_region.iter().find(|o| Some(o.id.as_str()) != except && name_key(&o.name) == key) else {
        return Ok(());
    };
    let contact = bureau_contact(state, db, region_code).await?;
    Err(AppError::conflict_field(
        "org_name_taken",
        "/name",
        format!("本地区已有通过认证的单位“{}”，不能重复注册同名单位；如确属本单位，{contact}", verified.name),
    ))
}

/// Whom to ask about an organisation of `region_code`: the nearest bureau over it, by name and phone.
async fn bureau_contact(state: &AppState, db: &impl ConnectionTrait, region_code: &str) -> AppResult<String> {
    let bureaus = org::Entity::find()
        .filter(org::Column::Kind.eq(OrgKind::Hrss.as_str()))
        .filter(org::Column::Status.eq("active"))
        .filter(Expr::col(org::Column::RegionCode).like(format!("{}%", region_code.get(..2).unwrap_or(region_code))))
        .all(db)
        .await?;
    let bureau = bureaus
        .iter()
        .filter(|o| region_code.starts_with(oversight_prefix(&o.region_code)))
        .max_by_key(|o| oversight_prefix(&o.region_code).len());
    Ok(match bureau {
        Some(bureau) => match state.crypto.decrypt(&bureau.contact_phone_enc) {
            Ok(phone) => format!("请联系{}（{}，电话{}）", bureau.name, bureau.contact_name, phone),
            Err(_) => format!("请联系{}", bureau.name),
        },
        None => "请联系当地人力资源和社会保障局".to_string(),
    })
}
