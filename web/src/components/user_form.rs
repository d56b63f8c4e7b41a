//! The user forms: create (e-mail, name, role, organisation for client roles, password,
//! departments and skills for agents) and edit (name, role, active, availability, departments,
//! skills). Values are checked with `shared::validate` before sending.

use leptos::prelude::*;
use shared::identity::{Availability, NewUser, User, UserPatch};
use shared::validate::{self, normalize_email};
use shared::{FieldError, Role};

use super::choices::{self, Choices};
use super::edit_panel::RecordFields;
use super::field::{CheckboxField, MultiCheckField, SelectField, TextField};
use super::form::FormState;

pub const FIELDS: &[&str] = &[
    "email",
    "name",
    "role",
    "organization_id",
    "password",
    "department_ids",
    "skills",
    "active",
    "availability",
];

#[derive(Clone, Copy)]
pub struct UserFields {
    pub email: RwSignal<String>,
    pub name: RwSignal<String>,
    pub role: RwSignal<String>,
    pub organization_id: RwSignal<String>,
    pub password: RwSignal<String>,
    pub department_ids: RwSignal<Vec<String>>,
    pub skills: RwSignal<String>,
    pub active: RwSignal<bool>,
    pub availability: RwSignal<String>,
}

/// `"a, b ,c"` → `["a", "b", "c"]`.
fn split_skills(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

impl UserFields {
    pub fn new() -> Self {
        UserFields {
            email: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
            role: RwSignal::new(String::new()),
            organization_id: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            department_ids: RwSignal::new(Vec::new()),
            skills: RwSignal::new(String::new()),
            active: RwSignal::new(true),
            availability: RwSignal::new(String::new()),
        }
    }

    fn role_value(&self) -> Option<Role> {
        Role::parse(&self.role.get_untracked())
    }

    /// The role currently chosen (reactive).
    pub fn chosen_role(&self) -> Option<Role> {
        Role::parse(&self.role.get())
    }
}

impl RecordFields<User> for UserFields {
    fn clear(&self) {
        for s in [
            self.email,
            self.name,
            self.role,
            self.organization_id,
            self.password,
            self.skills,
        ] {
            s.set(String::new());
        }
        self.availability.set(String::new());
        self.department_ids.set(Vec::new());
        self.active.set(true);
    }

    fn fill(&self, u: &User) {
        self.clear();
        self.email.set(u.email.clone());
        self.name.set(u.name.clone());
        self.role.set(u.role.as_str().to_string());
        self.organization_id.set(u.organization_id.clone());
        self.department_ids.set(u.department_ids.clone());
        self.skills.set(u.skills.join(", "));
        self.active.set(u.active);
        self.availability.set(
            u.availability
                .unwrap_or(Availability::Offline)
                .as_str()
                .to_string(),
        );
    }

    fn new_body(&self) -> Result<NewUser, Vec<FieldError>> {
        let role = self.role_value();
        let password = self.password.get_untracked();
        let organization_id = self.organization_id.get_untracked();
        let agent = role == Some(Role::SupportAgent);
        let new = NewUser {
            email: normalize_email(&self.email.get_untracked()),
            name: self.name.get_untracked().trim().to_string(),
            role,
            organization_id: (role.is_some_and(Role::is_client) && !organization_id.is_empty())
                .then_some(organization_id),
            password: (!password.is_empty()).then_some(password),
            department_ids: if agent {
                self.department_ids.get_untracked()
            } else {
                Vec::new()
            },
            skills: if agent {
                split_skills(&self.skills.get_untracked())
            } else {
                Vec::new()
            },
        };
        validate::new_user(&new)?;
        Ok(new)
    }

    /// Only what differs from `original`.
    fn patch_body(&self, original: &User) -> Result<UserPatch, Vec<FieldError>> {
        let name = self.name.get_untracked().trim().to_string();
        let role = self.role_value();
        let active = self.active.get_untracked();
        let agent = role.unwrap_or(original.role) == Role::SupportAgent;
        let departments = self.department_ids.get_untracked();
        let skills = split_skills(&self.skills.get_untracked());
        let availability = Availability::parse(&self.availability.get_untracked());
        let patch = UserPatch {
            name: (name != original.name).then_some(name),
            role: role.filter(|r| *r != original.role),
            active: (active != original.active).then_some(active),
            availability: availability.filter(|a| agent && Some(*a) != original.availability),
            department_ids: (agent && departments != original.department_ids)
                .then_some(departments),
            skills: (agent && skills != original.skills).then_some(skills),
            // Ticket capacity is set through the API (PATCH /users/{id}); not on this form yet.
            ticket_capacity: None,
        };
        validate::user_patch(&patch)?;
        Ok(patch)
    }
}

/// Fields of the create form. `organizations` and `departments` are `(id, name)` choices.
#[component]
pub fn NewUserFieldsView(
    fields: UserFields,
    form: FormState,
    #[prop(into)] organizations: Signal<Choices>,
    #[prop(into)] departments: Signal<Choices>,
) -> impl IntoView {
    let role_choices = Signal::derive(|| {
        let mut c = choices::none("Choose a role");
        c.extend(choices::roles());
        c
    });
    let org_choices = Signal::derive(move || {
        let mut c = choices::none("Choose an organisation");
        c.extend(organizations.get());
        c
    });
    view! {
        <TextField
            label="E-mail"
            field="email"
            value=fields.email
            form
            test="user-email"
            kind="email"
            autocomplete="off"
            required=true
        />
        <TextField label="Name" field="name" value=fields.name form test="user-name-input" required=true />
        <SelectField label="Role" field="role" value=fields.role options=role_choices form test="user-role" required=true />
        <Show when=move || fields.chosen_role().is_some_and(Role::is_client)>
            <SelectField
                label="Organisation"
                field="organization_id"
                value=fields.organization_id
                options=org_choices
                form
                test="user-organization"
                required=true
            />
        </Show>
        <AgentFields fields form departments />
        <TextField
            label="Password"
            field="password"
            value=fields.password
            form
            test="user-password"
            kind="password"
            autocomplete="new-password"
            hint="Optional. Without one, the person cannot sign in until they accept an invitation."
        />
    }
}

/// Fields of the edit form.
#[component]
pub fn EditUserFieldsView(
    fields: UserFields,
    form: FormState,
    #[prop(into)] departments: Signal<Choices>,
) -> impl IntoView {
    view! {
        <p class="muted">{move || fields.email.get()}</p>
        <TextField label="Name" field="name" value=fields.name form test="user-name-input" required=true />
        <SelectField
            label="Role"
            field="role"
            value=fields.role
            options=Signal::derive(choices::roles)
            form
            test="user-role"
        />
        <CheckboxField label="Active (may sign in)" field="active" checked=fields.active form test="user-active" />
        <Show when=move || fields.chosen_role() == Some(Role::SupportAgent)>
            <SelectField
                label="Availability"
                field="availability"
                value=fields.availability
                options=Signal::derive(choices::availabilities)
                form
                test="user-availability"
            />
        </Show>
        <AgentFields fields form departments />
    }
}

/// Departments and skills, shown for support agents only.
#[component]
fn AgentFields(fields: UserFields, form: FormState, departments: Signal<Choices>) -> impl IntoView {
    view! {
        <Show when=move || fields.chosen_role() == Some(Role::SupportAgent)>
            <MultiCheckField
                label="Departments"
                field="department_ids"
                chosen=fields.department_ids
                options=departments
                form
                test="user-departments"
            />
            <TextField
                label="Skills"
                field="skills"
                value=fields.skills
                form
                test="user-skills"
                placeholder="returns, shopify, billing"
                hint="Separate skills with commas."
            />
        </Show>
    }
}
