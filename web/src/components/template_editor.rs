//! The template editor: name, description, and the ordered categories with their items
//! (title, who ticks it, due and review days after kick-off, description, links). Checked
//! with `shared::validate::template` before sending; every broken field is marked.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::activity::{Link, Responsible};
use shared::project::{KICKOFF, ProjectTemplate, TemplateCategory, TemplateInput, TemplateItem};
use shared::{ErrorCode, FieldError};

use super::field::FieldErrors;
use super::form::{FormBanner, FormState};
use crate::api;
use crate::api::Versioned;

#[derive(Clone, Copy)]
struct ItemDraft {
    key: u32,
    title: RwSignal<String>,
    description: RwSignal<String>,
    responsible: RwSignal<String>,
    due: RwSignal<String>,
    review: RwSignal<String>,
    /// One link a line: `Title | https://…`.
    links: RwSignal<String>,
}

#[derive(Clone, Copy)]
struct CategoryDraft {
    key: u32,
    name: RwSignal<String>,
    items: RwSignal<Vec<ItemDraft>>,
}

/// Keys for list rows, unique within the editor.
#[derive(Clone, Copy)]
struct Keys(StoredValue<u32>);

impl Keys {
    fn next(self) -> u32 {
        self.0.update_value(|k| *k += 1);
        self.0.get_value()
    }

    fn item(self, from: Option<&TemplateItem>) -> ItemDraft {
        let days = |d: Option<i32>| d.map(|d| d.to_string()).unwrap_or_default();
        ItemDraft {
            key: self.next(),
            title: RwSignal::new(from.map(|i| i.title.clone()).unwrap_or_default()),
            description: RwSignal::new(
                from.and_then(|i| i.description.clone()).unwrap_or_default(),
            ),
            responsible: RwSignal::new(
                from.map(|i| i.responsible)
                    .unwrap_or(Responsible::Client)
                    .as_str()
                    .to_string(),
            ),
            due: RwSignal::new(days(from.and_then(|i| i.due_after_days))),
            review: RwSignal::new(days(from.and_then(|i| i.review_after_days))),
            links: RwSignal::new(
                from.map(|i| {
                    i.links
                        .iter()
                        .map(|l| format!("{} | {}", l.title, l.url))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            ),
        }
    }

    fn category(self, from: Option<&TemplateCategory>, name: &str) -> CategoryDraft {
        CategoryDraft {
            key: self.next(),
            name: RwSignal::new(
                from.map(|c| c.name.clone())
                    .unwrap_or_else(|| name.to_string()),
            ),
            items: RwSignal::new(
                from.map(|c| c.items.iter().map(|i| self.item(Some(i))).collect())
                    .unwrap_or_default(),
            ),
        }
    }
}

fn days(field: String, text: &str, errors: &mut Vec<FieldError>) -> Option<i32> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i32>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "integer",
                "must be a whole number of days",
            ));
            None
        }
    }
}

fn links(field: String, text: &str, errors: &mut Vec<FieldError>) -> Vec<Link> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| match line.rsplit_once('|') {
            Some((title, url)) => Link {
                title: title.trim().to_string(),
                url: url.trim().to_string(),
            },
            None => {
                let url = line.trim().to_string();
                if !url.starts_with("http") {
                    errors.push(FieldError::new(
                        field.clone(),
                        "format",
                        "write each link as “Title | https://…”",
                    ));
                }
                Link {
                    title: url.clone(),
                    url,
                }
            }
        })
        .collect()
}

fn read(
    name: RwSignal<String>,
    description: RwSignal<String>,
    categories: RwSignal<Vec<CategoryDraft>>,
) -> Result<TemplateInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let cats = categories.get_untracked();
    let input = TemplateInput {
        name: name.get_untracked().trim().to_string(),
        description: Some(description.get_untracked().trim().to_string()).filter(|d| !d.is_empty()),
        categories: cats
            .iter()
            .enumerate()
            .map(|(ci, c)| TemplateCategory {
                name: c.name.get_untracked().trim().to_string(),
                items: c
                    .items
                    .get_untracked()
                    .iter()
                    .enumerate()
                    .map(|(ii, i)| {
                        let f = format!("categories[{ci}].items[{ii}]");
                        TemplateItem {
                            title: i.title.get_untracked().trim().to_string(),
                            description: Some(i.description.get_untracked().trim().to_string())
                                .filter(|d| !d.is_empty()),
                            responsible: Responsible::parse(&i.responsible.get_untracked())
                                .unwrap_or(Responsible::Client),
                            due_after_days: days(
                                format!("{f}.due_after_days"),
                                &i.due.get_untracked(),
                                &mut errors,
                            ),
                            review_after_days: days(
                                format!("{f}.review_after_days"),
                                &i.review.get_untracked(),
                                &mut errors,
                            ),
                            links: links(
                                format!("{f}.links"),
                                &i.links.get_untracked(),
                                &mut errors,
                            ),
                        }
                    })
                    .collect(),
            })
            .collect(),
    };
    if let Err(more) = shared::validate::template(&input) {
        errors.extend(more);
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

/// Moves the element at `i` one place up (`-1`) or down (`1`).
fn shift<T>(list: &mut [T], i: usize, by: isize) {
    let j = i as isize + by;
    if j >= 0 && (j as usize) < list.len() {
        list.swap(i, j as usize);
    }
}

#[component]
pub fn TemplateEditor(
    /// The template to change (with its `ETag`); `None` for a new one.
    existing: Option<Versioned<ProjectTemplate>>,
    on_saved: Callback<ProjectTemplate>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let keys = Keys(StoredValue::new(0));
    let form = FormState::new(&["name", "description", "categories"]);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let categories = RwSignal::new(Vec::<CategoryDraft>::new());
    let current = RwSignal::new(existing);
    let fill = move |t: Option<&ProjectTemplate>| {
        name.set(t.map(|t| t.name.clone()).unwrap_or_default());
        description.set(t.and_then(|t| t.description.clone()).unwrap_or_default());
        categories.set(match t {
            Some(t) => t
                .categories
                .iter()
                .map(|c| keys.category(Some(c), ""))
                .collect(),
            None => vec![keys.category(None, KICKOFF)],
        });
    };
    current.with_untracked(|c| fill(c.as_ref().map(|v| &v.value)));
    let editing = current.with_untracked(Option::is_some);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let input = match read(name, description, categories) {
            Ok(i) => i,
            Err(errors) => return form.invalid(errors),
        };
        form.busy.set(true);
        let cur = current.get_untracked();
        spawn_local(async move {
            let result = match &cur {
                None => api::templates::create(&input).await,
                Some(v) => api::templates::replace(&v.value.id, &v.etag, &input)
                    .await
                    .map(|v| v.value),
            };
            match result {
                Ok(t) => on_saved.run(t),
                Err(mut p) if p.code == ErrorCode::PreconditionFailed => {
                    if let Some(v) = &cur
                        && let Ok(fresh) = api::templates::get(&v.value.id).await
                    {
                        fill(Some(&fresh.value));
                        current.set(Some(fresh));
                    }
                    p.detail = Some("Someone else changed this template while you were editing. The form now shows their version: make your changes again and save.".to_string());
                    form.fail(p);
                }
                Err(p) => form.fail(p),
            }
            let _ = form.busy.try_set(false);
        });
    };

    view! {
        <form class="card form template-editor" on:submit=submit novalidate=true data-test="template-form">
            <h2>{if editing { "Edit template" } else { "New template" }}</h2>
            <FormBanner form test="template" />
            <div class="field">
                <label for="template-name">"Name *"</label>
                <input id="template-name" type="text" data-test="template-name" bind:value=name />
                <FieldErrors form field="name" test="template-name" />
            </div>
            <div class="field">
                <label for="template-description">"Description"</label>
                <textarea
                    id="template-description"
                    rows="2"
                    data-test="template-description"
                    prop:value=move || description.get()
                    on:input=move |ev| description.set(event_target_value(&ev))
                ></textarea>
            </div>
            <p class="hint">"Days count from the project's kick-off date. The first category is always “Kick-off”."</p>
            <FieldErrors form field="categories" test="template-categories" />
            <For
                each=move || categories.get()
                key=|c| c.key
                children=move |c| view! { <CategoryEditor c categories keys form /> }
            />
            <button
                class="button secondary small"
                type="button"
                data-test="template-add-category"
                on:click=move |_| categories.update(|cs| cs.push(keys.category(None, "")))
            >
                "Add category"
            </button>
            <div class="actions">
                <button class="button" type="submit" data-test="template-submit" disabled=move || form.busy.get()>
                    {move || if form.busy.get() { "Saving…" } else if editing { "Save template" } else { "Create template" }}
                </button>
                <button class="button secondary" type="button" data-test="template-cancel" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

/// An input's error messages, for a field named from the row's current position.
fn errors_at(
    form: FormState,
    field: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        let messages = field().map(|f| form.messages_for(&f)).unwrap_or_default();
        (!messages.is_empty()).then(|| {
            view! { <ul class="field-errors">{messages.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul> }
        })
    }
}

#[component]
fn CategoryEditor(
    c: CategoryDraft,
    categories: RwSignal<Vec<CategoryDraft>>,
    keys: Keys,
    form: FormState,
) -> impl IntoView {
    let index = move || categories.with(|cs| cs.iter().position(|x| x.key == c.key));
    let first = move || index() == Some(0);
    let prefix = move || index().map(|i| format!("categories[{i}]"));
    let remove = move |_| categories.update(|cs| cs.retain(|x| x.key != c.key));
    let up_down = move |by: isize| {
        categories.update(|cs| {
            if let Some(i) = cs.iter().position(|x| x.key == c.key) {
                shift(cs, i, by);
            }
        })
    };
    view! {
        <fieldset class="template-category" data-test="template-category">
            <legend>{move || format!("Category {}", index().map(|i| i + 1).unwrap_or(0))}</legend>
            <div class="field">
                <label>
                    "Name"
                    <input type="text" data-test="template-category-name" bind:value=c.name readonly=first />
                </label>
                {errors_at(form, move || prefix().map(|p| format!("{p}.name")))}
            </div>
            <div class="actions">
                <button class="button secondary small" type="button" disabled=move || index().is_none_or(|i| i <= 1) on:click=move |_| up_down(-1)>"Move up"</button>
                <button
                    class="button secondary small"
                    type="button"
                    disabled=move || first() || index().is_some_and(|i| i + 1 >= categories.with(Vec::len))
                    on:click=move |_| up_down(1)
                >
                    "Move down"
                </button>
                <button class="button secondary small" type="button" data-test="template-remove-category" disabled=first on:click=remove>
                    "Remove category"
                </button>
            </div>
            <For
                each=move || c.items.get()
                key=|i| i.key
                children=move |i| view! { <ItemEditor i list=c.items form prefix=Signal::derive(prefix) /> }
            />
            <button
                class="button secondary small"
                type="button"
                data-test="template-add-item"
                on:click=move |_| c.items.update(|items| items.push(keys.item(None)))
            >
                "Add item"
            </button>
        </fieldset>
    }
}

#[component]
fn ItemEditor(
    i: ItemDraft,
    list: RwSignal<Vec<ItemDraft>>,
    form: FormState,
    prefix: Signal<Option<String>>,
) -> impl IntoView {
    let index = move || list.with(|l| l.iter().position(|x| x.key == i.key));
    let field = move |name: &'static str| {
        move || {
            prefix
                .get()
                .zip(index())
                .map(|(p, ii)| format!("{p}.items[{ii}].{name}"))
        }
    };
    view! {
        <div class="template-item" data-test="template-item">
            <div class="field">
                <label>"Item title" <input type="text" data-test="template-item-title" bind:value=i.title /></label>
                {errors_at(form, field("title"))}
            </div>
            <div class="field-row">
                <div class="field">
                    <label>
                        "Who ticks it"
                        <select data-test="template-item-responsible" on:change=move |ev| i.responsible.set(event_target_value(&ev))>
                            {[Responsible::Client, Responsible::Csm].into_iter().map(|r| view! {
                                <option value=r.as_str() prop:selected=move || i.responsible.with(|v| v == r.as_str())>{r.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                <div class="field">
                    <label>"Due (days)" <input type="number" inputmode="numeric" data-test="template-item-due" bind:value=i.due /></label>
                    {errors_at(form, field("due_after_days"))}
                </div>
                <div class="field">
                    <label>"Review (days)" <input type="number" inputmode="numeric" data-test="template-item-review" bind:value=i.review /></label>
                    {errors_at(form, field("review_after_days"))}
                </div>
            </div>
            <div class="field">
                <label>"Description" <input type="text" data-test="template-item-description" bind:value=i.description /></label>
                {errors_at(form, field("description"))}
            </div>
            <div class="field">
                <label>
                    "Links (one a line: Title | https://…)"
                    <textarea
                        rows="1"
                        data-test="template-item-links"
                        prop:value=move || i.links.get()
                        on:input=move |ev| i.links.set(event_target_value(&ev))
                    ></textarea>
                </label>
                {errors_at(form, field("links"))}
            </div>
            <div class="actions">
                <button class="button secondary small" type="button" disabled=move || index() == Some(0) on:click=move |_| list.update(|l| if let Some(x) = index() { shift(l, x, -1) })>"Up"</button>
                <button class="button secondary small" type="button" on:click=move |_| list.update(|l| if let Some(x) = index() { shift(l, x, 1) })>"Down"</button>
                <button class="button secondary small" type="button" data-test="template-remove-item" on:click=move |_| list.update(|l| l.retain(|x| x.key != i.key))>
                    "Remove item"
                </button>
            </div>
        </div>
    }
}
