//! The migrations: up, down and up again; and an index behind every foreign key.

use crate::helpers::TestDatabase;

const SCHEMA: &str = "\
    SELECT 'column', table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') \
      FROM information_schema.columns WHERE table_schema = 'public' \
    UNION ALL SELECT 'constraint', conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
    UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public' \
    UNION ALL SELECT 'trigger', tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal \
    UNION ALL SELECT 'function', proname || ' ' || md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace \
    ORDER BY 1, 2";

#[test]
fn every_migration_runs_up_down_and_up_again_to_the_same_schema() {
    let db = TestDatabase::empty();
    let applied = alliance_kb::db::migrate(&db.url).unwrap();
    assert_eq!(applied.len(), alliance_kb::db::migration_count());
    let first = db.query(SCHEMA);
    assert!(first.len() > 50, "the schema is there");
    let reverted = alliance_kb::db::revert_all(&db.url).unwrap();
    assert_eq!(reverted, applied.len());
    let left = db.query(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    );
    assert_eq!(
        left[0][0].as_deref(),
        Some("0"),
        "down.sql removes everything up.sql made"
    );
    let functions = db.query("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace");
    assert_eq!(functions[0][0].as_deref(), Some("0"));
    alliance_kb::db::migrate(&db.url).unwrap();
    assert_eq!(db.query(SCHEMA), first, "up, down and up again gives the same schema");
    assert!(
        alliance_kb::db::migrate(&db.url).unwrap().is_empty(),
        "migrating a migrated database does nothing"
    );
}

#[test]
fn every_foreign_key_has_an_index() {
    let db = TestDatabase::empty();
    alliance_kb::db::migrate(&db.url).unwrap();
    let missing = db.query(
        "SELECT c.conrelid::regclass || '(' || array_to_string(c.conkey, ',') || ')' \
           FROM pg_constraint c \
          WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace \
            AND NOT EXISTS ( \
                SELECT 1 FROM pg_index i \
                 WHERE i.indrelid = c.conrelid \
                   AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey)",
    );
    assert!(missing.is_empty(), "foreign keys without an index: {missing:?}");
    let nations = db.query("SELECT count(*) FROM nations");
    assert_eq!(nations[0][0].as_deref(), Some("249"), "every ISO 3166-1 entry");
}

#[test]
fn the_schema_module_is_what_diesel_print_schema_would_write() {
    // src/schema.rs is generated; this checks that every table of the migrated database is in it.
    let db = TestDatabase::empty();
    alliance_kb::db::migrate(&db.url).unwrap();
    let schema = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema.rs")).unwrap();
    assert!(schema.starts_with("// @generated automatically by Diesel CLI."));
    for row in db.query(
        "SELECT table_name, column_name FROM information_schema.columns \
          WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' ORDER BY 1, ordinal_position",
    ) {
        let (table, column) = (row[0].clone().unwrap(), row[1].clone().unwrap());
        assert!(
            schema.contains(&format!("    {table} (")),
            "table {table} is missing from src/schema.rs"
        );
        assert!(
            schema.contains(&format!("        {column} -> ")),
            "column {table}.{column} is missing from src/schema.rs"
        );
    }
}

#[test]
fn two_instances_migrating_one_database_at_once_both_succeed() {
    let db = TestDatabase::empty();
    let (a, b) = (db.url.clone(), db.url.clone());
    let first = std::thread::spawn(move || alliance_kb::db::migrate(&a));
    let second = std::thread::spawn(move || alliance_kb::db::migrate(&b));
    let (first, second) = (first.join().unwrap().unwrap(), second.join().unwrap().unwrap());
    // The advisory lock lets one apply everything while the other waits, then finds nothing to do.
    assert_eq!(
        first.len() + second.len(),
        alliance_kb::db::migration_count(),
        "{first:?} {second:?}"
    );
    let applied = db.query("SELECT count(*) FROM __diesel_schema_migrations");
    assert_eq!(
        applied[0][0].as_deref(),
        Some(alliance_kb::db::migration_count().to_string().as_str())
    );
}
