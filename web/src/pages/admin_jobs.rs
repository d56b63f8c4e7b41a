//! `/admin/jobs`: background jobs that gave up, with their last error and a Retry button.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::jobs::Job;

use crate::api;
use crate::components::empty::EmptyState;
use crate::components::paged::{LoadMore, Paged};
use crate::format;

const FAILED: &str = "failed";

#[component]
pub fn AdminJobsPage() -> impl IntoView {
    let paged: Paged<Job> = Paged::new();
    let notice = RwSignal::new(None::<(bool, String)>);
    let retrying = RwSignal::new(Vec::<String>::new());

    let reload =
        move || paged.reload(|cursor| api::jobs::list(Some(FAILED.to_string()), cursor, None));
    reload();

    let retry = move |id: String| {
        retrying.update(|r| r.push(id.clone()));
        notice.set(None);
        spawn_local(async move {
            match api::jobs::retry(&id).await {
                Ok(job) => {
                    notice.set(Some((true, format!("Job {} queued again.", job.kind))));
                    paged.replace(job, |a, b| a.id == b.id);
                }
                Err(p) => notice.set(Some((false, p.message()))),
            }
            retrying.update(|r| r.retain(|x| *x != id));
        });
    };

    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Failed jobs"</h1>
                <button class="button secondary" data-test="jobs-refresh" on:click=move |_| reload()>
                    "Refresh"
                </button>
            </div>
            {move || {
                notice
                    .get()
                    .map(|(ok, text)| {
                        let class = if ok { "banner banner-ok" } else { "banner banner-error" };
                        view! { <div class=class role="status" data-test="page-notice">{text}</div> }
                    })
            }}
            <ul class="rows" data-test="job-list">
                {move || {
                    paged
                        .items
                        .get()
                        .into_iter()
                        .map(|job| {
                            let id = job.id.clone();
                            let busy = {
                                let id = id.clone();
                                move || retrying.with(|r| r.contains(&id))
                            };
                            let failed = job.status == FAILED;
                            view! {
                                <li class="row static" data-test="job-row" data-id=job.id.clone()>
                                    <span class="row-title">
                                        {job.kind.clone()} " "
                                        <span class=format!("badge status-{}", job.status)>{job.status.clone()}</span>
                                    </span>
                                    <span class="row-meta">
                                        "Attempts " {job.attempts} "/" {job.max_attempts} " · last run "
                                        {format::datetime(job.updated_at)}
                                    </span>
                                    <code class="job-error" data-test="job-error">
                                        {job.last_error.clone().unwrap_or_else(|| "No error recorded".to_string())}
                                    </code>
                                    <Show when=move || failed>
                                        <button
                                            class="button small"
                                            data-test="job-retry"
                                            disabled=busy.clone()
                                            on:click={
                                                let id = id.clone();
                                                move |_| retry(id.clone())
                                            }
                                        >
                                            "Retry"
                                        </button>
                                    </Show>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none) && paged.items.with(Vec::is_empty))
                    .then(|| {
                        view! {
                            <EmptyState title="No failed jobs." test="jobs-empty">
                                <p>"Every background job (e-mails and the like) has run or is waiting its turn."</p>
                            </EmptyState>
                        }
                    })
            }}
            <LoadMore
                paged
                on_more=move |()| paged.more(|cursor| api::jobs::list(Some(FAILED.to_string()), cursor, None))
            />
        </section>
    }
}
