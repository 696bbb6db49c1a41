//! Prints the table of what each crate does in each scenario; with
//! `--record`, writes it to the book. Needs a Redis
//! (`SESSIONS_TEST_REDIS_URL`): run it through `scripts/safety`.

#[rocket::main]
async fn main() {
    let record = std::env::args().any(|arg| arg == "--record");
    let table = safety::table().await;
    print!("{table}");
    if record {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(safety::BOOK_TABLE);
        std::fs::write(&path, &table).expect("write the book's table");
        eprintln!("wrote {}", path.display());
    }
}
