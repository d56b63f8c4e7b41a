//! The demo dataset (`tandem demo`): the vendor MagicStore, its staff, two departments and
//! three client organisations with their users. Every password is `tandem-demo`.

use diesel::prelude::*;
use shared::Role;
use shared::identity::{NewDepartment, NewUser};

use crate::auth::password;
use crate::db::schema::{organizations as o, users as u};
use crate::db::{DbConn, new_id, now, write_tx};
use crate::error::ApiResult;
use crate::resources::{departments, projects, users};
use crate::setup::ensure_vendor;
use shared::project::NewProject;

pub const PASSWORD: &str = "tandem-demo";

struct Client {
    name: &'static str,
    domain: &'static str,
    plan: &'static str,
    csm: &'static str,
    industry: &'static str,
    spend: i64,
    size: i32,
    /// Days before the day the demo is loaded, so coverage and due dates stay current.
    contract_days_ago: i64,
    /// Days after the contract start that the project kicked off; `None`: no project yet.
    kickoff_after: Option<i64>,
    people: [&'static str; 2],
}

const CLIENTS: [Client; 3] = [
    Client {
        name: "FaShop Srl",
        domain: "fashop",
        plan: "business",
        csm: "csm1",
        industry: "Fashion e-commerce",
        spend: 48_000,
        size: 40,
        contract_days_ago: 83,
        kickoff_after: Some(14),
        people: ["Francesca Fabbri", "Filippo Ferri"],
    },
    Client {
        name: "Verdi Arredamenti",
        domain: "verdi",
        plan: "standard",
        csm: "csm1",
        industry: "Furniture retail",
        spend: 18_000,
        size: 25,
        contract_days_ago: 39,
        kickoff_after: None,
        people: ["Valeria Verdi", "Vittorio Villa"],
    },
    Client {
        name: "Bianchi Sport",
        domain: "bianchi",
        plan: "standard",
        csm: "csm2",
        industry: "Sporting goods",
        spend: 12_000,
        size: 12,
        contract_days_ago: 21,
        kickoff_after: Some(7),
        people: ["Bruno Bianchi", "Beatrice Bassi"],
    },
];

/// Loads the dataset; does nothing when it is already there. Returns whether it loaded.
pub fn load(conn: &mut DbConn) -> ApiResult<bool> {
    if users::find_by_email(conn, "admin@magicstore.test")?.is_some() {
        return Ok(false);
    }
    let hash = password::hash(PASSWORD)?;
    write_tx(conn, |conn| {
        ensure_vendor(conn, "MagicStore")?;
        let tech = departments::insert(
            conn,
            &NewDepartment {
                name: "Technical support".into(),
                description: Some("Faults, product not working, technical problems".into()),
            },
        )?;
        let billing = departments::insert(
            conn,
            &NewDepartment {
                name: "Billing and accounts".into(),
                description: Some("Invoices, returns, refunds, cancellations".into()),
            },
        )?;
        let user = |conn: &mut DbConn,
                    email: &str,
                    name: &str,
                    role: Role,
                    org: Option<&str>,
                    depts: Vec<String>,
                    skills: &[&str]|
         -> ApiResult<String> {
            let new = NewUser {
                email: email.into(),
                name: name.into(),
                role: Some(role),
                organization_id: org.map(str::to_string),
                password: None,
                department_ids: depts,
                skills: skills.iter().map(|s| s.to_string()).collect(),
            };
            Ok(users::insert(conn, &new, Some(hash.clone()))?.id)
        };
        user(
            conn,
            "admin@magicstore.test",
            "Alessandra Amato",
            Role::Admin,
            None,
            vec![],
            &[],
        )?;
        let csm1 = user(
            conn,
            "csm1@magicstore.test",
            "Carla Conti",
            Role::Csm,
            None,
            vec![],
            &[],
        )?;
        let csm2 = user(
            conn,
            "csm2@magicstore.test",
            "Corrado Colombo",
            Role::Csm,
            None,
            vec![],
            &[],
        )?;
        user(
            conn,
            "account@magicstore.test",
            "Andrea Arena",
            Role::AccountManager,
            None,
            vec![],
            &[],
        )?;
        user(
            conn,
            "agent1@magicstore.test",
            "Giulia Galli",
            Role::SupportAgent,
            None,
            vec![tech.id.clone()],
            &["e-commerce", "payments", "technical"],
        )?;
        user(
            conn,
            "agent2@magicstore.test",
            "Luca Lombardi",
            Role::SupportAgent,
            None,
            vec![billing.id.clone()],
            &["billing", "refunds"],
        )?;
        let template = shared::project::builtin_ecommerce();
        for c in &CLIENTS {
            let id = new_id();
            let at = now();
            let start = now().date() - chrono::Duration::days(c.contract_days_ago);
            diesel::insert_into(o::table)
                .values((
                    o::id.eq(&id),
                    o::name.eq(c.name),
                    o::kind.eq("client"),
                    o::plan.eq(c.plan),
                    o::contract_start.eq(start),
                    o::industry.eq(c.industry),
                    o::yearly_spend.eq(c.spend),
                    o::size.eq(c.size),
                    o::growth_potential.eq(if c.plan == "business" {
                        "high"
                    } else {
                        "medium"
                    }),
                    o::segment.eq(if c.spend >= 30_000 {
                        "mid-market"
                    } else {
                        "small business"
                    }),
                    o::touch_model.eq("high"),
                    o::lifecycle_stage.eq("onboarding"),
                    o::csm_id.eq(if c.csm == "csm1" { &csm1 } else { &csm2 }),
                    o::created_at.eq(at),
                    o::updated_at.eq(at),
                    o::version.eq(1),
                ))
                .execute(conn)?;
            user(
                conn,
                &format!("admin@{}.test", c.domain),
                c.people[0],
                Role::ClientAdmin,
                Some(&id),
                vec![],
                &[],
            )?;
            user(
                conn,
                &format!("member@{}.test", c.domain),
                c.people[1],
                Role::ClientMember,
                Some(&id),
                vec![],
                &[],
            )?;
            // Verdi has no project yet: creating it is the first thing a new CSM tries.
            if let Some(kickoff) = c.kickoff_after.map(|k| start + chrono::Duration::days(k)) {
                let new = NewProject {
                    organization_id: id.clone(),
                    name: "Onboarding".into(),
                    kickoff_date: kickoff,
                    template_id: None,
                };
                projects::insert(conn, &id, &new, Some(&template.categories), None)?;
            }
        }
        desk(conn)?;
        Ok(true)
    })
}

/// The desk: the vendor's products (urgency feeds priority, skill feeds assignment), each
/// cluster routed to its department, and both agents online so new tickets find them.
fn desk(conn: &mut DbConn) -> ApiResult<()> {
    use crate::db::schema::products as p;
    let at = now();
    for (name, urgency, skill) in [
        ("Checkout and payments", "critical", Some("payments")),
        ("Storefront", "high", Some("e-commerce")),
        ("Product feed", "normal", Some("technical")),
        ("Reports", "low", None),
    ] {
        diesel::insert_into(p::table)
            .values((
                p::id.eq(new_id()),
                p::name.eq(name),
                p::urgency.eq(urgency),
                p::skill.eq(skill),
                p::created_at.eq(at),
                p::updated_at.eq(at),
                p::version.eq(1),
            ))
            .execute(conn)?;
    }
    crate::desk::setup::ensure_routes(conn)?;
    diesel::update(u::table.filter(u::role.eq(Role::SupportAgent.as_str())))
        .set(u::availability.eq(Some("online")))
        .execute(conn)?;
    Ok(())
}
