-- Events: every change a tenant can observe, numbered per tenant in commit order, and the webhook
-- subscriptions, deliveries and attempts that carry them out; plus pull consumers' positions.

-- Events are written with the change they describe (no lock, no waiting), then numbered per tenant by
-- sequence_events, one batch per transaction. Numbering is what readers see: a batch commits all its
-- numbers at once, in order, so a reader that has seen N never later finds a committed N-1 it skipped,
-- and a busy tenant's writers never queue behind one counter row.
CREATE TABLE event_sequences (
    tenant_id text   NOT NULL PRIMARY KEY,
    last_seq  bigint NOT NULL
);

CREATE TABLE events (
    -- Write order, the order in which events are numbered.
    position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   text        NOT NULL,
    -- NULL until numbered; then 1, 2, 3, … per tenant.
    seq         bigint,
    id          text        NOT NULL,
    type        text        NOT NULL,
    session_id  text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    data        json        NOT NULL
);

CREATE UNIQUE INDEX events_by_seq ON events (tenant_id, seq);
CREATE UNIQUE INDEX events_by_id ON events (tenant_id, id);
CREATE INDEX events_unnumbered ON events (tenant_id, position) WHERE seq IS NULL;
CREATE INDEX events_by_age ON events (occurred_at);

CREATE TABLE webhook_subscriptions (
    tenant_id       text        NOT NULL,
    id              text        NOT NULL,
    url             text        NOT NULL,
    description     text,
    -- NULL means every session / every event type.
    session_ids     text[],
    event_types     text[],
    -- Signing secrets, encrypted. The previous one stays valid until previous_expires_at after a rotation.
    secret          bytea       NOT NULL,
    previous_secret bytea,
    previous_expires_at timestamptz,
    status          text        NOT NULL CHECK (status IN ('active', 'disabled')),
    disabled_reason text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX webhook_subscriptions_active ON webhook_subscriptions (tenant_id) WHERE status = 'active';

-- One row per (subscription, event): the outbox a subscription's grain works through.
CREATE TABLE webhook_deliveries (
    tenant_id        text        NOT NULL,
    subscription_id  text        NOT NULL,
    seq              bigint      NOT NULL,
    session_id       text        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    -- When the retry period started (fan-out or replay); after it the delivery is dead-lettered.
    retry_from       timestamptz NOT NULL,
    delivered_at     timestamptz,
    last_status_code integer,
    last_error       text,
    event_position   bigint      NOT NULL REFERENCES events (position) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, subscription_id, seq),
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES webhook_subscriptions (tenant_id, id) ON DELETE CASCADE
);

-- A session's oldest pending delivery is the only one that may go out (per-session order).
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (tenant_id, subscription_id, session_id, seq) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_position);

CREATE TABLE webhook_attempts (
    tenant_id       text        NOT NULL,
    subscription_id text        NOT NULL,
    seq             bigint      NOT NULL,
    attempt         integer     NOT NULL,
    attempted_at    timestamptz NOT NULL,
    status_code     integer,
    latency_ms      integer     NOT NULL,
    error           text,
    PRIMARY KEY (tenant_id, subscription_id, seq, attempt),
    FOREIGN KEY (tenant_id, subscription_id, seq) REFERENCES webhook_deliveries (tenant_id, subscription_id, seq) ON DELETE CASCADE
);

-- Pull consumers: the last sequence number each has acknowledged.
CREATE TABLE event_consumers (
    tenant_id  text        NOT NULL,
    name       text        NOT NULL,
    acked_seq  bigint      NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- Appends one event inside the caller's statement, so the change it describes and the event commit
-- together or not at all. Returns its position.
CREATE FUNCTION append_event(p_tenant text, p_type text, p_session text, p_at timestamptz, p_data json)
RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO events (tenant_id, id, type, session_id, occurred_at, data)
    VALUES (p_tenant, 'evt_' || replace(gen_random_uuid()::text, '-', ''), p_type, p_session, p_at, p_data)
    RETURNING position
$$;

-- Numbers up to p_limit of a tenant's unnumbered events in write order and fans them out to the tenant's
-- matching active webhook subscriptions. The counter row lock makes concurrent callers take turns.
-- Returns how many it numbered and which subscriptions got deliveries.
CREATE FUNCTION sequence_events(p_tenant text, p_limit integer)
RETURNS TABLE (numbered integer, subscriptions text[])
LANGUAGE plpgsql AS $$
DECLARE
    v_last  bigint;
    v_count integer;
    v_subs  text[];
BEGIN
    INSERT INTO event_sequences (tenant_id, last_seq) VALUES (p_tenant, 0) ON CONFLICT (tenant_id) DO NOTHING;
    SELECT last_seq INTO v_last FROM event_sequences WHERE tenant_id = p_tenant FOR UPDATE;

    WITH batch AS (
        SELECT position, row_number() OVER (ORDER BY position) AS n
        FROM events WHERE tenant_id = p_tenant AND seq IS NULL ORDER BY position LIMIT p_limit),
    stamped AS (
        UPDATE events e SET seq = v_last + b.n FROM batch b WHERE e.position = b.position
        RETURNING e.position, e.seq, e.session_id, e.type),
    fanned AS (
        INSERT INTO webhook_deliveries (tenant_id, subscription_id, seq, session_id, state, next_attempt_at, retry_from, event_position)
        SELECT p_tenant, w.id, n.seq, n.session_id, 'pending', now(), now(), n.position
        FROM stamped n JOIN webhook_subscriptions w ON w.tenant_id = p_tenant AND w.status = 'active'
            AND (w.session_ids IS NULL OR n.session_id = ANY (w.session_ids))
            AND (w.event_types IS NULL OR n.type = ANY (w.event_types))
        RETURNING subscription_id)
    SELECT (SELECT count(*) FROM stamped), (SELECT array_agg(DISTINCT subscription_id) FROM fanned) INTO v_count, v_subs;

    IF v_count > 0 THEN
        UPDATE event_sequences SET last_seq = v_last + v_count WHERE tenant_id = p_tenant;
    END IF;
    RETURN QUERY SELECT v_count, coalesce(v_subs, '{}'::text[]);
END
$$;

-- ISO 8601 in UTC with microseconds, whatever the connection's TimeZone.
CREATE FUNCTION utc_json_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- A message as the API shows it (the same fields and names as GET .../messages/{id}), for event data.
CREATE FUNCTION message_json(m messages) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', m.id, 'sessionId', m.session_id, 'direction', m.direction, 'peer', m.peer, 'type', m.type,
        'text', m.body, 'replyTo', m.reply_to, 'details', m.details, 'status', m.status,
        'createdAt', utc_json_time(m.created_at), 'updatedAt', utc_json_time(m.updated_at), 'error', m.error)
$$;
