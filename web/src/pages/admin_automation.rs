//! `/admin/automation`: the desk's canned replies and automation rules — a list of each and a
//! small form to add one. Rules are shown in the order they run on a new ticket; a rule can
//! be switched off without losing it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::desk::automation::{
    self, AutomationRule, AutomationRuleInput, RuleAction, RuleConditions,
};
use shared::desk::canned::{CannedReply, CannedReplyInput, PLACEHOLDERS};
use shared::desk::{Cluster, Priority};
use shared::identity::Department;

use crate::api;

/// Comma-separated phrases, trimmed, blanks dropped.
fn phrases(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[component]
pub fn AdminAutomationPage() -> impl IntoView {
    let replies = RwSignal::new(Vec::<CannedReply>::new());
    let rules = RwSignal::new(Vec::<AutomationRule>::new());
    let departments = RwSignal::new(Vec::<Department>::new());
    let error = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            let (r, a, d) = (
                api::canned::list(None, None).await,
                api::canned::rules().await,
                api::departments::list(None, Some(200)).await,
            );
            match (r, a, d) {
                (Ok(r), Ok(a), Ok(d)) => {
                    let _ = replies.try_set(r.items);
                    let _ = rules.try_set(a);
                    let _ = departments.try_set(d.items);
                }
                (Err(p), _, _) | (_, Err(p), _) | (_, _, Err(p)) => {
                    let _ = error.try_set(Some(p.message()));
                }
            }
        });
    };
    load();
    let title_of =
        move |id: &str| replies.with(|rs| rs.iter().find(|r| r.id == id).map(|r| r.title.clone()));
    let describe = move |a: &RuleAction| {
        let label = match a {
            RuleAction::AutoReply { canned_reply_id } => title_of(canned_reply_id),
            RuleAction::Route { department_id } => departments.with(|ds| {
                ds.iter()
                    .find(|d| &d.id == department_id)
                    .map(|d| d.name.clone())
            }),
            _ => None,
        };
        automation::describe(a, label.as_deref())
    };

    view! {
        <section class="page">
            <h1>"Automation and canned replies"</h1>
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="automation-error">{e}</p> })}
            <h2>"Canned replies"</h2>
            <ul class="rows" data-test="canned-list">
                {move || replies.get().into_iter().map(|r| {
                    let scope = r.department_name.clone().unwrap_or_else(|| "All departments".into());
                    let doomed = r.clone();
                    view! {
                        <li class="row static" data-test="canned-row">
                            <span class="row-title">{r.title.clone()}</span>
                            <span class="row-meta">{scope}" · "{r.body.clone()}</span>
                            <button class="button secondary" type="button" data-test="canned-delete"
                                on:click=move |_| {
                                    let doomed = doomed.clone();
                                    spawn_local(async move {
                                        match api::canned::remove(&doomed).await {
                                            Ok(()) => replies.update(|rs| rs.retain(|x| x.id != doomed.id)),
                                            Err(p) => error.set(Some(p.message())),
                                        }
                                    });
                                }
                            >"Delete"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <CannedForm departments on_added=Callback::new(move |r: CannedReply| replies.update(|rs| rs.push(r))) />

            <h2>"Automation rules"</h2>
            <p class="note">"They run on every new ticket, top first; later actions win, tags add up. The ticket's history names each rule that fired."</p>
            <ul class="rows" data-test="rule-list">
                {move || rules.get().into_iter().map(|rule| {
                    let actions = rule.actions.iter().map(describe).collect::<Vec<_>>().join(", ");
                    let toggled = rule.clone();
                    let doomed = rule.clone();
                    view! {
                        <li class="row static" data-test="rule-row">
                            <span class="row-title">{format!("{}. {}", rule.position, rule.name)}</span>
                            <span class="row-meta">{actions}{(!rule.enabled).then_some(" · off")}</span>
                            <button class="button secondary" type="button" data-test="rule-toggle"
                                on:click=move |_| {
                                    let r = toggled.clone();
                                    spawn_local(async move {
                                        match api::canned::set_rule_enabled(&r, !r.enabled).await {
                                            Ok(new) => rules.update(|rs| {
                                                if let Some(x) = rs.iter_mut().find(|x| x.id == new.id) {
                                                    *x = new;
                                                }
                                            }),
                                            Err(p) => error.set(Some(p.message())),
                                        }
                                    });
                                }
                            >{if rule.enabled { "Switch off" } else { "Switch on" }}</button>
                            <button class="button secondary" type="button" data-test="rule-delete"
                                on:click=move |_| {
                                    let r = doomed.clone();
                                    spawn_local(async move {
                                        match api::canned::remove_rule(&r).await {
                                            Ok(()) => rules.update(|rs| rs.retain(|x| x.id != r.id)),
                                            Err(p) => error.set(Some(p.message())),
                                        }
                                    });
                                }
                            >"Delete"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <RuleForm replies on_added=Callback::new(move |r: AutomationRule| rules.update(|rs| {
                rs.push(r);
                rs.sort_by_key(|x| x.position);
            })) />
        </section>
    }
}

#[component]
fn CannedForm(
    departments: RwSignal<Vec<Department>>,
    on_added: Callback<CannedReply>,
) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let dept = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let known = PLACEHOLDERS
        .iter()
        .map(|p| format!("{{{{{p}}}}}"))
        .collect::<Vec<_>>()
        .join(" ");
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let d = dept.get_untracked();
        let new = CannedReplyInput {
            title: title.get_untracked(),
            body: body.get_untracked(),
            department_id: (!d.is_empty()).then_some(d),
        };
        let errors = shared::desk::canned::validate_canned(&new.title, &new.body);
        if let Some(e) = errors.first() {
            return error.set(Some(format!("{}: {}", e.field, e.message)));
        }
        spawn_local(async move {
            match api::canned::create(&new).await {
                Ok(r) => {
                    error.set(None);
                    title.set(String::new());
                    body.set(String::new());
                    on_added.run(r);
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    };
    view! {
        <form class="card form" on:submit=submit novalidate=true data-test="canned-form">
            <h3>"New canned reply"</h3>
            <label>"Title"
                <input data-test="canned-title" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
            </label>
            <label>"Text"
                <textarea rows="4" data-test="canned-body" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            </label>
            <p class="note">"Placeholders: "{known}</p>
            <label>"Department"
                <select data-test="canned-department" on:change=move |ev| dept.set(event_target_value(&ev))>
                    <option value="">"All departments"</option>
                    {move || departments.get().into_iter().map(|d| view! { <option value=d.id.clone()>{d.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="canned-form-error">{e}</p> })}
            <button class="button" type="submit" data-test="canned-submit">"Add canned reply"</button>
        </form>
    }
}

#[component]
fn RuleForm(
    replies: RwSignal<Vec<CannedReply>>,
    on_added: Callback<AutomationRule>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let cluster = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let reply = RwSignal::new(String::new());
    let escalate = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut actions = Vec::new();
        let r = reply.get_untracked();
        if !r.is_empty() {
            actions.push(RuleAction::AutoReply { canned_reply_id: r });
        }
        if let Some(p) = Priority::parse(&priority.get_untracked()) {
            actions.push(RuleAction::SetPriority { priority: p });
        }
        let t = tag.get_untracked();
        if !t.trim().is_empty() {
            actions.push(RuleAction::AddTag {
                tag: t.trim().to_string(),
            });
        }
        if escalate.get_untracked() {
            actions.push(RuleAction::EscalateToHuman);
        }
        let new = AutomationRuleInput {
            name: name.get_untracked(),
            position: None,
            enabled: true,
            conditions: RuleConditions {
                clusters: Cluster::parse(&cluster.get_untracked())
                    .into_iter()
                    .collect(),
                text_contains: phrases(&text.get_untracked()),
                ..RuleConditions::default()
            },
            actions,
        };
        if let Some(e) = automation::validate_rule_input(&new).first() {
            return error.set(Some(format!("{}: {}", e.field, e.message)));
        }
        spawn_local(async move {
            match api::canned::create_rule(&new).await {
                Ok(rule) => {
                    error.set(None);
                    name.set(String::new());
                    text.set(String::new());
                    tag.set(String::new());
                    on_added.run(rule);
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    };
    view! {
        <form class="card form" on:submit=submit novalidate=true data-test="rule-form">
            <h3>"New rule"</h3>
            <label>"Name"
                <input data-test="rule-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <p class="note">"When"</p>
            <label>"Subject or message contains (comma-separated, any of them)"
                <input data-test="rule-text" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
            </label>
            <label>"Cluster"
                <select data-test="rule-cluster" on:change=move |ev| cluster.set(event_target_value(&ev))>
                    <option value="">"Any"</option>
                    {Cluster::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                </select>
            </label>
            <p class="note">"Then"</p>
            <label>"Answer with"
                <select data-test="rule-reply" on:change=move |ev| reply.set(event_target_value(&ev))>
                    <option value="">"No automatic answer"</option>
                    {move || replies.get().into_iter().map(|r| view! { <option value=r.id.clone()>{r.title.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Set priority"
                <select data-test="rule-priority" on:change=move |ev| priority.set(event_target_value(&ev))>
                    <option value="">"Keep"</option>
                    {Priority::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Add tag"
                <input data-test="rule-tag" prop:value=move || tag.get() on:input=move |ev| tag.set(event_target_value(&ev)) />
            </label>
            <label class="check">
                <input type="checkbox" data-test="rule-escalate" prop:checked=move || escalate.get() on:change=move |ev| escalate.set(event_target_checked(&ev)) />
                "Keep a person on it (even when answered)"
            </label>
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="rule-form-error">{e}</p> })}
            <button class="button" type="submit" data-test="rule-submit">"Add rule"</button>
        </form>
    }
}
