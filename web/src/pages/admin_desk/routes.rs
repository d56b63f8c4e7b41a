//! Cluster routes: for each of the six kinds of problem, the department its new tickets go to
//! and the skill assignment prefers; "Change" opens the route's form in place.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::desk::Cluster;
use shared::desk::config::{ClusterRouteInput, ClusterRouteRecord, validate_route_input};
use shared::identity::Department;

use crate::api;
use crate::components::field::{SelectField, TextField};
use crate::components::form::{FormBanner, FormState};

const FIELDS: &[&str] = &["department_id", "required_skill"];

#[component]
pub fn RoutesSection() -> impl IntoView {
    let routes = RwSignal::new(Vec::<ClusterRouteRecord>::new());
    let departments = RwSignal::new(Vec::<Department>::new());
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<Cluster>);
    spawn_local(async move {
        let (r, d) = (
            api::desk_config::routes().await,
            api::departments::list(None, Some(200)).await,
        );
        match (r, d) {
            (Ok(r), Ok(d)) => {
                let _ = routes.try_set(r);
                let _ = departments.try_set(d.items);
            }
            (Err(p), _) | (_, Err(p)) => {
                let _ = error.try_set(Some(p.message()));
            }
        }
    });
    let saved = Callback::new(move |r: ClusterRouteRecord| {
        routes.update(|all| {
            if let Some(slot) = all.iter_mut().find(|x| x.cluster == r.cluster) {
                *slot = r;
            }
        });
        editing.set(None);
    });
    view! {
        <section class="desk-config-section" data-test="routes-section">
            <h2>"Cluster routes"</h2>
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert">{e}</p> })}
            <ul class="rows" data-test="route-list">
                {move || routes.get().into_iter().map(|r| {
                    let cluster = r.cluster;
                    let target = match (&r.department_name, r.routed) {
                        (Some(d), true) => d.clone(),
                        _ => "Not routed: waits for a person".to_string(),
                    };
                    let skill = r.required_skill.clone().map(|s| format!(" · prefers skill {s}")).unwrap_or_default();
                    let route = r.clone();
                    view! {
                        <li class="row static" data-test="route-row" data-cluster=cluster.as_str()>
                            <span class="row-title">{r.cluster_label.clone()}</span>
                            <span class="row-meta" data-test="route-target">{target}{skill}</span>
                            {move || if editing.get() == Some(cluster) {
                                view! { <RouteForm route=route.clone() departments saved cancel=Callback::new(move |()| editing.set(None)) /> }.into_any()
                            } else {
                                view! {
                                    <button class="button secondary small" type="button" data-test="route-edit" on:click=move |_| editing.set(Some(cluster))>
                                        "Change"
                                    </button>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn RouteForm(
    route: ClusterRouteRecord,
    departments: RwSignal<Vec<Department>>,
    saved: Callback<ClusterRouteRecord>,
    cancel: Callback<()>,
) -> impl IntoView {
    let form = FormState::new(FIELDS);
    let department_id = RwSignal::new(route.department_id.clone().unwrap_or_default());
    let skill = RwSignal::new(route.required_skill.clone().unwrap_or_default());
    let options = Signal::derive(move || {
        let mut o = vec![(String::new(), "Choose a department".to_string())];
        departments.with(|ds| o.extend(ds.iter().map(|d| (d.id.clone(), d.name.clone()))));
        o
    });
    let cluster = route.cluster;
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let s = skill.get_untracked();
        let input = ClusterRouteInput {
            department_id: department_id.get_untracked(),
            required_skill: (!s.trim().is_empty()).then_some(s),
        };
        let errors = validate_route_input(&input);
        if !errors.is_empty() {
            return form.invalid(errors);
        }
        form.busy.set(true);
        spawn_local(async move {
            let result = api::desk_config::set_route(cluster, &input).await;
            if form.busy.is_disposed() {
                return;
            }
            form.busy.set(false);
            match result {
                Ok(r) => saved.run(r),
                Err(p) => form.fail(p),
            }
        });
    };
    view! {
        <form class="form desk-route-form" on:submit=on_submit novalidate=true data-test="route-form">
            <FormBanner form test="route" />
            <SelectField label="Department" field="department_id" value=department_id options form test="route-department" required=true />
            <TextField label="Preferred skill (optional)" field="required_skill" value=skill form test="route-skill" />
            <div class="actions">
                <button class="button" type="submit" data-test="route-submit" disabled=move || form.busy.get()>"Save"</button>
                <button class="button secondary" type="button" data-test="route-cancel" on:click=move |_| cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
