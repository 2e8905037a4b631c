//! First-start setup: the platform admin account, and demo data for `make run`.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::auth::password;
use crate::db;
use crate::domain::{ContactPhone, IdCardNumber, Level, OrgKind, Password, PathStatus, Phone, Role, Uscc, Username};
use crate::entities::{account, org, path};
use crate::services::accounts::{self, AccountFields, NewOrg};
use crate::services::audit::{self, AuditEntry};
use crate::state::AppState;

/// The development admin password, printed on start; production must configure its own.
const DEV_ADMIN_PASSWORD: &str = "Admin#2026zc";
/// Every demo account's password.
pub const DEMO_PASSWORD: &str = "Demo#2026zc";

/// Creates the platform admin from `APP__ADMIN__USERNAME` / `APP__ADMIN__PASSWORD` when none exists.
pub async fn ensure_admin(state: &AppState) -> anyhow::Result<()> {
    let admins =
        account::Entity::find().filter(account::Column::Role.eq(Role::Admin.as_str())).count(&state.db).await?;
    if admins > 0 {
        return Ok(());
    }
    let username =
        Username::parse(&state.settings.admin.username).map_err(|e| anyhow::anyhow!("admin.username: {e}"))?;
    let (raw, printed) = match &state.settings.admin.password {
        Some(password) => (password.clone(), false),
        None => (DEV_ADMIN_PASSWORD.to_string(), true),
    };
    let password = Password::parse(&raw).map_err(|e| anyhow::anyhow!("admin.password: {e}"))?;
    let hash = password::hash(password.expose().to_string()).await?;
    let tx = db::begin_write(&state.db).await?;
    let fields = AccountFields {
        role: Role::Admin,
        real_name: "平台管理员",
        id_number: None,
        phone: None,
        org_id: None,
        created_by: None,
    };
    let admin = accounts::insert_account(state, &tx, &username, hash, fields).await.map_err(anyhow_from)?;
    audit::record(&tx, AuditEntry::new("bootstrap_admin", true).object("account", &admin.id)).await?;
    tx.commit().await?;
    if printed {
        println!(
            "platform admin created: {} / {DEV_ADMIN_PASSWORD} (development default; set APP__ADMIN__PASSWORD)",
            admin.username
        );
    } else {
        println!("platform admin created: {}", admin.username);
    }
    Ok(())
}

struct DemoOrg {
    name: &'static str,
    uscc: &'static str,
    kind: OrgKind,
    admin: &'static str,
    contact: &'static str,
    phone: &'static str,
}

const DEMO_ORGS: &[DemoOrg] = &[
    DemoOrg {
        name: "济南市济阳区人力资源和社会保障局",
        uscc: "11370126MB00000010",
        kind: OrgKind::Hrss,
        admin: "jiyang_hrss",
        contact: "王科长",
        phone: "13905310001",
    },
    DemoOrg {
        name: "济南市济阳区济阳街道办事处",
        uscc: "11370126MB00000023",
        kind: OrgKind::Township,
        admin: "jiyang_street",
        contact: "李主任",
        phone: "13905310002",
    },
    DemoOrg {
        name: "济南市济阳区卫生健康局",
        uscc: "11370126MB00000036",
        kind: OrgKind::Authority,
        admin: "jiyang_health",
        contact: "赵科长",
        phone: "13905310003",
    },
    DemoOrg {
        name: "济南市济阳区人民医院",
        uscc: "12370126MB00000046",
        kind: OrgKind::Institution,
        admin: "jiyang_hospital",
        contact: "孙主任",
        phone: "13905310004",
    },
    DemoOrg {
        name: "济南鲁信精密机械有限公司",
        uscc: "91370126MA00000052",
        kind: OrgKind::Enterprise,
        admin: "luxin_machinery",
        contact: "周经理",
        phone: "13905310005",
    },
];

/// Seeds the demo organisations and accounts of the seed guide into an empty database.
/// Returns whether anything was seeded.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<bool> {
    if org::Entity::find().count(&state.db).await? > 0 {
        return Ok(false);
    }
    let password = parse(Password::parse(DEMO_PASSWORD))?;
    let mut ids = std::collections::HashMap::new();
    let mut bureau_admin = None;
    let mut admins = std::collections::HashMap::new();
    for demo in DEMO_ORGS {
        let input = NewOrg {
            name: demo.name.to_string(),
            uscc: parse(Uscc::parse(demo.uscc))?,
            kind: demo.kind,
            region_code: "370126".to_string(),
            address: "山东省济南市济阳区".to_string(),
            contact_name: demo.contact.to_string(),
            contact_phone: parse(ContactPhone::parse(demo.phone))?,
            admin_username: parse(Username::parse(demo.admin))?,
            admin_password: parse(Password::parse(DEMO_PASSWORD))?,
        };
        let (org, admin) =
            accounts::provision_org(state, input, ("bootstrap", "demo"), None).await.map_err(anyhow_from)?;
        if demo.kind == OrgKind::Hrss {
            bureau_admin = Some(admin.clone());
        }
        admins.insert(demo.kind, admin);
        ids.insert(demo.kind, org.id);
    }
    let id_of = |kind: OrgKind| ids.get(&kind).cloned().ok_or_else(|| anyhow::anyhow!("demo org {kind} missing"));
    let hospital_id = id_of(OrgKind::Institution)?;
    let hash = password::hash(password.expose().to_string()).await?;
    let tx = db::begin_write(&state.db).await?;
    let reviewer = AccountFields {
        role: Role::Reviewer,
        real_name: "刘审核",
        id_number: Some(&parse(IdCardNumber::parse("370126198507120036"))?),
        phone: Some(&parse(Phone::parse("13905310014"))?),
        org_id: Some(&hospital_id),
        created_by: None,
    };
    accounts::insert_account(state, &tx, &parse(Username::parse("hospital_reviewer"))?, hash.clone(), reviewer)
        .await
        .map_err(anyhow_from)?;
    let person = AccountFields {
        role: Role::Person,
        real_name: "张护士",
        id_number: Some(&parse(IdCardNumber::parse("370126199003050024"))?),
        phone: Some(&parse(Phone::parse("13905310100"))?),
        org_id: None,
        created_by: None,
    };
    accounts::insert_account(state, &tx, &parse(Username::parse("nurse_zhang"))?, hash, person)
        .await
        .map_err(anyhow_from)?;
    // Open paths for every level: 卫生 from the hospital through its authority, 工程 from the
    // enterprise through its township, both up to the bureau.
    let chains = [
        ("health", OrgKind::Institution, OrgKind::Authority),
        ("health", OrgKind::Authority, OrgKind::Hrss),
        ("engineering", OrgKind::Enterprise, OrgKind::Township),
        ("engineering", OrgKind::Township, OrgKind::Hrss),
    ];
    for (series, from, to) in chains {
        for level in Level::ALL {
            path::Entity::insert(path::ActiveModel {
                id: Set(db::new_id()),
                org_id: Set(id_of(from)?),
                series_code: Set(series.to_string()),
                level: Set(level.as_str().to_string()),
                parent_org_id: Set(id_of(to)?),
                status: Set(PathStatus::Approved.as_str().to_string()),
                reason: Set(None),
                applied_by: Set("bootstrap".to_string()),
                decided_by: Set(Some("bootstrap".to_string())),
                decided_at: Set(Some(db::now())),
                created_at: Set(db::now()),
            })
            .exec_without_returning(&tx)
            .await?;
        }
    }
    tx.commit().await?;
    let bureau_admin = bureau_admin.ok_or_else(|| anyhow::anyhow!("demo bureau admin missing"))?;
    let plan = demo_plan(state, &bureau_admin).await?;
    demo_eligibility(state).await?;
    demo_committee(state, &admins, &ids).await?;
    print_demo_accounts();
    println!(
        "  申报计划 “{}”: 申报截止 {}（北京时间）",
        plan.plan.name,
        crate::domain::plan::beijing_text(plan.plan.closes_at)
    );
    Ok(true)
}

/// The demo bureau's plan for the current (Beijing) year, open now for 30 days, covering the
/// demo series (卫生, 工程) at every level; each level then has 5 more days than the one below.
async fn demo_plan(state: &AppState, admin: &account::Model) -> anyhow::Result<crate::services::plans::PlanView> {
    use chrono::{Datelike, Duration, NaiveTime, TimeZone};

    use crate::domain::DeclarationKind;
    use crate::domain::plan::{Timeline, beijing};

    let now = state.clock.now();
    let local = now.with_timezone(&beijing());
    // Closes at 17:00 Beijing time, 30 days from now: the way notices set their deadlines.
    let close_day = (local + Duration::days(30)).date_naive();
    let five_pm = NaiveTime::from_hms_opt(17, 0, 0).ok_or_else(|| anyhow::anyhow!("17:00"))?;
    let closes_at = beijing()
        .from_local_datetime(&close_day.and_time(five_pm))
        .single()
        .ok_or_else(|| anyhow::anyhow!("a Beijing time is always unique"))?
        .with_timezone(&chrono::Utc);
    let timeline = Timeline {
        opens_at: now - Duration::days(1),
        closes_at,
        return_closes_at: closes_at + Duration::days(5),
        employer_closes_at: closes_at + Duration::days(10),
        authority_closes_at: closes_at + Duration::days(15),
        bureau_closes_at: closes_at + Duration::days(20),
    };
    let year = local.year();
    let caller = crate::auth::AuthUser {
        id: admin.id.clone(),
        username: admin.username.clone(),
        role: Role::OrgAdmin,
        real_name: admin.real_name.clone(),
        org_id: admin.org_id.clone(),
    };
    let input = crate::services::plans::PlanInput {
        bureau_org_id: None,
        year,
        kind: DeclarationKind::Title,
        name: format!("{year}年度卫生、工程系列职称申报"),
        notice: format!(
            "根据职称评审有关规定，现开展{year}年度卫生、工程系列职称申报工作。申报人员须在申报截止前通过平台完成个人数据申报并确认申报；\
             各用人单位、主管部门须在规定时间内完成审核和数据上报，逾期不予受理。"
        ),
        notice_attachment_id: None,
        series: vec!["health".into(), "engineering".into()],
        levels: Level::ALL.to_vec(),
        timeline,
        pledge_text: None,
        exceptional_allowed: true,
    };
    crate::services::plans::create(state, &caller, input, None).await.map_err(anyhow_from)
}

/// 资格条件 of the demo series at 副高级 and 正高级 (the levels the notices set conditions for).
async fn demo_eligibility(state: &AppState) -> anyhow::Result<()> {
    use serde_json::json;

    use crate::domain::eligibility::RuleSet;
    use crate::services::plans::eligibility::{Scope, seed};

    let deputy_title = json!({"kind": "title_years", "paths": [
        {"level": "intermediate", "years": 5},
        {"level": "intermediate", "years": 2, "education": "博士研究生"}
    ]});
    let senior_title = json!({"kind": "title_years", "paths": [{"level": "deputy_senior", "years": 5}]});
    let sets = [
        (
            "health",
            Level::DeputySenior,
            json!([deputy_title, {"kind": "profession_years", "years": 5},
            {"kind": "annual_review", "years": 3}, {"kind": "continuing_education", "years": 3, "hours": 90}]),
        ),
        (
            "health",
            Level::Senior,
            json!([senior_title, {"kind": "profession_years", "years": 15},
            {"kind": "annual_review", "years": 5}, {"kind": "continuing_education", "years": 5, "hours": 90}]),
        ),
        (
            "engineering",
            Level::DeputySenior,
            json!([deputy_title, {"kind": "profession_years", "years": 5},
            {"kind": "annual_review", "years": 3}]),
        ),
        (
            "engineering",
            Level::Senior,
            json!([senior_title, {"kind": "profession_years", "years": 15},
            {"kind": "annual_review", "years": 5}]),
        ),
    ];
    for (series, level, rules) in sets {
        let rules: RuleSet = serde_json::from_value(json!({ "rules": rules }))?;
        let scope = Scope { plan_id: None, series_code: Some(series.into()), level };
        seed(&state.db, scope, rules).await.map_err(anyhow_from)?;
    }
    Ok(())
}

/// The demo's 评委会: the 卫生健康局 forms a 卫生系列中级 committee, the bureau approves it and
/// routes its accepted 卫生/中级 declarations to it, and 13 experts (none from the hospital, so a
/// draw for its applicants succeeds) fill the library, each with an `expert` account.
async fn demo_committee(
    state: &AppState,
    admins: &std::collections::HashMap<OrgKind, account::Model>,
    ids: &std::collections::HashMap<OrgKind, String>,
) -> anyhow::Result<()> {
    use crate::services::committees::{self, NewCommittee};

    let caller = |kind: OrgKind| -> anyhow::Result<crate::auth::AuthUser> {
        let admin = admins.get(&kind).ok_or_else(|| anyhow::anyhow!("demo admin {kind} missing"))?;
        Ok(crate::auth::AuthUser {
            id: admin.id.clone(),
            username: admin.username.clone(),
            role: Role::OrgAdmin,
            real_name: admin.real_name.clone(),
            org_id: admin.org_id.clone(),
        })
    };
    let former = caller(OrgKind::Authority)?;
    let bureau = caller(OrgKind::Hrss)?;
    let input = NewCommittee {
        name: "济阳区卫生系列中级职称评审委员会".into(),
        series: "health".into(),
        levels: vec![Level::Intermediate, Level::Assistant, Level::Staff],
        specialty_group: None,
        bureau_org_id: ids.get(&OrgKind::Hrss).cloned().unwrap_or_default(),
        min_members: std::collections::HashMap::new(),
        quorum: None,
        pass: None,
    };
    let committee = committees::form(state, &former, input, None).await.map_err(anyhow_from)?.committee;
    committees::decide(state, &bureau, &committee.id, true, None, None).await.map_err(anyhow_from)?;
    let route = committees::apply_route(state, &bureau, &committee.id, "health", Level::Intermediate, None)
        .await
        .map_err(anyhow_from)?;
    committees::decide_route(state, &former, &route.route.id, true, None, None).await.map_err(anyhow_from)?;
    const NAMES: [&str; 13] =
        ["王建国", "李秀英", "张伟", "刘芳", "陈静", "杨洋", "赵磊", "黄敏", "周杰", "吴霞", "徐强", "孙丽", "马超"];
    let homes = [OrgKind::Authority, OrgKind::Township, OrgKind::Hrss, OrgKind::Enterprise];
    let hash = password::hash(DEMO_PASSWORD.to_string()).await?;
    let tx = db::begin_write(&state.db).await?;
    for (index, name) in NAMES.iter().enumerate() {
        let seq = index + 1;
        let id_number = parse(IdCardNumber::parse(&demo_id_number(&format!("37012619750101{:03}", seq * 2 + 1))))?;
        let phone = parse(Phone::parse(&format!("139053102{seq:02}")))?;
        let fields = AccountFields {
            role: Role::Expert,
            real_name: name,
            id_number: Some(&id_number),
            phone: Some(&phone),
            org_id: None,
            created_by: Some(&former.id),
        };
        let username = parse(Username::parse(&format!("expert{seq:02}")))?;
        let account =
            accounts::insert_account(state, &tx, &username, hash.clone(), fields).await.map_err(anyhow_from)?;
        let home = ids.get(&homes[index % homes.len()]).cloned().unwrap_or_default();
        crate::entities::expert::Entity::insert(crate::entities::expert::ActiveModel::from(
            crate::entities::expert::Model {
                id: db::new_id(),
                committee_id: committee.id.clone(),
                account_id: account.id,
                real_name: name.to_string(),
                org_id: home,
                series_code: "health".into(),
                specialty: "护理学".into(),
                level: if index % 3 == 0 { Level::DeputySenior } else { Level::Intermediate }.as_str().into(),
                status: "active".into(),
                entry_reason: "演示数据：业务骨干，推荐入库".into(),
                exit_reason: None,
                created_by: former.id.clone(),
                created_at: db::now(),
                removed_at: None,
            },
        ))
        .exec_without_returning(&tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A valid ID number (GB 11643 check character) from its first 17 digits.
fn demo_id_number(first17: &str) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(weights).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

fn print_demo_accounts() {
    println!("demo data seeded; every demo account's password is {DEMO_PASSWORD}");
    println!("  approved paths: 卫生 医院→卫生健康局→人社局, 工程 企业→街道→人社局 (all levels)");
    for demo in DEMO_ORGS {
        println!("  {:<18} {} 单位管理员 ({})", demo.admin, demo.name, demo.kind.label());
    }
    println!("  {:<18} 济南市济阳区人民医院 实名制审核人员", "hospital_reviewer");
    println!("  {:<18} 个人 张护士 (身份证号 370126199003050024, 手机 13905310100)", "nurse_zhang");
    println!("  {:<18} 评审专家 (济阳区卫生系列中级职称评审委员会专家库，组建单位 jiyang_health)", "expert01…expert13");
}

fn parse<T>(result: Result<T, crate::domain::DomainError>) -> anyhow::Result<T> {
    result.map_err(|e| anyhow::anyhow!("demo data is invalid: {e}"))
}

fn anyhow_from(error: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}
