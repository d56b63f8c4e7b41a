//! SLA arithmetic: business-hours calendars, the choice of policy for a ticket,
//! due and warning instants, pauses, and the state a clock shows.
//!
//! Every instant is UTC; a calendar's hours are local wall-clock times in its time zone. The
//! crate does not know time zone names (that would pull the tz database into the browser
//! bundle), so every function that needs one takes `tz: &impl TimeZone` and the API parses
//! `BusinessCalendar::time_zone` with chrono-tz.
//!
//! The model: each local date of the calendar contributes a few `[start, end)` spans of real
//! time. A span is found by converting its local start and end to UTC, so a day with a DST
//! change has as much open time as really elapses in it (00:00–24:00 on the spring-forward
//! Sunday is 23 hours). "Business time" between two instants is the length of the spans
//! between them; adding business time walks those spans forward day by day.

use std::cmp::Ordering;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc, Weekday,
};
use serde::{Deserialize, Serialize};

use super::{Priority, TicketStatus};
use crate::FieldError;

/// How many local days `add` and `open_between` walk at most (about ten years). A valid
/// calendar never gets near it for a valid target; it only stops a calendar whose every day
/// is closed (all holidays, or no hours at all) from looping forever.
pub const MAX_WALK_DAYS: i64 = 3660;
/// At most this many holidays per calendar (a year of them).
pub const HOLIDAYS_MAX: usize = 366;
/// IANA names are short ("America/Argentina/ComodRivadavia" is the longest, 32).
pub const TIME_ZONE_MAX: usize = 64;
/// The longest target a policy may set: a year of business time.
pub const TARGET_MINUTES_MAX: i64 = 365 * 24 * 60;

// ---------------------------------------------------------------------------------------
// Calendars

/// Opening interval of one weekday in local wall-clock time, `[start, end)`. `end: None`
/// means "until midnight", so a day can be open to its very end without a 24:00 time.
/// JSON: `{"start": "09:00", "end": "18:00"}`; `"end": null` (or `"24:00"`) is midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"start": "09:00", "end": "18:00"})))]
#[serde(deny_unknown_fields)]
pub struct OpenInterval {
    #[serde(with = "hhmm")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "09:00"))]
    pub start: NaiveTime,
    #[serde(with = "hhmm_end")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "18:00"))]
    pub end: Option<NaiveTime>,
}

impl OpenInterval {
    pub fn new(start: NaiveTime, end: Option<NaiveTime>) -> Self {
        OpenInterval { start, end }
    }

    /// Whether `end` comes after `start` (midnight always does).
    pub fn is_valid(&self) -> bool {
        self.end.is_none_or(|e| e > self.start)
    }

    /// Whether two intervals of the same day share any time (touching ends do not).
    pub fn overlaps(&self, other: &OpenInterval) -> bool {
        let before = |a: &OpenInterval, b: &OpenInterval| a.end.is_some_and(|e| e <= b.start);
        !before(self, other) && !before(other, self)
    }
}

/// Opening hours for each day of the week; a day with no intervals is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    #[serde(default)]
    pub mon: Vec<OpenInterval>,
    #[serde(default)]
    pub tue: Vec<OpenInterval>,
    #[serde(default)]
    pub wed: Vec<OpenInterval>,
    #[serde(default)]
    pub thu: Vec<OpenInterval>,
    #[serde(default)]
    pub fri: Vec<OpenInterval>,
    #[serde(default)]
    pub sat: Vec<OpenInterval>,
    #[serde(default)]
    pub sun: Vec<OpenInterval>,
}

/// The days in field order, with the names validation messages use.
const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

impl WeeklyHours {
    /// The intervals of one weekday.
    pub fn day(&self, d: Weekday) -> &[OpenInterval] {
        match d {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    /// Every day closed; a starting point for building hours one day at a time.
    pub fn closed() -> Self {
        WeeklyHours {
            mon: Vec::new(),
            tue: Vec::new(),
            wed: Vec::new(),
            thu: Vec::new(),
            fri: Vec::new(),
            sat: Vec::new(),
            sun: Vec::new(),
        }
    }

    /// Mutable access to one weekday's intervals.
    pub fn day_mut(&mut self, d: Weekday) -> &mut Vec<OpenInterval> {
        match d {
            Weekday::Mon => &mut self.mon,
            Weekday::Tue => &mut self.tue,
            Weekday::Wed => &mut self.wed,
            Weekday::Thu => &mut self.thu,
            Weekday::Fri => &mut self.fri,
            Weekday::Sat => &mut self.sat,
            Weekday::Sun => &mut self.sun,
        }
    }

    /// Open around the clock, every day.
    pub fn always() -> Self {
        let all_day = vec![OpenInterval::new(NaiveTime::MIN, None)];
        let mut w = WeeklyHours::closed();
        for (d, _) in DAYS {
            *w.day_mut(d) = all_day.clone();
        }
        w
    }

    /// The same hours Monday to Friday, closed at the weekend.
    pub fn office(start: NaiveTime, end: NaiveTime) -> Self {
        let mut w = WeeklyHours::closed();
        for (d, _) in &DAYS[..5] {
            *w.day_mut(*d) = vec![OpenInterval::new(start, Some(end))];
        }
        w
    }
}

/// A business-hours calendar: weekly hours in a time zone, and holidays (whole local days
/// closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BusinessCalendar {
    /// IANA name such as `Europe/Rome`; the API parses it (chrono-tz).
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Rome"))]
    pub time_zone: String,
    pub week: WeeklyHours,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        BusinessCalendar::always_open()
    }
}

/// A span of open time, `[start, end)` in UTC.
type Span = (DateTime<Utc>, DateTime<Utc>);

impl BusinessCalendar {
    /// UTC, 24x7, no holidays: the calendar of a policy that names none, where business
    /// time is plain elapsed time.
    pub fn always_open() -> Self {
        BusinessCalendar {
            time_zone: "UTC".to_string(),
            week: WeeklyHours::always(),
            holidays: Vec::new(),
        }
    }

    /// The instant reached after `business` of open time has passed from `start`.
    /// Zero duration returns `start` moved forward to the next open instant (a ticket
    /// opened on Saturday starts counting Monday 09:00). A target that ends exactly when
    /// the office closes is due at closing time, not at the next opening. Negative
    /// durations count as zero. A calendar with no open time within `MAX_WALK_DAYS` gives
    /// `start + MAX_WALK_DAYS` days.
    pub fn add<Tz: TimeZone>(
        &self,
        tz: &Tz,
        start: DateTime<Utc>,
        business: Duration,
    ) -> DateTime<Utc> {
        let mut remaining = business.max(Duration::zero());
        let mut date = first_date(tz, start);
        for _ in 0..MAX_WALK_DAYS {
            for (s, e) in self.day_spans(tz, date) {
                let s = s.max(start);
                if s >= e {
                    continue;
                }
                if remaining.is_zero() {
                    return s;
                }
                let here = e - s;
                if remaining <= here {
                    return s + remaining;
                }
                remaining -= here;
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        start + Duration::days(MAX_WALK_DAYS)
    }

    /// Open time between two instants (zero if `to <= from`). Only the first
    /// `MAX_WALK_DAYS` local days after `from` count.
    pub fn open_between<Tz: TimeZone>(
        &self,
        tz: &Tz,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Duration {
        let mut total = Duration::zero();
        if to <= from {
            return total;
        }
        // One day past `to`'s local date: when clocks fall back at midnight, the next
        // date's first span can begin before `to`.
        let last = to.with_timezone(tz).date_naive();
        let last = last.succ_opt().unwrap_or(last);
        let mut date = first_date(tz, from);
        for _ in 0..MAX_WALK_DAYS {
            for (s, e) in self.day_spans(tz, date) {
                let (s, e) = (s.max(from), e.min(to));
                if e > s {
                    total += e - s;
                }
            }
            match date.succ_opt() {
                Some(next) if date < last => date = next,
                _ => break,
            }
        }
        total
    }

    /// Whether `at` falls inside an opening interval.
    pub fn is_open<Tz: TimeZone>(&self, tz: &Tz, at: DateTime<Utc>) -> bool {
        let mut date = first_date(tz, at);
        for _ in 0..3 {
            if self
                .day_spans(tz, date)
                .iter()
                .any(|&(s, e)| s <= at && at < e)
            {
                return true;
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        false
    }

    /// The open spans of one local date, in UTC, sorted and merged. Holidays have none.
    /// Intervals are sorted and overlapping ones merged, so even a calendar that failed
    /// validation never counts the same minute twice.
    fn day_spans<Tz: TimeZone>(&self, tz: &Tz, date: NaiveDate) -> Vec<Span> {
        let intervals = self.week.day(date.weekday());
        if intervals.is_empty() || self.holidays.contains(&date) {
            return Vec::new();
        }
        let Some(next_day) = date.succ_opt() else {
            return Vec::new();
        };
        let mut sorted: Vec<&OpenInterval> = intervals.iter().collect();
        sorted.sort_by_key(|i| i.start);
        let mut spans: Vec<Span> = Vec::with_capacity(sorted.len());
        for iv in sorted {
            let s = resolve(tz, date.and_time(iv.start));
            let e = match iv.end {
                Some(end) => resolve(tz, date.and_time(end)),
                None => resolve(tz, next_day.and_time(NaiveTime::MIN)),
            };
            if e <= s {
                continue;
            }
            match spans.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => spans.push((s, e)),
            }
        }
        spans
    }
}

/// Where a walk starts: the local date before `at`'s, because the previous date's last
/// span can still be running at `at` when clocks fall back around midnight.
fn first_date<Tz: TimeZone>(tz: &Tz, at: DateTime<Utc>) -> NaiveDate {
    let d = at.with_timezone(tz).date_naive();
    d.pred_opt().unwrap_or(d)
}

/// The UTC instant of a local wall-clock time. A time that happens twice (clocks falling
/// back) is its first occurrence; a time that never happens (clocks springing forward) is
/// the first instant after the gap, when the clocks resume.
fn resolve<Tz: TimeZone>(tz: &Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.with_timezone(&Utc).min(b.with_timezone(&Utc)),
        LocalResult::None => after_gap(tz, local),
    }
}

/// The instant a DST gap containing `local` ends. Reading `local` with the offset in force
/// after the gap gives an instant before the transition, with the offset before it one
/// after; between them local time crosses `local` exactly once, at the transition, which a
/// binary search over whole seconds finds (transitions fall on whole seconds).
fn after_gap<Tz: TimeZone>(tz: &Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let offset_at =
        |u: NaiveDateTime| i64::from(tz.offset_from_utc_datetime(&u).fix().local_minus_utc());
    let local_of =
        |secs: i64| DateTime::from_timestamp(secs, 0).map(|u| u.with_timezone(tz).naive_local());
    let day = Duration::days(1);
    let before = offset_at(local - day);
    let after = offset_at(local + day);
    let reads_as = |offset: i64| (local - Duration::seconds(offset)).and_utc().timestamp();
    let (mut lo, mut hi) = (reads_as(after), reads_as(before));
    let bracketed = lo < hi
        && local_of(lo).is_some_and(|l| l < local)
        && local_of(hi).is_some_and(|l| l >= local);
    if bracketed {
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if local_of(mid).is_some_and(|l| l >= local) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        if let Some(t) = DateTime::from_timestamp(hi, 0) {
            return t;
        }
    }
    // A zone whose offsets do not bracket the gap (none known): step forward minute by
    // minute, at most two days, to the first wall-clock time that exists.
    for m in 1..=2 * 24 * 60 {
        if let Some(t) = tz
            .from_local_datetime(&(local + Duration::minutes(m)))
            .earliest()
        {
            return t.with_timezone(&Utc);
        }
    }
    (local - Duration::seconds(before)).and_utc()
}

/// Every broken rule of a calendar. Fields are JSON paths: `time_zone`, `week`,
/// `week.mon[0].end`, `week.tue[1]` (an overlap), `holidays`, `holidays[3]` (a duplicate).
/// Whether `time_zone` names a real zone is for the API to check (it has the database).
pub fn validate_calendar(c: &BusinessCalendar) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let tz = c.time_zone.trim();
    if tz.is_empty() {
        errors.push(FieldError::new("time_zone", "required", "is required"));
    } else if tz.chars().count() > TIME_ZONE_MAX {
        errors.push(FieldError::new(
            "time_zone",
            "too_long",
            format!("must be at most {TIME_ZONE_MAX} characters"),
        ));
    }
    if DAYS.iter().all(|(d, _)| c.week.day(*d).is_empty()) {
        errors.push(FieldError::new(
            "week",
            "required",
            "needs at least one open interval",
        ));
    }
    for (d, name) in DAYS {
        let day = c.week.day(d);
        for (i, iv) in day.iter().enumerate() {
            if !iv.is_valid() {
                errors.push(FieldError::new(
                    format!("week.{name}[{i}].end"),
                    "after_start",
                    "must be after the start",
                ));
                continue;
            }
            // Report each overlap once, on the later interval of the pair.
            if let Some(j) = (0..i).find(|&j| day[j].is_valid() && day[j].overlaps(iv)) {
                errors.push(FieldError::new(
                    format!("week.{name}[{i}]"),
                    "overlap",
                    format!("overlaps week.{name}[{j}]"),
                ));
            }
        }
    }
    if c.holidays.len() > HOLIDAYS_MAX {
        errors.push(FieldError::new(
            "holidays",
            "too_many",
            format!("at most {HOLIDAYS_MAX} holidays"),
        ));
    }
    for (i, h) in c.holidays.iter().enumerate() {
        if c.holidays[..i].contains(h) {
            errors.push(FieldError::new(
                format!("holidays[{i}]"),
                "duplicate",
                format!("{h} is listed twice"),
            ));
        }
    }
    errors
}

// ---------------------------------------------------------------------------------------
// Policies

/// First-response and resolution targets, in business minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlaTargets {
    pub first_response_minutes: i64,
    /// `None`: no resolution target.
    #[serde(default)]
    pub resolution_minutes: Option<i64>,
}

/// Without a policy, the first response is due within 24 hours.
pub const DEFAULT_FIRST_RESPONSE_MINUTES: i64 = 24 * 60;

impl Default for SlaTargets {
    /// The targets of a ticket no policy matches.
    fn default() -> Self {
        SlaTargets {
            first_response_minutes: DEFAULT_FIRST_RESPONSE_MINUTES,
            resolution_minutes: None,
        }
    }
}

/// What to do on breach, per policy. Run by the job queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BreachActions {
    /// Tell the assignee and the department's leads.
    #[serde(default)]
    pub notify: bool,
    /// Move the ticket one priority up (`Priority::raised`).
    #[serde(default)]
    pub raise_priority: bool,
    /// Give the ticket to another agent.
    #[serde(default)]
    pub reassign: bool,
}

impl Default for BreachActions {
    /// A breach nobody hears about is pointless, so the default notifies and does no more.
    fn default() -> Self {
        BreachActions {
            notify: true,
            raise_priority: false,
            reassign: false,
        }
    }
}

impl BreachActions {
    /// Whether a breach triggers anything at all.
    pub fn any(&self) -> bool {
        self.notify || self.raise_priority || self.reassign
    }
}

/// A policy row as the API stores it; `priority`/`plan` `None` = any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaPolicy {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Matched against the organisation's plan, ignoring case and surrounding spaces; an
    /// empty plan means any.
    #[serde(default)]
    pub plan: Option<String>,
    pub first_response_minutes: i64,
    #[serde(default)]
    pub resolution_minutes: Option<i64>,
    /// `None`: the always-open calendar.
    #[serde(default)]
    pub calendar_id: Option<String>,
    #[serde(default)]
    pub on_breach: BreachActions,
}

impl SlaPolicy {
    pub fn targets(&self) -> SlaTargets {
        SlaTargets {
            first_response_minutes: self.first_response_minutes,
            resolution_minutes: self.resolution_minutes,
        }
    }

    /// How specifically this policy fits a ticket: 3 priority and plan, 2 priority,
    /// 1 plan, 0 neither; `None` when it does not apply.
    pub fn specificity(&self, priority: Priority, plan: Option<&str>) -> Option<u8> {
        let by_priority = match self.priority {
            None => 0,
            Some(p) if p == priority => 2,
            Some(_) => return None,
        };
        let wanted = self
            .plan
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let by_plan = match (wanted, plan.map(str::trim)) {
            (None, _) => 0,
            (Some(w), Some(p)) if w.eq_ignore_ascii_case(p) => 1,
            (Some(_), _) => return None,
        };
        Some(by_priority + by_plan)
    }
}

/// The most specific matching policy (priority+plan > priority > plan > any); ties → first
/// in slice, so the API's ordering (e.g. by creation) settles duplicates predictably.
pub fn pick_policy<'a>(
    policies: &'a [SlaPolicy],
    priority: Priority,
    plan: Option<&str>,
) -> Option<&'a SlaPolicy> {
    let mut best: Option<(&SlaPolicy, u8)> = None;
    for p in policies {
        if let Some(score) = p.specificity(priority, plan)
            && best.is_none_or(|(_, b)| score > b)
        {
            best = Some((p, score));
        }
    }
    best.map(|(p, _)| p)
}

/// The targets for a ticket: the picked policy's, or the default (24 h first response).
pub fn targets_for(policies: &[SlaPolicy], priority: Priority, plan: Option<&str>) -> SlaTargets {
    pick_policy(policies, priority, plan)
        .map(SlaPolicy::targets)
        .unwrap_or_default()
}

/// Every broken rule of a policy: a name, targets of 1 minute to a year, and a resolution
/// target no shorter than the first-response one (resolving includes responding).
pub fn validate_policy(p: &SlaPolicy) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = p.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "required", "is required"));
    } else if name.chars().count() > crate::validate::NAME_MAX {
        errors.push(FieldError::new(
            "name",
            "too_long",
            format!("must be at most {} characters", crate::validate::NAME_MAX),
        ));
    }
    let range = |field: &str, v: i64, errors: &mut Vec<FieldError>| {
        if !(1..=TARGET_MINUTES_MAX).contains(&v) {
            errors.push(FieldError::new(
                field,
                "range",
                format!("must be between 1 and {TARGET_MINUTES_MAX} minutes"),
            ));
            false
        } else {
            true
        }
    };
    let first_ok = range(
        "first_response_minutes",
        p.first_response_minutes,
        &mut errors,
    );
    if let Some(r) = p.resolution_minutes
        && range("resolution_minutes", r, &mut errors)
        && first_ok
        && r < p.first_response_minutes
    {
        errors.push(FieldError::new(
            "resolution_minutes",
            "not_before_first_response",
            "must be at least the first-response target",
        ));
    }
    errors
}

// ---------------------------------------------------------------------------------------
// Clocks

/// Warn when this share of a target's business time has passed.
pub const WARNING_FRACTION: f64 = 0.8;

/// Due and warning instants for a target counted from `start` in the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    pub warn_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// The deadline of a target of `minutes` business minutes from `start`; the warning comes
/// after `WARNING_FRACTION` of them (rounded to the second). Minutes are clamped to
/// `0..=TARGET_MINUTES_MAX`.
pub fn deadline<Tz: TimeZone>(
    cal: &BusinessCalendar,
    tz: &Tz,
    start: DateTime<Utc>,
    minutes: i64,
) -> Deadline {
    let minutes = minutes.clamp(0, TARGET_MINUTES_MAX);
    let warn_seconds = (minutes as f64 * 60.0 * WARNING_FRACTION).round() as i64;
    Deadline {
        warn_at: cal.add(tz, start, Duration::seconds(warn_seconds)),
        due_at: cal.add(tz, start, Duration::minutes(minutes)),
    }
}

/// When the clock resumes after a pause: the due/warn instants move by the open time the
/// pause covered. Precisely, an instant still ahead when the pause began keeps the open
/// time that was left before it, counted again from `resumed_at`; an instant already passed
/// when the pause began stays put — a breach (or warning) that happened is not undone by
/// waiting on the customer afterwards. `resumed_at <= paused_at` changes nothing.
pub fn resume<Tz: TimeZone>(
    cal: &BusinessCalendar,
    tz: &Tz,
    d: Deadline,
    paused_at: DateTime<Utc>,
    resumed_at: DateTime<Utc>,
) -> Deadline {
    if resumed_at <= paused_at {
        return d;
    }
    let moved = |at: DateTime<Utc>| {
        if paused_at < at {
            cal.add(tz, resumed_at, cal.open_between(tz, paused_at, at))
        } else {
            at
        }
    };
    Deadline {
        warn_at: moved(d.warn_at),
        due_at: moved(d.due_at),
    }
}

/// Whether the clock runs in a status: it stops while we wait on the customer
/// (`pending_customer`) and once the work is done (`resolved`, `closed`). `on_hold` is
/// waiting on ourselves or a third party, so the customer's clock keeps running.
pub fn clock_runs(status: TicketStatus) -> bool {
    match status {
        TicketStatus::New | TicketStatus::Open | TicketStatus::OnHold => true,
        TicketStatus::PendingCustomer | TicketStatus::Resolved | TicketStatus::Closed => false,
    }
}

/// What the UI shows for one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Counting, the warning not yet reached (or there is no target).
    Running,
    /// Past the warning instant, not yet due.
    Warning,
    /// Past due, not achieved.
    Breached,
    /// Stopped while waiting on the customer.
    Paused,
    /// Achieved by the due instant.
    Met,
    /// Achieved after the due instant.
    MetLate,
}
str_enum!(ClockState { Running => "running", Warning => "warning", Breached => "breached", Paused => "paused", Met => "met", MetLate => "met_late" });

impl ClockState {
    pub const ALL: [ClockState; 6] = [
        ClockState::Running,
        ClockState::Warning,
        ClockState::Breached,
        ClockState::Paused,
        ClockState::Met,
        ClockState::MetLate,
    ];
    pub fn label(self) -> &'static str {
        match self {
            ClockState::Running => "On track",
            ClockState::Warning => "Due soon",
            ClockState::Breached => "Overdue",
            ClockState::Paused => "Paused",
            ClockState::Met => "Met",
            ClockState::MetLate => "Met late",
        }
    }
}

/// What a clock shows at `now`. An achieved target is met or met late whatever else is
/// true; otherwise a paused clock shows paused (its due instant will move on resume, so
/// comparing `now` with it would be wrong); otherwise the deadline decides. The due
/// instant itself still counts as on time: the target breaches strictly after it. Without
/// a deadline (no such target) there is nothing to breach: running.
pub fn clock_state(
    now: DateTime<Utc>,
    d: Option<&Deadline>,
    achieved_at: Option<DateTime<Utc>>,
    paused: bool,
) -> ClockState {
    if let Some(at) = achieved_at {
        return match d {
            Some(d) if at > d.due_at => ClockState::MetLate,
            _ => ClockState::Met,
        };
    }
    if paused {
        return ClockState::Paused;
    }
    let Some(d) = d else {
        return ClockState::Running;
    };
    match (now.cmp(&d.due_at), now >= d.warn_at) {
        (Ordering::Greater, _) => ClockState::Breached,
        (_, true) => ClockState::Warning,
        _ => ClockState::Running,
    }
}

// ---------------------------------------------------------------------------------------
// Serde helpers: opening times as "HH:MM" (seconds only when present).

fn format_clock(t: NaiveTime) -> String {
    use chrono::Timelike;
    if t.second() == 0 && t.nanosecond() == 0 {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

fn parse_clock(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    let two_digits = s.len() >= 3 && s.as_bytes()[2] == b':';
    if !two_digits {
        return None;
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .ok()
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_clock(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_clock(&s)
            .ok_or_else(|| D::Error::custom(format!("`{s}` is not a time of day like 09:00")))
    }
}

mod hhmm_end {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format_clock(*t)),
            None => s.serialize_none(),
        }
    }

    /// `null` and `"24:00"` both mean midnight at the end of the day.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.trim() == "24:00" => Ok(None),
            Some(s) => super::parse_clock(&s).map(Some).ok_or_else(|| {
                D::Error::custom(format!("`{s}` is not a time of day like 18:00 or 24:00"))
            }),
        }
    }
}

/// How long until a deadline, as a warning says it: "under a minute", "1 minute",
/// "45 minutes", "2 h 5 min" (a short target's warning came as "due in 0 min").
pub fn time_left_in_words(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    match minutes {
        0 => "under a minute".to_string(),
        1 => "1 minute".to_string(),
        2..=89 => format!("{minutes} minutes"),
        _ => match minutes % 60 {
            0 => format!("{} h", minutes / 60),
            m => format!("{} h {m} min", minutes / 60),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::{Kolkata, Tehran};
    use chrono_tz::Europe::Rome;
    use chrono_tz::Tz;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
    }
    fn date(y: i32, mo: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, mo, d).expect("valid date")
    }
    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.from_utc_datetime(&date(y, mo, d).and_time(t(h, mi)))
    }
    /// A wall-clock time that exists exactly once in `tz`.
    fn local(tz: &Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        match tz.from_local_datetime(&date(y, mo, d).and_time(t(h, mi))) {
            LocalResult::Single(x) => x.with_timezone(&Utc),
            other => panic!("{y}-{mo}-{d} {h}:{mi} is not a single instant in {tz}: {other:?}"),
        }
    }
    fn hm(h: i64, m: i64) -> Duration {
        Duration::hours(h) + Duration::minutes(m)
    }
    fn iv(s: (u32, u32), e: Option<(u32, u32)>) -> OpenInterval {
        OpenInterval::new(t(s.0, s.1), e.map(|(h, m)| t(h, m)))
    }
    fn cal(tz: &str, week: WeeklyHours, holidays: Vec<NaiveDate>) -> BusinessCalendar {
        BusinessCalendar {
            time_zone: tz.to_string(),
            week,
            holidays,
        }
    }
    fn office_rome() -> BusinessCalendar {
        cal(
            "Europe/Rome",
            WeeklyHours::office(t(9, 0), t(18, 0)),
            vec![],
        )
    }
    fn always(tz: &str) -> BusinessCalendar {
        cal(tz, WeeklyHours::always(), vec![])
    }
    /// Only `day` open, with the given intervals.
    fn only(day: Weekday, intervals: Vec<OpenInterval>) -> WeeklyHours {
        let mut w = WeeklyHours::closed();
        *w.day_mut(day) = intervals;
        w
    }

    // --- weekly hours -------------------------------------------------------------------

    #[test]
    fn weekly_hours_helpers() {
        let w = WeeklyHours::office(t(9, 0), t(18, 0));
        for (d, _) in DAYS {
            let expected: &[OpenInterval] = match d {
                Weekday::Sat | Weekday::Sun => &[],
                _ => &[OpenInterval {
                    start: t(9, 0),
                    end: Some(t(18, 0)),
                }],
            };
            assert_eq!(w.day(d), expected, "{d}");
            assert_eq!(
                WeeklyHours::always().day(d),
                &[OpenInterval {
                    start: t(0, 0),
                    end: None
                }]
            );
            assert!(WeeklyHours::closed().day(d).is_empty());
        }
        // day() and day_mut() agree on every weekday.
        let mut w = WeeklyHours::closed();
        for (i, (d, _)) in DAYS.iter().enumerate() {
            w.day_mut(*d).push(iv((i as u32, 0), None));
        }
        for (i, (d, _)) in DAYS.iter().enumerate() {
            assert_eq!(w.day(*d), &[iv((i as u32, 0), None)], "{d}");
        }
        assert_eq!(BusinessCalendar::default(), BusinessCalendar::always_open());
        assert_eq!(BusinessCalendar::always_open().time_zone, "UTC");
        assert!(validate_calendar(&BusinessCalendar::always_open()).is_empty());
    }

    #[test]
    fn interval_validity_and_overlap() {
        assert!(iv((9, 0), Some((18, 0))).is_valid());
        assert!(iv((0, 0), None).is_valid());
        assert!(iv((23, 59), None).is_valid());
        assert!(!iv((9, 0), Some((9, 0))).is_valid());
        assert!(!iv((9, 0), Some((8, 0))).is_valid());
        assert!(!iv((9, 0), Some((0, 0))).is_valid());
        // (a, b, overlap?)
        let cases = [
            (iv((9, 0), Some((12, 0))), iv((12, 0), Some((18, 0))), false),
            (iv((9, 0), Some((12, 1))), iv((12, 0), Some((18, 0))), true),
            (iv((9, 0), Some((18, 0))), iv((10, 0), Some((11, 0))), true),
            (iv((9, 0), None), iv((22, 0), None), true),
            (iv((9, 0), Some((22, 0))), iv((22, 0), None), false),
            (iv((0, 0), Some((6, 0))), iv((22, 0), None), false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(a.overlaps(&b), expected, "{a:?} {b:?}");
            assert_eq!(b.overlaps(&a), expected, "{b:?} {a:?}");
        }
    }

    // --- office hours in Rome -----------------------------------------------------------

    #[test]
    fn friday_afternoon_plus_two_hours_is_monday_morning() {
        let c = office_rome();
        let start = local(&Rome, 2025, 1, 3, 17, 0);
        assert_eq!(start, utc(2025, 1, 3, 16, 0));
        let due = c.add(&Rome, start, Duration::hours(2));
        assert_eq!(due, local(&Rome, 2025, 1, 6, 10, 0));
        assert_eq!(due, utc(2025, 1, 6, 9, 0));
    }

    #[test]
    fn office_add_table() {
        let c = office_rome();
        let l = |d, h, m| local(&Rome, 2025, 1, d, h, m);
        // Jan 2025: Fri 3, Sat 4, Sun 5, Mon 6 ... Fri 10, Mon 13.
        let cases = [
            (l(6, 9, 0), hm(0, 0), l(6, 9, 0)),
            (l(6, 8, 0), hm(0, 0), l(6, 9, 0)),
            (l(6, 12, 0), hm(0, 0), l(6, 12, 0)),
            (l(6, 17, 59), hm(0, 0), l(6, 17, 59)),
            (l(6, 18, 0), hm(0, 0), l(7, 9, 0)),
            (l(4, 10, 0), hm(0, 0), l(6, 9, 0)),
            (l(4, 10, 0), hm(1, 0), l(6, 10, 0)),
            (l(5, 23, 59), hm(0, 1), l(6, 9, 1)),
            (l(3, 17, 0), hm(1, 0), l(3, 18, 0)),
            (l(3, 17, 0), hm(1, 1), l(6, 9, 1)),
            (l(3, 17, 0), hm(2, 0), l(6, 10, 0)),
            (l(6, 9, 0), hm(9, 0), l(6, 18, 0)),
            (l(6, 9, 0), hm(9, 1), l(7, 9, 1)),
            (l(6, 9, 0), hm(45, 0), l(10, 18, 0)),
            (l(6, 9, 0), hm(46, 0), l(13, 10, 0)),
            (l(5, 23, 0), hm(24, 0), l(8, 15, 0)),
            (l(6, 20, 0), hm(0, 30), l(7, 9, 30)),
            // Negative durations count as zero.
            (l(4, 10, 0), hm(-5, 0), l(6, 9, 0)),
            (l(6, 12, 0), hm(-5, 0), l(6, 12, 0)),
        ];
        for (start, d, expected) in cases {
            assert_eq!(c.add(&Rome, start, d), expected, "{start} + {d}");
        }
    }

    #[test]
    fn office_open_between_and_is_open_table() {
        let c = office_rome();
        let l = |d, h, m| local(&Rome, 2025, 1, d, h, m);
        let cases = [
            (l(6, 9, 0), l(6, 18, 0), hm(9, 0)),
            (l(6, 8, 0), l(6, 19, 0), hm(9, 0)),
            (l(6, 10, 0), l(6, 10, 30), hm(0, 30)),
            (l(3, 17, 0), l(6, 10, 0), hm(2, 0)),
            (l(4, 0, 0), l(5, 23, 59), hm(0, 0)),
            (l(6, 0, 0), l(13, 0, 0), hm(45, 0)),
            (l(6, 12, 0), l(6, 12, 0), hm(0, 0)),
            (l(6, 12, 0), l(6, 11, 0), hm(0, 0)),
            (l(7, 18, 0), l(8, 9, 0), hm(0, 0)),
        ];
        for (from, to, expected) in cases {
            assert_eq!(c.open_between(&Rome, from, to), expected, "{from} → {to}");
        }
        let open = [
            (l(6, 9, 0), true),
            (l(6, 8, 59), false),
            (l(6, 17, 59), true),
            (l(6, 18, 0), false),
            (l(4, 12, 0), false),
            (l(5, 12, 0), false),
            (l(10, 12, 0), true),
            (l(6, 12, 0) + Duration::seconds(1), true),
            (l(6, 18, 0) - Duration::nanoseconds(1), true),
        ];
        for (at, expected) in open {
            assert_eq!(c.is_open(&Rome, at), expected, "{at}");
        }
    }

    #[test]
    fn several_intervals_a_day_and_unsorted_input() {
        // A lunch break, the intervals listed out of order.
        let mut week = WeeklyHours::closed();
        *week.day_mut(Weekday::Mon) = vec![iv((14, 0), Some((18, 0))), iv((9, 0), Some((13, 0)))];
        let c = cal("Europe/Rome", week, vec![]);
        let l = |d, h, m| local(&Rome, 2025, 1, d, h, m);
        assert_eq!(c.add(&Rome, l(6, 12, 0), hm(1, 0)), l(6, 13, 0));
        assert_eq!(c.add(&Rome, l(6, 12, 0), hm(1, 1)), l(6, 14, 1));
        assert_eq!(c.add(&Rome, l(6, 13, 0), hm(0, 0)), l(6, 14, 0));
        assert_eq!(c.add(&Rome, l(6, 12, 0), hm(6, 0)), l(13, 10, 0));
        assert_eq!(c.open_between(&Rome, l(6, 0, 0), l(7, 0, 0)), hm(8, 0));
        assert!(!c.is_open(&Rome, l(6, 13, 30)));
        // Overlapping intervals (an invalid calendar) never count a minute twice.
        let mut week = WeeklyHours::closed();
        *week.day_mut(Weekday::Mon) = vec![iv((9, 0), Some((13, 0))), iv((12, 0), Some((15, 0)))];
        let c = cal("Europe/Rome", week, vec![]);
        assert_eq!(c.open_between(&Rome, l(6, 0, 0), l(7, 0, 0)), hm(6, 0));
        assert_eq!(c.add(&Rome, l(6, 9, 0), hm(6, 0)), l(6, 15, 0));
        // An interval whose end is not after its start is ignored.
        let week = only(Weekday::Mon, vec![iv((12, 0), Some((9, 0)))]);
        let c = cal("Europe/Rome", week, vec![]);
        assert_eq!(c.open_between(&Rome, l(6, 0, 0), l(7, 0, 0)), hm(0, 0));
    }

    // --- holidays -----------------------------------------------------------------------

    #[test]
    fn christmas_midweek_is_skipped() {
        let mut c = office_rome();
        let l = |d, h, m| local(&Rome, 2024, 12, d, h, m);
        let start = l(24, 17, 0); // Tuesday
        assert_eq!(c.add(&Rome, start, hm(2, 0)), l(25, 10, 0));
        c.holidays = vec![date(2024, 12, 25), date(2024, 12, 26)];
        assert_eq!(c.add(&Rome, start, hm(2, 0)), l(27, 10, 0));
        assert_eq!(c.add(&Rome, l(25, 11, 0), hm(0, 0)), l(27, 9, 0));
        assert_eq!(c.open_between(&Rome, l(24, 9, 0), l(27, 18, 0)), hm(18, 0));
        assert_eq!(c.open_between(&Rome, l(24, 17, 0), l(27, 10, 0)), hm(2, 0));
        assert!(!c.is_open(&Rome, l(25, 12, 0)));
        assert!(!c.is_open(&Rome, l(26, 12, 0)));
        assert!(c.is_open(&Rome, l(27, 12, 0)));
        // A holiday on a closed day changes nothing.
        c.holidays.push(date(2024, 12, 28));
        assert_eq!(c.add(&Rome, start, hm(11, 0)), l(30, 10, 0));
    }

    #[test]
    fn holidays_are_local_days() {
        // Rome is UTC+1 in December: its 25th starts at 23:00 UTC on the 24th.
        let mut c = always("Europe/Rome");
        c.holidays = vec![date(2024, 12, 25)];
        assert!(c.is_open(&Rome, utc(2024, 12, 24, 22, 59)));
        assert!(!c.is_open(&Rome, utc(2024, 12, 24, 23, 0)));
        assert!(!c.is_open(&Rome, utc(2024, 12, 25, 22, 59)));
        assert!(c.is_open(&Rome, utc(2024, 12, 25, 23, 0)));
        assert_eq!(
            c.add(&Rome, utc(2024, 12, 24, 22, 0), hm(2, 0)),
            utc(2024, 12, 26, 0, 0)
        );
        assert_eq!(
            c.open_between(&Rome, utc(2024, 12, 24, 0, 0), utc(2024, 12, 27, 0, 0)),
            hm(48, 0)
        );
    }

    #[test]
    fn a_calendar_with_no_open_time_stops_at_the_cap() {
        let start = utc(2025, 1, 1, 0, 0);
        let closed = cal("UTC", WeeklyHours::closed(), vec![]);
        let cap = start + Duration::days(MAX_WALK_DAYS);
        assert_eq!(closed.add(&Utc, start, hm(1, 0)), cap);
        assert_eq!(closed.add(&Utc, start, hm(0, 0)), cap);
        assert_eq!(closed.open_between(&Utc, start, cap), Duration::zero());
        assert!(!closed.is_open(&Utc, start));
        // Only Mondays open, and every Monday for years a holiday.
        let mut mondays = Vec::new();
        let mut d = date(2025, 1, 6);
        while d < date(2036, 1, 1) {
            mondays.push(d);
            d += Duration::days(7);
        }
        let c = cal(
            "UTC",
            only(Weekday::Mon, vec![iv((9, 0), Some((10, 0)))]),
            mondays,
        );
        assert_eq!(c.add(&Utc, start, hm(1, 0)), cap);
        // Open time within reach is still found.
        let c = cal(
            "UTC",
            only(Weekday::Mon, vec![iv((9, 0), Some((10, 0)))]),
            vec![],
        );
        assert_eq!(c.add(&Utc, start, hm(2, 0)), utc(2025, 1, 13, 10, 0));
    }

    // --- DST ----------------------------------------------------------------------------

    #[test]
    fn rome_24x7_days_of_23_and_25_hours() {
        let c = always("Europe/Rome");
        let day = |y, mo, d| {
            let (from, to) = (date(y, mo, d), date(y, mo, d) + Duration::days(1));
            c.open_between(
                &Rome,
                local(&Rome, from.year(), from.month(), from.day(), 0, 0),
                local(&Rome, to.year(), to.month(), to.day(), 0, 0),
            )
        };
        assert_eq!(day(2025, 3, 29), hm(24, 0));
        assert_eq!(day(2025, 3, 30), hm(23, 0));
        assert_eq!(day(2025, 3, 31), hm(24, 0));
        assert_eq!(day(2025, 10, 25), hm(24, 0));
        assert_eq!(day(2025, 10, 26), hm(25, 0));
        assert_eq!(day(2025, 10, 27), hm(24, 0));
        // A day of business time on 24x7 is 24 real hours: the wall clock shows 25 or 23.
        let sat = local(&Rome, 2025, 3, 29, 12, 0);
        assert_eq!(
            c.add(&Rome, sat, hm(24, 0)),
            local(&Rome, 2025, 3, 30, 13, 0)
        );
        let sat = local(&Rome, 2025, 10, 25, 12, 0);
        assert_eq!(
            c.add(&Rome, sat, hm(24, 0)),
            local(&Rome, 2025, 10, 26, 11, 0)
        );
        // Across the changes, business time on 24x7 is exactly elapsed time.
        for (from, to) in [
            (utc(2025, 3, 29, 0, 17), utc(2025, 4, 2, 3, 0)),
            (utc(2025, 10, 24, 23, 1), utc(2025, 10, 27, 0, 59)),
            (utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 1, 30)),
        ] {
            assert_eq!(c.open_between(&Rome, from, to), to - from);
            assert_eq!(c.add(&Rome, from, to - from), to);
            assert!(c.is_open(&Rome, from));
        }
    }

    #[test]
    fn rome_night_and_day_intervals_on_dst_sundays() {
        // (interval on Sundays, Sunday date, expected open time, expected first instant)
        let spring = date(2025, 3, 30);
        let autumn = date(2025, 10, 26);
        let cases = [
            // 00:00–06:00 loses or gains the hour.
            (
                iv((0, 0), Some((6, 0))),
                spring,
                hm(5, 0),
                utc(2025, 3, 29, 23, 0),
            ),
            (
                iv((0, 0), Some((6, 0))),
                autumn,
                hm(7, 0),
                utc(2025, 10, 25, 22, 0),
            ),
            // A day interval is untouched by a 02:00 change.
            (
                iv((9, 0), Some((18, 0))),
                spring,
                hm(9, 0),
                utc(2025, 3, 30, 7, 0),
            ),
            (
                iv((9, 0), Some((18, 0))),
                autumn,
                hm(9, 0),
                utc(2025, 10, 26, 8, 0),
            ),
            // Starting inside the spring gap: counting starts when clocks resume (03:00).
            (
                iv((2, 0), Some((4, 0))),
                spring,
                hm(1, 0),
                utc(2025, 3, 30, 1, 0),
            ),
            (
                iv((2, 30), Some((4, 0))),
                spring,
                hm(1, 0),
                utc(2025, 3, 30, 1, 0),
            ),
            // An interval wholly inside the gap does not exist that day.
            (
                iv((2, 15), Some((2, 45))),
                spring,
                hm(0, 0),
                utc(2025, 4, 6, 0, 15),
            ),
            // Ambiguous times take their first occurrence (still summer time, UTC+2).
            (
                iv((2, 0), Some((2, 30))),
                autumn,
                hm(0, 30),
                utc(2025, 10, 26, 0, 0),
            ),
            (
                iv((2, 30), Some((3, 0))),
                autumn,
                hm(1, 30),
                utc(2025, 10, 26, 0, 30),
            ),
            (
                iv((1, 0), Some((4, 0))),
                autumn,
                hm(4, 0),
                utc(2025, 10, 25, 23, 0),
            ),
            (iv((22, 0), None), spring, hm(2, 0), utc(2025, 3, 30, 20, 0)),
            (iv((0, 0), None), spring, hm(23, 0), utc(2025, 3, 29, 23, 0)),
            (
                iv((0, 0), None),
                autumn,
                hm(25, 0),
                utc(2025, 10, 25, 22, 0),
            ),
        ];
        for (interval, sunday, open, first) in cases {
            let c = cal("Europe/Rome", only(Weekday::Sun, vec![interval]), vec![]);
            let from = local(
                &Rome,
                sunday.year(),
                sunday.month(),
                sunday.day() - 1,
                12,
                0,
            );
            let to = from + Duration::days(2);
            assert_eq!(
                c.open_between(&Rome, from, to),
                open,
                "{interval:?} {sunday}"
            );
            assert_eq!(c.add(&Rome, from, hm(0, 0)), first, "{interval:?} {sunday}");
            assert!(c.is_open(&Rome, first), "{interval:?} {sunday}");
            if open > Duration::zero() {
                assert_eq!(
                    c.add(&Rome, from, open),
                    first + open,
                    "{interval:?} {sunday}"
                );
                assert!(!c.is_open(&Rome, first + open), "{interval:?} {sunday}");
                assert!(!c.is_open(&Rome, first - Duration::seconds(1)));
            }
        }
    }

    #[test]
    fn new_york_office_across_both_changes() {
        let c = cal(
            "America/New_York",
            WeeklyHours::office(t(9, 0), t(17, 0)),
            vec![],
        );
        let ny = |mo, d, h, m| local(&New_York, 2025, mo, d, h, m);
        // Fri 4 pm EST + 2 h → Mon 10 am EDT.
        assert_eq!(ny(3, 7, 16, 0), utc(2025, 3, 7, 21, 0));
        assert_eq!(
            c.add(&New_York, ny(3, 7, 16, 0), hm(2, 0)),
            utc(2025, 3, 10, 14, 0)
        );
        // Fri 4 pm EDT + 2 h → Mon 10 am EST.
        assert_eq!(ny(10, 31, 16, 0), utc(2025, 10, 31, 20, 0));
        assert_eq!(
            c.add(&New_York, ny(10, 31, 16, 0), hm(2, 0)),
            utc(2025, 11, 3, 15, 0)
        );
        assert_eq!(
            c.open_between(&New_York, ny(3, 3, 0, 0), ny(3, 17, 0, 0)),
            hm(80, 0)
        );
        let all = always("America/New_York");
        assert_eq!(
            all.open_between(&New_York, ny(3, 9, 0, 0), ny(3, 10, 0, 0)),
            hm(23, 0)
        );
        assert_eq!(
            all.open_between(&New_York, ny(11, 2, 0, 0), ny(11, 3, 0, 0)),
            hm(25, 0)
        );
        // A night shift 22:00–06:00 on the night clocks fall back is 9 real hours.
        let mut week = WeeklyHours::closed();
        *week.day_mut(Weekday::Sat) = vec![iv((22, 0), None)];
        *week.day_mut(Weekday::Sun) = vec![iv((0, 0), Some((6, 0)))];
        let night = cal("America/New_York", week, vec![]);
        assert_eq!(
            night.open_between(&New_York, ny(11, 1, 12, 0), ny(11, 2, 12, 0)),
            hm(9, 0)
        );
        assert_eq!(
            night.add(&New_York, ny(11, 1, 12, 0), hm(9, 0)),
            ny(11, 2, 6, 0)
        );
        assert_eq!(
            night.open_between(&New_York, ny(3, 8, 12, 0), ny(3, 9, 12, 0)),
            hm(7, 0)
        );
    }

    #[test]
    fn half_hour_zones_without_dst() {
        // Tehran (+03:30 since 2023): open Saturday to Wednesday, 08:00–16:00.
        let mut week = WeeklyHours::closed();
        for d in [
            Weekday::Sat,
            Weekday::Sun,
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
        ] {
            *week.day_mut(d) = vec![iv((8, 0), Some((16, 0)))];
        }
        let c = cal("Asia/Tehran", week, vec![]);
        let start = local(&Tehran, 2025, 1, 8, 15, 0); // Wednesday
        assert_eq!(start, utc(2025, 1, 8, 11, 30));
        assert_eq!(c.add(&Tehran, start, hm(2, 0)), utc(2025, 1, 11, 5, 30));
        assert_eq!(
            c.add(&Tehran, utc(2025, 1, 9, 12, 0), hm(0, 0)),
            utc(2025, 1, 11, 4, 30)
        );
        assert!(c.is_open(&Tehran, utc(2025, 1, 8, 4, 30)));
        assert!(!c.is_open(&Tehran, utc(2025, 1, 8, 4, 29)));
        assert!(!c.is_open(&Tehran, utc(2025, 1, 8, 12, 30)));
        assert_eq!(
            c.open_between(&Tehran, utc(2025, 7, 1, 0, 0), utc(2025, 7, 8, 0, 0)),
            hm(40, 0)
        );
        // Kolkata (+05:30): Monday to Friday 09:30–18:30.
        let c = cal(
            "Asia/Kolkata",
            WeeklyHours::office(t(9, 30), t(18, 30)),
            vec![],
        );
        let start = local(&Kolkata, 2025, 1, 3, 18, 0); // Friday
        assert_eq!(start, utc(2025, 1, 3, 12, 30));
        assert_eq!(c.add(&Kolkata, start, hm(1, 0)), utc(2025, 1, 6, 4, 30));
        assert_eq!(c.add(&Kolkata, start, hm(0, 30)), utc(2025, 1, 3, 13, 0));
        assert_eq!(
            c.open_between(&Kolkata, utc(2025, 1, 3, 0, 0), utc(2025, 1, 6, 5, 0)),
            hm(10, 0)
        );
    }

    #[test]
    fn changes_at_midnight_tehran_2021() {
        // Until 2022 Tehran sprang forward at 00:00 (to 01:00) on 22 March and fell back at
        // 24:00 (to 23:00) on 21 September — both at the day boundary.
        let c = always("Asia/Tehran");
        let day = |mo, d| {
            let from = local(&Tehran, 2021, mo, d, 12, 0) - Duration::hours(12);
            let to = local(&Tehran, 2021, mo, d + 1, 12, 0) - Duration::hours(12);
            (from, to)
        };
        // 22 March starts at 01:00 +04:30, i.e. 20:30 UTC on the 21st, and lasts 23 h.
        let spring = date(2021, 3, 22).and_time(t(0, 0));
        assert!(Tehran.from_local_datetime(&spring).single().is_none());
        assert_eq!(resolve(&Tehran, spring), utc(2021, 3, 21, 20, 30));
        let (from, _) = day(3, 21);
        assert_eq!(
            c.open_between(&Tehran, from, resolve(&Tehran, spring)),
            hm(24, 0)
        );
        let mar22 = cal(
            "Asia/Tehran",
            only(Weekday::Mon, vec![iv((0, 0), None)]),
            vec![],
        );
        assert_eq!(
            mar22.open_between(&Tehran, utc(2021, 3, 21, 0, 0), utc(2021, 3, 23, 0, 0)),
            hm(23, 0)
        );
        assert_eq!(
            mar22.add(&Tehran, utc(2021, 3, 21, 0, 0), hm(0, 0)),
            utc(2021, 3, 21, 20, 30)
        );
        // 21 September has 25 hours; 23:00–24:00 happens twice.
        let sep21 = cal(
            "Asia/Tehran",
            only(Weekday::Tue, vec![iv((0, 0), None)]),
            vec![],
        );
        assert_eq!(
            sep21.open_between(&Tehran, utc(2021, 9, 20, 0, 0), utc(2021, 9, 23, 0, 0)),
            hm(25, 0)
        );
        // The second 23:30 (+03:30) is still inside the 21st.
        let second = utc(2021, 9, 21, 20, 0);
        assert_eq!(
            second.with_timezone(&Tehran).naive_local(),
            date(2021, 9, 21).and_time(t(23, 30))
        );
        assert!(sep21.is_open(&Tehran, second));
        assert!(sep21.is_open(&Tehran, utc(2021, 9, 21, 19, 0)));
        assert!(!sep21.is_open(&Tehran, utc(2021, 9, 21, 20, 30)));
        // A Wednesday-only calendar starts counting at the real start of the 22nd.
        let sep22 = cal(
            "Asia/Tehran",
            only(Weekday::Wed, vec![iv((0, 0), Some((1, 0)))]),
            vec![],
        );
        assert_eq!(
            sep22.add(&Tehran, utc(2021, 9, 21, 19, 0), hm(0, 0)),
            utc(2021, 9, 21, 20, 30)
        );
        assert_eq!(
            sep22.open_between(&Tehran, utc(2021, 9, 21, 20, 0), utc(2021, 9, 22, 0, 0)),
            hm(1, 0)
        );
    }

    // --- properties ---------------------------------------------------------------------

    /// A small deterministic generator, so failures reproduce.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % below
        }
    }

    fn night_and_day(tz: &str) -> BusinessCalendar {
        let mut week = WeeklyHours::office(t(8, 30), t(12, 30));
        for (d, _) in &DAYS[..5] {
            week.day_mut(*d).push(iv((13, 30), Some((17, 45))));
        }
        *week.day_mut(Weekday::Sat) = vec![iv((22, 0), None)];
        *week.day_mut(Weekday::Sun) = vec![iv((0, 0), Some((6, 0))), iv((2, 15), Some((2, 45)))];
        cal(
            tz,
            week,
            vec![date(2025, 3, 31), date(2025, 10, 27), date(2021, 3, 22)],
        )
    }

    fn property_calendars() -> Vec<(BusinessCalendar, Tz)> {
        vec![
            (office_rome(), Rome),
            (night_and_day("Europe/Rome"), Rome),
            (always("Europe/Rome"), Rome),
            (always("America/New_York"), New_York),
            (night_and_day("America/New_York"), New_York),
            (night_and_day("Asia/Tehran"), Tehran),
            (
                cal(
                    "Asia/Kolkata",
                    WeeklyHours::office(t(9, 30), t(18, 30)),
                    vec![],
                ),
                Kolkata,
            ),
        ]
    }

    #[test]
    fn open_between_inverts_add() {
        let mut rng = Lcg(42);
        let durations = [0, 1, 29, 59, 60, 61, 240, 540, 541, 1440, 2700, 43200];
        // Starts: random minutes in 2021–2025, plus the hours around every change in both
        // hemispheres' zones used here.
        let base = utc(2021, 1, 1, 0, 0);
        let mut starts: Vec<DateTime<Utc>> = (0..100)
            .map(|_| base + Duration::seconds(rng.next(5 * 365 * 86400) as i64))
            .collect();
        for around in [
            utc(2025, 3, 30, 1, 0),
            utc(2025, 10, 26, 1, 0),
            utc(2025, 3, 9, 7, 0),
            utc(2025, 11, 2, 6, 0),
            utc(2021, 3, 21, 20, 30),
            utc(2021, 9, 21, 19, 30),
        ] {
            for m in (-240..=240).step_by(20) {
                starts.push(around + Duration::minutes(m));
            }
        }
        let mut checked_open = 0;
        for (c, tz) in property_calendars() {
            for &s in &starts {
                for &m in &durations {
                    let d = Duration::minutes(m)
                        + Duration::seconds(rng.next(60) as i64 * i64::from(m > 0));
                    let end = c.add(&tz, s, d);
                    assert!(end >= s, "{} {s} {d}", c.time_zone);
                    if c.is_open(&tz, s) || d > Duration::zero() {
                        checked_open += 1;
                        assert_eq!(
                            c.open_between(&tz, s, end),
                            d,
                            "{} {s} + {d} = {end}",
                            c.time_zone
                        );
                    }
                    if d.is_zero() {
                        assert!(c.is_open(&tz, end), "{} {s}: next open {end}", c.time_zone);
                        assert_eq!(c.open_between(&tz, s, end), Duration::zero());
                    }
                    // Adding in two steps is adding once.
                    let half = d / 2;
                    if half > Duration::zero() {
                        let mid = c.add(&tz, s, half);
                        assert_eq!(c.add(&tz, mid, d - half), end, "{} {s} {d}", c.time_zone);
                    }
                }
                // open_between is additive.
                let (a, b) = (s + Duration::hours(7), s + Duration::hours(50));
                assert_eq!(
                    c.open_between(&tz, s, a) + c.open_between(&tz, a, b),
                    c.open_between(&tz, s, b)
                );
            }
        }
        assert!(checked_open > 10_000, "{checked_open}");
    }

    /// is_open straight from the wall clock, without DST resolution: right on every day
    /// without a change.
    fn naive_is_open(c: &BusinessCalendar, tz: &Tz, at: DateTime<Utc>) -> bool {
        let l = at.with_timezone(tz).naive_local();
        !c.holidays.contains(&l.date())
            && c.week
                .day(l.date().weekday())
                .iter()
                .any(|i| i.start <= l.time() && i.end.is_none_or(|e| l.time() < e))
    }

    #[test]
    fn agrees_with_the_wall_clock_minute_by_minute() {
        let cases = [
            (
                cal(
                    "Asia/Kolkata",
                    WeeklyHours::office(t(9, 30), t(18, 30)),
                    vec![date(2025, 2, 5)],
                ),
                Kolkata,
                utc(2025, 2, 1, 0, 0),
            ),
            (night_and_day("Europe/Rome"), Rome, utc(2025, 5, 2, 0, 0)),
            (
                night_and_day("America/New_York"),
                New_York,
                utc(2025, 1, 10, 0, 0),
            ),
            (night_and_day("Asia/Tehran"), Tehran, utc(2025, 6, 3, 0, 0)),
        ];
        for (c, tz, from) in cases {
            let mut open_minutes = 0;
            for m in 0..(9 * 24 * 60) {
                let at = from + Duration::minutes(m);
                let expected = naive_is_open(&c, &tz, at);
                assert_eq!(c.is_open(&tz, at), expected, "{} {at}", c.time_zone);
                open_minutes += i64::from(expected);
                if m % 97 == 0 {
                    assert_eq!(
                        c.open_between(&tz, from, at),
                        Duration::minutes(open_minutes - i64::from(expected)),
                        "{} {from} → {at}",
                        c.time_zone
                    );
                }
            }
            assert!(open_minutes > 0);
        }
    }

    // --- policies -----------------------------------------------------------------------

    fn policy(id: &str, priority: Option<Priority>, plan: Option<&str>) -> SlaPolicy {
        SlaPolicy {
            id: id.to_string(),
            name: format!("policy {id}"),
            priority,
            plan: plan.map(str::to_string),
            first_response_minutes: 60,
            resolution_minutes: Some(480),
            calendar_id: None,
            on_breach: BreachActions::default(),
        }
    }

    #[test]
    fn pick_policy_specificity_table() {
        use Priority::*;
        let all = vec![
            policy("any", None, None),
            policy("plan", None, Some("business")),
            policy("high", Some(High), None),
            policy("high+business", Some(High), Some("business")),
            policy("urgent+starter", Some(Urgent), Some("starter")),
            policy("any-2", None, None),
            policy("high-2", Some(High), None),
            policy("empty-plan", Some(Low), Some("  ")),
        ];
        // (priority, plan, expected id)
        let cases = [
            (High, Some("business"), Some("high+business")),
            (High, Some("Business "), Some("high+business")),
            (High, Some("starter"), Some("high")),
            (High, None, Some("high")),
            (Normal, Some("business"), Some("plan")),
            (Normal, Some("starter"), Some("any")),
            (Normal, None, Some("any")),
            (Urgent, Some("starter"), Some("urgent+starter")),
            (Urgent, Some("business"), Some("plan")),
            (Urgent, None, Some("any")),
            (Low, None, Some("empty-plan")),
            (Low, Some("business"), Some("empty-plan")),
        ];
        for (pr, plan, expected) in cases {
            let got = pick_policy(&all, pr, plan).map(|p| p.id.as_str());
            assert_eq!(got, expected, "{pr:?} {plan:?}");
        }
        // Without a catch-all some tickets match nothing.
        let narrow = vec![
            policy("high", Some(High), None),
            policy("plan", None, Some("business")),
        ];
        assert_eq!(pick_policy(&narrow, Normal, None), None);
        assert_eq!(pick_policy(&narrow, Normal, Some("starter")), None);
        assert_eq!(pick_policy(&[], High, None), None);
        // Order breaks ties, whatever the specificity level.
        for (a, b) in [
            (policy("a", None, None), policy("b", None, None)),
            (policy("a", Some(High), None), policy("b", Some(High), None)),
            (policy("a", None, Some("x")), policy("b", None, Some("x"))),
            (
                policy("a", Some(High), Some("x")),
                policy("b", Some(High), Some("x")),
            ),
        ] {
            let list = vec![a, b];
            assert_eq!(
                pick_policy(&list, High, Some("x")).map(|p| p.id.as_str()),
                Some("a")
            );
            let rev: Vec<SlaPolicy> = list.into_iter().rev().collect();
            assert_eq!(
                pick_policy(&rev, High, Some("x")).map(|p| p.id.as_str()),
                Some("b")
            );
        }
        // A more specific policy wins wherever it sits.
        let list = vec![
            policy("any", None, None),
            policy("plan", None, Some("x")),
            policy("pr", Some(High), None),
            policy("both", Some(High), Some("x")),
        ];
        for rot in 0..list.len() {
            let mut l = list.clone();
            l.rotate_left(rot);
            assert_eq!(
                pick_policy(&l, High, Some("x")).map(|p| p.id.as_str()),
                Some("both")
            );
            assert_eq!(
                pick_policy(&l, High, None).map(|p| p.id.as_str()),
                Some("pr")
            );
            assert_eq!(
                pick_policy(&l, Low, Some("x")).map(|p| p.id.as_str()),
                Some("plan")
            );
            assert_eq!(
                pick_policy(&l, Low, None).map(|p| p.id.as_str()),
                Some("any")
            );
        }
    }

    #[test]
    fn specificity_scores() {
        use Priority::*;
        let cases = [
            (None, None, High, None, Some(0)),
            (None, Some("b"), High, Some("b"), Some(1)),
            (None, Some("b"), High, Some("c"), None),
            (None, Some("b"), High, None, None),
            (Some(High), None, High, Some("b"), Some(2)),
            (Some(High), None, Low, None, None),
            (Some(High), Some("b"), High, Some("B"), Some(3)),
            (Some(High), Some("b"), Low, Some("b"), None),
        ];
        for (pp, pl, pr, plan, expected) in cases {
            assert_eq!(
                policy("p", pp, pl).specificity(pr, plan),
                expected,
                "{pp:?} {pl:?} {pr:?} {plan:?}"
            );
        }
    }

    #[test]
    fn targets_default_to_24_hours_first_response() {
        assert_eq!(
            targets_for(&[], Priority::Urgent, None),
            SlaTargets {
                first_response_minutes: 1440,
                resolution_minutes: None
            }
        );
        assert_eq!(
            SlaTargets::default().first_response_minutes,
            DEFAULT_FIRST_RESPONSE_MINUTES
        );
        let p = vec![policy("x", Some(Priority::Urgent), None)];
        assert_eq!(
            targets_for(&p, Priority::Urgent, None),
            SlaTargets {
                first_response_minutes: 60,
                resolution_minutes: Some(480)
            }
        );
        assert_eq!(targets_for(&p, Priority::Low, None), SlaTargets::default());
    }

    #[test]
    fn breach_actions_default_to_notify() {
        let d = BreachActions::default();
        assert!(d.notify && !d.raise_priority && !d.reassign && d.any());
        let none = BreachActions {
            notify: false,
            raise_priority: false,
            reassign: false,
        };
        assert!(!none.any());
        for (n, r, a) in [
            (true, false, false),
            (false, true, false),
            (false, false, true),
        ] {
            assert!(
                BreachActions {
                    notify: n,
                    raise_priority: r,
                    reassign: a
                }
                .any()
            );
        }
        let json = serde_json::json!({"id": "p1", "name": "Gold", "first_response_minutes": 30});
        let p: SlaPolicy = serde_json::from_value(json).expect("minimal policy");
        assert_eq!(p.on_breach, BreachActions::default());
        assert_eq!(
            (p.priority, p.plan, p.resolution_minutes, p.calendar_id),
            (None, None, None, None)
        );
        let json = serde_json::json!({"notify": true, "escalate": true});
        assert!(serde_json::from_value::<BreachActions>(json).is_err());
    }

    #[test]
    fn validate_policy_rules() {
        let ok = policy("p", None, None);
        assert!(validate_policy(&ok).is_empty());
        let rules = |p: &SlaPolicy| -> Vec<(String, String)> {
            validate_policy(p)
                .into_iter()
                .map(|e| (e.field, e.rule))
                .collect()
        };
        let pair = |f: &str, r: &str| (f.to_string(), r.to_string());
        let mut p = ok.clone();
        p.name = "  ".into();
        assert_eq!(rules(&p), vec![pair("name", "required")]);
        p.name = "x".repeat(201);
        assert_eq!(rules(&p), vec![pair("name", "too_long")]);
        let mut p = ok.clone();
        for (first, res, expected) in [
            (0, None, vec![pair("first_response_minutes", "range")]),
            (-5, Some(10), vec![pair("first_response_minutes", "range")]),
            (1, None, vec![]),
            (TARGET_MINUTES_MAX, None, vec![]),
            (
                TARGET_MINUTES_MAX + 1,
                None,
                vec![pair("first_response_minutes", "range")],
            ),
            (60, Some(0), vec![pair("resolution_minutes", "range")]),
            (
                60,
                Some(59),
                vec![pair("resolution_minutes", "not_before_first_response")],
            ),
            (60, Some(60), vec![]),
            (
                60,
                Some(TARGET_MINUTES_MAX + 1),
                vec![pair("resolution_minutes", "range")],
            ),
        ] {
            p.first_response_minutes = first;
            p.resolution_minutes = res;
            assert_eq!(rules(&p), expected, "{first} {res:?}");
        }
    }

    // --- deadlines, pauses, clocks ------------------------------------------------------

    #[test]
    fn warning_at_80_percent() {
        let c = office_rome();
        let l = |d, h, m| local(&Rome, 2025, 1, d, h, m);
        // (start, minutes, warn, due)
        let cases = [
            (l(6, 9, 0), 480, l(6, 15, 24), l(6, 17, 0)),
            (l(3, 16, 0), 600, l(6, 15, 0), l(6, 17, 0)),
            (l(4, 9, 0), 60, l(6, 9, 48), l(6, 10, 0)),
            (l(6, 9, 0), 0, l(6, 9, 0), l(6, 9, 0)),
            (l(4, 9, 0), 0, l(6, 9, 0), l(6, 9, 0)),
            (l(4, 9, 0), -30, l(6, 9, 0), l(6, 9, 0)),
            // 80 % of a 24-hour target in office hours: 19 h 12 min of open time.
            (l(6, 9, 0), 1440, l(8, 10, 12), l(8, 15, 0)),
        ];
        for (start, minutes, warn, due) in cases {
            let d = deadline(&c, &Rome, start, minutes);
            assert_eq!(
                d,
                Deadline {
                    warn_at: warn,
                    due_at: due
                },
                "{start} {minutes}"
            );
        }
        // 1 minute: the warning comes after 48 seconds.
        let d = deadline(&c, &Rome, l(6, 9, 0), 1);
        assert_eq!(d.warn_at, l(6, 9, 0) + Duration::seconds(48));
        // Huge targets are clamped, not a panic.
        let d = deadline(&always("UTC"), &Utc, utc(2025, 1, 1, 0, 0), i64::MAX);
        assert_eq!(
            d.due_at,
            utc(2025, 1, 1, 0, 0) + Duration::minutes(TARGET_MINUTES_MAX)
        );
        // On 24x7 the warning is at 80 % of the wall time.
        let d = deadline(&always("UTC"), &Utc, utc(2025, 1, 1, 0, 0), 100);
        assert_eq!(d.warn_at, utc(2025, 1, 1, 1, 20));
        assert_eq!(d.due_at, utc(2025, 1, 1, 1, 40));
    }

    #[test]
    fn resume_moves_what_was_still_ahead() {
        let c = office_rome();
        let l = |d, h, m| local(&Rome, 2025, 1, d, h, m);
        let d = deadline(&c, &Rome, l(6, 9, 0), 480); // warn Mon 15:24, due Mon 17:00
        let dl = |warn, due| Deadline {
            warn_at: warn,
            due_at: due,
        };
        // (paused, resumed, expected)
        let cases = [
            // Paused Mon 11:00 with 6 h (warn 4 h 24) left; resumed Tue 11:00.
            (l(6, 11, 0), l(7, 11, 0), dl(l(7, 15, 24), l(7, 17, 0))),
            // Resumed outside hours: counting restarts at the next opening.
            (l(6, 11, 0), l(6, 20, 0), dl(l(7, 13, 24), l(7, 15, 0))),
            (l(6, 11, 0), l(11, 12, 0), dl(l(13, 13, 24), l(13, 15, 0))),
            // A pause that covers no open time changes nothing.
            (l(6, 9, 0), l(6, 9, 0), d),
            (l(6, 12, 0), l(6, 11, 0), d),
            // Paused after the warning: the warning stays, the due instant moves.
            (l(6, 16, 0), l(7, 9, 0), dl(l(6, 15, 24), l(7, 10, 0))),
            // Paused after the breach: both stay.
            (l(6, 17, 30), l(7, 12, 0), d),
            (l(6, 17, 0), l(7, 12, 0), d),
        ];
        for (paused, resumed, expected) in cases {
            assert_eq!(
                resume(&c, &Rome, d, paused, resumed),
                expected,
                "{paused} → {resumed}"
            );
        }
        // Paused Friday after closing, resumed Monday before opening: nothing moves.
        let d = deadline(&c, &Rome, l(3, 16, 0), 600);
        assert_eq!(resume(&c, &Rome, d, l(3, 18, 30), l(6, 8, 0)), d);
        // Two pauses add up.
        let d0 = deadline(&c, &Rome, l(6, 9, 0), 480);
        let d1 = resume(&c, &Rome, d0, l(6, 10, 0), l(6, 11, 0));
        let d2 = resume(&c, &Rome, d1, l(6, 12, 0), l(6, 13, 30));
        assert_eq!(d2, dl(l(6, 17, 54), l(7, 10, 30)));
        // On 24x7 a pause moves both by its wall time.
        let all = always("UTC");
        let d = deadline(&all, &Utc, utc(2025, 1, 1, 0, 0), 600);
        let moved = resume(&all, &Utc, d, utc(2025, 1, 1, 2, 0), utc(2025, 1, 1, 5, 30));
        assert_eq!(moved.due_at - d.due_at, hm(3, 30));
        assert_eq!(moved.warn_at - d.warn_at, hm(3, 30));
        // The open time left before each instant is kept.
        for (paused, resumed) in [(l(6, 10, 0), l(8, 14, 0)), (l(6, 9, 30), l(6, 9, 31))] {
            let d = deadline(&c, &Rome, l(6, 9, 0), 480);
            let m = resume(&c, &Rome, d, paused, resumed);
            assert_eq!(
                c.open_between(&Rome, resumed, m.due_at),
                c.open_between(&Rome, paused, d.due_at)
            );
            assert_eq!(
                c.open_between(&Rome, resumed, m.warn_at),
                c.open_between(&Rome, paused, d.warn_at)
            );
        }
    }

    #[test]
    fn the_clock_stops_waiting_on_the_customer_and_when_done() {
        for s in TicketStatus::ALL {
            let expected = match s {
                TicketStatus::New | TicketStatus::Open | TicketStatus::OnHold => true,
                TicketStatus::PendingCustomer | TicketStatus::Resolved | TicketStatus::Closed => {
                    false
                }
            };
            assert_eq!(clock_runs(s), expected, "{s:?}");
            // A stopped clock is never an active ticket's clock, except waiting on the customer.
            if !clock_runs(s) && s != TicketStatus::PendingCustomer {
                assert!(!s.is_active());
            }
        }
    }

    #[test]
    fn clock_state_table() {
        use ClockState::*;
        let at = |h| utc(2025, 1, 6, h, 0);
        let d = Deadline {
            warn_at: at(10),
            due_at: at(12),
        };
        // (now, deadline?, achieved, paused, expected)
        let cases = [
            (at(9), Some(&d), None, false, Running),
            (
                at(10) - Duration::seconds(1),
                Some(&d),
                None,
                false,
                Running,
            ),
            (at(10), Some(&d), None, false, Warning),
            (at(11), Some(&d), None, false, Warning),
            (at(12), Some(&d), None, false, Warning),
            (
                at(12) + Duration::seconds(1),
                Some(&d),
                None,
                false,
                Breached,
            ),
            (at(20), Some(&d), None, false, Breached),
            (at(9), Some(&d), None, true, Paused),
            (at(11), Some(&d), None, true, Paused),
            (at(20), Some(&d), None, true, Paused),
            (at(9), Some(&d), Some(at(9)), false, Met),
            (at(20), Some(&d), Some(at(11)), false, Met),
            (at(20), Some(&d), Some(at(12)), false, Met),
            (
                at(20),
                Some(&d),
                Some(at(12) + Duration::seconds(1)),
                false,
                MetLate,
            ),
            (at(20), Some(&d), Some(at(13)), true, MetLate),
            (at(20), Some(&d), Some(at(11)), true, Met),
            (at(20), None, None, false, Running),
            (at(20), None, None, true, Paused),
            (at(20), None, Some(at(19)), false, Met),
        ];
        for (now, dl, achieved, paused, expected) in cases {
            assert_eq!(
                clock_state(now, dl, achieved, paused),
                expected,
                "{now} {achieved:?} {paused}"
            );
        }
    }

    #[test]
    fn clock_state_names() {
        for s in ClockState::ALL {
            let json = serde_json::to_value(s).expect("serialise");
            assert_eq!(json, serde_json::Value::String(s.as_str().to_string()));
            assert_eq!(ClockState::parse(s.as_str()), Some(s));
            assert!(!s.label().is_empty());
        }
        assert_eq!(ClockState::MetLate.as_str(), "met_late");
        assert_eq!(ClockState::NAMES.len(), ClockState::ALL.len());
    }

    // --- validation and JSON ------------------------------------------------------------

    fn fields(c: &BusinessCalendar) -> Vec<(String, String)> {
        validate_calendar(c)
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect()
    }

    #[test]
    fn validate_calendar_rules() {
        let pair = |f: &str, r: &str| (f.to_string(), r.to_string());
        assert!(fields(&office_rome()).is_empty());
        assert!(fields(&night_and_day("Europe/Rome")).len() == 1); // 02:15 inside 00:00–06:00
        let mut c = office_rome();
        c.time_zone = " ".into();
        assert_eq!(fields(&c), vec![pair("time_zone", "required")]);
        c.time_zone = "x".repeat(65);
        assert_eq!(fields(&c), vec![pair("time_zone", "too_long")]);
        let c = cal("UTC", WeeklyHours::closed(), vec![]);
        assert_eq!(fields(&c), vec![pair("week", "required")]);
        let mut week = WeeklyHours::closed();
        week.mon = vec![iv((9, 0), Some((9, 0))), iv((10, 0), Some((12, 0)))];
        week.wed = vec![
            iv((9, 0), Some((13, 0))),
            iv((14, 0), None),
            iv((12, 0), Some((14, 0))),
            iv((20, 0), Some((21, 0))),
        ];
        week.sun = vec![iv((18, 0), Some((0, 0)))];
        let c = cal("UTC", week, vec![]);
        assert_eq!(
            fields(&c),
            vec![
                pair("week.mon[0].end", "after_start"),
                pair("week.wed[2]", "overlap"),
                pair("week.wed[3]", "overlap"),
                pair("week.sun[0].end", "after_start"),
            ]
        );
        let msgs: Vec<String> = validate_calendar(&c)
            .into_iter()
            .map(|e| e.message)
            .collect();
        assert_eq!(msgs[1], "overlaps week.wed[0]");
        assert_eq!(msgs[2], "overlaps week.wed[1]");
        // Touching intervals are fine; midnight ends are fine.
        let mut week = WeeklyHours::closed();
        week.fri = vec![
            iv((0, 0), Some((6, 0))),
            iv((6, 0), Some((22, 0))),
            iv((22, 0), None),
        ];
        assert!(fields(&cal("UTC", week, vec![])).is_empty());
        // Holidays: at most 366, no duplicates.
        let many: Vec<NaiveDate> = (0..367)
            .map(|i| date(2025, 1, 1) + Duration::days(i))
            .collect();
        assert_eq!(
            fields(&cal("UTC", WeeklyHours::always(), many.clone())),
            vec![pair("holidays", "too_many")]
        );
        assert!(fields(&cal("UTC", WeeklyHours::always(), many[..366].to_vec())).is_empty());
        let dup = vec![date(2025, 1, 1), date(2025, 12, 25), date(2025, 1, 1)];
        assert_eq!(
            fields(&cal("UTC", WeeklyHours::always(), dup)),
            vec![pair("holidays[2]", "duplicate")]
        );
    }

    #[test]
    fn calendar_json() {
        let json = serde_json::json!({
            "time_zone": "Europe/Rome",
            "week": {
                "mon": [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}],
                "sat": [{"start": "22:00", "end": null}],
                "sun": [{"start": "00:00", "end": "24:00"}]
            },
            "holidays": ["2025-12-25"]
        });
        let c: BusinessCalendar = serde_json::from_value(json).expect("valid calendar");
        assert_eq!(
            c.week.mon,
            vec![iv((9, 0), Some((13, 0))), iv((14, 0), Some((18, 0)))]
        );
        assert_eq!(c.week.sat, vec![iv((22, 0), None)]);
        assert_eq!(c.week.sun, vec![iv((0, 0), None)]);
        assert!(c.week.tue.is_empty());
        assert_eq!(c.holidays, vec![date(2025, 12, 25)]);
        let back = serde_json::to_value(&c).expect("serialise");
        assert_eq!(
            back["week"]["mon"][1],
            serde_json::json!({"start": "14:00", "end": "18:00"})
        );
        assert_eq!(
            back["week"]["sun"][0],
            serde_json::json!({"start": "00:00", "end": null})
        );
        assert_eq!(back["week"]["tue"], serde_json::json!([]));
        let again: BusinessCalendar = serde_json::from_value(back).expect("round trip");
        assert_eq!(again, c);
        // Seconds survive when present.
        let odd = OpenInterval::new(NaiveTime::from_hms_opt(9, 0, 30).expect("time"), None);
        let v = serde_json::to_value(odd).expect("serialise");
        assert_eq!(v, serde_json::json!({"start": "09:00:30", "end": null}));
        assert_eq!(
            serde_json::from_value::<OpenInterval>(v).expect("parse"),
            odd
        );
        // Holidays may be left out.
        let c: BusinessCalendar = serde_json::from_value(serde_json::json!({
            "time_zone": "UTC", "week": {"mon": [{"start": "09:00", "end": "17:00"}]}
        }))
        .expect("no holidays");
        assert!(c.holidays.is_empty());
    }

    #[test]
    fn bad_interval_json_is_refused() {
        for bad in [
            serde_json::json!({"start": "9:00", "end": "18:00"}),
            serde_json::json!({"start": "25:00", "end": "18:00"}),
            serde_json::json!({"start": "24:00", "end": null}),
            serde_json::json!({"start": "09:60", "end": null}),
            serde_json::json!({"start": "09:00", "end": "24:01"}),
            serde_json::json!({"start": "09:00", "end": "6pm"}),
            serde_json::json!({"start": "09:00"}),
            serde_json::json!({"start": 900, "end": null}),
            serde_json::json!({"start": "09:00", "end": null, "label": "morning"}),
        ] {
            assert!(
                serde_json::from_value::<OpenInterval>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        for bad in [
            serde_json::json!({"time_zone": "UTC", "week": {"monday": []}}),
            serde_json::json!({"time_zone": "UTC", "week": {}, "extra": 1}),
            serde_json::json!({"week": {}}),
        ] {
            assert!(
                serde_json::from_value::<BusinessCalendar>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn time_left_reads_as_people_say_it() {
        assert_eq!(time_left_in_words(-5), "under a minute");
        assert_eq!(time_left_in_words(59), "under a minute");
        assert_eq!(time_left_in_words(60), "1 minute");
        assert_eq!(time_left_in_words(45 * 60 + 30), "45 minutes");
        assert_eq!(time_left_in_words(120 * 60), "2 h");
        assert_eq!(time_left_in_words(125 * 60), "2 h 5 min");
    }
}
