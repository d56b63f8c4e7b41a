//! `/admin/departments`: the support departments, and a form to add one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::identity::{Department, NewDepartment};
use shared::validate;

use crate::api;
use crate::components::field::TextField;
use crate::components::form::{FormBanner, FormState};
use crate::components::paged::{LoadMore, Paged};

#[component]
pub fn AdminDepartmentsPage() -> impl IntoView {
    let paged: Paged<Department> = Paged::new();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let form = FormState::new(&["name", "description"]);

    paged.reload(|cursor| api::departments::list(cursor, None));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let d = description.get_untracked().trim().to_string();
        let new = NewDepartment {
            name: name.get_untracked().trim().to_string(),
            description: (!d.is_empty()).then_some(d),
        };
        if let Err(errors) = validate::new_department(&new) {
            return form.invalid(errors);
        }
        form.busy.set(true);
        spawn_local(async move {
            match api::departments::create(&new).await {
                Ok(dept) => {
                    form.succeed(format!("Department “{}” created.", dept.name));
                    paged.prepend(dept);
                    name.set(String::new());
                    description.set(String::new());
                }
                Err(p) => form.fail(p),
            }
            form.busy.set(false);
        });
    };

    view! {
        <section class="page">
            <h1>"Departments"</h1>
            <form class="card form" on:submit=on_submit novalidate=true data-test="department-form">
                <h2>"New department"</h2>
                <FormBanner form test="department" />
                <TextField label="Name" field="name" value=name form test="department-name" required=true />
                <TextField
                    label="Description"
                    field="description"
                    value=description
                    form
                    test="department-description"
                />
                <button class="button" type="submit" data-test="department-submit" disabled=move || form.busy.get()>
                    {move || if form.busy.get() { "Saving…" } else { "Create department" }}
                </button>
            </form>
            <ul class="rows" data-test="department-list">
                {move || {
                    paged
                        .items
                        .get()
                        .into_iter()
                        .map(|d| {
                            let members = format!(
                                "{} member{}",
                                d.member_count,
                                if d.member_count == 1 { "" } else { "s" },
                            );
                            view! {
                                <li class="row static" data-test="department-row">
                                    <span class="row-title">{d.name.clone()}</span>
                                    <span class="row-meta">
                                        {d.description.clone().unwrap_or_default()}
                                        {d.description.is_some().then_some(" · ")}
                                        {members}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none) && paged.items.with(Vec::is_empty))
                    .then(|| view! { <p class="empty" data-test="department-empty">"No departments yet."</p> })
            }}
            <LoadMore paged on_more=move |()| paged.more(|cursor| api::departments::list(cursor, None)) />
        </section>
    }
}
