//! A large backlog of reminders (say, the first sweep over imported data) is sent in short
//! transactions of at most `MAX_PER_SWEEP`, never in one long one.

mod common;

use api::db::schema::{activities as a, projects as p};
use api::reminders::{MAX_PER_SWEEP, sweep};
use diesel::prelude::*;

use common::spawn_app;

#[tokio::test]
async fn a_backlog_is_swept_in_bounded_batches() {
    let app = spawn_app().await;
    app.load_demo().await;
    // 520 overdue client items in one project.
    let made = app
        .state
        .db
        .tx(|conn| {
            let (project, category): (String, String) = p::table
                .inner_join(api::db::schema::activity_categories::table)
                .select((p::id, api::db::schema::activity_categories::id))
                .first(conn)?;
            let at = api::db::now();
            let due = at.date() - chrono::Duration::days(3);
            for i in 0..520 {
                diesel::insert_into(a::table)
                    .values((
                        a::id.eq(api::db::new_id()),
                        a::project_id.eq(&project),
                        a::category_id.eq(&category),
                        a::position.eq(100 + i),
                        a::title.eq(format!("Backlog {i}")),
                        a::responsible.eq("client"),
                        a::state.eq("todo"),
                        a::due_date.eq(Some(due)),
                        a::links.eq("[]"),
                        a::created_at.eq(at),
                        a::updated_at.eq(at),
                        a::version.eq(1),
                    ))
                    .execute(conn)?;
            }
            Ok(520usize)
        })
        .await
        .expect("insert");
    assert_eq!(made, 520);
    let config = app.state.config.clone();
    let mut totals = Vec::new();
    loop {
        let config = config.clone();
        let swept = app
            .state
            .db
            .tx(move |conn| sweep(conn, &config, api::db::now()))
            .await
            .expect("sweep");
        totals.push(swept.total());
        if swept.total() < MAX_PER_SWEEP {
            break;
        }
    }
    assert!(totals.len() >= 2, "{totals:?}");
    assert!(totals.iter().all(|t| *t <= MAX_PER_SWEEP), "{totals:?}");
    assert!(totals.iter().sum::<usize>() >= 520, "{totals:?}");
    // Everything was sent once: a further sweep finds nothing new.
    let again = app
        .state
        .db
        .tx(move |conn| sweep(conn, &config, api::db::now()))
        .await
        .expect("sweep");
    assert_eq!(again.total(), 0);
}
