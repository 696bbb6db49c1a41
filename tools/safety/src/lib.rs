//! Where the peers are not safe, shown: the same scenarios (a cookie
//! replayed after the idle limit, a session kept busy past an absolute
//! limit, the id at sign-in, two changes at once, the store down or
//! hanging) run against this project's crate and against
//! rocket_flex_session, each in a small app written the way its
//! documentation shows. The outcome is a table: `scripts/safety --record`
//! writes it to the book (`book/src/generated/safety.md`, included by
//! "Choosing a session crate"), and this package's test fails when what
//! the crates do no longer matches it.

mod apps;
mod browser;
mod proxy;
mod scenarios;
mod table;

pub use table::table;

/// Where the book keeps the table, from this package's folder.
pub const BOOK_TABLE: &str = "../../book/src/generated/safety.md";
