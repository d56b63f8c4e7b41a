//! The committed contract and the schema: `openapi.yaml` equals what the code generates, and
//! both database backends end up with the same tables, columns and indexes.

mod common;

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::{PgConnection, SqliteConnection};

#[test]
fn openapi_yaml_matches_the_code() {
    let generated = api::openapi::yaml_text().expect("generate");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
    let committed = std::fs::read_to_string(path).expect("read openapi.yaml");
    assert!(
        committed == generated,
        "openapi.yaml is out of date: run `cargo run -p api -- openapi > openapi.yaml`"
    );
}

#[test]
fn every_operation_has_an_id_summary_tag_and_error_answers() {
    let doc = serde_json::to_value(api::openapi::document()).expect("json");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let name = format!("{method} {path}");
            assert!(
                op["operationId"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: operationId"
            );
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: summary"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name}: tags"
            );
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.contains_key("500"), "{name}: 500");
            if op.get("security").is_some() {
                assert!(responses.contains_key("401"), "{name}: 401");
            }
        }
    }
}

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// table → (sorted columns, sorted index names)
type Shape = BTreeMap<String, (Vec<String>, Vec<String>)>;

fn sqlite_shape(url: &str) -> Shape {
    let mut conn = SqliteConnection::establish(api::db::sqlite_path(url)).expect("sqlite");
    let tables: Vec<Name> = diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '__diesel_schema_migrations'").load(&mut conn).expect("tables");
    tables
        .into_iter()
        .map(|t| {
            let mut cols: Vec<String> =
                diesel::sql_query(format!("SELECT name FROM pragma_table_info('{}')", t.name))
                    .load::<Name>(&mut conn)
                    .expect("cols")
                    .into_iter()
                    .map(|n| n.name)
                    .collect();
            let mut idx: Vec<String> = diesel::sql_query(format!(
                "SELECT name FROM pragma_index_list('{}') WHERE origin = 'c'",
                t.name
            ))
            .load::<Name>(&mut conn)
            .expect("idx")
            .into_iter()
            .map(|n| n.name)
            .collect();
            cols.sort();
            idx.sort();
            (t.name, (cols, idx))
        })
        .collect()
}

fn postgres_shape(url: &str) -> Shape {
    let mut conn = PgConnection::establish(url).expect("postgres");
    let tables: Vec<Name> = diesel::sql_query("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name != '__diesel_schema_migrations'").load(&mut conn).expect("tables");
    tables
        .into_iter()
        .map(|t| {
            let mut cols: Vec<String> = diesel::sql_query(format!("SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{}'", t.name)).load::<Name>(&mut conn).expect("cols").into_iter().map(|n| n.name).collect();
            // Explicitly created indexes (primary keys are compared through the columns).
            let mut idx: Vec<String> = diesel::sql_query(format!("SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' AND tablename = '{}' AND indexname NOT LIKE '%_pkey'", t.name)).load::<Name>(&mut conn).expect("idx").into_iter().map(|n| n.name).collect();
            cols.sort();
            idx.sort();
            (t.name, (cols, idx))
        })
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_yield_the_same_schema() {
    let sqlite = common::TestDb::of("sqlite");
    let postgres = common::TestDb::of("postgres");
    for db in [&sqlite, &postgres] {
        api::db::Db::connect(&db.url, 1)
            .expect("connect")
            .migrate()
            .expect("migrate");
    }
    let mut a = sqlite_shape(&sqlite.url);
    let mut b = postgres_shape(&postgres.url);
    // Full-text search is engine-specific by design: FTS5's shadow tables on SQLite, GIN
    // indexes on PostgreSQL. The columns of `ticket_search` must still agree, but for
    // SQLite's `scope` (words FTS5 narrows a client's search by; PostgreSQL uses the
    // organisation's index instead, see desk::search).
    a.retain(|name, _| !name.starts_with("ticket_search_"));
    if let Some((cols, _)) = a.get_mut("ticket_search") {
        cols.retain(|c| c != "scope");
    }
    // And for PostgreSQL's `active` (its work queues read the rows of active tickets by an
    // index of their own; SQLite bounds them by rowid).
    if let Some((cols, _)) = b.get_mut("ticket_search") {
        cols.retain(|c| c != "active");
    }
    for shape in [&mut a, &mut b] {
        if let Some((_, idx)) = shape.get_mut("ticket_search") {
            idx.clear();
        }
    }
    assert!(a.len() >= 11, "tables: {:?}", a.keys());
    assert_eq!(a, b);
}
