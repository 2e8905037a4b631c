//! 民族: the 56 names of GB/T 3304-1991 《中国各民族名称的罗马字母拼写法和代码》, in the
//! standard's order (its codes 01–56). A form field whose `list` is `ethnicity` takes one of these
//! and nothing else; the SPA offers them from `GET /catalogue/ethnicities`.

/// The 56 民族 of GB/T 3304, in code order (汉族 is 01, 基诺族 56).
pub const ETHNICITIES: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

/// Whether `name` is one of the 56, written exactly as the standard writes it (汉族, not 汉).
pub fn is_ethnicity(name: &str) -> bool {
    ETHNICITIES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_the_56_once_each() {
        let mut names = ETHNICITIES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 56);
        assert!(ETHNICITIES.iter().all(|n| n.ends_with('族')));
    }

    #[test]
    fn only_the_standard_names_are_accepted() {
        assert!(is_ethnicity("汉族"));
        assert!(is_ethnicity("基诺族"));
        assert!(!is_ethnicity("汉"));
        assert!(!is_ethnicity("穿青人"));
        assert!(!is_ethnicity(" 汉族"));
    }
}
