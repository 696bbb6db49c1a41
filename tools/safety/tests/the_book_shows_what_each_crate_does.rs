//! The book's table is what the two crates do today: every scenario is
//! run again against both, and the outcome must be the table the book
//! includes, cell for cell.

#[rocket::async_test]
async fn the_book_shows_what_each_crate_does() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(safety::BOOK_TABLE);
    let recorded =
        std::fs::read_to_string(&path).expect("the book's table: run scripts/safety --record");
    let now = safety::table().await;
    assert!(
        now == recorded,
        "the crates no longer do what {} says (run scripts/safety --record, and read the change):\n--- the book\n{recorded}\n--- now\n{now}",
        path.display()
    );
}
