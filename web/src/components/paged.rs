//! A cursor-paged list held in signals, with a "Load more" button.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Problem;
use shared::page::Page;

/// Items loaded so far and the cursor of the next page.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub next_cursor: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    /// Bumped on every reset, so an answer to an older query is dropped.
    generation: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    pub fn new() -> Self {
        Paged {
            items: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: RwSignal::new(0),
        }
    }

    /// Loads the first page again (after a new search or filter, or a change).
    pub fn reload<F, Fut>(self, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, Problem>> + 'static,
    {
        self.generation.update(|g| *g += 1);
        self.load(None, true, fetch);
    }

    /// Appends the next page.
    pub fn more<F, Fut>(self, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, Problem>> + 'static,
    {
        let Some(cursor) = self.next_cursor.get_untracked() else {
            return;
        };
        if self.loading.get_untracked() {
            return;
        }
        self.load(Some(cursor), false, fetch);
    }

    fn load<F, Fut>(self, cursor: Option<String>, replace: bool, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Page<T>, Problem>> + 'static,
    {
        let generation = self.generation.get_untracked();
        self.loading.set(true);
        self.error.set(None);
        spawn_local(async move {
            let result = fetch(cursor).await;
            // The page may have been left meanwhile (signals gone), or a newer query started.
            if self.generation.try_get_untracked() != Some(generation) {
                return;
            }
            match result {
                Ok(page) => {
                    if replace {
                        self.items.set(page.items);
                    } else {
                        self.items.update(|items| items.extend(page.items));
                    }
                    self.next_cursor.set(page.next_cursor);
                }
                Err(p) => self.error.set(Some(p.message())),
            }
            self.loading.set(false);
        });
    }

    /// Puts a newly created item first.
    pub fn prepend(self, item: T) {
        self.items.update(|items| items.insert(0, item));
    }

    /// Replaces the item that `same` picks out.
    pub fn replace(self, item: T, same: impl Fn(&T, &T) -> bool) {
        self.items.update(|items| {
            if let Some(slot) = items.iter_mut().find(|i| same(i, &item)) {
                *slot = item;
            }
        });
    }
}

/// The foot of a paged list: a load error, "Loading…", or the "Load more" button.
#[component]
pub fn LoadMore<T: Send + Sync + 'static>(
    paged: Paged<T>,
    #[prop(into)] on_more: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="list-foot">
            {move || {
                paged
                    .error
                    .get()
                    .map(|e| view! { <p class="banner banner-error" data-test="list-error">{e}</p> })
            }}
            {move || {
                if paged.loading.get() {
                    view! { <p class="muted" data-test="loading">"Loading…"</p> }.into_any()
                } else if paged.next_cursor.with(Option::is_some) {
                    view! {
                        <button class="button secondary" data-test="load-more" on:click=move |_| on_more.run(())>
                            "Load more"
                        </button>
                    }
                        .into_any()
                } else {
                    ().into_any()
                }
            }}
        </div>
    }
}
