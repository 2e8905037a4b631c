//! Working days (工作日) for 公示 periods: Saturdays and Sundays are rest days unless the year's
//! calendar makes them make-up working days (调休上班), and the official holidays (法定节假日) are
//! rest days. The calendar is data kept by the admin; this module only counts.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, Weekday};

/// The default length of a 公示 period, in working days.
pub const DEFAULT_PERIOD: u32 = 5;

/// The year's exceptions to "Monday to Friday".
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// Official holidays: rest days even on a weekday.
    pub holidays: HashSet<NaiveDate>,
    /// Make-up working days: working days even on a weekend.
    pub workdays: HashSet<NaiveDate>,
}

impl Calendar {
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The last day of a period of `days` working days that starts the day after `published_on`:
    /// the `days`-th working day after it. Zero days end on the day of publication.
    pub fn end_of_period(&self, published_on: NaiveDate, days: u32) -> NaiveDate {
        let mut day = published_on;
        let mut left = days;
        while left > 0 {
            day = day.succ_opt().unwrap_or(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn five_working_days_from_a_thursday_cross_the_weekend() {
        // Thu 2026-12-03 → Fri 4, Mon 7, Tue 8, Wed 9, Thu 10.
        let calendar = Calendar::default();
        assert_eq!(calendar.end_of_period(d("2026-12-03"), 5), d("2026-12-10"));
        // Published on a Saturday: Mon to Fri.
        assert_eq!(calendar.end_of_period(d("2026-12-05"), 5), d("2026-12-11"));
        assert_eq!(calendar.end_of_period(d("2026-12-05"), 0), d("2026-12-05"));
    }

    #[test]
    fn a_holiday_is_skipped_and_a_make_up_working_day_counts() {
        // 2026 National Day: Oct 1–7 holidays, Sat Oct 10 a make-up working day (as data).
        let mut calendar = Calendar::default();
        for day in 1..=7 {
            calendar.holidays.insert(NaiveDate::from_ymd_opt(2026, 10, day).unwrap());
        }
        calendar.workdays.insert(d("2026-10-10"));
        // Published Wed Sep 30: Oct 1–7 rest, Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13.
        assert_eq!(calendar.end_of_period(d("2026-09-30"), 5), d("2026-10-13"));
        // Without the make-up day the period ends a day later.
        calendar.workdays.clear();
        assert_eq!(calendar.end_of_period(d("2026-09-30"), 5), d("2026-10-14"));
        // A holiday on a weekday alone.
        let mut one = Calendar::default();
        one.holidays.insert(d("2026-12-08"));
        assert_eq!(one.end_of_period(d("2026-12-03"), 5), d("2026-12-11"));
        assert!(!one.is_working_day(d("2026-12-08")));
        assert!(one.is_working_day(d("2026-12-07")));
    }
}
