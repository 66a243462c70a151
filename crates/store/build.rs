// `sqlx::migrate!` embeds the migration folders at compile time, but cargo does not know to
// rebuild when a migration is added: a release build kept the old set (seen with 0014).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
