//! Form templates: which information and sections a series' declaration has, and the rules
//! each value must meet. Templates are data (stored per series and version); the SPA renders
//! forms from them and the server validates against the same template.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::domain::{division, ethnicity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    LongText,
    Number,
    Date,
    Year,
    Select,
}

/// A national list a `text` field's value must come from, instead of free typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NationalList {
    /// The 56 民族 of GB/T 3304 (`GET /catalogue/ethnicities`); the value is the name.
    Ethnicity,
    /// 行政区划 (GB/T 2260, down to 乡镇（街道）; `GET /divisions`); the value is the code.
    Division,
}

/// One input of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    #[schema(example = "school")]
    pub key: String,
    #[schema(example = "毕业院校")]
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    /// The choices of a `select`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Smallest number, earliest year, or shortest text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest number, latest year, or longest text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// For a `text` field: the national list its value is chosen from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<NationalList>,
    /// For a `division` list: how deep the choice goes (1 省, 2 市, 3 区县, 4 乡镇（街道）; default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 4)]
    pub depth: Option<u8>,
}

/// A repeating section of items, e.g. 学历 or 业绩成果.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    #[schema(example = "education")]
    pub code: String,
    #[schema(example = "学历")]
    pub name: String,
    /// Fewest items a submission needs.
    pub min_items: u32,
    /// Most items the section takes.
    #[serde(default = "default_max_items")]
    pub max_items: u32,
    /// Whether every item needs at least one evidence file (证明材料).
    pub evidence_required: bool,
    pub fields: Vec<Field>,
}

fn default_max_items() -> u32 {
    50
}

/// The body of a template as stored and served (without series and version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormBody {
    /// 申报信息: the single-valued fields of a declaration.
    pub info_fields: Vec<Field>,
    pub sections: Vec<Section>,
}

/// Default lengths when a text field sets no `max`.
const TEXT_MAX: f64 = 200.0;
const LONG_TEXT_MAX: f64 = 4000.0;

impl FormBody {
    pub fn section(&self, code: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.code == code)
    }

    /// Checks that the template itself is sound; returns each problem with its pointer.
    pub fn check(&self) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        check_fields("/info_fields", &self.info_fields, &mut problems);
        let mut codes = Vec::new();
        for (index, section) in self.sections.iter().enumerate() {
            let at = format!("/sections/{index}");
            if !is_key(&section.code) {
                problems.push((format!("{at}/code"), "栏目代码须为小写字母、数字和下划线".into()));
            }
            if codes.contains(&section.code) {
                problems.push((format!("{at}/code"), "栏目代码重复".into()));
            }
            codes.push(section.code.clone());
            if section.name.trim().is_empty() {
                problems.push((format!("{at}/name"), "请填写栏目名称".into()));
            }
            if section.max_items == 0 || section.min_items > section.max_items || section.max_items > 200 {
                problems.push((format!("{at}/max_items"), "条目数上限须在1到200之间且不小于下限".into()));
            }
            if section.fields.is_empty() {
                problems.push((format!("{at}/fields"), "栏目至少需要一个字段".into()));
            }
            check_fields(&format!("{at}/fields"), &section.fields, &mut problems);
        }
        problems
    }
}

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_fields(at: &str, fields: &[Field], problems: &mut Vec<(String, String)>) {
    let mut keys = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let here = format!("{at}/{index}");
        if !is_key(&field.key) {
            problems.push((format!("{here}/key"), "字段代码须为小写字母、数字和下划线".into()));
        }
        if keys.contains(&field.key) {
            problems.push((format!("{here}/key"), "字段代码重复".into()));
        }
        keys.push(field.key.clone());
        if field.label.trim().is_empty() {
            problems.push((format!("{here}/label"), "请填写字段名称".into()));
        }
        let has_options = field.options.as_ref().is_some_and(|o| !o.is_empty());
        if (field.field_type == FieldType::Select) != has_options {
            problems.push((format!("{here}/options"), "下拉字段须且仅须设置选项".into()));
        }
        if let (Some(min), Some(max)) = (field.min, field.max)
            && min > max
        {
            problems.push((format!("{here}/min"), "下限不能大于上限".into()));
        }
        if field.list.is_some() && field.field_type != FieldType::Text {
            problems.push((format!("{here}/list"), "只有文字字段可从国家标准列表中选择".into()));
        }
        if let Some(depth) = field.depth
            && (field.list != Some(NationalList::Division) || !(1..=division::MAX_DEPTH).contains(&depth))
        {
            problems.push((format!("{here}/depth"), "层级只用于行政区划，须在1到4之间".into()));
        }
    }
}

impl Field {
    /// Whether `value` counts as filled in.
    pub fn is_blank(value: Option<&Value>) -> bool {
        match value {
            None | Some(Value::Null) => true,
            Some(Value::String(text)) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// How a stored value reads when it is not itself the text: a 行政区划 code as its full name
    /// (山东省/济南市/济阳区/济阳街道). `None` when the value reads as it is.
    pub fn reading(&self, value: Option<&Value>) -> Option<String> {
        match (self.list, value) {
            (Some(NationalList::Division), Some(Value::String(code))) => division::full_name(code),
            _ => None,
        }
    }

    /// Checks a present, non-blank value against the field's type and limits.
    pub fn check_value(&self, value: &Value) -> Result<(), String> {
        let label = &self.label;
        match self.field_type {
            FieldType::Text | FieldType::LongText => {
                let Value::String(text) = value else { return Err(format!("{label}须为文字")) };
                let default_max = if self.field_type == FieldType::Text { TEXT_MAX } else { LONG_TEXT_MAX };
                let length = text.trim().chars().count() as f64;
                if length > self.max.unwrap_or(default_max) {
                    return Err(format!("{label}不能超过{}个字", self.max.unwrap_or(default_max)));
                }
                if let Some(min) = self.min
                    && length < min
                {
                    return Err(format!("{label}至少{min}个字"));
                }
                if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    return Err(format!("{label}含有无效字符"));
                }
                match self.list {
                    None => Ok(()),
                    Some(NationalList::Ethnicity) if ethnicity::is_ethnicity(text) => Ok(()),
                    Some(NationalList::Ethnicity) => Err(format!("{label}须从56个民族中选择")),
                    Some(NationalList::Division) => {
                        division::check(text, self.depth.unwrap_or(division::MAX_DEPTH), label).map(|_| ())
                    }
                }
            }
            FieldType::Number => {
                let number = value.as_f64().ok_or_else(|| format!("{label}须为数字"))?;
                self.check_range(number, label)
            }
            FieldType::Year => {
                let year = value.as_i64().ok_or_else(|| format!("{label}须为四位年份"))?;
                if !(1900..=2100).contains(&year) {
                    return Err(format!("{label}须为四位年份"));
                }
                self.check_range(year as f64, label)
            }
            FieldType::Date => {
                let text = value.as_str().ok_or_else(|| format!("{label}须为日期"))?;
                let date =
                    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("{label}须为日期（年-月-日）"))?;
                if date.format("%Y-%m-%d").to_string() != text {
                    return Err(format!("{label}须为日期（年-月-日）"));
                }
                Ok(())
            }
            FieldType::Select => {
                let text = value.as_str().ok_or_else(|| format!("{label}须从选项中选择"))?;
                if self.options.as_ref().is_some_and(|options| options.iter().any(|o| o == text)) {
                    Ok(())
                } else {
                    Err(format!("{label}须从选项中选择"))
                }
            }
        }
    }

    fn check_range(&self, number: f64, label: &str) -> Result<(), String> {
        if let Some(min) = self.min
            && number < min
        {
            return Err(format!("{label}不能小于{min}"));
        }
        if let Some(max) = self.max
            && number > max
        {
            return Err(format!("{label}不能大于{max}"));
        }
        Ok(())
    }
}

/// Checks the values present in `data` against `fields`: unknown keys and wrong values.
/// Missing required values are not checked here (drafts may be incomplete); see [`missing`].
pub fn check_values(fields: &[Field], data: &Map<String, Value>, at: &str) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    for (key, value) in data {
        match fields.iter().find(|f| &f.key == key) {
            None => problems.push((format!("{at}/{key}"), "表单中没有此项".into())),
            Some(field) if !Field::is_blank(Some(value)) => {
                if let Err(message) = field.check_value(value) {
                    problems.push((format!("{at}/{key}"), message));
                }
            }
            Some(_) => {}
        }
    }
    problems
}

/// The required fields `data` leaves blank.
pub fn missing(fields: &[Field], data: &Map<String, Value>, at: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|field| field.required && Field::is_blank(data.get(&field.key)))
        .map(|field| (format!("{at}/{}", field.key), format!("请填写{}", field.label)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(value: Value) -> Field {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn values_are_checked_by_type_and_limits() {
        let hours =
            field(json!({"key": "hours", "label": "学时", "type": "number", "required": true, "min": 0, "max": 500}));
        assert!(hours.check_value(&json!(90)).is_ok());
        assert!(hours.check_value(&json!(-1)).is_err());
        assert!(hours.check_value(&json!("90")).is_err());
        let date = field(json!({"key": "d", "label": "毕业时间", "type": "date"}));
        assert!(date.check_value(&json!("2012-07-01")).is_ok());
        assert!(date.check_value(&json!("2012-7-1")).is_err());
        assert!(date.check_value(&json!("2012-02-30")).is_err());
        let year = field(json!({"key": "y", "label": "年度", "type": "year"}));
        assert!(year.check_value(&json!(2025)).is_ok());
        assert!(year.check_value(&json!(25)).is_err());
        let result = field(json!({"key": "r", "label": "考核结果", "type": "select", "options": ["优秀", "合格"]}));
        assert!(result.check_value(&json!("优秀")).is_ok());
        assert!(result.check_value(&json!("很好")).is_err());
        let text = field(json!({"key": "t", "label": "名称", "type": "text", "max": 4}));
        assert!(text.check_value(&json!("四个汉字")).is_ok());
        assert!(text.check_value(&json!("五个汉字了")).is_err());
    }

    #[test]
    fn a_field_on_a_national_list_takes_only_its_values() {
        let ethnicity = field(json!({"key": "ethnicity", "label": "民族", "type": "text", "list": "ethnicity"}));
        assert!(ethnicity.check_value(&json!("回族")).is_ok());
        assert_eq!(ethnicity.check_value(&json!("汉")).unwrap_err(), "民族须从56个民族中选择");
        let region = field(json!({"key": "work_region", "label": "工作所在地", "type": "text", "list": "division"}));
        assert!(region.check_value(&json!("370115001")).is_ok());
        assert_eq!(region.check_value(&json!("370115")).unwrap_err(), "工作所在地须选择到乡镇（街道）");
        let county = field(json!({"key": "r", "label": "所在区县", "type": "text", "list": "division", "depth": 3}));
        assert!(county.check_value(&json!("370115")).is_ok());
        assert!(county.check_value(&json!("山东省济南市")).is_err());
    }

    #[test]
    fn a_list_belongs_on_a_text_field_and_a_depth_on_a_division() {
        let body: FormBody = serde_json::from_value(json!({
            "info_fields": [
                {"key": "a", "label": "A", "type": "number", "list": "ethnicity"},
                {"key": "b", "label": "B", "type": "text", "list": "ethnicity", "depth": 2},
                {"key": "c", "label": "C", "type": "text", "list": "division", "depth": 5},
                {"key": "d", "label": "D", "type": "text", "list": "division", "depth": 3}
            ],
            "sections": []
        }))
        .unwrap();
        let pointers: Vec<String> = body.check().into_iter().map(|(p, _)| p).collect();
        assert_eq!(pointers, ["/info_fields/0/list", "/info_fields/1/depth", "/info_fields/2/depth"]);
    }

    #[test]
    fn unknown_keys_and_missing_required_values_are_named() {
        let fields = vec![
            field(json!({"key": "school", "label": "毕业院校", "type": "text", "required": true})),
            field(json!({"key": "degree", "label": "学位", "type": "text"})),
        ];
        let data = json!({"degree": "学士", "status": "x"});
        let data = data.as_object().unwrap();
        assert_eq!(
            check_values(&fields, data, "/data"),
            vec![("/data/status".to_string(), "表单中没有此项".to_string())]
        );
        assert_eq!(missing(&fields, data, "/data"), vec![("/data/school".to_string(), "请填写毕业院校".to_string())]);
        let blank = json!({"school": "  "});
        assert_eq!(missing(&fields, blank.as_object().unwrap(), "/data").len(), 1);
    }

    #[test]
    fn a_template_with_duplicate_keys_or_a_select_without_options_is_refused() {
        let body: FormBody = serde_json::from_value(json!({
            "info_fields": [
                {"key": "a", "label": "A", "type": "text"},
                {"key": "a", "label": "B", "type": "select"}
            ],
            "sections": [{"code": "Bad", "name": "", "min_items": 3, "max_items": 2, "evidence_required": false, "fields": []}]
        }))
        .unwrap();
        let pointers: Vec<String> = body.check().into_iter().map(|(p, _)| p).collect();
        for expected in [
            "/info_fields/1/key",
            "/info_fields/1/options",
            "/sections/0/code",
            "/sections/0/name",
            "/sections/0/max_items",
            "/sections/0/fields",
        ] {
            assert!(pointers.contains(&expected.to_string()), "{expected} in {pointers:?}");
        }
    }
}
