//! Declarations (个人数据申报): drafts, items and evidence, 确认申报 with every problem at once,
//! and the history (申报进度). Reviews and reporting live in `services::reviews`.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use serde_json::{Map, Value, json};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::eligibility;
use crate::domain::form::{self, FormBody};
use crate::domain::lifecycle::Action;
use crate::domain::{DeclarationKind, DeclarationStatus, IdCardNumber, Level, OrgKind, Phone, Role, Sex};
use crate::entities::{
    account, attachment, declaration, declaration_event, declaration_holder, declaration_item, item_attachment, org,
    plan, series, series_level, specialty,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::audit::{self, AuditEntry};
use crate::services::forms::{self, Template};
use crate::services::{accounts, catalogue, messages, paths, plans};
use crate::state::AppState;

/// Most evidence files one item may carry.
pub const MAX_ATTACHMENTS_PER_ITEM: usize = 20;

pub struct NewDeclaration {
    pub year: i32,
    pub kind: DeclarationKind,
    pub series: String,
    pub level: Level,
    pub specialty: String,
    pub org_id: String,
    pub copy_from: Option<String>,
    /// The 申报计划 the applicant picked; found from the choices when omitted.
    pub plan_id: Option<String>,
}

/// Changes to a declaration; `None` leaves a value as it is.
#[derive(Default)]
pub struct DeclarationPatch {
    /// Merged into the current info; a `null` value clears a key.
    pub info: Option<Map<String, Value>>,
    pub basic_confirmed: Option<bool>,
    pub year: Option<i32>,
    pub kind: Option<DeclarationKind>,
    pub series: Option<String>,
    pub level: Option<Level>,
    pub specialty: Option<String>,
    pub org_id: Option<String>,
    /// Another 申报计划 for the draft (while a draft only).
    pub plan_id: Option<String>,
    /// 破格 (only in a plan that allows it).
    pub exceptional: Option<bool>,
    /// 破格 explanations by rule code, merged; a `null` value clears one.
    pub exceptional_explanations: Option<Map<String, Value>>,
}

/// Longest 破格 explanation of one rule, in characters.
pub const MAX_EXPLANATION_CHARS: usize = 1000;

/// The 资格条件 that apply to a declaration and how each came out.
pub struct EligibilityView {
    pub rule_set_id: String,
    pub outcomes: Vec<eligibility::Outcome>,
}

pub struct NewItem {
    pub section: String,
    pub data: Map<String, Value>,
    pub attachment_ids: Vec<String>,
}

pub struct ItemChange {
    pub data: Option<Map<String, Value>>,
    pub attachment_ids: Option<Vec<String>>,
}

/// The applicant as the account says: confirmed, never edited in a declaration.
pub struct Applicant {
    pub name: String,
    pub id_number: Option<IdCardNumber>,
    pub phone: Option<Phone>,
}

pub struct ItemView {
    pub item: declaration_item::Model,
    pub attachments: Vec<attachment::Model>,
    /// Whether the applicant may change it now.
    pub editable: bool,
    pub deletable: bool,
}

/// The plan a declaration belongs to, with its window for the declaration's employer.
pub struct PlanBrief {
    pub plan: plan::Model,
    pub bureau_name: String,
    pub pledge_text: String,
    pub window: plans::window::DeclareWindow,
    /// The server's clock when it was read (for countdowns).
    pub now: chrono::DateTime<chrono::Utc>,
}

/// A declaration with everything a screen shows about it.
pub struct DeclarationView {
    pub declaration: declaration::Model,
    pub template: Template,
    pub items: Vec<ItemView>,
    pub org: Option<org::Model>,
    pub holder: Option<org::Model>,
    pub series_name: String,
    pub title_name: String,
    pub applicant: Applicant,
    pub plan: Option<PlanBrief>,
    /// None when no rules apply to its series and level.
    pub eligibility: Option<EligibilityView>,
}

impl DeclarationView {
    /// 破格 explanations by rule code.
    pub fn explanations(&self) -> Map<String, Value> {
        self.declaration.exceptional_explanations.as_ref().and_then(Value::as_object).cloned().unwrap_or_default()
    }
}

impl DeclarationView {
    pub fn status(&self) -> DeclarationStatus {
        DeclarationStatus::parse(&self.declaration.status).unwrap_or(DeclarationStatus::Draft)
    }
}

fn status_of(declaration: &declaration::Model) -> DeclarationStatus {
    DeclarationStatus::parse(&declaration.status).unwrap_or(DeclarationStatus::Draft)
}

fn open_sections(declaration: &declaration::Model) -> Vec<String> {
    serde_json::from_value(declaration.open_sections.clone()).unwrap_or_default()
}

/// 新增申报信息: a draft for a year, optionally copying an earlier declaration of the same person
/// (采用往年申报信息): its info, items and their evidence.
pub async fn create(
    state: &AppState,
    user: &AuthUser,
    input: NewDeclaration,
    ip: Option<String>,
) -> AppResult<DeclarationView> {
    user.require(&[Role::Person])?;
    let tx = db::begin_write(&state.db).await?;
    let source = match &input.copy_from {
        Some(source_id) => Some(
            declaration::Entity::find_by_id(source_id.clone())
                .one(&tx)
                .await?
                .filter(|d| d.person_id == user.id)
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    if source.as_ref().is_some_and(|s| s.year >= input.year) {
        return Err(AppError::field("/copy_from", "只能采用往年的申报信息"));
    }
    check_choices(&tx, &input.series, input.level, &input.specialty, &input.org_id).await?;
    ensure_year_free(&tx, &user.id, input.year, None).await?;
    let employer = org::Entity::find_by_id(input.org_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
    let plan = plans::window::resolve(
        &tx,
        state.clock.now(),
        input.year,
        input.kind,
        &input.series,
        input.level,
        &employer,
        input.plan_id.as_deref(),
    )
    .await?;
    let template = forms::current(&tx, &input.series).await?;
    let info = match &source {
        Some(source) => keep_known(&template.body.info_fields, &source.info),
        None => Map::new(),
    };
    let now = db::now();
    let model = declaration::Model {
        id: db::new_id(),
        person_id: user.id.clone(),
        applicant_name: user.real_name.clone(),
        year: input.year,
        kind: input.kind.as_str().to_string(),
        series_code: input.series.clone(),
        level: input.level.as_str().to_string(),
        specialty: input.specialty.clone(),
        org_id: input.org_id.clone(),
        holder_org_id: None,
        status: DeclarationStatus::Draft.as_str().to_string(),
        template_id: template.id.clone(),
        info: Value::Object(info),
        basic_confirmed: false,
        open_sections: json!([]),
        info_unlocked: false,
        return_opinion: None,
        copied_from: source.as_ref().map(|s| s.id.clone()),
        version: 1,
        submitted_at: None,
        created_at: now,
        updated_at: now,
        plan_id: Some(plan.id.clone()),
        exceptional: false,
        exceptional_explanations: None,
    };
    declaration::Entity::insert(declaration::ActiveModel::from(model.clone())).exec_without_returning(&tx).await?;
    if let Some(source) = &source {
        copy_items(&tx, &source.id, &model.id, &template.body).await?;
    }
    record_event(
        &tx,
        EventInput::new(&model.id, "create", &user.id, &user.real_name)
            .detail(json!({"copied_from": model.copied_from, "plan_id": model.plan_id})),
    )
    .await?;
    audit::record(
        &tx,
        AuditEntry::new("declaration_created", true)
            .actor(&user.id, &user.real_name, None)
            .object("declaration", &model.id)
            .ip(ip),
    )
    .await?;
    let view = load_view(state, &tx, model).await?;
    tx.commit().await?;
    Ok(view)
}

/// Series, level, specialty and employer of a declaration must all exist and be in use.
async fn check_choices(
    db: &impl ConnectionTrait,
    series: &str,
    level: Level,
    specialty_name: &str,
    org_id: &str,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let series_ok = match catalogue::require_series_level(db, series, level, "/series", "/level").await {
        Ok(_) => true,
        Err(AppError::Validation { errors: found, .. }) => {
            let series_wrong = found.iter().any(|e| e.field == "/series");
            errors.extend(found);
            !series_wrong
        }
        Err(other) => return Err(other),
    };
    let specialty_ok = !series_ok
        || specialty::Entity::find()
            .filter(specialty::Column::SeriesCode.eq(series))
            .filter(specialty::Column::Name.eq(specialty_name))
            .filter(specialty::Column::Active.eq(true))
            .one(db)
            .await?
            .is_some();
    if !specialty_ok {
        errors.push(FieldError::new("/specialty", "请从该系列的专业中选择"));
    }
    let employer = org::Entity::find_by_id(org_id.to_string()).one(db).await?.filter(|o| o.status == "active");
    if employer.is_none() {
        errors.push(FieldError::new("/org_id", "申报单位不存在"));
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::fields(errors)) }
}

/// 同一年度“职称申报”和“考核认定”只能选择一项.
async fn ensure_year_free(
    db: &impl ConnectionTrait,
    person_id: &str,
    year: i32,
    except: Option<&str>,
) -> AppResult<()> {
    let mut query = declaration::Entity::find()
        .filter(declaration::Column::PersonId.eq(person_id))
        .filter(declaration::Column::Year.eq(year));
    if let Some(except) = except {
        query = query.filter(declaration::Column::Id.ne(except));
    }
    if query.one(db).await?.is_some() {
        return Err(AppError::conflict_field(
            "declaration_exists",
            "/year",
            format!("{year}年度已有申报，同一年度“职称申报”和“考核认定”只能选择一项"),
        ));
    }
    Ok(())
}

/// The values of `stored` whose keys the fields still have.
fn keep_known(fields: &[form::Field], stored: &Value) -> Map<String, Value> {
    let keys: HashSet<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    stored
        .as_object()
        .map(|map| map.iter().filter(|(k, _)| keys.contains(k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

async fn copy_items(tx: &DatabaseTransaction, from: &str, to: &str, body: &FormBody) -> AppResult<()> {
    let items = declaration_item::Entity::find()
        .filter(declaration_item::Column::DeclarationId.eq(from))
        .order_by_asc(declaration_item::Column::Position)
        .all(tx)
        .await?;
    let links = links_of(tx, items.iter().map(|i| i.id.clone()).collect()).await?;
    let now = db::now();
    for item in items {
        let Some(section) = body.section(&item.section) else { continue };
        let id = db::new_id();
        declaration_item::Entity::insert(declaration_item::ActiveModel {
            id: Set(id.clone()),
            declaration_id: Set(to.to_string()),
            section: Set(item.section.clone()),
            position: Set(item.position),
            data: Set(Value::Object(keep_known(&section.fields, &item.data))),
            flagged: Set(false),
            review_opinion: Set(None),
            changed_after_return: Set(false),
            added_after_return: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(tx)
        .await?;
        let attachment_ids = links.get(&item.id).cloned().unwrap_or_default();
        link_attachments(tx, &id, &attachment_ids).await?;
    }
    Ok(())
}

/// Attachment ids per item, in their order, in one query.
async fn links_of(db: &impl ConnectionTrait, item_ids: Vec<String>) -> AppResult<HashMap<String, Vec<String>>> {
    if item_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut links: HashMap<String, Vec<String>> = HashMap::new();
    for link in item_attachment::Entity::find()
        .filter(item_attachment::Column::ItemId.is_in(item_ids))
        .order_by_asc(item_attachment::Column::Position)
        .all(db)
        .await?
    {
        links.entry(link.item_id).or_default().push(link.attachment_id);
    }
    Ok(links)
}

async fn link_attachments(tx: &DatabaseTransaction, item_id: &str, attachment_ids: &[String]) -> AppResult<()> {
    item_attachment::Entity::delete_many().filter(item_attachment::Column::ItemId.eq(item_id)).exec(tx).await?;
    if attachment_ids.is_empty() {
        return Ok(());
    }
    let rows = attachment_ids.iter().enumerate().map(|(position, attachment_id)| item_attachment::ActiveModel {
        item_id: Set(item_id.to_string()),
        attachment_id: Set(attachment_id.clone()),
        position: Set(position as i32),
    });
    item_attachment::Entity::insert_many(rows).exec_without_returning(tx).await?;
    super::attachments::mark_linked(tx, attachment_ids).await?;
    Ok(())
}

/// Loads everything a screen shows about a declaration with a fixed number of queries.
pub async fn load_view(
    state: &AppState,
    db: &impl ConnectionTrait,
    declaration: declaration::Model,
) -> AppResult<DeclarationView> {
    let template = forms::by_id(db, &declaration.template_id).await?;
    let items = ordered_items(
        &template.body,
        declaration_item::Entity::find()
            .filter(declaration_item::Column::DeclarationId.eq(declaration.id.clone()))
            .all(db)
            .await?,
    );
    let links = links_of(db, items.iter().map(|i| i.id.clone()).collect()).await?;
    let attachment_ids: Vec<String> = links.values().flatten().cloned().collect();
    let attachments: HashMap<String, attachment::Model> = if attachment_ids.is_empty() {
        HashMap::new()
    } else {
        attachment::Entity::find()
            .filter(attachment::Column::Id.is_in(attachment_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect()
    };
    let status = status_of(&declaration);
    let open = open_sections(&declaration);
    let items: Vec<ItemView> = items
        .into_iter()
        .map(|item| {
            let (editable, deletable) = match status {
                DeclarationStatus::Draft => (true, true),
                DeclarationStatus::Returned => {
                    let added = item.added_after_return && open.contains(&item.section);
                    (item.flagged || added, added)
                }
                _ => (false, false),
            };
            let item_attachments = links
                .get(&item.id)
                .map(|ids| ids.iter().filter_map(|id| attachments.get(id).cloned()).collect())
                .unwrap_or_default();
            ItemView { item, attachments: item_attachments, editable, deletable }
        })
        .collect();
    let orgs = crate::services::orgs::by_ids(
        db,
        [declaration.org_id.clone()].into_iter().chain(declaration.holder_org_id.clone()),
    )
    .await?;
    let series_name =
        series::Entity::find_by_id(declaration.series_code.clone()).one(db).await?.map(|s| s.name).unwrap_or_default();
    let title_name = series_level::Entity::find_by_id((declaration.series_code.clone(), declaration.level.clone()))
        .one(db)
        .await?
        .map(|l| l.title_name)
        .unwrap_or_default();
    let person = account::Entity::find_by_id(declaration.person_id.clone()).one(db).await?.ok_or(AppError::NotFound)?;
    let plan = plan_brief(db, &declaration, state.clock.now()).await?;
    let eligibility = match plans::eligibility::applying(
        db,
        declaration.plan_id.as_deref(),
        &declaration.series_code,
        &declaration.level,
    )
    .await?
    {
        Some(set) => {
            let info = declaration.info.as_object().cloned().unwrap_or_default();
            let datas: Vec<Map<String, Value>> =
                items.iter().map(|i| i.item.data.as_object().cloned().unwrap_or_default()).collect();
            let read: Vec<eligibility::ItemData> = items
                .iter()
                .zip(&datas)
                .map(|(i, data)| eligibility::ItemData { section: i.item.section.as_str(), data })
                .collect();
            let outcomes = eligibility::evaluate(&plans::eligibility::rules_of(&set), declaration.year, &info, &read);
            Some(EligibilityView { rule_set_id: set.id, outcomes })
        }
        None => None,
    };
    Ok(DeclarationView {
        plan,
        eligibility,
        org: orgs.get(&declaration.org_id).cloned(),
        holder: declaration.holder_org_id.as_ref().and_then(|id| orgs.get(id).cloned()),
        series_name,
        title_name,
        applicant: Applicant {
            name: person.real_name.clone(),
            id_number: accounts::account_id_number(state, &person)?,
            phone: accounts::account_phone(state, &person)?,
        },
        template,
        items,
        declaration,
    })
}

/// The declaration's plan and its window for the declaration's employer.
async fn plan_brief(
    db: &impl ConnectionTrait,
    declaration: &declaration::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<PlanBrief>> {
    let Some(plan_id) = &declaration.plan_id else { return Ok(None) };
    let Some(plan) = plan::Entity::find_by_id(plan_id.clone()).one(db).await? else { return Ok(None) };
    let bureau_name =
        org::Entity::find_by_id(plan.bureau_org_id.clone()).one(db).await?.map(|o| o.name).unwrap_or_default();
    let pledge_text = plans::pledge_of(db, &plan.pledge_sha256).await?.unwrap_or_default();
    let window = plans::window::window_for_declaration(db, &plan, declaration).await?;
    Ok(Some(PlanBrief { plan, bureau_name, pledge_text, window, now }))
}

/// Items in the order of the template's sections, then their position. Problem pointers
/// (`/items/3/…`) index this order, the same as the `items` array a client reads.
pub fn ordered_items(body: &FormBody, mut items: Vec<declaration_item::Model>) -> Vec<declaration_item::Model> {
    let rank = |section: &str| body.sections.iter().position(|s| s.code == section).unwrap_or(usize::MAX);
    items.sort_by(|a, b| (rank(&a.section), a.position, &a.id).cmp(&(rank(&b.section), b.position, &b.id)));
    items
}

/// The caller's own declaration, or 404.
async fn own(db: &impl ConnectionTrait, user: &AuthUser, id: &str) -> AppResult<declaration::Model> {
    user.require(&[Role::Person])?;
    declaration::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .filter(|d| d.person_id == user.id)
        .ok_or(AppError::NotFound)
}

pub async fn get(state: &AppState, user: &AuthUser, id: &str) -> AppResult<DeclarationView> {
    let declaration = own(&state.db, user, id).await?;
    load_view(state, &state.db, declaration).await
}

/// A declaration its owner, or an organisation it reached, may read; anyone else gets 404.
pub async fn readable(state: &AppState, user: &AuthUser, id: &str) -> AppResult<declaration::Model> {
    let declaration =
        declaration::Entity::find_by_id(id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let allowed = match (&user.role, &user.org_id) {
        (Role::Person, _) => declaration.person_id == user.id,
        (Role::OrgAdmin | Role::Reviewer, Some(org_id)) => reached(&state.db, id, org_id).await?,
        _ => false,
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    Ok(declaration)
}

/// The form a declaration was started with: for its owner and the organisations it reached.
pub async fn form_of(state: &AppState, user: &AuthUser, id: &str) -> AppResult<(String, Template)> {
    let declaration = readable(state, user, id).await?;
    Ok((declaration.series_code, forms::by_id(&state.db, &declaration.template_id).await?))
}

/// The person's own declarations, newest year first.
pub async fn list_own(
    state: &AppState,
    user: &AuthUser,
    page: u64,
    page_size: u64,
) -> AppResult<(Vec<DeclarationView>, u64)> {
    user.require(&[Role::Person])?;
    let paginator = declaration::Entity::find()
        .filter(declaration::Column::PersonId.eq(user.id.clone()))
        .order_by_desc(declaration::Column::Year)
        .paginate(&state.db, page_size);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page - 1).await?;
    let mut views = Vec::with_capacity(rows.len());
    // A person has a declaration a year; a page is a handful, so loading each view is fine.
    for row in rows {
        views.push(load_view(state, &state.db, row).await?);
    }
    Ok((views, total))
}

/// Takes the write lock on the caller's declaration while it may be edited, bumping its version.
/// Another's or a missing declaration is 404; a submitted one is 409.
async fn lock_for_edit(tx: &DatabaseTransaction, user: &AuthUser, id: &str) -> AppResult<declaration::Model> {
    user.require(&[Role::Person])?;
    // The applicant edits exactly where she may submit from: a draft, or a returned declaration.
    let editable: Vec<&str> = [Action::Submit, Action::Resubmit].iter().flat_map(|a| a.from_spellings()).collect();
    let bumped = declaration::Entity::update_many()
        .col_expr(declaration::Column::Version, Expr::col(declaration::Column::Version).add(1))
        .col_expr(declaration::Column::UpdatedAt, Expr::value(db::now()))
        .filter(declaration::Column::Id.eq(id))
        .filter(declaration::Column::PersonId.eq(user.id.clone()))
        .filter(declaration::Column::Status.is_in(editable))
        .exec(tx)
        .await?;
    let current = own(tx, user, id).await?;
    if bumped.rows_affected == 0 {
        return Err(AppError::conflict(
            "declaration_locked",
            "已确认申报，数据已上报至用人单位，无法再做修改；如需修改请等待审核退回",
        ));
    }
    Ok(current)
}

fn returned_lock() -> AppError {
    AppError::conflict("not_returned_for_change", "仅能修改被退回的条目（带“修改”或“新增”标记的）")
}

/// Edits the declaration info (申报信息) and, while a draft, its year, kind, series, level,
/// specialty and employer. After a return only unlocked info may change.
pub async fn update(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    patch: DeclarationPatch,
) -> AppResult<DeclarationView> {
    let tx = db::begin_write(&state.db).await?;
    let current = lock_for_edit(&tx, user, id).await?;
    let returned = status_of(&current) == DeclarationStatus::Returned;
    let changes_plan = patch.year.is_some()
        || patch.kind.is_some()
        || patch.series.is_some()
        || patch.level.is_some()
        || patch.org_id.is_some()
        || patch.plan_id.is_some();
    let changes_choices = changes_plan || patch.specialty.is_some();
    let changes_exceptional = patch.exceptional.is_some() || patch.exceptional_explanations.is_some();
    if returned && (changes_choices || ((patch.info.is_some() || changes_exceptional) && !current.info_unlocked)) {
        return Err(returned_lock());
    }
    let mut model: declaration::ActiveModel = current.clone().into();
    let mut template = forms::by_id(&tx, &current.template_id).await?;
    if changes_choices {
        let series = patch.series.clone().unwrap_or_else(|| current.series_code.clone());
        let level = patch.level.or_else(|| Level::parse(&current.level)).unwrap_or(Level::Intermediate);
        let specialty = patch.specialty.clone().unwrap_or_else(|| current.specialty.clone());
        let org_id = patch.org_id.clone().unwrap_or_else(|| current.org_id.clone());
        check_choices(&tx, &series, level, &specialty, &org_id).await?;
        if let Some(year) = patch.year {
            ensure_year_free(&tx, &user.id, year, Some(id)).await?;
            model.year = Set(year);
        }
        if changes_plan {
            let year = patch.year.unwrap_or(current.year);
            let kind = patch.kind.or_else(|| DeclarationKind::parse(&current.kind)).unwrap_or(DeclarationKind::Title);
            let employer = org::Entity::find_by_id(org_id.clone()).one(&tx).await?.ok_or(AppError::NotFound)?;
            // The plan picked before stays when only the series, level or specialty change and it
            // still opens them; anything else finds the plan that fits (or the one named).
            let same_frame = patch.year.is_none() && patch.kind.is_none() && patch.org_id.is_none();
            let keep = match (&patch.plan_id, &current.plan_id) {
                (Some(requested), _) => Some(requested.clone()),
                (None, Some(before)) if same_frame && plans::covers(&tx, before, &series, level.as_str()).await? => {
                    Some(before.clone())
                }
                _ => None,
            };
            let plan =
                plans::window::resolve(&tx, state.clock.now(), year, kind, &series, level, &employer, keep.as_deref())
                    .await?;
            model.plan_id = Set(Some(plan.id));
        }
        if let Some(kind) = patch.kind {
            model.kind = Set(kind.as_str().to_string());
        }
        if series != current.series_code {
            // Another series has another form: the draft moves to its current template.
            template = forms::current(&tx, &series).await?;
            model.template_id = Set(template.id.clone());
        }
        model.series_code = Set(series);
        model.level = Set(level.as_str().to_string());
        model.specialty = Set(specialty);
        model.org_id = Set(org_id);
    }
    if let Some(changes) = patch.info {
        let mut info = current.info.as_object().cloned().unwrap_or_default();
        for (key, value) in changes {
            if Value::is_null(&value) {
                info.remove(&key);
            } else {
                info.insert(key, value);
            }
        }
        let mut problems = form::check_values(&template.body.info_fields, &info, "/info");
        problems.extend(identity_mismatches(state, &tx, &current.person_id, &info).await?);
        if !problems.is_empty() {
            return Err(AppError::fields(problems.into_iter().map(|(f, m)| FieldError::new(f, m)).collect()));
        }
        model.info = Set(Value::Object(info));
    }
    if let Some(confirmed) = patch.basic_confirmed {
        model.basic_confirmed = Set(confirmed);
    }
    if patch.exceptional == Some(true) {
        let plan_id = match &model.plan_id {
            sea_orm::ActiveValue::Set(p) | sea_orm::ActiveValue::Unchanged(p) => p.clone(),
            sea_orm::ActiveValue::NotSet => current.plan_id.clone(),
        };
        let allowed = match plan_id {
            Some(plan_id) => plan::Entity::find_by_id(plan_id).one(&tx).await?.is_some_and(|p| p.exceptional_allowed),
            None => false,
        };
        if !allowed {
            return Err(AppError::field("/exceptional", "本申报计划不接受破格申报"));
        }
    }
    if let Some(exceptional) = patch.exceptional {
        model.exceptional = Set(exceptional);
    }
    if let Some(changes) = patch.exceptional_explanations {
        let mut explanations =
            current.exceptional_explanations.as_ref().and_then(Value::as_object).cloned().unwrap_or_default();
        let mut errors = Vec::new();
        for (code, value) in changes {
            let at = format!("/exceptional_explanations/{code}");
            if !eligibility::CODES.contains(&code.as_str()) {
                errors.push(FieldError::new(at, "没有这条资格条件"));
                continue;
            }
            match value {
                Value::Null => {
                    explanations.remove(&code);
                }
                Value::String(text) => {
                    let length = text.trim().chars().count();
                    if length == 0 || length > MAX_EXPLANATION_CHARS {
                        errors.push(FieldError::new(at, format!("破格理由须为1到{MAX_EXPLANATION_CHARS}个字")));
                    } else {
                        explanations.insert(code, Value::String(text.trim().to_string()));
                    }
                }
                _ => errors.push(FieldError::new(at, "破格理由须为文字")),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        model.exceptional_explanations =
            Set(if explanations.is_empty() { None } else { Some(Value::Object(explanations)) });
    }
    let saved = sea_orm::ActiveModelTrait::update(model, &tx).await?;
    let view = load_view(state, &tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// The declared gender and birth date must be those of the ID number.
async fn identity_mismatches(
    state: &AppState,
    db: &impl ConnectionTrait,
    person_id: &str,
    info: &Map<String, Value>,
) -> AppResult<Vec<(String, String)>> {
    let person = account::Entity::find_by_id(person_id.to_string()).one(db).await?.ok_or(AppError::NotFound)?;
    let Some(id_number) = accounts::account_id_number(state, &person)? else {
        return Ok(Vec::new());
    };
    let mut problems = Vec::new();
    if let Some(gender) = info.get("gender").and_then(Value::as_str) {
        let expected = match id_number.sex() {
            Sex::Male => "男",
            Sex::Female => "女",
        };
        if gender != expected {
            problems.push(("/info/gender".to_string(), format!("性别与身份证号不符（应为{expected}）")));
        }
    }
    if let Some(birth) = info.get("birth_date").and_then(Value::as_str) {
        let expected = id_number.birth_date().format("%Y-%m-%d").to_string();
        if birth != expected {
            problems.push(("/info/birth_date".to_string(), format!("出生日期与身份证号不符（应为{expected}）")));
        }
    }
    Ok(problems)
}

/// Checks the attachment ids an item would carry: the caller's own, no repeats, not too many.
async fn check_attachment_ids(db: &impl ConnectionTrait, owner_id: &str, ids: &[String], at: &str) -> AppResult<()> {
    let mut errors = Vec::new();
    if ids.len() > MAX_ATTACHMENTS_PER_ITEM {
        errors.push(FieldError::new(at, format!("每个条目最多上传{MAX_ATTACHMENTS_PER_ITEM}个证明材料")));
    }
    let owned: HashSet<String> = if ids.is_empty() {
        HashSet::new()
    } else {
        attachment::Entity::find()
            .filter(attachment::Column::Id.is_in(ids.to_vec()))
            .filter(attachment::Column::OwnerId.eq(owner_id))
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect()
    };
    let mut seen = HashSet::new();
    for (index, id) in ids.iter().enumerate() {
        if !owned.contains(id) {
            errors.push(FieldError::new(format!("{at}/{index}"), "附件不存在，请重新上传"));
        } else if !seen.insert(id) {
            errors.push(FieldError::new(format!("{at}/{index}"), "附件重复"));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::fields(errors)) }
}

fn data_problems(fields: &[form::Field], data: &Map<String, Value>) -> AppResult<()> {
    let problems = form::check_values(fields, data, "/data");
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::fields(problems.into_iter().map(|(f, m)| FieldError::new(f, m)).collect()))
    }
}

/// Adds an item to a section: any section of a draft; after a return, only the opened ones (新增).
pub async fn add_item(state: &AppState, user: &AuthUser, id: &str, input: NewItem) -> AppResult<DeclarationView> {
    let tx = db::begin_write(&state.db).await?;
    let current = lock_for_edit(&tx, user, id).await?;
    let template = forms::by_id(&tx, &current.template_id).await?;
    let section =
        template.body.section(&input.section).ok_or_else(|| AppError::field("/section", "该系列表单没有此栏目"))?;
    let returned = status_of(&current) == DeclarationStatus::Returned;
    if returned && !open_sections(&current).contains(&input.section) {
        return Err(AppError::conflict(
            "section_not_open",
            format!("退回后“{}”栏目未开放新增，仅能修改被退回的条目", section.name),
        ));
    }
    let siblings =
        declaration_item::Entity::find().filter(declaration_item::Column::DeclarationId.eq(id)).all(&tx).await?;
    if siblings.iter().filter(|i| i.section == input.section).count() >= section.max_items as usize {
        return Err(AppError::field("/section", format!("“{}”最多填写{}条", section.name, section.max_items)));
    }
    data_problems(&section.fields, &input.data)?;
    check_attachment_ids(&tx, &user.id, &input.attachment_ids, "/attachment_ids").await?;
    let now = db::now();
    let item_id = db::new_id();
    declaration_item::Entity::insert(declaration_item::ActiveModel {
        id: Set(item_id.clone()),
        declaration_id: Set(id.to_string()),
        section: Set(input.section),
        position: Set(siblings.iter().map(|i| i.position).max().unwrap_or(0) + 1),
        data: Set(Value::Object(input.data)),
        flagged: Set(false),
        review_opinion: Set(None),
        changed_after_return: Set(false),
        added_after_return: Set(returned),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&tx)
    .await?;
    link_attachments(&tx, &item_id, &input.attachment_ids).await?;
    let view = load_view(state, &tx, current).await?;
    tx.commit().await?;
    Ok(view)
}

async fn item_of(tx: &DatabaseTransaction, declaration_id: &str, item_id: &str) -> AppResult<declaration_item::Model> {
    declaration_item::Entity::find_by_id(item_id.to_string())
        .one(tx)
        .await?
        .filter(|i| i.declaration_id == declaration_id)
        .ok_or(AppError::NotFound)
}

/// Changes an item: any item of a draft; after a return only flagged (修改) or newly added ones.
pub async fn update_item(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    item_id: &str,
    change: ItemChange,
) -> AppResult<DeclarationView> {
    let tx = db::begin_write(&state.db).await?;
    let current = lock_for_edit(&tx, user, id).await?;
    let item = item_of(&tx, id, item_id).await?;
    let returned = status_of(&current) == DeclarationStatus::Returned;
    if returned && !item.flagged && !(item.added_after_return && open_sections(&current).contains(&item.section)) {
        return Err(returned_lock());
    }
    let template = forms::by_id(&tx, &current.template_id).await?;
    let section =
        template.body.section(&item.section).ok_or_else(|| AppError::field("/section", "该系列表单没有此栏目"))?;
    let mut model: declaration_item::ActiveModel = item.clone().into();
    if let Some(data) = change.data {
        data_problems(&section.fields, &data)?;
        model.data = Set(Value::Object(data));
    }
    if let Some(attachment_ids) = &change.attachment_ids {
        check_attachment_ids(&tx, &user.id, attachment_ids, "/attachment_ids").await?;
        link_attachments(&tx, item_id, attachment_ids).await?;
    }
    if returned && item.flagged {
        model.changed_after_return = Set(true);
    }
    model.updated_at = Set(db::now());
    sea_orm::ActiveModelTrait::update(model, &tx).await?;
    let view = load_view(state, &tx, current).await?;
    tx.commit().await?;
    Ok(view)
}

/// Deletes an item of a draft, or one added after a return.
pub async fn delete_item(state: &AppState, user: &AuthUser, id: &str, item_id: &str) -> AppResult<DeclarationView> {
    let tx = db::begin_write(&state.db).await?;
    let current = lock_for_edit(&tx, user, id).await?;
    let item = item_of(&tx, id, item_id).await?;
    if status_of(&current) == DeclarationStatus::Returned
        && !(item.added_after_return && open_sections(&current).contains(&item.section))
    {
        return Err(returned_lock());
    }
    item_attachment::Entity::delete_many().filter(item_attachment::Column::ItemId.eq(item_id)).exec(&tx).await?;
    declaration_item::Entity::delete_by_id(item_id.to_string()).exec(&tx).await?;
    let view = load_view(state, &tx, current).await?;
    tx.commit().await?;
    Ok(view)
}

/// Every reason the declaration cannot be submitted yet, each with a pointer into the
/// declaration (`/info/…`, `/sections/…`, `/items/<index>/…`, `/org_id`, `/basic_confirmed`).
pub async fn problems(
    state: &AppState,
    db: &impl ConnectionTrait,
    view: &DeclarationView,
) -> AppResult<Vec<FieldError>> {
    let declaration = &view.declaration;
    let body = &view.template.body;
    let mut found: Vec<(String, String)> = Vec::new();
    if !declaration.basic_confirmed {
        found.push(("/basic_confirmed".into(), "请核对姓名、身份证号、联系方式等基本信息并确认".into()));
    }
    let info = declaration.info.as_object().cloned().unwrap_or_default();
    found.extend(form::missing(&body.info_fields, &info, "/info"));
    found.extend(form::check_values(&body.info_fields, &info, "/info"));
    found.extend(identity_mismatches(state, db, &declaration.person_id, &info).await?);
    let level = Level::parse(&declaration.level).unwrap_or(Level::Intermediate);
    // A returned declaration cannot change its series or specialty, so retiring one after the
    // first submission must not strand it: only a first submission checks they are in use.
    let first_submission = status_of(declaration) == DeclarationStatus::Draft;
    if first_submission
        && let Err(AppError::Validation { errors, .. }) =
            check_choices(db, &declaration.series_code, level, &declaration.specialty, &declaration.org_id).await
    {
        found.extend(errors.into_iter().map(|e| (e.field, e.message)));
    }
    for section in &body.sections {
        let count = view.items.iter().filter(|i| i.item.section == section.code).count();
        if count < section.min_items as usize {
            found.push((
                format!("/sections/{}", section.code),
                format!("“{}”至少填写{}条", section.name, section.min_items),
            ));
        }
    }
    for (index, item) in view.items.iter().enumerate() {
        let at = format!("/items/{index}");
        let Some(section) = body.section(&item.item.section) else {
            found.push((format!("{at}/section"), "该系列表单没有此栏目，请删除此条目".into()));
            continue;
        };
        let data = item.item.data.as_object().cloned().unwrap_or_default();
        found.extend(form::missing(&section.fields, &data, &format!("{at}/data")));
        found.extend(form::check_values(&section.fields, &data, &format!("{at}/data")));
        if section.evidence_required && item.attachments.is_empty() {
            found.push((format!("{at}/attachments"), format!("请上传“{}”的证明材料", section.name)));
        }
    }
    found.extend(eligibility_problems(view));
    if let Some(employer) = &view.org
        && employer.kind != OrgKind::Hrss.as_str()
        && paths::approved_parent(db, &employer.id, &declaration.series_code, &declaration.level).await?.is_none()
    {
        found.push((
            "/org_id".into(),
            format!(
                "申报单位“{}”尚未开通{}{}的上报路径，请联系单位办理路径申请",
                employer.name,
                view.series_name,
                level.label()
            ),
        ));
    }
    Ok(found.into_iter().map(|(field, message)| FieldError::new(field, message)).collect())
}

/// Failed 资格条件, each with its field and the rule in words; for a 破格 declaration the failed
/// rules are warnings and only a missing explanation is a problem.
fn eligibility_problems(view: &DeclarationView) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let declaration = &view.declaration;
    let allowed = view.plan.as_ref().is_some_and(|p| p.plan.exceptional_allowed);
    if declaration.exceptional && !allowed {
        found.push(("/exceptional".into(), "本申报计划不接受破格申报，请取消破格".into()));
    }
    let Some(eligibility) = &view.eligibility else { return found };
    let explanations = view.explanations();
    for outcome in eligibility.outcomes.iter().filter(|o| !o.passed) {
        let reason = outcome.reason.as_deref().map(|r| format!("（{r}）")).unwrap_or_default();
        if declaration.exceptional && allowed {
            let explained =
                explanations.get(&outcome.code).and_then(Value::as_str).is_some_and(|t| !t.trim().is_empty());
            if !explained {
                found.push((
                    format!("/exceptional_explanations/{}", outcome.code),
                    format!("破格申报须说明理由：{}{reason}", outcome.rule),
                ));
            }
        } else {
            let field = outcome.field.clone().unwrap_or_else(|| "/eligibility".into());
            let hint = if allowed { "；本计划允许破格申报" } else { "" };
            found.push((field, format!("不符合资格条件：{}{reason}{hint}", outcome.rule)));
        }
    }
    found
}

/// 确认申报: checks everything at once; on success the declaration is `pending` at the employer
/// and locked for the person. Submitting an already submitted declaration again changes nothing.
pub async fn submit(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    pledge_sha256: Option<&str>,
    ip: Option<String>,
) -> AppResult<DeclarationView> {
    let tx = db::begin_write(&state.db).await?;
    let current = match lock_for_edit(&tx, user, id).await {
        Ok(current) => current,
        Err(AppError::Conflict { .. }) => {
            // A retry of a submit that already went through answers like the first one did.
            let existing = own(&tx, user, id).await?;
            let last = last_event(&tx, id).await?;
            if status_of(&existing) == DeclarationStatus::Pending
                && existing.holder_org_id.as_deref() == Some(existing.org_id.as_str())
                && last
                    .is_some_and(|e| [Action::Submit.as_str(), Action::Resubmit.as_str()].contains(&e.action.as_str()))
            {
                return load_view(state, &tx, existing).await;
            }
            return Err(AppError::conflict("already_submitted", "已确认申报，不能重复提交"));
        }
        Err(other) => return Err(other),
    };
    let action = if status_of(&current) == DeclarationStatus::Returned { Action::Resubmit } else { Action::Submit };
    let plan = plan_gate(state, &tx, &current, action == Action::Resubmit).await?;
    let view = load_view(state, &tx, current.clone()).await?;
    let mut found = problems(state, &tx, &view).await?;
    found.extend(chain_problems(&tx, &view, &plan).await?);
    match pledge_sha256 {
        None => found.push(FieldError::new("/pledge_sha256", "请阅读并勾选同意《诚信承诺书》后再确认申报")),
        Some(hash) if hash != plan.pledge_sha256 => {
            found.push(FieldError::new("/pledge_sha256", "《诚信承诺书》已更新，请重新阅读并勾选同意后再确认申报"))
        }
        Some(_) => {}
    }
    if !found.is_empty() {
        return Err(AppError::Unprocessable {
            code: "declaration_incomplete",
            detail: format!("申报信息尚不完整（共{}处），请按提示完善后再确认申报", found.len()),
            errors: found,
        });
    }
    let now = db::now();
    declaration::Entity::update_many()
        .col_expr(declaration::Column::Status, Expr::value(action.to().as_str()))
        .col_expr(declaration::Column::HolderOrgId, Expr::value(current.org_id.clone()))
        .col_expr(declaration::Column::SubmittedAt, Expr::value(now))
        .col_expr(declaration::Column::OpenSections, Expr::value(json!([])))
        .col_expr(declaration::Column::InfoUnlocked, Expr::value(false))
        .filter(declaration::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    arrive(&tx, id, &current.org_id).await?;
    let employer_name = view.org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let failed: Vec<&str> = view
        .eligibility
        .as_ref()
        .map(|e| e.outcomes.iter().filter(|o| !o.passed).map(|o| o.code.as_str()).collect())
        .unwrap_or_default();
    record_event(
        &tx,
        EventInput::new(id, action.as_str(), &user.id, &user.real_name).org(&current.org_id, &employer_name).detail(
            json!({
                "pledge_sha256": plan.pledge_sha256,
                "pledge_accepted_at": now,
                "exceptional": current.exceptional,
                "exceptional_rules": failed,
            }),
        ),
    )
    .await?;
    let reviewers = messages::recipients::reviewers(&tx, &current.org_id).await?;
    messages::post(&tx, &reviewers, &messages::notes::submitted(&current, action == Action::Resubmit)).await?;
    audit::record(
        &tx,
        AuditEntry::new("declaration_submitted", true)
            .actor(&user.id, &user.real_name, None)
            .object("declaration", id)
            .ip(ip),
    )
    .await?;
    let submitted = own(&tx, user, id).await?;
    let view = load_view(state, &tx, submitted).await?;
    tx.commit().await?;
    Ok(view)
}

/// The plan a submission happens in, refusing it outside the window (the plan's close, moved
/// by an extension for the employer; for a resubmission the return deadline). A declaration from
/// before plans is bound to the plan that fits it now.
async fn plan_gate(
    state: &AppState,
    tx: &DatabaseTransaction,
    current: &declaration::Model,
    again: bool,
) -> AppResult<plan::Model> {
    let now = state.clock.now();
    let employer = org::Entity::find_by_id(current.org_id.clone()).one(tx).await?.ok_or(AppError::NotFound)?;
    let plan = match &current.plan_id {
        Some(plan_id) => plan::Entity::find_by_id(plan_id.clone()).one(tx).await?.ok_or(AppError::NotFound)?,
        None => {
            let kind = DeclarationKind::parse(&current.kind).unwrap_or(DeclarationKind::Title);
            let level = Level::parse(&current.level).unwrap_or(Level::Intermediate);
            let plan =
                plans::window::resolve(tx, now, current.year, kind, &current.series_code, level, &employer, None)
                    .await?;
            declaration::Entity::update_many()
                .col_expr(declaration::Column::PlanId, Expr::value(plan.id.clone()))
                .filter(declaration::Column::Id.eq(current.id.clone()))
                .exec(tx)
                .await?;
            plan
        }
    };
    let chain = plans::window::chain_up(tx, &employer, &current.series_code, &current.level).await?;
    plans::window::check_declare(tx, now, &plan, &chain, again).await?;
    Ok(plan)
}

/// The chain must end at the plan's bureau: a path to another bureau is a problem of `/org_id`.
async fn chain_problems(
    db: &impl ConnectionTrait,
    view: &DeclarationView,
    plan: &plan::Model,
) -> AppResult<Vec<FieldError>> {
    let Some(employer) = &view.org else { return Ok(Vec::new()) };
    let chain = plans::window::chain_up(db, employer, &view.declaration.series_code, &view.declaration.level).await?;
    match plans::window::bureau_of(&chain) {
        Some(bureau) if bureau.id != plan.bureau_org_id => {
            let planner = view.plan.as_ref().map(|p| p.bureau_name.clone()).unwrap_or_default();
            Ok(vec![FieldError::new(
                "/org_id",
                format!("申报单位的上报路径通往{}，不属于{planner}发布的申报计划“{}”", bureau.name, plan.name),
            )])
        }
        _ => Ok(Vec::new()),
    }
}

/// Records that a declaration reached an organisation, which may see it from then on; a second
/// arrival (after a return and resubmission) moves the arrival time to now.
pub async fn arrive(db: &impl ConnectionTrait, declaration_id: &str, org_id: &str) -> Result<(), sea_orm::DbErr> {
    declaration_holder::Entity::insert(declaration_holder::ActiveModel {
        declaration_id: Set(declaration_id.to_string()),
        org_id: Set(org_id.to_string()),
        arrived_at: Set(db::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([declaration_holder::Column::DeclarationId, declaration_holder::Column::OrgId])
            .update_column(declaration_holder::Column::ArrivedAt)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Whether the declaration has ever reached the organisation.
pub async fn reached(db: &impl ConnectionTrait, declaration_id: &str, org_id: &str) -> Result<bool, sea_orm::DbErr> {
    Ok(declaration_holder::Entity::find_by_id((declaration_id.to_string(), org_id.to_string()))
        .one(db)
        .await?
        .is_some())
}

/// One entry of a declaration's history, before it is written.
pub struct EventInput {
    pub declaration_id: String,
    pub action: &'static str,
    pub actor_id: String,
    pub actor_name: String,
    pub org: Option<(String, String)>,
    pub opinion: Option<String>,
    pub detail: Option<Value>,
}

impl EventInput {
    pub fn new(declaration_id: &str, action: &'static str, actor_id: &str, actor_name: &str) -> Self {
        Self {
            declaration_id: declaration_id.to_string(),
            action,
            actor_id: actor_id.to_string(),
            actor_name: actor_name.to_string(),
            org: None,
            opinion: None,
            detail: None,
        }
    }

    pub fn org(mut self, id: &str, name: &str) -> Self {
        self.org = Some((id.to_string(), name.to_string()));
        self
    }

    pub fn opinion(mut self, opinion: Option<String>) -> Self {
        self.opinion = opinion;
        self
    }

    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// Appends to the history; rows are never updated or deleted (the database refuses to).
pub async fn record_event(db: &impl ConnectionTrait, input: EventInput) -> Result<(), sea_orm::DbErr> {
    declaration_event::Entity::insert(event_row(input)).exec_without_returning(db).await?;
    Ok(())
}

/// Appends many entries in one statement (batch reporting).
pub async fn record_events(db: &impl ConnectionTrait, inputs: Vec<EventInput>) -> Result<(), sea_orm::DbErr> {
    if inputs.is_empty() {
        return Ok(());
    }
    declaration_event::Entity::insert_many(inputs.into_iter().map(event_row)).exec_without_returning(db).await?;
    Ok(())
}

fn event_row(input: EventInput) -> declaration_event::ActiveModel {
    let (org_id, org_name) = input.org.map(|(id, name)| (Some(id), Some(name))).unwrap_or((None, None));
    declaration_event::ActiveModel {
        id: Set(db::new_id()),
        declaration_id: Set(input.declaration_id),
        at: Set(db::now()),
        action: Set(input.action.to_string()),
        org_id: Set(org_id),
        org_name: Set(org_name),
        actor_id: Set(input.actor_id),
        actor_name: Set(input.actor_name),
        opinion: Set(input.opinion),
        detail: Set(input.detail),
    }
}

async fn last_event(
    db: &impl ConnectionTrait,
    declaration_id: &str,
) -> Result<Option<declaration_event::Model>, sea_orm::DbErr> {
    declaration_event::Entity::find()
        .filter(declaration_event::Column::DeclarationId.eq(declaration_id))
        .order_by_desc(declaration_event::Column::At)
        .order_by_desc(declaration_event::Column::Id)
        .one(db)
        .await
}

/// The history, oldest first: for the owner, and for organisations the declaration reached.
pub async fn events(state: &AppState, user: &AuthUser, id: &str) -> AppResult<Vec<declaration_event::Model>> {
    readable(state, user, id).await?;
    history(&state.db, id).await
}

pub async fn history(db: &impl ConnectionTrait, id: &str) -> AppResult<Vec<declaration_event::Model>> {
    Ok(declaration_event::Entity::find()
        .filter(declaration_event::Column::DeclarationId.eq(id))
        .order_by_asc(declaration_event::Column::At)
        .order_by_asc(declaration_event::Column::Id)
        .all(db)
        .await?)
}
