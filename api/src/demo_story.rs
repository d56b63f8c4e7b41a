//! A few weeks of life in FaShop's project, added by `tandem demo` after the dataset so that
//! a first look shows ticked items, a conversation, the board and the next appointment.
//! Tests load the bare dataset (`demo::load`) and build their own stories.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use shared::activity::{ActivityAction, ActivityState};

use crate::db::schema::{
    activities as a, activity_categories as ac, appointment_attendees as aa, appointments as ap,
    board_posts as bp, chat_messages as cm, projects as p, users as u,
};
use crate::db::{DbConn, new_id, now, write_tx};
use crate::error::ApiResult;
use crate::markdown;
use crate::resources::organizations;

fn user_id(conn: &mut DbConn, email: &str) -> ApiResult<String> {
    Ok(u::table
        .filter(u::email.eq(email))
        .select(u::id)
        .first(conn)?)
}

/// Adds the story once; returns whether it did.
pub fn tell(conn: &mut DbConn) -> ApiResult<bool> {
    write_tx(conn, |conn| {
        let org: Option<String> = crate::db::schema::organizations::table
            .filter(crate::db::schema::organizations::name.eq("FaShop Srl"))
            .select(crate::db::schema::organizations::id)
            .first(conn)
            .optional()?;
        let Some(org) = org else { return Ok(false) };
        let Some(project) = p::table
            .filter(p::organization_id.eq(&org))
            .select(p::id)
            .first::<String>(conn)
            .optional()?
        else {
            return Ok(false);
        };
        let told: i64 = cm::table
            .filter(cm::project_id.eq(&project))
            .count()
            .get_result(conn)?;
        if told > 0 {
            return Ok(false);
        }
        let csm = user_id(conn, "csm1@magicstore.test")?;
        let client = user_id(conn, "admin@fashop.test")?;
        let org_row = organizations::find(conn, &org)?;
        let start = org_row
            .and_then(|o| o.contract_start)
            .map(|d| d.and_hms_opt(9, 0, 0).unwrap_or_default())
            .unwrap_or_else(now);
        tick_kickoff(conn, &project, &csm, &client, start)?;
        let day = |n: i64, h: u32| start + Duration::days(n) + Duration::hours(i64::from(h));
        let chat = [
            (
                &csm,
                day(14, 1),
                "Welcome aboard! I'm Carla, your CSM. The kick-off call is booked; the plan is in Activities.",
            ),
            (
                &client,
                day(14, 2),
                "Thanks Carla. We ticked the goals item — our priority is the marketplace catalogue.",
            ),
            (
                &csm,
                day(15, 0),
                "Perfect. I moved the catalogue training up; see the Agenda.",
            ),
            (
                &client,
                day(20, 3),
                "We sent the logo and company details by e-mail.",
            ),
        ];
        for (author, at, body) in chat {
            diesel::insert_into(cm::table)
                .values((
                    cm::id.eq(new_id()),
                    cm::project_id.eq(&project),
                    cm::author_id.eq(author),
                    cm::body.eq(body),
                    cm::created_at.eq(at),
                ))
                .execute(conn)?;
        }
        let posts = [
            (
                &csm,
                true,
                day(14, 0),
                "**Before the catalogue training**\n\n- export your product list as CSV\n- choose 10 products to publish first\n\nGuide: [catalogue import](https://help.magicstore.test/catalogue)",
            ),
            (
                &client,
                false,
                day(21, 0),
                "Our warehouse closes 24–26 December: please plan the go-live around it.",
            ),
        ];
        for (author, pinned, at, body) in posts {
            diesel::insert_into(bp::table)
                .values((
                    bp::id.eq(new_id()),
                    bp::project_id.eq(&project),
                    bp::author_id.eq(author),
                    bp::body.eq(body),
                    bp::body_html.eq(markdown::to_html(body)),
                    bp::pinned.eq(pinned),
                    bp::pinned_at.eq(pinned.then_some(at)),
                    bp::created_at.eq(at),
                    bp::updated_at.eq(at),
                    bp::version.eq(1),
                ))
                .execute(conn)?;
        }
        // The next training: three days from now at 10:00 Rome time (09:00 UTC in winter).
        let starts = (now().date() + Duration::days(3))
            .and_hms_opt(9, 0, 0)
            .unwrap_or_else(now);
        let appointment = new_id();
        diesel::insert_into(ap::table)
            .values((
                ap::id.eq(&appointment),
                ap::project_id.eq(&project),
                ap::title.eq("Training: orders and shipping"),
                ap::kind.eq("training"),
                ap::starts_at.eq(starts),
                ap::ends_at.eq(starts + Duration::hours(1)),
                ap::time_zone.eq("Europe/Rome"),
                ap::video_url.eq("https://meet.magicstore.test/fashop-training"),
                ap::description.eq("Bring two real orders to walk through."),
                ap::created_by.eq(&csm),
                ap::created_at.eq(now()),
                ap::updated_at.eq(now()),
                ap::version.eq(1),
            ))
            .execute(conn)?;
        for who in [&csm, &client] {
            diesel::insert_into(aa::table)
                .values((aa::appointment_id.eq(&appointment), aa::user_id.eq(who)))
                .execute(conn)?;
        }
        Ok(true)
    })
}

/// Ticks every Kick-off item, each by its own side, with its history row.
fn tick_kickoff(
    conn: &mut DbConn,
    project: &str,
    csm: &str,
    client: &str,
    start: NaiveDateTime,
) -> ApiResult<()> {
    use crate::db::schema::activity_transitions as tr;
    let kickoff: String = ac::table
        .filter(ac::project_id.eq(project))
        .order(ac::position.asc())
        .select(ac::id)
        .first(conn)?;
    let items: Vec<(String, String)> = a::table
        .filter(a::category_id.eq(&kickoff))
        .select((a::id, a::responsible))
        .load(conn)?;
    for (i, (item, responsible)) in items.into_iter().enumerate() {
        let by = if responsible == "client" { client } else { csm };
        let at = start + Duration::days(14 + i as i64);
        diesel::update(a::table.find(&item))
            .set((
                a::state.eq(ActivityState::Done.as_str()),
                a::done_at.eq(at),
                a::done_by.eq(by),
                a::version.eq(2),
            ))
            .execute(conn)?;
        diesel::insert_into(tr::table)
            .values((
                tr::id.eq(new_id()),
                tr::activity_id.eq(&item),
                tr::actor_id.eq(by),
                tr::action.eq(ActivityAction::Complete.as_str()),
                tr::from_state.eq(ActivityState::Todo.as_str()),
                tr::to_state.eq(ActivityState::Done.as_str()),
                tr::created_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}
