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
        ticket_capacity -> Integer,
        last_assigned_at -> Nullable<Timestamp>,
        open_tickets -> Integer,
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
        assignment_strategy -> Text,
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
    rotated_refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        expires_at -> Timestamp,
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
        user_id -> Nullable<Text>,
        kind -> Text,
        payload -> Text,
        created_at -> Timestamp,
        department_id -> Nullable<Text>,
    }
}

diesel::table! {
    event_outbox (id) {
        id -> BigInt,
        user_id -> Nullable<Text>,
        kind -> Text,
        payload -> Text,
        created_at -> Timestamp,
        department_id -> Nullable<Text>,
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

diesel::table! {
    project_templates (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        body -> Text,
        builtin -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    projects (id) {
        id -> Text,
        organization_id -> Text,
        name -> Text,
        kickoff_date -> Date,
        template_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    activity_categories (id) {
        id -> Text,
        project_id -> Text,
        name -> Text,
        position -> Integer,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        project_id -> Text,
        category_id -> Text,
        position -> Integer,
        title -> Text,
        description -> Nullable<Text>,
        responsible -> Text,
        state -> Text,
        due_date -> Nullable<Date>,
        review_date -> Nullable<Date>,
        links -> Text,
        done_at -> Nullable<Timestamp>,
        done_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    activity_transitions (id) {
        id -> Text,
        activity_id -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        from_state -> Text,
        to_state -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        title -> Text,
        body -> Text,
        project_id -> Nullable<Text>,
        link -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        email_state -> Nullable<Text>,
    }
}

diesel::table! {
    notification_preferences (user_id, kind) {
        user_id -> Text,
        kind -> Text,
        channel -> Text,
    }
}

diesel::table! {
    user_presence (user_id) {
        user_id -> Text,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    reminders_sent (reminder_key) {
        reminder_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        project_id -> Text,
        title -> Text,
        kind -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        time_zone -> Text,
        location -> Nullable<Text>,
        video_url -> Nullable<Text>,
        description -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    appointment_attendees (appointment_id, user_id) {
        appointment_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    calendar_feeds (user_id) {
        user_id -> Text,
        token -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    chat_messages (id) {
        id -> Text,
        project_id -> Text,
        author_id -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    chat_reads (project_id, user_id) {
        project_id -> Text,
        user_id -> Text,
        last_read_id -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    board_posts (id) {
        id -> Text,
        project_id -> Text,
        author_id -> Nullable<Text>,
        body -> Text,
        body_html -> Text,
        pinned -> Bool,
        pinned_at -> Nullable<Timestamp>,
        edited_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    board_comments (id) {
        id -> Text,
        post_id -> Text,
        author_id -> Nullable<Text>,
        body -> Text,
        body_html -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    products (id) {
        id -> Text,
        name -> Text,
        urgency -> Text,
        skill -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    cluster_routes (cluster) {
        cluster -> Text,
        department_id -> Text,
        required_skill -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    business_calendars (id) {
        id -> Text,
        name -> Text,
        time_zone -> Text,
        week -> Text,
        holidays -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    sla_policies (id) {
        id -> Text,
        name -> Text,
        priority -> Nullable<Text>,
        plan -> Nullable<Text>,
        first_response_minutes -> Integer,
        resolution_minutes -> Nullable<Integer>,
        calendar_id -> Nullable<Text>,
        notify_on_breach -> Bool,
        raise_priority_on_breach -> Bool,
        reassign_on_breach -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    tickets (id) {
        id -> Text,
        number -> BigInt,
        subject -> Text,
        requester_id -> Nullable<Text>,
        requester_name -> Text,
        requester_email -> Text,
        organization_id -> Text,
        product_id -> Nullable<Text>,
        cluster -> Text,
        channel -> Text,
        priority -> Text,
        priority_rank -> Integer,
        priority_reason -> Text,
        department_id -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        status -> Text,
        active -> Bool,
        sla_policy_id -> Nullable<Text>,
        first_response_warn_at -> Nullable<Timestamp>,
        first_response_due_at -> Nullable<Timestamp>,
        first_responded_at -> Nullable<Timestamp>,
        first_response_breached -> Bool,
        resolution_warn_at -> Nullable<Timestamp>,
        resolution_due_at -> Nullable<Timestamp>,
        resolution_breached -> Bool,
        sla_warned -> Bool,
        sla_paused_at -> Nullable<Timestamp>,
        next_due_at -> Nullable<Timestamp>,
        sla_next_check_at -> Nullable<Timestamp>,
        purchase_date -> Nullable<Date>,
        created_by -> Nullable<Text>,
        email_thread_id -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    ticket_tags (ticket_id, tag) {
        ticket_id -> Text,
        tag -> Text,
    }
}

diesel::table! {
    ticket_ratings (ticket_id) {
        ticket_id -> Text,
        organization_id -> Text,
        token_hash -> Text,
        requested_at -> Timestamp,
        score -> Nullable<Integer>,
        comment -> Nullable<Text>,
        channel -> Nullable<Text>,
        rated_by -> Nullable<Text>,
        rated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ticket_messages (id) {
        id -> Text,
        ticket_id -> Text,
        author_id -> Nullable<Text>,
        author_name -> Text,
        kind -> Text,
        channel -> Text,
        body -> Text,
        created_at -> Timestamp,
        by_desk -> Bool,
    }
}

diesel::table! {
    canned_replies (id) {
        id -> Text,
        department_id -> Nullable<Text>,
        title -> Text,
        body -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    automation_rules (id) {
        id -> Text,
        name -> Text,
        position -> Integer,
        enabled -> Bool,
        conditions -> Text,
        actions -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    ticket_attachments (id) {
        id -> Text,
        ticket_id -> Text,
        message_id -> Nullable<Text>,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        data -> Binary,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_history (id) {
        id -> Text,
        ticket_id -> Text,
        actor_id -> Nullable<Text>,
        kind -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    handoffs (id) {
        id -> Text,
        kind -> Text,
        organization_id -> Text,
        project_id -> Nullable<Text>,
        ticket_id -> Nullable<Text>,
        product_id -> Nullable<Text>,
        cluster -> Nullable<Text>,
        owner_id -> Text,
        created_by -> Nullable<Text>,
        title -> Text,
        summary -> Text,
        status -> Text,
        due_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    handoff_tickets (handoff_id, ticket_id) {
        handoff_id -> Text,
        ticket_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refund_requests (id) {
        id -> Text,
        ticket_id -> Text,
        organization_id -> Text,
        kind -> Text,
        reference_date -> Nullable<Date>,
        window_days -> Integer,
        window_ends -> Nullable<Date>,
        approver_role -> Text,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(user_skills -> users (user_id));
diesel::joinable!(department_members -> departments (department_id));
diesel::joinable!(department_members -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(rotated_refresh_tokens -> sessions (session_id));
diesel::joinable!(invitations -> organizations (organization_id));
diesel::joinable!(events -> users (user_id));
diesel::joinable!(projects -> organizations (organization_id));
diesel::joinable!(activity_categories -> projects (project_id));
diesel::joinable!(activities -> projects (project_id));
diesel::joinable!(activities -> activity_categories (category_id));
diesel::joinable!(activity_transitions -> activities (activity_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(appointments -> projects (project_id));
diesel::joinable!(appointment_attendees -> appointments (appointment_id));
diesel::joinable!(chat_messages -> projects (project_id));
diesel::joinable!(board_posts -> projects (project_id));
diesel::joinable!(board_comments -> board_posts (post_id));
diesel::joinable!(tickets -> organizations (organization_id));
diesel::joinable!(cluster_routes -> departments (department_id));
diesel::joinable!(ticket_tags -> tickets (ticket_id));
diesel::joinable!(ticket_ratings -> tickets (ticket_id));
diesel::joinable!(ticket_messages -> tickets (ticket_id));
diesel::joinable!(ticket_attachments -> tickets (ticket_id));
diesel::joinable!(ticket_history -> tickets (ticket_id));
diesel::joinable!(handoff_tickets -> handoffs (handoff_id));
diesel::joinable!(refund_requests -> tickets (ticket_id));
diesel::joinable!(canned_replies -> departments (department_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    users,
    user_skills,
    departments,
    department_members,
    sessions,
    rotated_refresh_tokens,
    invitations,
    idempotency_keys,
    events,
    event_outbox,
    jobs,
    settings,
    project_templates,
    projects,
    activity_categories,
    activities,
    activity_transitions,
    notifications,
    notification_preferences,
    user_presence,
    reminders_sent,
    appointments,
    appointment_attendees,
    calendar_feeds,
    chat_messages,
    chat_reads,
    board_posts,
    board_comments,
    products,
    cluster_routes,
    business_calendars,
    sla_policies,
    tickets,
    ticket_tags,
    ticket_ratings,
    ticket_messages,
    ticket_attachments,
    ticket_history,
    canned_replies,
    automation_rules,
    handoffs,
    handoff_tickets,
    refund_requests,
);
