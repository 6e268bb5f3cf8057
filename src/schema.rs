// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    api_keys (id) {
        id -> Int8,
        name -> Text,
        role -> Text,
        secret_sha256 -> Text,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    changes (slot) {
        n -> Int8,
        slot -> Int2,
    }
}

diesel::table! {
    citations (id) {
        id -> Int8,
        source_id -> Int8,
        start_offset -> Int4,
        end_offset -> Int4,
        excerpt -> Text,
        commitment_id -> Nullable<Int8>,
        status_change_id -> Nullable<Int8>,
        statement_id -> Nullable<Int8>,
        event_id -> Nullable<Int8>,
        claim_id -> Nullable<Int8>,
        retracted_at -> Nullable<Timestamptz>,
        retraction_reason -> Nullable<Text>,
        competing_value_id -> Nullable<Int8>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    claims (id) {
        id -> Int8,
        kind -> Text,
        description -> Text,
        value -> Nullable<Float8>,
        unit -> Nullable<Text>,
        period -> Nullable<Text>,
        location -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
        reported_on -> Nullable<Date>,
        event_id -> Nullable<Int8>,
        retracted_at -> Nullable<Timestamptz>,
        retraction_reason -> Nullable<Text>,
        basis -> Jsonb,
        inferred -> Bool,
        search_vector -> Nullable<Tsvector>,
        disputed -> Bool,
    }
}

diesel::table! {
    commitment_status_changes (id) {
        id -> Int8,
        commitment_id -> Int8,
        status -> Text,
        changed_on -> Nullable<Date>,
        note -> Nullable<Text>,
        recorded_at -> Timestamptz,
        basis -> Jsonb,
        inferred -> Bool,
        modality -> Text,
    }
}

diesel::table! {
    commitment_tallies (event_id, nation_code, kind, status) {
        event_id -> Int8,
        nation_code -> Text,
        kind -> Text,
        status -> Text,
        n -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    commitments (id) {
        id -> Int8,
        nation_code -> Text,
        kind -> Text,
        status -> Text,
        summary -> Text,
        quantity_min -> Nullable<Float8>,
        quantity_max -> Nullable<Float8>,
        quantity_unit -> Nullable<Text>,
        quantity_text -> Nullable<Text>,
        role -> Text,
        conditions -> Nullable<Text>,
        announced_on -> Nullable<Date>,
        announced_by -> Nullable<Int8>,
        event_id -> Nullable<Int8>,
        retracted_at -> Nullable<Timestamptz>,
        retraction_reason -> Nullable<Text>,
        basis -> Jsonb,
        inferred -> Bool,
        search_vector -> Nullable<Tsvector>,
        steps_inferred -> Bool,
        disputed -> Bool,
        status_modality -> Text,
        status_changed_on -> Nullable<Date>,
        cell_rank -> Int8,
        status_changed_on_basis -> Nullable<Jsonb>,
        citation_ids -> Array<Int8>,
    }
}

diesel::table! {
    competing_values (id) {
        id -> Int8,
        commitment_id -> Nullable<Int8>,
        statement_id -> Nullable<Int8>,
        event_id -> Nullable<Int8>,
        claim_id -> Nullable<Int8>,
        field -> Text,
        value -> Jsonb,
        note -> Nullable<Text>,
        recorded_at -> Timestamptz,
        retracted_at -> Nullable<Timestamptz>,
        retraction_reason -> Nullable<Text>,
    }
}

diesel::table! {
    event_participants (event_id, nation_code) {
        event_id -> Int8,
        nation_code -> Text,
        role -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    events (id) {
        id -> Int8,
        kind -> Text,
        title -> Text,
        occurred_on -> Nullable<Date>,
        location -> Nullable<Text>,
        attendance -> Nullable<Text>,
        description -> Nullable<Text>,
        retracted_at -> Nullable<Timestamptz>,
        retraction_reason -> Nullable<Text>,
        basis -> Jsonb,
        inferred -> Bool,
        search_vector -> Nullable<Tsvector>,
        disputed -> Bool,
    }
}

diesel::table! {
    idempotency_keys (key_id, idempotency_key) {
        key_id -> Int8,
        idempotency_key -> Text,
        request_sha256 -> Text,
        status -> Int4,
        response -> Text,
        created_at -> Timestamptz,
        location -> Nullable<Text>,
        version -> Nullable<Int4>,
    }
}

diesel::table! {
    kb_meta (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    memberships (organization_id, nation_code) {
        organization_id -> Int8,
        nation_code -> Text,
        joined_on -> Nullable<Date>,
        left_on -> Nullable<Date>,
    }
}

diesel::table! {
    nation_names (nation_code, name) {
        nation_code -> Text,
        name -> Text,
        kind -> Text,
    }
}

diesel::table! {
    nations (code) {
        code -> Text,
        alpha3 -> Text,
        numeric_code -> Text,
        name -> Text,
        common_name -> Nullable<Text>,
        official_name -> Nullable<Text>,
    }
}

diesel::table! {
    organizations (id) {
        id -> Int8,
        name -> Text,
        abbreviation -> Nullable<Text>,
        kind -> Text,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    people (id) {
        id -> Int8,
        name -> Text,
        role -> Nullable<Text>,
        nation_code -> Nullable<Text>,
        retracted_at -> Nullable<Timestamptz>,
        retraction_reason -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    revisions (id) {
        id -> Int8,
        entity -> Text,
        record_id -> Int8,
        version -> Int4,
        action -> Text,
        changed_at -> Timestamptz,
        key_id -> Nullable<Int8>,
        before -> Nullable<Json>,
        after -> Json,
        valid_until -> Nullable<Timestamptz>,
        search_vector -> Nullable<Tsvector>,
        nation -> Nullable<Text>,
        retraction -> Nullable<Text>,
    }
}

diesel::table! {
    seed_records (key) {
        key -> Text,
        entity -> Text,
        record_id -> Int8,
        loaded_at -> Timestamptz,
    }
}

diesel::table! {
    source_tallies (nation_code, source_id) {
        nation_code -> Text,
        source_id -> Int8,
        n -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    sources (id) {
        id -> Int8,
        kind -> Text,
        title -> Text,
        publisher -> Nullable<Text>,
        url -> Nullable<Text>,
        published_on -> Nullable<Date>,
        retrieved_at -> Timestamptz,
        text -> Text,
        sha256 -> Text,
        reliability -> Text,
        reliability_note -> Nullable<Text>,
        retracted_at -> Nullable<Timestamptz>,
        retraction_reason -> Nullable<Text>,
        search_vector -> Nullable<Tsvector>,
    }
}

diesel::table! {
    statement_tallies (nation_code) {
        nation_code -> Text,
        n -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    statements (id) {
        id -> Int8,
        speaker_id -> Nullable<Int8>,
        attribution -> Nullable<Text>,
        nation_code -> Nullable<Text>,
        event_id -> Nullable<Int8>,
        quote -> Nullable<Text>,
        summary -> Text,
        said_on -> Nullable<Date>,
        stance -> Text,
        retracted_at -> Nullable<Timestamptz>,
        retraction_reason -> Nullable<Text>,
        basis -> Jsonb,
        inferred -> Bool,
        search_vector -> Nullable<Tsvector>,
        disputed -> Bool,
    }
}

diesel::table! {
    tally_deltas (id) {
        id -> Int8,
        txid -> Int8,
        tally -> Int2,
        event_id -> Nullable<Int8>,
        nation_code -> Text,
        kind -> Nullable<Text>,
        status -> Nullable<Text>,
        source_id -> Nullable<Int8>,
        delta -> Int8,
    }
}

diesel::table! {
    timeline_entries (id) {
        id -> Int8,
        scope -> Text,
        sort_date -> Date,
        rank -> Int2,
        record_id -> Int8,
        link_basis -> Nullable<Jsonb>,
        visible -> Bool,
    }
}

diesel::joinable!(citations -> claims (claim_id));
diesel::joinable!(citations -> commitment_status_changes (status_change_id));
diesel::joinable!(citations -> commitments (commitment_id));
diesel::joinable!(citations -> competing_values (competing_value_id));
diesel::joinable!(citations -> events (event_id));
diesel::joinable!(citations -> sources (source_id));
diesel::joinable!(citations -> statements (statement_id));
diesel::joinable!(claims -> events (event_id));
diesel::joinable!(claims -> nations (claimed_by));
diesel::joinable!(commitment_status_changes -> commitments (commitment_id));
diesel::joinable!(commitments -> events (event_id));
diesel::joinable!(commitments -> nations (nation_code));
diesel::joinable!(commitments -> people (announced_by));
diesel::joinable!(competing_values -> claims (claim_id));
diesel::joinable!(competing_values -> commitments (commitment_id));
diesel::joinable!(competing_values -> events (event_id));
diesel::joinable!(competing_values -> statements (statement_id));
diesel::joinable!(event_participants -> events (event_id));
diesel::joinable!(event_participants -> nations (nation_code));
diesel::joinable!(idempotency_keys -> api_keys (key_id));
diesel::joinable!(memberships -> nations (nation_code));
diesel::joinable!(memberships -> organizations (organization_id));
diesel::joinable!(nation_names -> nations (nation_code));
diesel::joinable!(people -> nations (nation_code));
diesel::joinable!(revisions -> api_keys (key_id));
diesel::joinable!(statements -> events (event_id));
diesel::joinable!(statements -> nations (nation_code));
diesel::joinable!(statements -> people (speaker_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    changes,
    citations,
    claims,
    commitment_status_changes,
    commitment_tallies,
    commitments,
    competing_values,
    event_participants,
    events,
    idempotency_keys,
    kb_meta,
    memberships,
    nation_names,
    nations,
    organizations,
    people,
    revisions,
    seed_records,
    source_tallies,
    sources,
    statement_tallies,
    statements,
    tally_deltas,
    timeline_entries,
);
