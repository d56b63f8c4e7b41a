//! A small iCalendar (RFC 5545) writer for the calendar feeds: CRLF line ends, lines folded
//! at 75 octets (never inside a UTF-8 character), TEXT values escaped, times in UTC (`Z`), so
//! no VTIMEZONE is needed.

use chrono::{DateTime, NaiveDate, Utc};

/// When an event happens: an instant (UTC) or a whole day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    At(DateTime<Utc>),
    Day(NaiveDate),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across feeds and fetches, so calendar apps update instead of duplicating.
    pub uid: String,
    /// Grows with each change (the resource's version).
    pub sequence: i32,
    /// When the information was last revised.
    pub stamp: DateTime<Utc>,
    pub start: When,
    pub end: When,
    pub summary: String,
    pub location: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    /// `CONFIRMED`, `TENTATIVE` or `CANCELLED`.
    pub status: &'static str,
}

/// A VCALENDAR being written.
pub struct Calendar {
    out: String,
}

impl Calendar {
    pub fn new(name: &str) -> Calendar {
        let mut c = Calendar { out: String::new() };
        c.line("BEGIN:VCALENDAR");
        c.line("VERSION:2.0");
        c.line("PRODID:-//Tandem//Agenda//EN");
        c.line("CALSCALE:GREGORIAN");
        c.line("METHOD:PUBLISH");
        c.line(&format!("X-WR-CALNAME:{}", text(name)));
        // Hints for subscribing apps: look again every hour.
        c.line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
        c.line("X-PUBLISHED-TTL:PT1H");
        c
    }

    pub fn event(&mut self, e: &Event) {
        self.line("BEGIN:VEVENT");
        self.line(&format!("UID:{}", text(&e.uid)));
        self.line(&format!("DTSTAMP:{}", utc(e.stamp)));
        self.line(&format!("SEQUENCE:{}", e.sequence.max(0)));
        self.line(&when("DTSTART", e.start));
        self.line(&when("DTEND", e.end));
        self.line(&format!("SUMMARY:{}", text(&e.summary)));
        if let Some(l) = &e.location {
            self.line(&format!("LOCATION:{}", text(l)));
        }
        if let Some(u) = &e.url {
            // A URI, not TEXT: no escaping, but never a line break.
            self.line(&format!("URL:{}", u.replace(['\r', '\n'], "")));
        }
        if let Some(d) = &e.description {
            self.line(&format!("DESCRIPTION:{}", text(d)));
        }
        self.line(&format!("STATUS:{}", e.status));
        if matches!(e.start, When::Day(_)) {
            // An all-day date should not block time in the user's calendar.
            self.line("TRANSP:TRANSPARENT");
        }
        self.line("END:VEVENT");
    }

    pub fn finish(mut self) -> String {
        self.line("END:VCALENDAR");
        self.out
    }

    fn line(&mut self, content: &str) {
        fold_into(&mut self.out, content);
    }
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn when(name: &str, w: When) -> String {
    match w {
        When::At(t) => format!("{name}:{}", utc(t)),
        When::Day(d) => format!("{name};VALUE=DATE:{}", d.format("%Y%m%d")),
    }
}

/// A TEXT value: backslash, semicolon and comma escaped, line breaks as `\n`, other control
/// characters dropped (RFC 5545 §3.3.11).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `content` as one content line, folded so that no line exceeds 75 octets (the
/// leading space of a continuation counts), each ended by CRLF.
pub fn fold_into(out: &mut String, content: &str) {
    const MAX: usize = 75;
    let mut used = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if used + n > MAX {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            text("a,b;c\\d\ne\r\nf\u{7}"),
            "a\\,b\\;c\\\\d\\ne\\nf".to_string()
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let content = format!("SUMMARY:{}", "è".repeat(100));
        fold_into(&mut out, &content);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.last(), Some(&""), "ends with CRLF");
        for l in &lines {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert!(lines[1..lines.len() - 1].iter().all(|l| l.starts_with(' ')));
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, content);
        let mut short = String::new();
        fold_into(&mut short, "VERSION:2.0");
        assert_eq!(short, "VERSION:2.0\r\n");
    }

    #[test]
    fn events_have_utc_times_and_all_day_dates() {
        let mut cal = Calendar::new("Tandem, test");
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
        cal.event(&Event {
            uid: "a1@tandem".into(),
            sequence: 2,
            stamp: at("2026-11-23T08:00:00Z"),
            start: When::At(at("2026-12-01T10:00:00+01:00")),
            end: When::At(at("2026-12-01T11:00:00+01:00")),
            summary: "Kick-off; call".into(),
            location: None,
            url: Some("https://meet.example.com/x".into()),
            description: None,
            status: "CONFIRMED",
        });
        let day = NaiveDate::from_ymd_opt(2026, 12, 15).expect("date");
        cal.event(&Event {
            uid: "i1-due@tandem".into(),
            sequence: 1,
            stamp: at("2026-11-23T08:00:00Z"),
            start: When::Day(day),
            end: When::Day(day.succ_opt().expect("next day")),
            summary: "Due: Training".into(),
            location: None,
            url: None,
            description: None,
            status: "CONFIRMED",
        });
        let ics = cal.finish();
        for needle in [
            "X-WR-CALNAME:Tandem\\, test\r\n",
            "DTSTART:20261201T090000Z\r\n",
            "DTEND:20261201T100000Z\r\n",
            "SEQUENCE:2\r\n",
            "SUMMARY:Kick-off\\; call\r\n",
            "DTSTART;VALUE=DATE:20261215\r\n",
            "DTEND;VALUE=DATE:20261216\r\n",
        ] {
            assert!(ics.contains(needle), "{needle:?} in {ics}");
        }
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "only CRLF");
    }
}
