//! The title catalogue (series, their levels and specialties, seeded with the national list)
//! and reporting paths between organisations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (code, name, levels as (level, title name), specialties)
type SeriesSeed = (&'static str, &'static str, &'static [(&'static str, &'static str)], &'static [&'static str]);

const FIVE: [&str; 5] = ["senior", "deputy_senior", "intermediate", "assistant", "staff"];

const SERIES: &[SeriesSeed] = &[
    (
        "engineering",
        "工程",
        &[
            ("senior", "正高级工程师"),
            ("deputy_senior", "高级工程师"),
            ("intermediate", "工程师"),
            ("assistant", "助理工程师"),
            ("staff", "技术员"),
        ],
        &["机械工程", "电气工程", "建筑工程", "化工工程", "计算机技术", "环境工程", "交通运输工程", "水利工程"],
    ),
    (
        "health",
        "卫生",
        &[
            ("senior", "主任医（药、护、技）师"),
            ("deputy_senior", "副主任医（药、护、技）师"),
            ("intermediate", "主治（管）医（药、护、技）师"),
            ("assistant", "医（药、护、技）师"),
            ("staff", "医（药、护、技）士"),
        ],
        &["临床医学", "护理学", "药学", "医学技术", "中医学", "公共卫生", "口腔医学"],
    ),
    (
        "economics",
        "经济",
        &[
            ("senior", "正高级经济师"),
            ("deputy_senior", "高级经济师"),
            ("intermediate", "经济师"),
            ("assistant", "助理经济师"),
        ],
        &["工商管理", "财政税收", "金融", "人力资源管理", "知识产权", "建筑与房地产经济"],
    ),
    (
        "accounting",
        "会计",
        &[
            ("senior", "正高级会计师"),
            ("deputy_senior", "高级会计师"),
            ("intermediate", "会计师"),
            ("assistant", "助理会计师"),
        ],
        &["会计"],
    ),
    (
        "auditing",
        "审计",
        &[
            ("senior", "正高级审计师"),
            ("deputy_senior", "高级审计师"),
            ("intermediate", "审计师"),
            ("assistant", "助理审计师"),
        ],
        &["审计"],
    ),
    (
        "statistics",
        "统计",
        &[
            ("senior", "正高级统计师"),
            ("deputy_senior", "高级统计师"),
            ("intermediate", "统计师"),
            ("assistant", "助理统计师"),
        ],
        &["统计"],
    ),
    (
        "agriculture",
        "农业",
        &[
            ("senior", "正高级农艺（畜牧、兽医）师"),
            ("deputy_senior", "高级农艺（畜牧、兽医）师"),
            ("intermediate", "农艺（畜牧、兽医）师"),
            ("assistant", "助理农艺（畜牧、兽医）师"),
            ("staff", "技术员"),
        ],
        &["农学", "园艺", "植物保护", "畜牧", "兽医", "农业工程"],
    ),
    (
        "school_teacher",
        "中小学教师",
        &[
            ("senior", "正高级教师"),
            ("deputy_senior", "高级教师"),
            ("intermediate", "一级教师"),
            ("assistant", "二级教师"),
            ("staff", "三级教师"),
        ],
        &[
            "语文",
            "数学",
            "英语",
            "物理",
            "化学",
            "生物",
            "历史",
            "地理",
            "道德与法治",
            "音乐",
            "体育",
            "美术",
            "信息技术",
            "学前教育",
        ],
    ),
    (
        "university_teacher",
        "高等学校教师",
        &[("senior", "教授"), ("deputy_senior", "副教授"), ("intermediate", "讲师"), ("assistant", "助教")],
        &["理学", "工学", "医学", "文学", "经济学", "管理学", "教育学"],
    ),
    (
        "vocational_teacher",
        "中等职业学校教师",
        &[("senior", "正高级讲师"), ("deputy_senior", "高级讲师"), ("intermediate", "讲师"), ("assistant", "助理讲师")],
        &["文化课", "专业课", "实习指导"],
    ),
    (
        "technical_school_teacher",
        "技工院校教师",
        &[("senior", "正高级讲师"), ("deputy_senior", "高级讲师"), ("intermediate", "讲师"), ("assistant", "助理讲师")],
        &["文化技术理论课", "一体化课程", "生产实习指导"],
    ),
    (
        "lab_technology",
        "实验技术",
        &[
            ("senior", "正高级实验师"),
            ("deputy_senior", "高级实验师"),
            ("intermediate", "实验师"),
            ("assistant", "助理实验师"),
            ("staff", "实验员"),
        ],
        &["实验技术"],
    ),
    (
        "natural_science_research",
        "自然科学研究",
        &[
            ("senior", "研究员"),
            ("deputy_senior", "副研究员"),
            ("intermediate", "助理研究员"),
            ("assistant", "研究实习员"),
        ],
        &["基础研究", "应用研究", "技术开发"],
    ),
    (
        "social_science_research",
        "哲学社会科学研究",
        &[
            ("senior", "研究员"),
            ("deputy_senior", "副研究员"),
            ("intermediate", "助理研究员"),
            ("assistant", "研究实习员"),
        ],
        &["哲学", "经济学", "法学", "社会学", "历史学"],
    ),
    (
        "journalism",
        "新闻",
        &[
            ("senior", "高级记者（编辑）"),
            ("deputy_senior", "主任记者（编辑）"),
            ("intermediate", "记者（编辑）"),
            ("assistant", "助理记者（编辑）"),
        ],
        &["采编", "新闻编辑"],
    ),
    (
        "publishing",
        "出版",
        &[("senior", "编审"), ("deputy_senior", "副编审"), ("intermediate", "编辑"), ("assistant", "助理编辑")],
        &["图书编辑", "期刊编辑", "出版技术"],
    ),
    (
        "broadcasting",
        "播音主持",
        &[
            ("senior", "播音指导"),
            ("deputy_senior", "主任播音员（主持人）"),
            ("intermediate", "一级播音员（主持人）"),
            ("assistant", "二级播音员（主持人）"),
            ("staff", "三级播音员（主持人）"),
        ],
        &["播音", "主持"],
    ),
    (
        "translation",
        "翻译",
        &[
            ("senior", "译审"),
            ("deputy_senior", "副译审"),
            ("intermediate", "一级翻译"),
            ("assistant", "二级翻译"),
            ("staff", "三级翻译"),
        ],
        &["英语", "日语", "俄语", "德语", "法语", "朝鲜语"],
    ),
    (
        "art",
        "艺术",
        &[
            ("senior", "一级演员（演奏员等）"),
            ("deputy_senior", "二级演员（演奏员等）"),
            ("intermediate", "三级演员（演奏员等）"),
            ("assistant", "四级演员（演奏员等）"),
        ],
        &["表演", "演奏", "舞台美术", "编剧", "导演"],
    ),
    (
        "craft_art",
        "工艺美术",
        &[
            ("senior", "正高级工艺美术师"),
            ("deputy_senior", "高级工艺美术师"),
            ("intermediate", "工艺美术师"),
            ("assistant", "助理工艺美术师"),
            ("staff", "工艺美术员"),
        ],
        &["工艺美术设计", "工艺美术制作"],
    ),
    (
        "library",
        "图书资料",
        &[
            ("senior", "研究馆员"),
            ("deputy_senior", "副研究馆员"),
            ("intermediate", "馆员"),
            ("assistant", "助理馆员"),
            ("staff", "管理员"),
        ],
        &["图书", "资料", "情报"],
    ),
    (
        "cultural_relics",
        "文物博物",
        &[
            ("senior", "研究馆员"),
            ("deputy_senior", "副研究馆员"),
            ("intermediate", "馆员"),
            ("assistant", "助理馆员"),
            ("staff", "文博管理员"),
        ],
        &["文物保护", "博物馆"],
    ),
    (
        "archives",
        "档案",
        &[
            ("senior", "研究馆员"),
            ("deputy_senior", "副研究馆员"),
            ("intermediate", "馆员"),
            ("assistant", "助理馆员"),
            ("staff", "管理员"),
        ],
        &["档案管理", "档案技术"],
    ),
    (
        "mass_culture",
        "群众文化",
        &[
            ("senior", "研究馆员"),
            ("deputy_senior", "副研究馆员"),
            ("intermediate", "馆员"),
            ("assistant", "助理馆员"),
            ("staff", "管理员"),
        ],
        &["群众文化"],
    ),
    (
        "sports",
        "体育",
        &[
            ("senior", "国家级教练"),
            ("deputy_senior", "高级教练"),
            ("intermediate", "中级教练"),
            ("assistant", "初级教练"),
        ],
        &["田径", "游泳", "球类", "体操", "武术"],
    ),
    (
        "public_legal_service",
        "公共法律服务",
        &[
            ("senior", "一级公证员"),
            ("deputy_senior", "二级公证员"),
            ("intermediate", "三级公证员"),
            ("assistant", "四级公证员"),
        ],
        &["公证", "司法鉴定", "法律援助"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Series::Table)
                    .col(string_len(Series::Code, 32).primary_key())
                    .col(string_len(Series::Name, 50))
                    .col(boolean(Series::Active))
                    .col(integer(Series::SortOrder))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SeriesLevels::Table)
                    .col(string_len(SeriesLevels::SeriesCode, 32))
                    .col(string_len(SeriesLevels::Level, 16))
                    .col(string_len(SeriesLevels::TitleName, 50))
                    .col(boolean(SeriesLevels::Active))
                    .primary_key(Index::create().col(SeriesLevels::SeriesCode).col(SeriesLevels::Level))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_series_levels_series")
                            .from(SeriesLevels::Table, SeriesLevels::SeriesCode)
                            .to(Series::Table, Series::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Specialties::Table)
                    .col(string_len(Specialties::Id, 36).primary_key())
                    .col(string_len(Specialties::SeriesCode, 32))
                    .col(string_len(Specialties::Name, 50))
                    .col(boolean(Specialties::Active))
                    .col(integer(Specialties::SortOrder))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_specialties_series")
                            .from(Specialties::Table, Specialties::SeriesCode)
                            .to(Series::Table, Series::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_specialties_series_name")
                    .table(Specialties::Table)
                    .col(Specialties::SeriesCode)
                    .col(Specialties::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Paths::Table)
                    .col(string_len(Paths::Id, 36).primary_key())
                    .col(string_len(Paths::OrgId, 36))
                    .col(string_len(Paths::SeriesCode, 32))
                    .col(string_len(Paths::Level, 16))
                    .col(string_len(Paths::ParentOrgId, 36))
                    .col(string_len(Paths::Status, 16))
                    .col(string_len_null(Paths::Reason, 500))
                    .col(string_len(Paths::AppliedBy, 36))
                    .col(string_len_null(Paths::DecidedBy, 36))
                    .col(timestamp_with_time_zone_null(Paths::DecidedAt))
                    .col(timestamp_with_time_zone(Paths::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_paths_org")
                            .from(Paths::Table, Paths::OrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_paths_parent")
                            .from(Paths::Table, Paths::ParentOrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_paths_series")
                            .from(Paths::Table, Paths::SeriesCode)
                            .to(Series::Table, Series::Code),
                    )
                    .to_owned(),
            )
            .await?;
        // One live (pending or approved) path per org, series and level: the database says so too.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_paths_live ON paths (org_id, series_code, level) \
                 WHERE status IN ('pending', 'approved')",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_paths_parent_status")
                    .table(Paths::Table)
                    .col(Paths::ParentOrgId)
                    .col(Paths::Status)
                    .to_owned(),
            )
            .await?;

        seed(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Paths::Table.into_iden(),
            Specialties::Table.into_iden(),
            SeriesLevels::Table.into_iden(),
            Series::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

async fn seed(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut series = Query::insert()
        .into_table(Series::Table)
        .columns([Series::Code, Series::Name, Series::Active, Series::SortOrder])
        .to_owned();
    let mut levels = Query::insert()
        .into_table(SeriesLevels::Table)
        .columns([SeriesLevels::SeriesCode, SeriesLevels::Level, SeriesLevels::TitleName, SeriesLevels::Active])
        .to_owned();
    let mut specialties = Query::insert()
        .into_table(Specialties::Table)
        .columns([
            Specialties::Id,
            Specialties::SeriesCode,
            Specialties::Name,
            Specialties::Active,
            Specialties::SortOrder,
        ])
        .to_owned();
    for (index, (code, name, series_levels, series_specialties)) in SERIES.iter().enumerate() {
        series.values_panic([(*code).into(), (*name).into(), true.into(), (index as i32 * 10).into()]);
        for (level, title) in series_levels.iter() {
            debug_assert!(FIVE.contains(level));
            levels.values_panic([(*code).into(), (*level).into(), (*title).into(), true.into()]);
        }
        for (position, specialty) in series_specialties.iter().enumerate() {
            // Deterministic ids so a seeded specialty is the same everywhere.
            let id = format!("{code}-{position:02}");
            specialties.values_panic([
                id.into(),
                (*code).into(),
                (*specialty).into(),
                true.into(),
                (position as i32).into(),
            ]);
        }
    }
    manager.exec_stmt(series).await?;
    manager.exec_stmt(levels).await?;
    manager.exec_stmt(specialties).await?;
    Ok(())
}

#[derive(DeriveIden)]
enum Series {
    Table,
    Code,
    Name,
    Active,
    SortOrder,
}

#[derive(DeriveIden)]
enum SeriesLevels {
    Table,
    SeriesCode,
    Level,
    TitleName,
    Active,
}

#[derive(DeriveIden)]
enum Specialties {
    Table,
    Id,
    SeriesCode,
    Name,
    Active,
    SortOrder,
}

#[derive(DeriveIden)]
enum Paths {
    Table,
    Id,
    OrgId,
    SeriesCode,
    Level,
    ParentOrgId,
    Status,
    Reason,
    AppliedBy,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
}
