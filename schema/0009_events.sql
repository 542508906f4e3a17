-- Events: every change a tenant can observe, numbered per tenant in commit order, and the webhook
-- subscriptions, deliveries and attempts that carry them out; plus pull consumers' positions.

-- The last sequence number handed out per tenant. Taking the next number locks this row until the
-- writing transaction commits, so numbers become visible in order: a reader that has seen N never
-- later finds a committed N-1 it skipped.
CREATE TABLE event_sequences (
    tenant_id text   NOT NULL PRIMARY KEY,
    last_seq  bigint NOT NULL
);

CREATE TABLE events (
    tenant_id   text        NOT NULL,
    seq         bigint      NOT NULL,
    id          text        NOT NULL,
    type        text        NOT NULL,
    session_id  text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    data        json        NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

CREATE UNIQUE INDEX events_by_id ON events (tenant_id, id);
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
    PRIMARY KEY (tenant_id, subscription_id, seq),
    FOREIGN KEY (tenant_id, seq) REFERENCES events (tenant_id, seq) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES webhook_subscriptions (tenant_id, id) ON DELETE CASCADE
);

-- A session's oldest pending delivery is the only one that may go out (per-session order).
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (tenant_id, subscription_id, session_id, seq) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (tenant_id, seq);

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

-- Appends one event and fans it out to the tenant's matching active subscriptions, inside the caller's
-- statement, so the change it describes and the event commit together or not at all.
-- Returns the event's sequence number and the subscriptions that now have it pending.
CREATE FUNCTION append_event(p_tenant text, p_type text, p_session text, p_at timestamptz, p_data json)
RETURNS TABLE (seq bigint, subscriptions text[])
LANGUAGE plpgsql AS $$
DECLARE
    v_seq  bigint;
    v_subs text[];
BEGIN
    INSERT INTO event_sequences AS s (tenant_id, last_seq) VALUES (p_tenant, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET last_seq = s.last_seq + 1
    RETURNING s.last_seq INTO v_seq;

    INSERT INTO events (tenant_id, seq, id, type, session_id, occurred_at, data)
    VALUES (p_tenant, v_seq, 'evt_' || replace(gen_random_uuid()::text, '-', ''), p_type, p_session, p_at, p_data);

    WITH fanned AS (
        INSERT INTO webhook_deliveries (tenant_id, subscription_id, seq, session_id, state, next_attempt_at, retry_from)
        SELECT p_tenant, w.id, v_seq, p_session, 'pending', now(), now()
        FROM webhook_subscriptions w
        WHERE w.tenant_id = p_tenant AND w.status = 'active'
          AND (w.session_ids IS NULL OR p_session = ANY (w.session_ids))
          AND (w.event_types IS NULL OR p_type = ANY (w.event_types))
        RETURNING subscription_id)
    SELECT array_agg(subscription_id) INTO v_subs FROM fanned;

    RETURN QUERY SELECT v_seq, coalesce(v_subs, '{}'::text[]);
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
