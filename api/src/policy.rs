//! The one place that decides who may see and do what. Every handler calls in here before it
//! touches data. Rules:
//! - a client user sees only their own organisation; anything else answers 404, so they never
//!   learn that another client exists;
//! - a CSM sees the client organisations assigned to them, plus the vendor organisation;
//! - admin, account managers, support agents and sales see every organisation (their jobs
//!   span all clients);
//! - only admins change organisations, users, departments and invitations, and see jobs;
//!   other roles that can see the resource get 403 for a change;
//! - a project is visible exactly when its organisation is; inside it the client's users and
//!   the project's CSM (or an admin) work, other staff who can see it only read (403 on a
//!   write); the checklist's own rules (who ticks what) live in `shared::activity`;
//! - a ticket is visible to staff who can see its organisation and to that organisation's
//!   client admins; a client member sees only the tickets they requested. Sales read tickets
//!   but do not work on them; internal notes never reach client users.

use shared::Role;
use shared::activity::ProjectSide;
use shared::desk::ticket::Side;
use shared::identity::OrgKind;

use crate::auth::Actor;
use crate::error::{ApiError, ApiResult};

/// Which organisations a list may return for this actor.
#[derive(Debug, Clone, PartialEq)]
pub enum OrgScope {
    All,
    /// The vendor organisation and the clients whose CSM is `csm_id`.
    Assigned {
        csm_id: String,
        vendor_id: String,
    },
    Own(String),
}

pub fn org_scope(actor: &Actor) -> OrgScope {
    match actor.role {
        Role::Admin | Role::AccountManager | Role::SupportAgent | Role::Sales => OrgScope::All,
        Role::Csm => OrgScope::Assigned {
            csm_id: actor.user_id.clone(),
            vendor_id: actor.organization_id.clone(),
        },
        Role::ClientAdmin | Role::ClientMember => OrgScope::Own(actor.organization_id.clone()),
    }
}

/// What the policy needs to know about an organisation.
#[derive(Debug, Clone, Copy)]
pub struct OrgFacts<'a> {
    pub id: &'a str,
    pub kind: OrgKind,
    pub csm_id: Option<&'a str>,
}

pub fn can_see_org(actor: &Actor, org: OrgFacts<'_>) -> bool {
    match org_scope(actor) {
        OrgScope::All => true,
        OrgScope::Assigned { csm_id, .. } => {
            org.kind == OrgKind::Vendor || org.csm_id == Some(csm_id.as_str())
        }
        OrgScope::Own(id) => org.id == id,
    }
}

fn hidden(what: &str) -> ApiError {
    ApiError::not_found(what)
}

fn admin_only(actor: &Actor, doing: &str) -> ApiResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "only an administrator can {doing}"
        )))
    }
}

pub fn view_organization(actor: &Actor, org: OrgFacts<'_>) -> ApiResult<()> {
    if can_see_org(actor, org) {
        Ok(())
    } else {
        Err(hidden("organization"))
    }
}

pub fn create_organization(actor: &Actor) -> ApiResult<()> {
    admin_only(actor, "create organizations")
}

pub fn edit_organization(actor: &Actor, org: OrgFacts<'_>) -> ApiResult<()> {
    view_organization(actor, org)?;
    admin_only(actor, "change organizations")
}

/// A user is visible when their organisation is.
pub fn view_user(actor: &Actor, user_org: OrgFacts<'_>) -> ApiResult<()> {
    if can_see_org(actor, user_org) {
        Ok(())
    } else {
        Err(hidden("user"))
    }
}

pub fn create_user(actor: &Actor) -> ApiResult<()> {
    admin_only(actor, "create users")
}

pub fn edit_user(actor: &Actor, user_org: OrgFacts<'_>) -> ApiResult<()> {
    view_user(actor, user_org)?;
    admin_only(actor, "change users")
}

/// Departments are the vendor's internal structure: staff see them, clients do not.
pub fn view_departments(actor: &Actor) -> ApiResult<()> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "departments are visible to vendor staff only",
        ))
    }
}

pub fn manage_departments(actor: &Actor) -> ApiResult<()> {
    admin_only(actor, "manage departments")
}

pub fn manage_invitations(actor: &Actor) -> ApiResult<()> {
    admin_only(actor, "invite users")
}

pub fn manage_jobs(actor: &Actor) -> ApiResult<()> {
    admin_only(actor, "see background jobs")
}

/// The caller's side in a project of this organisation, or 404 when they may not see it.
pub fn view_project(actor: &Actor, org: OrgFacts<'_>) -> ApiResult<ProjectSide> {
    if org.kind != OrgKind::Client || !can_see_org(actor, org) {
        return Err(hidden("project"));
    }
    Ok(ProjectSide::of(
        actor.role,
        org.csm_id == Some(actor.user_id.as_str()),
    ))
}

/// Chat, board posts and comments: both sides of the project, not observers.
pub fn take_part(side: ProjectSide) -> ApiResult<()> {
    match side {
        ProjectSide::Observer => Err(ApiError::forbidden(
            "only the client's users and the project's CSM take part in a project",
        )),
        _ => Ok(()),
    }
}

/// Shaping the project (items, dates, appointments): the CSM side only.
pub fn run_project(side: ProjectSide) -> ApiResult<()> {
    match side {
        ProjectSide::Csm => Ok(()),
        _ => Err(ApiError::forbidden(
            "only the project's CSM or an administrator can change this",
        )),
    }
}

/// A project is created for an organisation by its CSM or an administrator.
pub fn create_project(actor: &Actor, org: OrgFacts<'_>) -> ApiResult<()> {
    let side = view_project(actor, org).map_err(|_| hidden("organization"))?;
    run_project(side)
}

/// Templates are the vendor's: staff read them; CSMs and admins shape them.
pub fn view_templates(actor: &Actor) -> ApiResult<()> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "templates are visible to vendor staff only",
        ))
    }
}

pub fn manage_templates(actor: &Actor) -> ApiResult<()> {
    match actor.role {
        Role::Admin | Role::Csm => Ok(()),
        _ => Err(ApiError::forbidden(
            "only CSMs and administrators manage templates",
        )),
    }
}

/// What a ticket's organisation and requester are, for the policy.
#[derive(Debug, Clone, Copy)]
pub struct TicketFacts<'a> {
    pub org: OrgFacts<'a>,
    pub requester_id: Option<&'a str>,
}

/// The caller's side of a ticket, or 404 when they may not see it.
pub fn view_ticket(actor: &Actor, t: TicketFacts<'_>) -> ApiResult<Side> {
    if !can_see_org(actor, t.org) {
        return Err(hidden("ticket"));
    }
    match actor.role {
        Role::ClientMember if t.requester_id != Some(actor.user_id.as_str()) => {
            Err(hidden("ticket"))
        }
        r if r.is_client() => Ok(Side::Client),
        _ => Ok(Side::Staff),
    }
}

/// Replying, noting, assigning and changing tickets: staff who work on the desk or with
/// clients; sales only read.
pub fn work_tickets(actor: &Actor) -> ApiResult<()> {
    match actor.role {
        Role::Sales => Err(ApiError::forbidden(
            "sales can read tickets but not work on them",
        )),
        _ => Ok(()),
    }
}

/// Opening a ticket: client users for their organisation (through the portal), and staff who
/// work tickets, for a client user they can see.
pub fn open_ticket(actor: &Actor) -> ApiResult<()> {
    work_tickets(actor)
}

/// Rating a ticket (CSAT) is the client's say about the help: client users who can see the
/// ticket; staff rating their own work would skew the figure.
pub fn rate_ticket(_actor: &Actor, side: Side) -> ApiResult<()> {
    match side {
        Side::Client => Ok(()),
        Side::Staff => Err(ApiError::forbidden(
            "tickets are rated by the client who was helped",
        )),
    }
}

/// Products the desk supports: everyone reads them (the portal form lists them); admins
/// shape them.
pub fn manage_desk(actor: &Actor) -> ApiResult<()> {
    admin_only(actor, "configure the support desk")
}

/// The desk's configuration (calendars, SLA policies, routes, priority rules) is the vendor's
/// own: staff read it, client users get 403.
pub fn view_desk(actor: &Actor) -> ApiResult<()> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "the desk's configuration is visible to vendor staff only",
        ))
    }
}

/// Canned replies are the vendor's own words: staff read them, client users get 403. The
/// people who answer tickets all day — support agents — keep them up to date with the
/// administrators; other staff use them.
pub fn view_canned_replies(actor: &Actor) -> ApiResult<()> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "canned replies are visible to vendor staff only",
        ))
    }
}

pub fn manage_canned_replies(actor: &Actor) -> ApiResult<()> {
    match actor.role {
        Role::Admin | Role::SupportAgent => Ok(()),
        _ => Err(ApiError::forbidden(
            "only support agents and administrators write canned replies",
        )),
    }
}

/// Filling a canned reply in for a ticket (`side` from [`view_ticket`]): staff who work it.
pub fn use_canned_reply(actor: &Actor, side: Side) -> ApiResult<()> {
    if side == Side::Client {
        return Err(ApiError::forbidden("canned replies are for staff"));
    }
    work_tickets(actor)
}

/// Handoffs are the vendor's internal hand-overs: staff list them; client users
/// get 403 on the list and 404 on a single one (`view_handoff`).
pub fn list_handoffs(actor: &Actor) -> ApiResult<()> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "handoffs are visible to vendor staff only",
        ))
    }
}

/// One handoff: staff who can see its organisation; anyone else 404.
pub fn view_handoff(actor: &Actor, org: OrgFacts<'_>) -> ApiResult<()> {
    if actor.role.is_staff() && can_see_org(actor, org) {
        Ok(())
    } else {
        Err(hidden("handoff"))
    }
}

/// Raising a handoff: staff who can see the organisation (each role hands over its own work).
pub fn create_handoff(actor: &Actor, org: OrgFacts<'_>) -> ApiResult<()> {
    view_handoff(actor, org).map_err(|_| hidden("organization"))
}

/// Moving a handoff on (owner, status, due date): its owner, whoever raised it, the
/// organisation's CSM, or an administrator.
pub fn edit_handoff(
    actor: &Actor,
    org: OrgFacts<'_>,
    owner_id: &str,
    created_by: Option<&str>,
) -> ApiResult<()> {
    view_handoff(actor, org)?;
    let me = actor.user_id.as_str();
    if actor.role == Role::Admin
        || owner_id == me
        || created_by == Some(me)
        || org.csm_id == Some(me)
    {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the handoff's owner, who raised it, the client's CSM or an administrator can change it",
        ))
    }
}

/// The list of refund requests: administrators and the role the policy names as approver
/// (`approver` — the current policy's); other staff and client users get 403.
pub fn list_refund_requests(actor: &Actor, approver: Role) -> ApiResult<()> {
    if actor.role == Role::Admin || (actor.role.is_staff() && actor.role == approver) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "refund requests are for their approvers and administrators",
        ))
    }
}

/// A ticket's refund request (`side` from [`view_ticket`]): staff who can see the ticket;
/// the client learns the outcome from the replies.
pub fn view_refund_request(side: Side) -> ApiResult<()> {
    match side {
        Side::Staff => Ok(()),
        Side::Client => Err(ApiError::forbidden(
            "refund requests are internal to the vendor",
        )),
    }
}

/// Deciding a request: someone with the request's approver role, or an administrator.
pub fn decide_refund(actor: &Actor, approver: Role) -> ApiResult<()> {
    if actor.role == Role::Admin || (actor.role.is_staff() && actor.role == approver) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "only a user with the role {} or an administrator decides this request",
            approver.as_str()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, id: &str, org: &str) -> Actor {
        Actor {
            user_id: id.into(),
            session_id: "s".into(),
            role,
            organization_id: org.into(),
        }
    }

    #[test]
    fn who_sees_which_organization() {
        let vendor = OrgFacts {
            id: "v",
            kind: OrgKind::Vendor,
            csm_id: None,
        };
        let fashop = OrgFacts {
            id: "f",
            kind: OrgKind::Client,
            csm_id: Some("csm1"),
        };
        let bianchi = OrgFacts {
            id: "b",
            kind: OrgKind::Client,
            csm_id: Some("csm2"),
        };
        let csm1 = actor(Role::Csm, "csm1", "v");
        assert!(
            can_see_org(&csm1, vendor)
                && can_see_org(&csm1, fashop)
                && !can_see_org(&csm1, bianchi)
        );
        let client = actor(Role::ClientMember, "m", "f");
        assert!(
            can_see_org(&client, fashop)
                && !can_see_org(&client, bianchi)
                && !can_see_org(&client, vendor)
        );
        for role in [
            Role::Admin,
            Role::AccountManager,
            Role::SupportAgent,
            Role::Sales,
        ] {
            let a = actor(role, "x", "v");
            assert!(can_see_org(&a, vendor) && can_see_org(&a, fashop) && can_see_org(&a, bianchi));
        }
        let hidden = view_organization(&client, bianchi).err().map(|e| e.code);
        assert_eq!(hidden, Some(shared::ErrorCode::NotFound));
    }

    #[test]
    fn only_admins_change_things() {
        let fashop = OrgFacts {
            id: "f",
            kind: OrgKind::Client,
            csm_id: Some("csm1"),
        };
        for role in Role::ALL {
            let a = actor(role, "csm1", if role.is_client() { "f" } else { "v" });
            assert_eq!(
                edit_organization(&a, fashop).is_ok(),
                role == Role::Admin,
                "{role}"
            );
            assert_eq!(manage_jobs(&a).is_ok(), role == Role::Admin);
            assert_eq!(view_departments(&a).is_ok(), role.is_staff());
            assert_eq!(view_canned_replies(&a).is_ok(), role.is_staff());
            assert_eq!(
                manage_canned_replies(&a).is_ok(),
                matches!(role, Role::Admin | Role::SupportAgent)
            );
            assert_eq!(
                use_canned_reply(&a, Side::Staff).is_ok(),
                role != Role::Sales
            );
            assert!(use_canned_reply(&a, Side::Client).is_err());
        }
    }

    #[test]
    fn project_sides() {
        let verdi = OrgFacts {
            id: "v1",
            kind: OrgKind::Client,
            csm_id: Some("csm1"),
        };
        let vendor = OrgFacts {
            id: "v",
            kind: OrgKind::Vendor,
            csm_id: None,
        };
        assert_eq!(
            view_project(&actor(Role::Csm, "csm1", "v"), verdi).ok(),
            Some(ProjectSide::Csm)
        );
        assert!(view_project(&actor(Role::Csm, "csm2", "v"), verdi).is_err());
        assert_eq!(
            view_project(&actor(Role::ClientMember, "m", "v1"), verdi).ok(),
            Some(ProjectSide::Client)
        );
        assert!(view_project(&actor(Role::ClientMember, "m", "other"), verdi).is_err());
        assert_eq!(
            view_project(&actor(Role::SupportAgent, "a", "v"), verdi).ok(),
            Some(ProjectSide::Observer)
        );
        let ticket = |requester| TicketFacts {
            org: verdi,
            requester_id: requester,
        };
        let member = actor(Role::ClientMember, "m", "v1");
        assert_eq!(
            view_ticket(&member, ticket(Some("m"))).ok(),
            Some(Side::Client)
        );
        assert!(view_ticket(&member, ticket(Some("other"))).is_err());
        let client_admin = actor(Role::ClientAdmin, "ca", "v1");
        assert_eq!(
            view_ticket(&client_admin, ticket(Some("m"))).ok(),
            Some(Side::Client)
        );
        assert!(view_ticket(&actor(Role::ClientAdmin, "x", "other"), ticket(None)).is_err());
        assert_eq!(
            view_ticket(&actor(Role::SupportAgent, "a", "v"), ticket(None)).ok(),
            Some(Side::Staff)
        );
        assert!(view_ticket(&actor(Role::Csm, "csm2", "v"), ticket(None)).is_err());
        assert!(work_tickets(&actor(Role::Sales, "s", "v")).is_err());
        assert!(work_tickets(&actor(Role::Csm, "csm1", "v")).is_ok());
        assert!(view_project(&actor(Role::Admin, "a", "v"), vendor).is_err());
        assert!(create_project(&actor(Role::Csm, "csm1", "v"), verdi).is_ok());
        assert!(create_project(&actor(Role::Sales, "s", "v"), verdi).is_err());
        assert!(create_project(&actor(Role::ClientAdmin, "c", "v1"), verdi).is_err());
    }
}
