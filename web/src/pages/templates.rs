//! `/templates`: the project templates (CSMs and administrators create and change them).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Role;
use shared::project::ProjectTemplate;

use crate::api::Versioned;
use crate::components::template_editor::TemplateEditor;
use crate::{api, format, session};

#[derive(Clone)]
enum Open {
    Closed,
    New,
    Loading,
    Edit(Versioned<ProjectTemplate>),
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let s = session::get();
    let templates = RwSignal::new(None::<Result<Vec<ProjectTemplate>, String>>);
    let open = RwSignal::new(Open::Closed);
    let notice = RwSignal::new(None::<String>);
    let may_edit = move || matches!(s.role.get(), Some(Role::Csm | Role::Admin));
    let load = move || {
        spawn_local(async move {
            templates.set(Some(api::templates::list().await.map_err(|p| p.message())));
        });
    };
    load();
    let edit = move |id: String| {
        notice.set(None);
        open.set(Open::Loading);
        spawn_local(async move {
            match api::templates::get(&id).await {
                Ok(v) => open.set(Open::Edit(v)),
                Err(p) => {
                    open.set(Open::Closed);
                    notice.set(Some(p.message()));
                }
            }
        });
    };
    let saved = Callback::new(move |t: ProjectTemplate| {
        open.set(Open::Closed);
        notice.set(Some(format!("Template “{}” saved.", t.name)));
        load();
    });
    let cancel = Callback::new(move |()| open.set(Open::Closed));

    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Project templates"</h1>
                {move || may_edit().then(|| view! {
                    <button class="button" data-test="template-new" on:click=move |_| { notice.set(None); open.set(Open::New); }>
                        "New template"
                    </button>
                })}
            </div>
            {move || notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="page-notice">{n}</div> })}
            {move || match open.get() {
                Open::Closed => ().into_any(),
                Open::Loading => view! { <p class="muted card" data-test="loading">"Loading…"</p> }.into_any(),
                Open::New => view! { <TemplateEditor existing=None on_saved=saved on_cancel=cancel /> }.into_any(),
                Open::Edit(v) => view! { <TemplateEditor existing=Some(v) on_saved=saved on_cancel=cancel /> }.into_any(),
            }}
            <ul class="rows" data-test="template-list">
                {move || match templates.get() {
                    None => view! { <li class="row muted">"Loading…"</li> }.into_any(),
                    Some(Err(e)) => view! { <li class="row banner-error">{e}</li> }.into_any(),
                    Some(Ok(list)) => list.into_iter().map(|t| {
                        let id = t.id.clone();
                        let items: usize = t.categories.iter().map(|c| c.items.len()).sum();
                        view! {
                            <li>
                                <button
                                    class="row"
                                    data-test="template-row"
                                    data-id=t.id.clone()
                                    disabled=move || !may_edit()
                                    on:click=move |_| edit(id.clone())
                                >
                                    <span class="row-title">
                                        {t.name.clone()}
                                        {t.builtin.then(|| view! { <span class="badge">"built in"</span> })}
                                    </span>
                                    <span class="row-meta">
                                        {format!("{} categories, {} items · changed {}", t.categories.len(), items, format::date(t.updated_at.date_naive()))}
                                    </span>
                                    {t.description.clone().map(|d| view! { <span class="row-meta">{d}</span> })}
                                </button>
                            </li>
                        }
                    }).collect_view().into_any(),
                }}
            </ul>
        </section>
    }
}
