//! "New ticket": the client portal's form (subject, kind of problem, product, description),
//! and the same form for staff logging a call for a client user (organisation, requester and
//! channel first).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::FieldError;
use shared::desk::ticket::{NewTicket, Ticket, validate_new};
use shared::desk::{Channel, Cluster};

use super::choices::{self, Choices};
use super::desk_badges::channel_label;
use super::field::{FieldErrors, SelectField, TextField};
use super::form::{FormBanner, FormState};
use crate::api;

const FIELDS: &[&str] = &[
    "organization_id",
    "requester_id",
    "channel",
    "subject",
    "cluster",
    "product_id",
    "purchase_date",
    "body",
];

fn clusters() -> Choices {
    Cluster::ALL
        .into_iter()
        .map(|c| (c.as_str().to_string(), c.label().to_string()))
        .collect()
}

#[component]
pub fn TicketNewForm(
    /// Staff logging a call (or an e-mail) for a client user, rather than a client's own.
    #[prop(optional)]
    staff: bool,
    on_created: Callback<Ticket>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let form = FormState::new(FIELDS);
    let org = RwSignal::new(String::new());
    let requester = RwSignal::new(String::new());
    let channel = RwSignal::new(Channel::Phone.as_str().to_string());
    let subject = RwSignal::new(String::new());
    let cluster = RwSignal::new(Cluster::TechnicalProblem.as_str().to_string());
    let product = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let purchase = RwSignal::new(String::new());
    // Returns, refunds and cancellations are judged by the date of the purchase or order.
    let dated = move || {
        matches!(
            Cluster::parse(&cluster.get()),
            Some(Cluster::ReturnRefund | Cluster::Cancellation)
        )
    };
    let products = RwSignal::new(choices::none("Not about one product"));
    let orgs = RwSignal::new(choices::none("Choose a client…"));
    let requesters = RwSignal::new(choices::none("Choose the client first"));

    spawn_local(async move {
        if let Ok(list) = api::products::list().await {
            let mut c = choices::none("Not about one product");
            c.extend(list.into_iter().map(|p| (p.id, p.name)));
            let _ = products.try_set(c);
        }
    });
    if staff {
        spawn_local(async move {
            match api::organizations::list_clients(Some(200)).await {
                Ok(page) => {
                    let mut c = choices::none("Choose a client…");
                    c.extend(page.items.into_iter().map(|o| (o.id, o.name)));
                    let _ = orgs.try_set(c);
                }
                Err(p) => form.fail(p),
            }
        });
        // The requester list follows the organisation chosen.
        Effect::new(move |_| {
            let id = org.get();
            requester.set(String::new());
            if id.is_empty() {
                requesters.set(choices::none("Choose the client first"));
                return;
            }
            spawn_local(async move {
                let result = api::users::list(Some(id.clone()), None, None, Some(200)).await;
                if org.try_get_untracked().as_ref() != Some(&id) {
                    return;
                }
                match result {
                    Ok(page) => {
                        let mut c = choices::none("Choose the person…");
                        c.extend(
                            page.items
                                .into_iter()
                                .filter(|u| u.role.is_client() && u.active)
                                .map(|u| (u.id, format!("{} ({})", u.name, u.email))),
                        );
                        requesters.set(c);
                    }
                    Err(p) => form.fail(p),
                }
            });
        });
    }
    let channels: Choices = [Channel::Phone, Channel::Email, Channel::Api]
        .into_iter()
        .map(|c| (c.as_str().to_string(), channel_label(c).to_string()))
        .collect();

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        form.start();
        let product_id = Some(product.get_untracked()).filter(|p| !p.is_empty());
        let new = NewTicket {
            subject: subject.get_untracked().trim().to_string(),
            body: body.get_untracked().trim().to_string(),
            cluster: Cluster::parse(&cluster.get_untracked()).unwrap_or(Cluster::UsageHelp),
            product_id,
            channel: if staff {
                Channel::parse(&channel.get_untracked())
            } else {
                None
            },
            requester_id: if staff {
                Some(requester.get_untracked()).filter(|r| !r.is_empty())
            } else {
                None
            },
            purchase_date: Cluster::parse(&cluster.get_untracked())
                .filter(|c| matches!(c, Cluster::ReturnRefund | Cluster::Cancellation))
                .and_then(|_| purchase.get_untracked().parse().ok()),
            tags: Vec::new(),
        };
        let mut errors = validate_new(&new).err().unwrap_or_default();
        if staff && new.requester_id.is_none() {
            errors.push(FieldError::new(
                "requester_id",
                "required",
                "choose who called",
            ));
        }
        if !errors.is_empty() {
            return form.invalid(errors);
        }
        form.busy.set(true);
        spawn_local(async move {
            match api::tickets::create(&new).await {
                Ok(t) => on_created.run(t),
                Err(p) => form.fail(p),
            }
            let _ = form.busy.try_set(false);
        });
    };
    let body_invalid = move || !form.messages_for("body").is_empty();

    view! {
        <form class="card form desk-new-ticket" on:submit=submit novalidate=true data-test="ticket-new-form">
            <h2>{if staff { "Log a call" } else { "New ticket" }}</h2>
            <FormBanner form test="ticket-new" />
            {staff.then(|| view! {
                <SelectField label="Client" field="organization_id" value=org options=orgs form test="ticket-new-org" required=true />
                <SelectField label="Requester" field="requester_id" value=requester options=requesters form test="ticket-new-requester" required=true />
                <SelectField label="Came in by" field="channel" value=channel options=channels.clone() form test="ticket-new-channel" />
            })}
            <TextField label="Subject" field="subject" value=subject form test="ticket-new-subject" required=true />
            <SelectField label="Kind of problem" field="cluster" value=cluster options=clusters() form test="ticket-new-cluster" required=true />
            <SelectField label="Product" field="product_id" value=product options=products form test="ticket-new-product" />
            {move || dated().then(|| view! {
                <TextField label="Date of the purchase or order" field="purchase_date" value=purchase form test="ticket-new-purchase-date" kind="date" hint="Leave empty if you do not know it: a person will decide." />
            })}
            <div class="field" class:field-invalid=body_invalid>
                <label for="ticket-new-body">"What happened?" " *"</label>
                <textarea
                    id="ticket-new-body"
                    rows="5"
                    data-test="ticket-new-body"
                    aria-invalid=move || if body_invalid() { "true" } else { "false" }
                    prop:value=move || body.get()
                    on:input=move |ev| body.set(event_target_value(&ev))
                ></textarea>
                <FieldErrors form field="body" test="ticket-new-body" />
            </div>
            <div class="actions">
                <button class="button" type="submit" data-test="ticket-new-submit" disabled=move || form.busy.get()>
                    {move || if form.busy.get() { "Sending…" } else if staff { "Log ticket" } else { "Open ticket" }}
                </button>
                <button class="button secondary" type="button" data-test="ticket-new-cancel" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
