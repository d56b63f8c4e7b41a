//! The ticket status machine: which moves each side may make, and how a new
//! message moves a ticket by itself. The API refuses anything [`check`] refuses
//! (`409 transition_not_allowed`, with the returned text); the web app shows one button per
//! status in [`allowed`].
//!
//! The rules, in full (the table test below spells out all 6 × 6 × 3 cases):
//!
//! - **Nobody** moves a ticket to the status it already has ("already …"), moves a `closed`
//!   ticket (closed is final: a new problem is a new ticket), or moves a ticket back to `new`
//!   (`new` means "nobody has answered yet"; once answered that cannot become true again).
//! - **Staff** (agents, CSMs, administrators): from any active status (`new`, `open`,
//!   `pending_customer`, `on_hold`) to any other active status except `new`, or to
//!   `resolved`; from `resolved` back to `open` (reopen) or on to `closed`. Staff resolve
//!   before they close, so the requester always gets the resolution (and the CSAT question)
//!   before the ticket becomes final.
//! - **Client** users (of the ticket's organisation; *which* tickets they may touch is the
//!   API policy's call): "close" in the portal means `closed`, from any active status or from
//!   `resolved` — the requester says they need nothing more; and they may reopen a `resolved`
//!   ticket (`resolved` → `open`) when the fix did not hold. Nothing else: a client does not
//!   put tickets on hold or mark them as waiting on themselves.
//! - **System** (automation, SLA jobs, auto-close): the same moves as staff. That already
//!   contains the two moves the system makes on its own: `new` → `open` and the auto-close
//!   `resolved` → `closed`.
//!
//! Messages move tickets too ([`after_message`]): the first public reply from staff opens a
//! `new` ticket; a client's reply to a ticket waiting on them, or to a resolved one, puts it
//! back to `open`; notes never move anything. Closed tickets take no messages at all
//! ([`can_add_message`]), and clients never write notes.

use serde::{Deserialize, Serialize};

use super::{MessageKind, TicketStatus};

/// Who acts on a ticket: vendor staff (agent/CSM/admin), the requester's side (client users
/// of the ticket's organisation), or the system (automation, SLA jobs, auto-close).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Staff,
    Client,
    System,
}
str_enum!(Actor { Staff => "staff", Client => "client", System => "system" });

impl Actor {
    pub const ALL: [Actor; 3] = [Actor::Staff, Actor::Client, Actor::System];

    /// The side a user of this role acts on.
    pub fn of(role: crate::Role) -> Actor {
        if role.is_client() {
            Actor::Client
        } else {
            Actor::Staff
        }
    }
}

/// Why a move is refused (shown to the user; 409 transition_not_allowed).
pub fn check(from: TicketStatus, to: TicketStatus, actor: Actor) -> Result<(), String> {
    use TicketStatus as S;
    if from == to {
        return Err(format!(
            "the ticket is already {}",
            from.label().to_lowercase()
        ));
    }
    if from == S::Closed {
        return Err("a closed ticket cannot change; open a new ticket instead".to_string());
    }
    if to == S::New {
        return Err("a ticket cannot go back to new once it has been worked on".to_string());
    }
    match actor {
        Actor::Staff | Actor::System => staff_move(from, to),
        Actor::Client => client_move(from, to),
    }
}

/// Staff (and system) moves, once the rules that hold for everyone have passed: `from` is not
/// closed, `to` is neither `from` nor `new`.
fn staff_move(from: TicketStatus, to: TicketStatus) -> Result<(), String> {
    use TicketStatus as S;
    match (from, to) {
        (S::Resolved, S::Open | S::Closed) => Ok(()),
        (S::Resolved, _) => Err("a resolved ticket can only be reopened or closed".to_string()),
        (_, S::Closed) => Err("resolve the ticket before closing it".to_string()),
        // Active to active, or active to resolved.
        _ => Ok(()),
    }
}

/// Client moves, under the same preconditions as [`staff_move`].
fn client_move(from: TicketStatus, to: TicketStatus) -> Result<(), String> {
    use TicketStatus as S;
    match (from, to) {
        (_, S::Closed) | (S::Resolved, S::Open) => Ok(()),
        (S::Resolved, _) => Err("a resolved ticket can only be reopened or closed".to_string()),
        _ => Err("you can close this ticket, or reopen it once it is resolved".to_string()),
    }
}

/// The statuses `actor` may move a ticket to from `from` (what buttons to show), in the order
/// of [`TicketStatus::ALL`].
pub fn allowed(from: TicketStatus, actor: Actor) -> Vec<TicketStatus> {
    TicketStatus::ALL
        .into_iter()
        .filter(|to| check(from, *to, actor).is_ok())
        .collect()
}

/// The status after a message is added (None = unchanged):
///   staff reply: new → open (first response); client reply: pending_customer|resolved →
///   open; notes change nothing; closed: never changes (a client message on a closed ticket
///   is refused → [`can_add_message`]).
///
/// A system reply (an automatic answer) changes nothing here: whether it leaves the ticket
/// waiting on the customer is the automation outcome's call
/// (`automation::Outcome::status`). A client's reply to a `new` ticket leaves it `new` (nobody
/// has answered yet), and to one `on_hold` leaves it on hold (staff put it there, usually
/// waiting on a third party).
pub fn after_message(
    status: TicketStatus,
    actor: Actor,
    kind: MessageKind,
) -> Option<TicketStatus> {
    use TicketStatus as S;
    if kind == MessageKind::Note {
        return None;
    }
    match (actor, status) {
        (Actor::Staff, S::New) => Some(S::Open),
        (Actor::Client, S::PendingCustomer | S::Resolved) => Some(S::Open),
        _ => None,
    }
}

/// Whether a message may be added at all (closed tickets take none; clients cannot add notes).
pub fn can_add_message(
    status: TicketStatus,
    actor: Actor,
    kind: MessageKind,
) -> Result<(), String> {
    if status == TicketStatus::Closed {
        return Err("the ticket is closed; open a new ticket instead".to_string());
    }
    if actor == Actor::Client && kind == MessageKind::Note {
        return Err("internal notes are for the support team only".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Actor as A;
    use TicketStatus as S;

    /// The expected answer for every (from, to, actor), written as its own table so that a
    /// change to the rules has to change this test too.
    fn expected(from: S, to: S, actor: A) -> bool {
        let staff = match from {
            S::Closed => vec![],
            S::Resolved => vec![S::Open, S::Closed],
            S::New => vec![S::Open, S::PendingCustomer, S::OnHold, S::Resolved],
            S::Open => vec![S::PendingCustomer, S::OnHold, S::Resolved],
            S::PendingCustomer => vec![S::Open, S::OnHold, S::Resolved],
            S::OnHold => vec![S::Open, S::PendingCustomer, S::Resolved],
        };
        let client = match from {
            S::Closed => vec![],
            S::Resolved => vec![S::Open, S::Closed],
            S::New | S::Open | S::PendingCustomer | S::OnHold => vec![S::Closed],
        };
        match actor {
            A::Staff | A::System => staff.contains(&to),
            A::Client => client.contains(&to),
        }
    }

    #[test]
    fn every_move_follows_the_table() {
        let mut allowed_count = 0;
        for from in S::ALL {
            for to in S::ALL {
                for actor in A::ALL {
                    let want = expected(from, to, actor);
                    let got = check(from, to, actor);
                    assert_eq!(got.is_ok(), want, "{from:?} → {to:?} by {actor:?}: {got:?}");
                    if let Err(why) = got {
                        assert!(!why.trim().is_empty(), "{from:?} → {to:?} by {actor:?}");
                    } else {
                        allowed_count += 1;
                    }
                    assert_eq!(allowed(from, actor).contains(&to), want);
                }
            }
        }
        // staff 15 + system 15 + client 6
        assert_eq!(allowed_count, 36);
    }

    #[test]
    fn buttons_in_status_order() {
        assert_eq!(
            allowed(S::New, A::Staff),
            vec![S::Open, S::PendingCustomer, S::OnHold, S::Resolved]
        );
        assert_eq!(allowed(S::Resolved, A::Client), vec![S::Open, S::Closed]);
        assert_eq!(allowed(S::OnHold, A::Client), vec![S::Closed]);
        for actor in A::ALL {
            assert!(allowed(S::Closed, actor).is_empty(), "{actor:?}");
        }
    }

    #[test]
    fn refusals_say_why() {
        let cases = [
            (S::Open, S::Open, A::Staff, "the ticket is already open"),
            (
                S::PendingCustomer,
                S::PendingCustomer,
                A::Client,
                "the ticket is already waiting on customer",
            ),
            (
                S::OnHold,
                S::OnHold,
                A::System,
                "the ticket is already on hold",
            ),
            (
                S::Closed,
                S::Closed,
                A::Staff,
                "the ticket is already closed",
            ),
            (
                S::Closed,
                S::Open,
                A::Staff,
                "a closed ticket cannot change; open a new ticket instead",
            ),
            (
                S::Closed,
                S::Open,
                A::Client,
                "a closed ticket cannot change; open a new ticket instead",
            ),
            (
                S::Open,
                S::New,
                A::Staff,
                "a ticket cannot go back to new once it has been worked on",
            ),
            (
                S::Resolved,
                S::OnHold,
                A::Staff,
                "a resolved ticket can only be reopened or closed",
            ),
            (
                S::Resolved,
                S::PendingCustomer,
                A::Client,
                "a resolved ticket can only be reopened or closed",
            ),
            (
                S::Open,
                S::Closed,
                A::Staff,
                "resolve the ticket before closing it",
            ),
            (
                S::New,
                S::Closed,
                A::System,
                "resolve the ticket before closing it",
            ),
            (
                S::Open,
                S::Resolved,
                A::Client,
                "you can close this ticket, or reopen it once it is resolved",
            ),
            (
                S::PendingCustomer,
                S::Open,
                A::Client,
                "you can close this ticket, or reopen it once it is resolved",
            ),
        ];
        for (from, to, actor, why) in cases {
            assert_eq!(
                check(from, to, actor),
                Err(why.to_string()),
                "{from:?} → {to:?}"
            );
        }
    }

    #[test]
    fn system_makes_its_own_moves() {
        assert_eq!(check(S::New, S::Open, A::System), Ok(()));
        assert_eq!(check(S::Resolved, S::Closed, A::System), Ok(()));
        assert_eq!(check(S::PendingCustomer, S::Resolved, A::System), Ok(()));
        for from in S::ALL {
            assert_eq!(
                allowed(from, A::System),
                allowed(from, A::Staff),
                "{from:?}"
            );
        }
    }

    #[test]
    fn messages_move_tickets() {
        use MessageKind as K;
        for status in S::ALL {
            for actor in A::ALL {
                for kind in [K::Reply, K::Note] {
                    let want = match (kind, actor, status) {
                        (K::Reply, A::Staff, S::New) => Some(S::Open),
                        (K::Reply, A::Client, S::PendingCustomer | S::Resolved) => Some(S::Open),
                        _ => None,
                    };
                    let got = after_message(status, actor, kind);
                    assert_eq!(got, want, "{kind:?} by {actor:?} on {status:?}");
                    if let Some(to) = got {
                        // A move a message makes is one the machine allows (the API applies
                        // it on the system's behalf) and only ever follows an accepted message.
                        assert_eq!(check(status, to, A::System), Ok(()));
                        assert_eq!(can_add_message(status, actor, kind), Ok(()));
                    }
                }
            }
        }
    }

    #[test]
    fn who_may_write_what_where() {
        use MessageKind as K;
        for status in S::ALL {
            for actor in A::ALL {
                for kind in [K::Reply, K::Note] {
                    let got = can_add_message(status, actor, kind);
                    let want = status != S::Closed && !(actor == A::Client && kind == K::Note);
                    assert_eq!(got.is_ok(), want, "{kind:?} by {actor:?} on {status:?}");
                }
            }
        }
        assert_eq!(
            can_add_message(S::Closed, A::Client, K::Reply),
            Err("the ticket is closed; open a new ticket instead".to_string())
        );
        assert_eq!(
            can_add_message(S::Open, A::Client, K::Note),
            Err("internal notes are for the support team only".to_string())
        );
    }

    #[test]
    fn actor_names_and_roles() {
        for a in A::ALL {
            assert_eq!(A::parse(a.as_str()), Some(a));
            let json = serde_json::to_string(&a).expect("serialise");
            assert_eq!(json, format!("\"{}\"", a.as_str()));
        }
        assert_eq!(A::parse("robot"), None);
        for role in crate::Role::ALL {
            let want = if role.is_client() {
                A::Client
            } else {
                A::Staff
            };
            assert_eq!(A::of(role), want, "{role:?}");
        }
    }
}
