-- Application tables: what grows (messages) and what must be found without activating grains
-- (which sessions exist and should be connected). Orleans grain state stays the source of truth
-- for a session; the sessions row is its queryable registry entry.

CREATE TABLE sessions (
    tenant_id     text        NOT NULL,
    session_id    text        NOT NULL,
    name          text        NOT NULL,
    engine        text        NOT NULL,
    status        text        NOT NULL,
    -- 'connected' while the session should hold a live connection; failover acts on these only.
    desired_state text        NOT NULL,
    phone_number  text,
    host_silo     text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id)
);

CREATE INDEX sessions_should_connect ON sessions (host_silo) WHERE desired_state = 'connected';

CREATE TABLE messages (
    -- Insertion order; the keyset for pagination and for the send queue.
    seq           bigint GENERATED ALWAYS AS IDENTITY,
    id            text        NOT NULL PRIMARY KEY,
    tenant_id     text        NOT NULL,
    session_id    text        NOT NULL,
    direction     text        NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    peer          text        NOT NULL,
    type          text        NOT NULL,
    body          text,
    status        text        NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'read', 'failed')),
    -- The id on the WhatsApp network: ours for outbound, the sender's for inbound (dedupes redeliveries).
    network_id    text        NOT NULL,
    error         text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE UNIQUE INDEX messages_network_id ON messages (tenant_id, session_id, direction, network_id);
CREATE INDEX messages_by_session ON messages (tenant_id, session_id, seq);
CREATE INDEX messages_queued ON messages (tenant_id, session_id, seq) WHERE status = 'queued';

-- The simulated WhatsApp network's server-side store: each message it accepted, kept until the
-- recipient's linked device stored it. The primary key is the network's duplicate filter.
CREATE TABLE sim_network_messages (
    message_id       text        NOT NULL PRIMARY KEY,
    to_number        text        NOT NULL,
    from_number      text        NOT NULL,
    from_session_key text        NOT NULL,
    type             text        NOT NULL,
    body             text,
    sent_at          timestamptz NOT NULL,
    accepted_at      timestamptz NOT NULL,
    delivered_at     timestamptz
);

CREATE INDEX sim_network_pending ON sim_network_messages (to_number, accepted_at) WHERE delivered_at IS NULL;
