//! The table the book includes: a row per scenario, a column per crate and store.

use rocket::futures::future::join_all;

use crate::apps::{Crate, Store};
use crate::scenarios::{run, SCENARIOS};

/// The columns, left to right.
const COLUMNS: [(Crate, Store, &str); 4] = [
    (Crate::Kit, Store::Cookie, "this crate, sealed cookie"),
    (Crate::Kit, Store::Redis, "this crate, Redis"),
    (Crate::Flex, Store::Cookie, "rocket_flex_session 0.2.0, cookie"),
    (Crate::Flex, Store::Redis, "rocket_flex_session 0.2.0, Redis"),
];

/// Runs every scenario against every column, all at once (most of the
/// time is waiting), and writes the table.
pub async fn table() -> String {
    let cells: Vec<_> = SCENARIOS
        .iter()
        .flat_map(|&scenario| {
            COLUMNS.iter().map(move |&(which, store, _)| (scenario, which, store))
        })
        .collect();
    let outcomes = join_all(cells.iter().map(|&(scenario, which, store)| async move {
        if scenario.needs_a_store() && store == Store::Cookie {
            "no store".to_owned()
        } else {
            run(scenario, which, store).await
        }
    }))
    .await;
    let mut out = String::from("| scenario | what is done |");
    for (_, _, heading) in COLUMNS {
        out.push_str(&format!(" {heading} |"));
    }
    out.push_str("\n| --- | --- |");
    out.push_str(&" --- |".repeat(COLUMNS.len()));
    out.push('\n');
    for (row, scenario) in SCENARIOS.iter().enumerate() {
        out.push_str(&format!("| **{}** | {} |", scenario.title(), scenario.steps()));
        for column in 0..COLUMNS.len() {
            out.push_str(&format!(" {} |", outcomes[row * COLUMNS.len() + column]));
        }
        out.push('\n');
    }
    out
}
