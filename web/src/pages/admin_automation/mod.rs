//! `/admin/automation`: the desk's canned replies and automation rules — a list of each, and
//! the edit panel's form to add one or, opened from a row, to edit it (sent with `If-Match`;
//! when someone saved first the form reloads and says so). Rules are shown in the order they
//! run on a new ticket; a rule can be switched off without losing it.

pub mod canned;
pub mod rules;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::desk::automation::{self, AutomationRule, RuleAction};
use shared::desk::canned::CannedReply;
use shared::identity::Department;
use shared::page::Page;

use self::canned::{CannedFields, CannedFieldsView};
use self::rules::{RuleFields, RuleFieldsView};
use crate::api;
use crate::components::edit_panel::{EditPanel, PanelText};
use crate::components::paged::Paged;

#[component]
pub fn AdminAutomationPage() -> impl IntoView {
    let replies: Paged<CannedReply> = Paged::new();
    let rules: Paged<AutomationRule> = Paged::new();
    let departments = RwSignal::new(Vec::<Department>::new());
    let error = RwSignal::new(None::<String>);
    let canned_panel = EditPanel::new(CannedFields::new(), canned::FIELDS, replies);
    let rule_panel = EditPanel::new(RuleFields::new(), rules::FIELDS, rules);

    replies.reload(|cursor| api::canned::list(None, cursor));
    rules.reload(|_| async {
        api::canned::rules().await.map(|items| Page {
            items,
            next_cursor: None,
        })
    });
    spawn_local(async move {
        match api::departments::list(None, Some(200)).await {
            Ok(d) => {
                let _ = departments.try_set(d.items);
            }
            Err(p) => {
                let _ = error.try_set(Some(p.message()));
            }
        }
    });

    let title_of = move |id: &str| {
        replies
            .items
            .with(|rs| rs.iter().find(|r| r.id == id).map(|r| r.title.clone()))
    };
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
    // Shown in running order (a rule added or edited may have moved).
    let ordered_rules = move || {
        let mut all = rules.items.get();
        all.sort_by_key(|r| r.position);
        all
    };

    let canned_form = canned_panel.view(
        PanelText {
            test: "canned",
            create: ("New canned reply", "Add canned reply"),
            edit: ("Edit canned reply", "Save changes"),
        },
        move |_| view! { <CannedFieldsView fields=canned_panel.fields form=canned_panel.form departments /> },
    );
    let rule_form = rule_panel.view(
        PanelText {
            test: "rule",
            create: ("New rule", "Add rule"),
            edit: ("Edit rule", "Save changes"),
        },
        move |_| {
            view! { <RuleFieldsView fields=rule_panel.fields form=rule_panel.form replies=replies.items.into() /> }
        },
    );
    let notice = move |panel_notice: RwSignal<Option<String>>, test: &'static str| {
        move || {
            panel_notice.get().map(
                |n| view! { <div class="banner banner-ok" role="status" data-test=test>{n}</div> },
            )
        }
    };
    let list_error = move |p: RwSignal<Option<String>>| {
        move || {
            p.get().map(|e| view! { <p class="field-errors" role="alert" data-test="automation-error">{e}</p> })
        }
    };

    view! {
        <section class="page">
            <h1>"Automation and canned replies"</h1>
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="automation-error">{e}</p> })}
            <div class="page-head">
                <h2>"Canned replies"</h2>
                <button class="button" data-test="canned-new" on:click=move |_| canned_panel.open_create()>
                    "New canned reply"
                </button>
            </div>
            {notice(canned_panel.notice, "canned-notice")}
            {canned_form}
            {list_error(replies.error)}
            <ul class="rows" data-test="canned-list">
                {move || replies.items.get().into_iter().map(|r| {
                    let scope = r.department_name.clone().unwrap_or_else(|| "All departments".into());
                    let id = r.id.clone();
                    let doomed = r.clone();
                    view! {
                        <li class="row static" data-test="canned-row">
                            <span class="row-title" data-test="canned-row-title">{r.title.clone()}</span>
                            <span class="row-meta" data-test="canned-row-body">{scope}" · "{r.body.clone()}</span>
                            <div class="actions">
                                <button class="button secondary small" type="button" data-test="canned-edit"
                                    on:click=move |_| canned_panel.open_edit(id.clone())
                                >"Edit"</button>
                                <button class="button secondary small" type="button" data-test="canned-delete"
                                    on:click=move |_| {
                                        let doomed = doomed.clone();
                                        spawn_local(async move {
                                            match api::canned::remove(&doomed).await {
                                                Ok(()) => replies.items.update(|rs| rs.retain(|x| x.id != doomed.id)),
                                                Err(p) => error.set(Some(p.message())),
                                            }
                                        });
                                    }
                                >"Delete"</button>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>

            <div class="page-head">
                <h2>"Automation rules"</h2>
                <button class="button" data-test="rule-new" on:click=move |_| rule_panel.open_create()>
                    "New rule"
                </button>
            </div>
            <p class="note">"They run on every new ticket, top first; later actions win, tags add up. The ticket's history names each rule that fired."</p>
            {notice(rule_panel.notice, "rule-notice")}
            {rule_form}
            {list_error(rules.error)}
            <ul class="rows" data-test="rule-list">
                {move || ordered_rules().into_iter().map(|rule| {
                    let actions = rule.actions.iter().map(describe).collect::<Vec<_>>().join(", ");
                    let id = rule.id.clone();
                    let toggled = rule.clone();
                    let doomed = rule.clone();
                    view! {
                        <li class="row static" data-test="rule-row">
                            <span class="row-title">{format!("{}. {}", rule.position, rule.name)}</span>
                            <span class="row-meta">{actions}{(!rule.enabled).then_some(" · off")}</span>
                            <div class="actions">
                                <button class="button secondary small" type="button" data-test="rule-edit"
                                    on:click=move |_| rule_panel.open_edit(id.clone())
                                >"Edit"</button>
                                <button class="button secondary small" type="button" data-test="rule-toggle"
                                    on:click=move |_| {
                                        let r = toggled.clone();
                                        spawn_local(async move {
                                            match api::canned::set_rule_enabled(&r, !r.enabled).await {
                                                Ok(new) => rules.replace(new, |a, b| a.id == b.id),
                                                Err(p) => error.set(Some(p.message())),
                                            }
                                        });
                                    }
                                >{if rule.enabled { "Switch off" } else { "Switch on" }}</button>
                                <button class="button secondary small" type="button" data-test="rule-delete"
                                    on:click=move |_| {
                                        let r = doomed.clone();
                                        spawn_local(async move {
                                            match api::canned::remove_rule(&r).await {
                                                Ok(()) => rules.items.update(|rs| rs.retain(|x| x.id != r.id)),
                                                Err(p) => error.set(Some(p.message())),
                                            }
                                        });
                                    }
                                >"Delete"</button>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
