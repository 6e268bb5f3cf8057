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

/// The values each CHECK list of the schema allows, by `table.column`.
fn check_lists(db: &TestDatabase) -> std::collections::BTreeMap<String, Vec<String>> {
    let rows = db.query(
        "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint \
          WHERE contype = 'c' AND connamespace = 'public'::regnamespace AND pg_get_constraintdef(oid) LIKE '%= ANY (ARRAY[%'",
    );
    let mut lists = std::collections::BTreeMap::new();
    for row in rows {
        let (table, definition) = (row[0].clone().unwrap(), row[1].clone().unwrap());
        // CHECK ((kind = ANY (ARRAY['a'::text, 'b'::text])))
        let column = definition
            .trim_start_matches("CHECK ((")
            .split(" = ANY")
            .next()
            .unwrap()
            .to_owned();
        let inside = definition.split("ARRAY[").nth(1).unwrap().split(']').next().unwrap();
        let values = inside
            .split(", ")
            .map(|v| v.trim_end_matches("::text").trim_matches('\'').to_owned())
            .collect();
        lists.insert(format!("{table}.{column}"), values);
    }
    lists
}

#[test]
fn every_vocabulary_is_the_databases_check_list() {
    use alliance_kb::vocab::*;
    fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<String> {
        all.iter().map(|v| name(*v).to_owned()).collect()
    }
    let db = TestDatabase::seeded();
    let mut lists = check_lists(&db);
    let vocabularies: Vec<(&str, Vec<String>)> = vec![
        ("commitments.kind", names(CommitmentKind::ALL, CommitmentKind::as_str)),
        (
            "commitments.status",
            names(CommitmentStatus::ALL, CommitmentStatus::as_str),
        ),
        (
            "commitment_status_changes.status",
            names(CommitmentStatus::ALL, CommitmentStatus::as_str),
        ),
        (
            "commitment_status_changes.modality",
            names(Modality::ALL, Modality::as_str),
        ),
        ("commitments.status_modality", names(Modality::ALL, Modality::as_str)),
        ("commitments.role", names(ForceRole::ALL, ForceRole::as_str)),
        ("statements.stance", names(Stance::ALL, Stance::as_str)),
        ("sources.reliability", names(Reliability::ALL, Reliability::as_str)),
        ("sources.kind", names(SourceKind::ALL, SourceKind::as_str)),
        ("events.kind", names(EventKind::ALL, EventKind::as_str)),
        ("claims.kind", names(ClaimKind::ALL, ClaimKind::as_str)),
        (
            "organizations.kind",
            names(OrganizationKind::ALL, OrganizationKind::as_str),
        ),
        ("api_keys.role", names(KeyRole::ALL, KeyRole::as_str)),
        (
            "revisions.entity",
            names(
                &alliance_kb::records::history::Entity::ALL,
                alliance_kb::records::history::Entity::name,
            ),
        ),
        (
            "revisions.action",
            names(
                &alliance_kb::records::history::Action::ALL,
                alliance_kb::records::history::Action::as_str,
            ),
        ),
    ];
    for (column, values) in vocabularies {
        let stored = lists
            .remove(column)
            .unwrap_or_else(|| panic!("{column} has no CHECK list in the schema"));
        let (mut stored_sorted, mut values_sorted) = (stored.clone(), values.clone());
        stored_sorted.sort();
        values_sorted.sort();
        assert_eq!(
            stored_sorted, values_sorted,
            "{column}: the database allows {stored:?}, the code names {values:?}"
        );
    }
    // Lists the code does not enumerate as a type: the fields a competing value may be recorded
    // for (checked where disputes are tested), the kinds of a nation's names (data of the
    // migrations), and the timeline's ranks (numbers).
    for internal in ["competing_values.field", "nation_names.kind", "timeline_entries.rank"] {
        lists.remove(internal);
    }
    assert!(
        lists.is_empty(),
        "CHECK lists no vocabulary of the code matches (add one above, or say why not): {lists:?}"
    );
}

#[test]
fn the_database_checks_every_entry_of_a_basis_and_each_entry_holds_exactly_its_keys() {
    let db = TestDatabase::empty();
    alliance_kb::db::migrate(&db.url).unwrap();
    let cases: &[(&str, bool)] = &[
        (r#"{}"#, true),
        (r#"{"announced_on": {"basis": "stated", "citation_id": 7}}"#, true),
        (
            r#"{"announced_on": {"basis": "inferred", "note": "framing", "inferred_by": "seed"}}"#,
            true,
        ),
        (
            r#"{"a": {"basis": "stated", "citation_id": 1}, "b": {"basis": "inferred", "note": "n", "inferred_by": "key:3"}}"#,
            true,
        ),
        // Not an object, or an entry that is not one.
        (r#"[]"#, false),
        (r#""stated""#, false),
        (r#"{"a": [{"basis": "stated", "citation_id": 1}]}"#, false),
        (r#"{"a": "stated"}"#, false),
        (r#"{"a": null}"#, false),
        // A second entry breaks the rule after a first that keeps it.
        (
            r#"{"a": {"basis": "stated", "citation_id": 1}, "b": {"basis": "stated", "citation_id": "1"}}"#,
            false,
        ),
        // Stated: a numeric citation, and nothing else.
        (r#"{"a": {"basis": "stated"}}"#, false),
        (r#"{"a": {"basis": "stated", "citation_id": null}}"#, false),
        (r#"{"a": {"basis": "stated", "citation_id": 1, "note": "n"}}"#, false),
        // Inferred: a note that is not blank, who inferred it, and nothing else.
        (r#"{"a": {"basis": "inferred", "inferred_by": "seed"}}"#, false),
        (
            r#"{"a": {"basis": "inferred", "note": "   ", "inferred_by": "seed"}}"#,
            false,
        ),
        (r#"{"a": {"basis": "inferred", "note": "n", "inferred_by": ""}}"#, false),
        (r#"{"a": {"basis": "inferred", "note": "n"}}"#, false),
        (
            r#"{"a": {"basis": "inferred", "note": "n", "inferred_by": "seed", "citation_id": 1}}"#,
            false,
        ),
        // Neither.
        (
            r#"{"a": {"basis": "guessed", "note": "n", "inferred_by": "seed"}}"#,
            false,
        ),
        (r#"{"a": {"basis": 1, "citation_id": 1}}"#, false),
        (r#"{"a": {}}"#, false),
    ];
    let sql: Vec<String> = cases
        .iter()
        .map(|(basis, _)| format!("SELECT basis_is_valid('{basis}'::jsonb)::text"))
        .collect();
    let answers = db.query(&sql.join(";"));
    for ((basis, valid), answer) in cases.iter().zip(&answers) {
        assert_eq!(
            answer[0].as_deref(),
            Some(if *valid { "true" } else { "false" }),
            "basis_is_valid({basis})"
        );
    }
    assert_eq!(answers.len(), cases.len());
}
