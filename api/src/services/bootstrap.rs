//! First-start setup: the platform admin account, and demo data for `make run`.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::auth::password;
use crate::db;
use crate::domain::{IdCardNumber, Level, OrgKind, Password, PathStatus, Phone, Role, Uscc, Username};
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
    for demo in DEMO_ORGS {
        let input = NewOrg {
            name: demo.name.to_string(),
            uscc: parse(Uscc::parse(demo.uscc))?,
            kind: demo.kind,
            region_code: "370126".to_string(),
            address: "山东省济南市济阳区".to_string(),
            contact_name: demo.contact.to_string(),
            contact_phone: parse(Phone::parse(demo.phone))?,
            admin_username: parse(Username::parse(demo.admin))?,
            admin_password: parse(Password::parse(DEMO_PASSWORD))?,
        };
        let (org, _) = accounts::provision_org(state, input, ("bootstrap", "demo"), None).await.map_err(anyhow_from)?;
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
    print_demo_accounts();
    Ok(true)
}

fn print_demo_accounts() {
    println!("demo data seeded; every demo account's password is {DEMO_PASSWORD}");
    println!("  approved paths: 卫生 医院→卫生健康局→人社局, 工程 企业→街道→人社局 (all levels)");
    for demo in DEMO_ORGS {
        println!("  {:<18} {} 单位管理员 ({})", demo.admin, demo.name, demo.kind.label());
    }
    println!("  {:<18} 济南市济阳区人民医院 实名制审核人员", "hospital_reviewer");
    println!("  {:<18} 个人 张护士 (身份证号 370126199003050024, 手机 13905310100)", "nurse_zhang");
}

fn parse<T>(result: Result<T, crate::domain::DomainError>) -> anyhow::Result<T> {
    result.map_err(|e| anyhow::anyhow!("demo data is invalid: {e}"))
}

fn anyhow_from(error: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}
