//! The account page's table of notification preferences: for each kind of event, in the
//! app only, also by e-mail (when not online), or not at all. Saved with one button.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::notification::{Channel, NotificationKind, Preference, Preferences};

use super::form::{FormBanner, FormState};
use crate::api;

const CHANNELS: [(Channel, &str); 3] = [
    (Channel::InApp, "In the app"),
    (Channel::Email, "Also e-mail"),
    (Channel::None, "Off"),
];

#[component]
pub fn NotificationPrefs() -> impl IntoView {
    let form = FormState::new(&["preferences"]);
    let prefs = RwSignal::new(None::<Vec<(NotificationKind, RwSignal<Channel>)>>);
    let fill = move |p: Preferences| {
        let rows = NotificationKind::ALL
            .into_iter()
            .map(|k| {
                let c = p
                    .preferences
                    .iter()
                    .find(|x| x.kind == k)
                    .map(|x| x.channel)
                    .unwrap_or(Channel::DEFAULT);
                (k, RwSignal::new(c))
            })
            .collect();
        prefs.set(Some(rows));
    };
    spawn_local(async move {
        match api::notifications::preferences().await {
            Ok(p) => fill(p),
            Err(p) => form.fail(p),
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(rows) = prefs.get_untracked() else {
            return;
        };
        form.start();
        form.busy.set(true);
        let body = Preferences {
            preferences: rows
                .iter()
                .map(|(kind, c)| Preference {
                    kind: *kind,
                    channel: c.get_untracked(),
                })
                .collect(),
        };
        spawn_local(async move {
            match api::notifications::save_preferences(&body).await {
                Ok(p) => {
                    fill(p);
                    form.succeed("Your notification preferences are saved.");
                }
                Err(p) => form.fail(p),
            }
            let _ = form.busy.try_set(false);
        });
    };
    view! {
        <form class="card form" on:submit=save data-test="notification-prefs">
            <FormBanner form test="prefs" />
            <p class="hint">"E-mails come in one batch while you are not signed in to Tandem."</p>
            <table class="prefs">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        {CHANNELS.iter().map(|(_, l)| view! { <th scope="col">{*l}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || prefs.get().map(|rows| rows.into_iter().map(|(kind, channel)| view! {
                        <tr data-test="pref-row" data-kind=kind.as_str()>
                            <th scope="row">{kind.label()}</th>
                            {CHANNELS.iter().map(|(c, label)| {
                                let c = *c;
                                view! {
                                    <td>
                                        <input
                                            type="radio"
                                            name=format!("pref-{}", kind.as_str())
                                            value=c.as_str()
                                            aria-label=format!("{}: {}", kind.label(), label)
                                            data-test=format!("pref-{}-{}", kind.as_str(), c.as_str())
                                            prop:checked=move || channel.get() == c
                                            on:change=move |_| channel.set(c)
                                        />
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
            <button class="button" type="submit" data-test="prefs-submit" disabled=move || form.busy.get() || prefs.with(Option::is_none)>
                {move || if form.busy.get() { "Saving…" } else { "Save preferences" }}
            </button>
        </form>
    }
}
