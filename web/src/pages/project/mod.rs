//! `/projects/:id` and its sections: the header every section shares (organisation, CSM,
//! progress, coverage), the section tabs, and the project's state handed to the sections.

pub mod activities;
pub mod activity_row;
pub mod agenda;
pub mod appointment_form;
pub mod board;
pub mod chat;
pub mod handoffs;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_params_map};
use shared::activity::ProjectSide;
use shared::project::Project;

use crate::components::progress::ProgressBar;
use crate::{api, format, live, session};

/// What the sections know about the project on screen.
#[derive(Clone, Copy)]
pub struct ProjectView {
    pub id: Memo<String>,
    /// The project as last read; refreshed on live changes.
    pub project: RwSignal<Option<Project>>,
    /// How the signed-in user takes part: client, the project's CSM, or observer.
    pub side: Memo<ProjectSide>,
    reload_tick: RwSignal<u32>,
}

impl ProjectView {
    /// Reads the project again (its progress, unread chat, next appointment).
    pub fn reload(self) {
        self.reload_tick.update(|t| *t += 1);
    }

    /// Chat and board are open to both sides, not to observers.
    pub fn takes_part(self) -> bool {
        self.side.get() != ProjectSide::Observer
    }

    pub fn runs(self) -> bool {
        self.side.get() == ProjectSide::Csm
    }

    pub fn path(self, section: &str) -> String {
        let id = self.id.get();
        if section.is_empty() {
            format!("/projects/{id}")
        } else {
            format!("/projects/{id}/{section}")
        }
    }
}

pub fn use_project() -> ProjectView {
    expect_context::<ProjectView>()
}

const SECTIONS: [(&str, &str); 4] = [
    ("", "Activities"),
    ("chat", "Chat"),
    ("board", "Board"),
    ("agenda", "Agenda"),
];

#[component]
pub fn ProjectPage() -> impl IntoView {
    let s = session::get();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let project = RwSignal::new(None::<Project>);
    let error = RwSignal::new(None::<String>);
    let reload_tick = RwSignal::new(0u32);
    let side = Memo::new(move |_| {
        let me = s.user.with(|u| u.as_ref().map(|u| (u.role, u.id.clone())));
        let csm = project.with(|p| p.as_ref().and_then(|p| p.csm_id.clone()));
        match me {
            Some((role, me)) => ProjectSide::of(role, csm.as_deref() == Some(me.as_str())),
            None => ProjectSide::Observer,
        }
    });
    let view_state = ProjectView {
        id,
        project,
        side,
        reload_tick,
    };
    provide_context(view_state);

    // Another project: forget the one shown. Then (and on every reload) read it.
    Effect::new(move |prev: Option<String>| {
        let current = id.get();
        if prev.as_ref().is_some_and(|p| *p != current) {
            project.set(None);
        }
        current
    });
    Effect::new(move |_| {
        let current = id.get();
        reload_tick.track();
        spawn_local(async move {
            let result = api::projects::get(&current).await;
            if id.try_get_untracked().as_ref() != Some(&current) {
                return;
            }
            match result {
                Ok(p) => {
                    error.set(None);
                    project.set(Some(p));
                }
                Err(p) => error.set(Some(p.message())),
            }
        });
    });
    // Whatever the header shows can change from elsewhere: progress, unread, appointments.
    for prefix in [
        "activity.",
        "chat.",
        "agenda.",
        "board.",
        "project.",
        "organization.",
    ] {
        live::on(prefix, move |events| {
            let here = id.get_untracked();
            let ours = live::for_project(&events, &here)
                || events.iter().any(|e| e.kind.starts_with("organization."));
            if ours {
                view_state.reload();
            }
        });
    }

    view! {
        <section class="page project">
            {move || {
                error
                    .get()
                    .map(|e| view! { <div class="banner banner-error" role="alert" data-test="page-error">{e}</div> })
            }}
            <Show
                when=move || project.with(Option::is_some)
                fallback=move || {
                    error.with(Option::is_none).then(|| view! { <p class="muted" data-test="loading">"Loading…"</p> })
                }
            >
                <ProjectHeader />
                <handoffs::ProjectHandoffs />
                <SectionTabs />
                <Outlet />
            </Show>
        </section>
    }
}

#[component]
fn ProjectHeader() -> impl IntoView {
    let pv = use_project();
    let field = move |f: fn(&Project) -> String| {
        move || pv.project.with(|p| p.as_ref().map(f).unwrap_or_default())
    };
    let progress = Signal::derive(move || {
        pv.project
            .with(|p| p.as_ref().map(|p| p.progress).unwrap_or_default())
    });
    let coverage_class = move || {
        let active = pv
            .project
            .with(|p| p.as_ref().is_some_and(|p| p.coverage.active));
        if active {
            "coverage"
        } else {
            "coverage coverage-ended"
        }
    };
    let overdue = move || {
        pv.project
            .with(|p| p.as_ref().map(|p| p.overdue_items).unwrap_or(0))
    };
    let next = move || {
        pv.project.with(|p| {
            p.as_ref()
                .and_then(|p| p.next_appointment.clone())
                .map(|a| {
                    view! {
                        <p class="project-meta" data-test="project-next-appointment">
                            "Next: " {a.title} " · " {format::local_datetime(a.starts_at)}
                        </p>
                    }
                })
        })
    };
    view! {
        <header class="project-head card" data-test="project-header">
            <p class="project-org" data-test="project-org">{field(|p| p.organization_name.clone())}</p>
            <h1 class="project-name" data-test="project-name">{field(|p| p.name.clone())}</h1>
            <ProgressBar progress test="project-progress" label="Project progress" />
            <p class="project-meta">
                "CSM " <span data-test="project-csm">{field(|p| format::opt_text(p.csm_name.as_deref()))}</span>
                " · Kick-off " <span data-test="project-kickoff">{field(|p| format::date(p.kickoff_date))}</span>
            </p>
            {next}
            <p class="project-flags">
                <span class=coverage_class data-test="project-coverage">
                    {field(|p| format::coverage(&p.coverage))}
                </span>
                {move || {
                    let n = overdue();
                    (n > 0)
                        .then(|| {
                            view! {
                                <span class="badge badge-danger" data-test="project-overdue">
                                    {format!("{n} overdue")}
                                </span>
                            }
                        })
                }}
            </p>
        </header>
    }
}

#[component]
fn SectionTabs() -> impl IntoView {
    let pv = use_project();
    let location = use_location();
    let unread = move || {
        pv.project
            .with(|p| p.as_ref().map(|p| p.unread_chat).unwrap_or(0))
    };
    view! {
        <nav class="tabs" aria-label="Project sections" data-test="project-tabs">
            {SECTIONS
                .into_iter()
                .map(|(section, label)| {
                    let href = move || pv.path(section);
                    let current = move || {
                        let here = location.pathname.get();
                        let target = pv.path(section);
                        let here = here.trim_end_matches('/');
                        let alias = section.is_empty() && here == pv.path("activities");
                        (here == target || alias).then_some("page")
                    };
                    let test = if section.is_empty() { "activities" } else { section };
                    view! {
                        <a class="tab" href=href aria-current=current data-test=format!("tab-{test}")>
                            {label}
                            {(section == "chat")
                                .then_some(move || {
                                    let n = unread();
                                    (n > 0)
                                        .then(|| {
                                            view! {
                                                <span class="count-badge" data-test="tab-chat-unread">{n.to_string()}</span>
                                            }
                                        })
                                })}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}
