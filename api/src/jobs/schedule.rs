//! When a periodic job runs: its slots, and the instant each slot becomes due.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Offset, TimeZone, Utc};

/// Beijing time, in which the platform's days begin and end.
pub fn beijing() -> FixedOffset {
    // 8 hours east is always in range.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The Beijing calendar day of an instant, as `YYYY-MM-DD`.
pub fn beijing_day(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y-%m-%d").to_string()
}

/// The instant a Beijing calendar day begins.
pub fn beijing_midnight(at: DateTime<Utc>) -> DateTime<Utc> {
    let local = at.with_timezone(&beijing()).date_naive();
    let midnight = local.and_time(NaiveTime::MIN);
    beijing().from_local_datetime(&midnight).single().map(|t| t.with_timezone(&Utc)).unwrap_or(at)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Once a Beijing day, from this time of day on (a server down at that time runs it when it
    /// starts, the same day).
    DailyAt { hour: u32, minute: u32 },
    /// Once per period, counted from the Unix epoch.
    Every(Duration),
}

impl Schedule {
    /// Daily at `hour:minute` Beijing time (clamped to a valid time).
    pub fn daily_at(hour: u32, minute: u32) -> Self {
        Self::DailyAt { hour: hour.min(23), minute: minute.min(59) }
    }

    /// Once per `period` (at least a second).
    pub fn every(period: Duration) -> Self {
        Self::Every(period.max(Duration::seconds(1)))
    }

    /// The slot `now` falls in, if that slot is due: its name and when it became due.
    pub fn due_slot(&self, now: DateTime<Utc>) -> Option<(String, DateTime<Utc>)> {
        match *self {
            Schedule::DailyAt { hour, minute } => {
                let due = beijing_midnight(now) + Duration::hours(hour.into()) + Duration::minutes(minute.into());
                (now >= due).then(|| (beijing_day(now), due))
            }
            Schedule::Every(period) => {
                let seconds = period.num_seconds().max(1);
                let index = now.timestamp().div_euclid(seconds);
                let due = DateTime::<Utc>::from_timestamp(index * seconds, 0)?;
                Some((index.to_string(), due))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_daily_slot_is_a_beijing_day_and_due_from_its_hour() {
        let schedule = Schedule::daily_at(9, 0);
        // 00:30 UTC is 08:30 in Beijing: not yet.
        assert_eq!(schedule.due_slot(at("2026-12-01T00:30:00Z")), None);
        let (slot, due) = schedule.due_slot(at("2026-12-01T01:00:00Z")).unwrap();
        assert_eq!(slot, "2026-12-01");
        assert_eq!(due, at("2026-12-01T01:00:00Z"));
        // 17:00 UTC is already the next day in Beijing.
        assert_eq!(schedule.due_slot(at("2026-12-01T17:00:00Z")), None);
        assert_eq!(schedule.due_slot(at("2026-12-02T02:00:00Z")).unwrap().0, "2026-12-02");
    }

    #[test]
    fn an_interval_slot_changes_once_per_period() {
        let schedule = Schedule::every(Duration::minutes(10));
        let first = schedule.due_slot(at("2026-12-01T10:01:00Z")).unwrap();
        assert_eq!(first, schedule.due_slot(at("2026-12-01T10:09:59Z")).unwrap());
        assert_eq!(first.1, at("2026-12-01T10:00:00Z"));
        assert_ne!(first.0, schedule.due_slot(at("2026-12-01T10:10:00Z")).unwrap().0);
    }

    #[test]
    fn the_beijing_day_starts_at_sixteen_hundred_utc() {
        assert_eq!(beijing_day(at("2026-11-30T15:59:59Z")), "2026-11-30");
        assert_eq!(beijing_day(at("2026-11-30T16:00:00Z")), "2026-12-01");
        assert_eq!(beijing_midnight(at("2026-12-01T03:00:00Z")), at("2026-11-30T16:00:00Z"));
    }
}
