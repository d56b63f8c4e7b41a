// Written to match migrations/{sqlite,postgres}; only types common to both backends.

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        plan -> Nullable<Text>,
        contract_start -> Nullable<Date>,
        industry -> Nullable<Text>,
        yearly_spend -> Nullable<BigInt>,
        size -> Nullable<Integer>,
        growth_potential -> Nullable<Text>,
        segment -> Nullable<Text>,
        touch_model -> Text,
        lifecycle_stage -> Text,
        csm_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organization_id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        availability -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    user_skills (user_id, skill) {
        user_id -> Text,
        skill -> Text,
    }
}

diesel::table! {
    departments (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    department_members (department_id, user_id) {
        department_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        organization_id -> Text,
        token_hash -> Text,
        invited_by -> Text,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    events (seq) {
        seq -> BigInt,
        user_id -> Text,
        kind -> Text,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        max_attempts -> Integer,
        run_at -> Timestamp,
        last_error -> Nullable<Text>,
        locked_by -> Nullable<Text>,
        locked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(user_skills -> users (user_id));
diesel::joinable!(department_members -> departments (department_id));
diesel::joinable!(department_members -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(invitations -> organizations (organization_id));
diesel::joinable!(events -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    users,
    user_skills,
    departments,
    department_members,
    sessions,
    invitations,
    idempotency_keys,
    events,
    jobs,
    settings,
);
