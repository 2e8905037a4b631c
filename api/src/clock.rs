//! The server's clock for rules that depend on the time: deadlines (申报计划), 公示 periods,
//! reminders. Production reads the system clock; tests move it (`state.clock.advance(..)`,
//! `state.clock.set(..)`) instead of sleeping. Timestamps of records still come from
//! [`crate::db::now`]: the clock decides *whether* something may happen, not when it was written.
//!
//! A process may also start ahead of the system clock by `clock.offset_days`
//! (`APP__CLOCK__OFFSET_DAYS`): a drill or an end-to-end test starts a second instance on the same
//! database that many days later, so a 公示 period passes and its jobs run without waiting. The
//! offset is read once at start (production refuses it); nothing a request sends moves the clock.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SubsecRound, Utc};

#[derive(Clone, Default)]
pub struct Clock {
    shift: Arc<Mutex<Shift>>,
}

#[derive(Default, Clone, Copy)]
enum Shift {
    /// The system clock.
    #[default]
    System,
    /// The system clock moved by this much.
    By(Duration),
    /// Stopped at this instant.
    At(DateTime<Utc>),
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// The system clock moved by `by` for the life of the process (`clock.offset_days`).
    pub fn offset_by(by: Duration) -> Self {
        if by.is_zero() {
            return Self::system();
        }
        Self { shift: Arc::new(Mutex::new(Shift::By(by))) }
    }

    /// Now, to the microsecond (what both databases store).
    pub fn now(&self) -> DateTime<Utc> {
        let shift = self.shift.lock().map(|s| *s).unwrap_or_default();
        let now = match shift {
            Shift::System => Utc::now(),
            Shift::By(by) => Utc::now() + by,
            Shift::At(at) => at,
        };
        now.trunc_subsecs(6)
    }

    /// Stops the clock at `at` (tests).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut shift) = self.shift.lock() {
            *shift = Shift::At(at);
        }
    }

    /// Moves the clock forward (or back) by `by`; a stopped clock stays stopped (tests).
    pub fn advance(&self, by: Duration) {
        if let Ok(mut shift) = self.shift.lock() {
            *shift = match *shift {
                Shift::System => Shift::By(by),
                Shift::By(old) => Shift::By(old + by),
                Shift::At(at) => Shift::At(at + by),
            };
        }
    }

    /// Back to the system clock.
    pub fn reset(&self) {
        if let Ok(mut shift) = self.shift.lock() {
            *shift = Shift::System;
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_clock_moves_only_when_told() {
        let clock = Clock::system();
        let at = DateTime::parse_from_rfc3339("2026-12-15T09:00:00Z").unwrap().with_timezone(&Utc);
        clock.set(at);
        assert_eq!(clock.now(), at);
        clock.advance(Duration::seconds(1));
        assert_eq!(clock.now(), at + Duration::seconds(1));
        clock.reset();
        assert!((clock.now() - Utc::now()).num_seconds().abs() < 5);
    }

    #[test]
    fn an_offset_clock_runs_that_far_ahead_of_the_system_clock() {
        let clock = Clock::offset_by(Duration::days(8));
        let ahead = clock.now() - Utc::now();
        assert!(ahead > Duration::days(8) - Duration::seconds(5) && ahead <= Duration::days(8), "{ahead}");
        assert!((Clock::offset_by(Duration::zero()).now() - Utc::now()).num_seconds().abs() < 5);
    }

    #[test]
    fn clones_share_one_clock() {
        let clock = Clock::system();
        let other = clock.clone();
        other.advance(Duration::days(3));
        assert!(clock.now() - Utc::now() > Duration::days(2));
    }
}
