//! The Board section: notes between the CSM and the client, pinned first. Both sides post
//! and comment in Markdown (rendered and sanitised by the server); authors edit their posts;
//! the CSM pins. Changes from others show at once (`board.changed`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ErrorCode;
use shared::board::{
    BoardComment, BoardPost, BoardPostPatch, NewBoardComment, NewBoardPost, validate_comment,
    validate_post,
};

use super::use_project;
use crate::components::empty::EmptyState;
use crate::components::paged::{LoadMore, Paged};
use crate::{api, format, live, session};

fn my_id() -> String {
    session::get()
        .user
        .with_untracked(|u| u.as_ref().map(|u| u.id.clone()))
        .unwrap_or_default()
}

#[component]
pub fn BoardSection() -> impl IntoView {
    let pv = use_project();
    let paged: Paged<BoardPost> = Paged::new();
    let notice = RwSignal::new(None::<String>);
    // Which posts show their comments; kept here so a post redrawn after a change keeps it.
    let open_comments = RwSignal::new(Vec::<String>::new());
    let reload = move || {
        let id = pv.id.get_untracked();
        paged.reload(move |cursor| async move { api::board::list(&id, cursor).await });
    };
    Effect::new(move |_| {
        pv.id.track();
        reload();
    });
    live::on("board.", move |events| {
        if live::for_project(&events, &pv.id.get_untracked()) {
            reload();
        }
    });
    let changed = Callback::new(move |message: Option<String>| {
        if message.is_some() {
            notice.set(message);
        }
        reload();
    });

    view! {
        <div class="section board" data-test="board">
            {move || notice.get().map(|n| view! { <div class="banner banner-ok" role="status" data-test="board-notice">{n}</div> })}
            {move || pv.takes_part().then(|| view! { <Composer on_posted=changed /> })}
            <div class="posts" data-test="board-posts">
                <For
                    each=move || paged.items.get()
                    key=|p| (p.id.clone(), p.version, p.comments_count)
                    children=move |post| view! { <Post post on_changed=changed open_comments /> }
                />
            </div>
            {move || {
                (!paged.loading.get() && paged.error.with(Option::is_none) && paged.items.with(Vec::is_empty))
                    .then(|| view! {
                        <EmptyState title="Nothing on the board yet." test="board-empty">
                            <p>"Post an operation to do, an appointment fixed, or a reminder."</p>
                        </EmptyState>
                    })
            }}
            <LoadMore
                paged
                on_more=move |()| {
                    let id = pv.id.get_untracked();
                    paged.more(move |cursor| async move { api::board::list(&id, cursor).await })
                }
            />
        </div>
    }
}

#[component]
fn Composer(on_posted: Callback<Option<String>>) -> impl IntoView {
    let pv = use_project();
    let body = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let text = body.get_untracked();
        if let Err(errors) = validate_post(&text) {
            error.set(errors.first().map(|e| format!("The post {}.", e.message)));
            return;
        }
        error.set(None);
        busy.set(true);
        let id = pv.id.get_untracked();
        spawn_local(async move {
            match api::board::create(&id, &NewBoardPost { body: text }).await {
                Ok(_) => {
                    body.set(String::new());
                    on_posted.run(Some("Posted.".to_string()));
                }
                Err(p) => error.set(Some(p.message())),
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <form class="card form board-composer" on:submit=submit data-test="board-form">
            <label for="board-input">"New post"</label>
            <textarea
                id="board-input"
                rows="3"
                data-test="board-input"
                placeholder="An operation to do, an appointment, a reminder… (Markdown: **bold**, lists, links)"
                prop:value=move || body.get()
                on:input=move |ev| body.set(event_target_value(&ev))
            ></textarea>
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="board-error">{e}</p> })}
            <div class="actions">
                <button class="button" type="submit" data-test="board-submit" disabled=move || busy.get()>
                    "Post"
                </button>
            </div>
        </form>
    }
}

#[component]
fn Post(
    post: BoardPost,
    on_changed: Callback<Option<String>>,
    open_comments: RwSignal<Vec<String>>,
) -> impl IntoView {
    let pv = use_project();
    let mine = post.author_id.as_deref() == Some(my_id().as_str());
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(post.body.clone());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (id, version, pinned) = (post.id.clone(), post.version, post.pinned);
    let comments_open = {
        let id = id.clone();
        move || open_comments.with(|o| o.contains(&id))
    };
    let toggle_comments = {
        let id = id.clone();
        move |_| {
            open_comments.update(|o| {
                if let Some(i) = o.iter().position(|x| *x == id) {
                    o.remove(i);
                } else {
                    o.push(id.clone());
                }
            })
        }
    };

    let fail = move |p: shared::Problem| {
        if p.code == ErrorCode::PreconditionFailed {
            error.set(Some(
                "Someone changed this post meanwhile; it now shows the current version."
                    .to_string(),
            ));
            on_changed.run(None);
        } else {
            error.set(Some(p.message()));
        }
    };
    let toggle_pin = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            busy.set(true);
            spawn_local(async move {
                match api::board::pin(&id, version, !pinned).await {
                    Ok(_) => on_changed.run(Some(
                        if pinned {
                            "Post unpinned."
                        } else {
                            "Post pinned."
                        }
                        .to_string(),
                    )),
                    Err(p) => fail(p),
                }
                let _ = busy.try_set(false);
            });
        }
    };
    let save = {
        let id = id.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let text = draft.get_untracked();
            if let Err(errors) = validate_post(&text) {
                error.set(errors.first().map(|e| format!("The post {}.", e.message)));
                return;
            }
            let id = id.clone();
            busy.set(true);
            spawn_local(async move {
                match api::board::update(&id, version, &BoardPostPatch { body: text }).await {
                    Ok(_) => {
                        let _ = editing.try_set(false);
                        on_changed.run(Some("Post saved.".to_string()));
                    }
                    Err(p) => fail(p),
                }
                let _ = busy.try_set(false);
            });
        }
    };
    let comments = post.comments_count;
    let comments_of = StoredValue::new(id.clone());
    view! {
        <article class="card post" class:pinned=pinned data-test="board-post" data-id=id data-pinned=if pinned { "true" } else { "false" }>
            <header class="post-head">
                {pinned.then(|| view! { <span class="badge badge-pin" data-test="post-pinned">"Pinned"</span> })}
                <span class="post-author">{post.author_name.clone()}</span>
                <span class="muted small">
                    {format::local_datetime(post.created_at)}
                    {post.edited.then_some(" · edited")}
                </span>
            </header>
            <Show
                when=move || editing.get()
                fallback={
                    let html = post.body_html.clone();
                    move || view! { <div class="markdown" data-test="post-body" inner_html=html.clone()></div> }
                }
            >
                <form class="form" on:submit=save.clone() data-test="post-edit-form">
                    <textarea
                        rows="4"
                        data-test="post-edit-input"
                        aria-label="Post text"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    ></textarea>
                    <div class="actions">
                        <button class="button small" type="submit" data-test="post-edit-save" disabled=move || busy.get()>"Save"</button>
                        <button class="button secondary small" type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="post-error">{e}</p> })}
            <div class="actions post-actions">
                <button
                    class="button secondary small"
                    data-test="post-comments-toggle"
                    aria-expanded={
                        let comments_open = comments_open.clone();
                        move || if comments_open() { "true" } else { "false" }
                    }
                    on:click=toggle_comments
                >
                    {match comments {
                        0 => "Comment".to_string(),
                        1 => "1 comment".to_string(),
                        n => format!("{n} comments"),
                    }}
                </button>
                {(mine).then(|| view! {
                    <button class="button secondary small" data-test="post-edit" on:click=move |_| editing.set(true)>"Edit"</button>
                })}
                {move || pv.runs().then(|| view! {
                    <button class="button secondary small" data-test=if pinned { "post-unpin" } else { "post-pin" } disabled=move || busy.get() on:click=toggle_pin.clone()>
                        {if pinned { "Unpin" } else { "Pin" }}
                    </button>
                })}
            </div>
            <Show when=comments_open>
                <Comments post_id=comments_of.get_value() />
            </Show>
        </article>
    }
}

#[component]
fn Comments(post_id: String) -> impl IntoView {
    let pv = use_project();
    let paged: Paged<BoardComment> = Paged::new();
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let post_id = StoredValue::new(post_id);
    let load = move || {
        let id = post_id.get_value();
        paged.reload(move |cursor| async move { api::board::comments(&id, cursor).await });
    };
    load();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = NewBoardComment {
            body: body.get_untracked(),
        };
        if let Err(errors) = validate_comment(&new) {
            error.set(
                errors
                    .first()
                    .map(|e| format!("The comment {}.", e.message)),
            );
            return;
        }
        error.set(None);
        busy.set(true);
        let id = post_id.get_value();
        spawn_local(async move {
            match api::board::comment(&id, &new).await {
                Ok(c) => {
                    body.set(String::new());
                    paged.items.update(|items| {
                        if !items.iter().any(|x| x.id == c.id) {
                            items.push(c);
                        }
                    });
                }
                Err(p) => error.set(Some(p.message())),
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <div class="comments" data-test="post-comments">
            <ul class="comment-list">
                {move || paged.items.get().into_iter().map(|c| view! {
                    <li class="comment" data-test="post-comment">
                        <span class="post-author">{c.author_name.clone()}</span>
                        <span class="muted small">{format::local_datetime(c.created_at)}</span>
                        <div class="markdown" data-test="comment-body" inner_html=c.body_html.clone()></div>
                    </li>
                }).collect_view()}
            </ul>
            <LoadMore
                paged
                on_more=move |()| {
                    let id = post_id.get_value();
                    paged.more(move |cursor| async move { api::board::comments(&id, cursor).await })
                }
            />
            {move || pv.takes_part().then(|| view! {
                <form class="comment-form" on:submit=submit data-test="comment-form">
                    <input
                        type="text"
                        data-test="comment-input"
                        aria-label="Comment"
                        placeholder="Write a comment…"
                        bind:value=body
                    />
                    <button class="button small" type="submit" data-test="comment-submit" disabled=move || busy.get()>"Send"</button>
                </form>
            })}
            {move || error.get().map(|e| view! { <p class="field-errors" role="alert" data-test="comment-error">{e}</p> })}
        </div>
    }
}
