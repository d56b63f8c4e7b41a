//! `/admin/invitations`: invitations sent, and a form to invite someone by e-mail.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Role;
use shared::identity::{Invitation, NewInvitation, OrgKind};
use shared::validate::{self, normalize_email};

use crate::api;
use crate::components::choices::{self, Choices};
use crate::components::field::{SelectField, TextField};
use crate::components::form::{FormBanner, FormState};
use crate::components::paged::{LoadMore, Paged};
use crate::format;

#[component]
pub fn AdminInvitationsPage() -> impl IntoView {
    let paged: Paged<Invitation> = Paged::new();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let organization_id = RwSignal::new(String::new());
    let form = FormState::new(&["email", "name", "role", "organization_id"]);
    let organizations = RwSignal::new(Choices::new());

    paged.reload(|cursor| api::invitations::list(cursor, None));
    spawn_local(async move {
        if let Ok(page) = api::organizations::list(None, None, Some(200)).await {
            organizations.set(
                page.items
                    .into_iter()
                    .filter(|o| o.kind == OrgKind::Client)
                    .map(|o| (o.id, o.name))
                    .collect(),
            );
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let chosen = Role::parse(&role.get_untracked());
        let org = organization_id.get_untracked();
        let new = NewInvitation {
            email: normalize_email(&email.get_untracked()),
            name: name.get_untracked().trim().to_string(),
            role: chosen,
            organization_id: (chosen.is_some_and(Role::is_client) && !org.is_empty())
                .then_some(org),
        };
        if let Err(errors) = validate::new_invitation(&new) {
            return form.invalid(errors);
        }
        form.busy.set(true);
        spawn_local(async move {
            match api::invitations::create(&new).await {
                Ok(inv) => {
                    form.succeed(format!("Invitation sent to {}.", inv.email));
                    paged.prepend(inv);
                    email.set(String::new());
                    name.set(String::new());
                }
                Err(p) => form.fail(p),
            }
            form.busy.set(false);
        });
    };

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
        <section class="page">
            <h1>"Invitations"</h1>
            <form class="card form" on:submit=on_submit novalidate=true data-test="invite-create-form">
                <h2>"Invite someone"</h2>
                <p class="muted">"They receive an e-mail with a link to choose a password."</p>
                <FormBanner form test="invitation" />
                <TextField label="E-mail" field="email" value=email form test="invitation-email" kind="email" autocomplete="off" required=true />
                <TextField label="Name" field="name" value=name form test="invitation-name" required=true />
                <SelectField label="Role" field="role" value=role options=role_choices form test="invitation-role" required=true />
                <Show when=move || Role::parse(&role.get()).is_some_and(Role::is_client)>
                    <SelectField
                        label="Organisation"
                        field="organization_id"
                        value=organization_id
                        options=org_choices
                        form
                        test="invitation-organization"
                        required=true
                    />
                </Show>
                <button class="button" type="submit" data-test="invitation-submit" disabled=move || form.busy.get()>
                    {move || if form.busy.get() { "Sending…" } else { "Send invitation" }}
                </button>
            </form>
            <h2>"Sent"</h2>
            <ul class="rows" data-test="invitation-list">
                {move || {
                    paged
                        .items
                        .get()
                        .into_iter()
                        .map(|i| {
                            let status = format!("badge status-{}", i.status);
                            view! {
                                <li class="row static" data-test="invitation-row">
                                    <span class="row-title">
                                        {i.name.clone()} " " <span class=status>{i.status.clone()}</span>
                                    </span>
                                    <span class="row-meta">
                                        {i.email.clone()} " · " {i.role.label()} " · " {i.organization_name.clone()}
                                        " · expires " {format::datetime(i.expires_at)}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none) && paged.items.with(Vec::is_empty))
                    .then(|| view! { <p class="empty" data-test="invitation-empty">"No invitations yet."</p> })
            }}
            <LoadMore paged on_more=move |()| paged.more(|cursor| api::invitations::list(cursor, None)) />
        </section>
    }
}
