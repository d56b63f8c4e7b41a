//! Field rules shared by the API (which enforces them) and the web app (which checks forms
//! before sending). Each function returns every broken rule, not just the first.

use crate::FieldError;
use crate::activity::{ActivityPatch, Link, NewActivity};
use crate::identity::{
    MePatch, NewDepartment, NewInvitation, NewOrganization, NewUser, OrganizationPatch, UserPatch,
};
use crate::project::{KICKOFF, NewProject, TemplateInput};

pub const NAME_MAX: usize = 200;
pub const TEXT_MAX: usize = 2000;
pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;
pub const SKILL_MAX: usize = 50;
pub const LIST_MAX: usize = 50;
pub const LINKS_MAX: usize = 20;
pub const URL_MAX: usize = 2000;
pub const TEMPLATE_ITEMS_MAX: usize = 500;
/// Template dates reach at most about three years past kick-off.
pub const DAYS_MAX: i32 = 1100;
/// How many active tickets an agent may be given at once.
pub const TICKET_CAPACITY: std::ops::RangeInclusive<i32> = 1..=200;

#[derive(Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: &str, rule: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, rule, message));
    }

    /// A required, trimmed, bounded text.
    pub fn required_text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.add(field, "required", "is required");
        } else {
            self.max_len(field, value, max);
        }
    }

    pub fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.add(
                field,
                "too_long",
                format!("must be at most {max} characters"),
            );
        }
    }

    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.max_len(field, v, max);
        }
    }

    pub fn email(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.add(field, "required", "is required");
        } else if !is_email(value) {
            self.add(
                field,
                "invalid_email",
                "must be an e-mail address such as name@example.com",
            );
        } else {
            self.max_len(field, value, EMAIL_MAX);
        }
    }

    pub fn password(&mut self, field: &str, value: &str) {
        let n = value.chars().count();
        if n < PASSWORD_MIN {
            self.add(
                field,
                "too_short",
                format!("must be at least {PASSWORD_MIN} characters"),
            );
        } else if n > PASSWORD_MAX {
            self.add(
                field,
                "too_long",
                format!("must be at most {PASSWORD_MAX} characters"),
            );
        }
    }

    pub fn non_negative(&mut self, field: &str, value: Option<i64>) {
        if value.is_some_and(|v| v < 0) {
            self.add(field, "minimum", "must be zero or more");
        }
    }

    pub fn present(&mut self, field: &str, present: bool) {
        if !present {
            self.add(field, "required", "is required");
        }
    }

    pub fn skills(&mut self, field: &str, skills: &[String]) {
        if skills.len() > LIST_MAX {
            self.add(
                field,
                "too_many",
                format!("must have at most {LIST_MAX} entries"),
            );
        }
        for (i, s) in skills.iter().enumerate() {
            self.required_text(&format!("{field}[{i}]"), s, SKILL_MAX);
        }
    }

    /// An absolute `http(s)://` address.
    pub fn url(&mut self, field: &str, value: &str) {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, "required", "is required");
        } else if !is_web_url(v) {
            self.add(
                field,
                "url",
                "must start with http:// or https:// and name a host",
            );
        } else {
            self.max_len(field, v, URL_MAX);
        }
    }

    pub fn links(&mut self, field: &str, links: &[Link]) {
        if links.len() > LINKS_MAX {
            self.add(field, "too_many", format!("at most {LINKS_MAX} links"));
        }
        for (i, l) in links.iter().enumerate() {
            self.required_text(&format!("{field}[{i}].title"), &l.title, NAME_MAX);
            self.url(&format!("{field}[{i}].url"), &l.url);
        }
    }

    fn days(&mut self, field: &str, value: Option<i32>) {
        if value.is_some_and(|d| !(0..=DAYS_MAX).contains(&d)) {
            self.add(
                field,
                "range",
                format!("must be between 0 and {DAYS_MAX} days"),
            );
        }
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// A pragmatic e-mail check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|p| !p.is_empty())
}

/// `http://` or `https://` followed by a host, with no spaces.
pub fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// E-mail addresses are compared and stored lower-cased and trimmed.
pub fn normalize_email(s: &str) -> String {
    s.trim().to_lowercase()
}

pub fn new_organization(o: &NewOrganization) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("name", &o.name, NAME_MAX);
    e.optional_text("plan", o.plan.as_deref(), 50);
    e.optional_text("industry", o.industry.as_deref(), NAME_MAX);
    e.optional_text("segment", o.segment.as_deref(), NAME_MAX);
    e.non_negative("yearly_spend", o.yearly_spend);
    e.non_negative("size", o.size.map(i64::from));
    e.into_result()
}

pub fn organization_patch(p: &OrganizationPatch) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    if let Some(name) = &p.name {
        e.required_text("name", name, NAME_MAX);
    }
    e.optional_text("plan", p.plan.as_ref().and_then(|v| v.as_deref()), 50);
    e.optional_text(
        "industry",
        p.industry.as_ref().and_then(|v| v.as_deref()),
        NAME_MAX,
    );
    e.optional_text(
        "segment",
        p.segment.as_ref().and_then(|v| v.as_deref()),
        NAME_MAX,
    );
    e.non_negative("yearly_spend", p.yearly_spend.flatten());
    e.non_negative("size", p.size.flatten().map(i64::from));
    e.into_result()
}

pub fn new_user(u: &NewUser) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.email("email", &u.email);
    e.required_text("name", &u.name, NAME_MAX);
    e.present("role", u.role.is_some());
    if u.role.is_some_and(|r| r.is_client()) {
        e.present("organization_id", u.organization_id.is_some());
    }
    if let Some(p) = &u.password {
        e.password("password", p);
    }
    e.skills("skills", &u.skills);
    e.into_result()
}

pub fn user_patch(p: &UserPatch) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    if let Some(name) = &p.name {
        e.required_text("name", name, NAME_MAX);
    }
    if let Some(skills) = &p.skills {
        e.skills("skills", skills);
    }
    if let Some(capacity) = p.ticket_capacity
        && !TICKET_CAPACITY.contains(&capacity)
    {
        e.add(
            "ticket_capacity",
            "range",
            format!(
                "must be between {} and {}",
                TICKET_CAPACITY.start(),
                TICKET_CAPACITY.end()
            ),
        );
    }
    e.into_result()
}

pub fn me_patch(p: &MePatch) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    if let Some(name) = &p.name {
        e.required_text("name", name, NAME_MAX);
    }
    e.into_result()
}

pub fn new_department(d: &NewDepartment) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("name", &d.name, NAME_MAX);
    e.optional_text("description", d.description.as_deref(), TEXT_MAX);
    e.into_result()
}

pub fn new_invitation(i: &NewInvitation) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.email("email", &i.email);
    e.required_text("name", &i.name, NAME_MAX);
    e.present("role", i.role.is_some());
    if i.role.is_some_and(|r| r.is_client()) {
        e.present("organization_id", i.organization_id.is_some());
    }
    e.into_result()
}

pub fn new_project(p: &NewProject) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("organization_id", &p.organization_id, NAME_MAX);
    e.required_text("name", &p.name, NAME_MAX);
    e.into_result()
}

pub fn template(t: &TemplateInput) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("name", &t.name, NAME_MAX);
    e.optional_text("description", t.description.as_deref(), TEXT_MAX);
    match t.categories.first() {
        None => e.add(
            "categories",
            "required",
            "needs at least the Kick-off category",
        ),
        Some(first) if first.name.trim() != KICKOFF => e.add(
            "categories[0].name",
            "kickoff_first",
            format!("the first category must be \"{KICKOFF}\""),
        ),
        Some(_) => {}
    }
    let items: usize = t.categories.iter().map(|c| c.items.len()).sum();
    if items > TEMPLATE_ITEMS_MAX {
        e.add(
            "categories",
            "too_many",
            format!("at most {TEMPLATE_ITEMS_MAX} items in all"),
        );
    }
    for (ci, c) in t.categories.iter().enumerate() {
        e.required_text(&format!("categories[{ci}].name"), &c.name, NAME_MAX);
        for (ii, item) in c.items.iter().enumerate() {
            let f = format!("categories[{ci}].items[{ii}]");
            e.required_text(&format!("{f}.title"), &item.title, NAME_MAX);
            e.optional_text(
                &format!("{f}.description"),
                item.description.as_deref(),
                TEXT_MAX,
            );
            e.days(&format!("{f}.due_after_days"), item.due_after_days);
            e.days(&format!("{f}.review_after_days"), item.review_after_days);
            e.links(&format!("{f}.links"), &item.links);
        }
    }
    e.into_result()
}

pub fn new_activity(a: &NewActivity) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.required_text("category_id", &a.category_id, NAME_MAX);
    e.required_text("title", &a.title, NAME_MAX);
    e.optional_text("description", a.description.as_deref(), TEXT_MAX);
    e.links("links", &a.links);
    e.into_result()
}

pub fn activity_patch(p: &ActivityPatch) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    if let Some(title) = &p.title {
        e.required_text("title", title, NAME_MAX);
    }
    e.optional_text(
        "description",
        p.description.as_ref().and_then(|v| v.as_deref()),
        TEXT_MAX,
    );
    if let Some(links) = &p.links {
        e.links("links", links);
    }
    e.into_result()
}

/// A reopening reason, when given, is bounded text.
pub fn reason(reason: Option<&str>) -> Result<(), Vec<FieldError>> {
    let mut e = Errors::default();
    e.optional_text("reason", reason, TEXT_MAX);
    e.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    #[test]
    fn web_urls() {
        for ok in ["https://a.b", "http://localhost:8080/x?y#z"] {
            assert!(is_web_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "ftp://a",
            "https://",
            "https:// a",
            "data:text/html,x",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn templates_must_open_with_kickoff() {
        let mut t = crate::project::builtin_ecommerce();
        t.categories.swap(0, 1);
        assert_eq!(
            rules(template(&t)),
            vec![(
                "categories[0].name".to_string(),
                "kickoff_first".to_string()
            )]
        );
        t.categories.clear();
        assert_eq!(rules(template(&t))[0].1, "required");
    }

    fn rules(r: Result<(), Vec<FieldError>>) -> Vec<(String, String)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.rule))
            .collect()
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "csm1@magicstore.test", " x.y+z@sub.domain.it "] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.de", "a@b..co", "a@.b",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert_eq!(
            normalize_email("  Admin@MagicStore.TEST "),
            "admin@magicstore.test"
        );
    }

    #[test]
    fn new_user_reports_every_broken_rule() {
        let u = NewUser {
            email: "nope".into(),
            name: " ".into(),
            role: Some(Role::ClientMember),
            password: Some("short".into()),
            skills: vec!["".into()],
            ..Default::default()
        };
        assert_eq!(
            rules(new_user(&u)),
            vec![
                ("email".into(), "invalid_email".into()),
                ("name".into(), "required".into()),
                ("organization_id".into(), "required".into()),
                ("password".into(), "too_short".into()),
                ("skills[0]".into(), "required".into()),
            ]
        );
    }

    #[test]
    fn staff_need_no_organization_and_password_is_optional() {
        let u = NewUser {
            email: "agent3@magicstore.test".into(),
            name: "Agent Three".into(),
            role: Some(Role::SupportAgent),
            ..Default::default()
        };
        assert_eq!(new_user(&u), Ok(()));
        let missing_role = NewUser { role: None, ..u };
        assert_eq!(
            rules(new_user(&missing_role)),
            vec![("role".into(), "required".into())]
        );
    }

    #[test]
    fn organization_rules() {
        let o = NewOrganization {
            name: "x".repeat(NAME_MAX + 1),
            yearly_spend: Some(-1),
            size: Some(-3),
            ..Default::default()
        };
        assert_eq!(
            rules(new_organization(&o)),
            vec![
                ("name".into(), "too_long".into()),
                ("yearly_spend".into(), "minimum".into()),
                ("size".into(), "minimum".into()),
            ]
        );
        let ok = NewOrganization {
            name: "Verdi".into(),
            ..Default::default()
        };
        assert_eq!(new_organization(&ok), Ok(()));
        let clear = OrganizationPatch {
            plan: Some(None),
            name: Some("".into()),
            ..Default::default()
        };
        assert_eq!(
            rules(organization_patch(&clear)),
            vec![("name".into(), "required".into())]
        );
    }

    #[test]
    fn passwords_have_bounds() {
        let mut e = Errors::default();
        e.password("p", &"x".repeat(PASSWORD_MIN));
        e.password("q", &"x".repeat(PASSWORD_MAX + 1));
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].field, "q");
    }
}
