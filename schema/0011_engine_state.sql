-- State an engine keeps for a session (a Cloud API token, a web session's key store), sealed with the
-- cluster's credential key and bound to the session. Written by the engine when it changes, apart from
-- the session grain's state, so a key change does not rewrite the grain and a moved session finds it.
CREATE TABLE engine_state (
    tenant_id   text        NOT NULL,
    session_id  text        NOT NULL,
    engine      text        NOT NULL,
    sealed      bytea       NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id)
);

-- Engines with a customer-service window (Cloud API: 24 h) ask for a peer's last inbound message before a send.
CREATE INDEX messages_last_inbound ON messages (tenant_id, session_id, peer, created_at) WHERE direction = 'inbound';
