-- The web engine's auth state (Baileys' creds and Signal key store), one row per creds and per key, each value
-- sealed with the cluster's credential key under a purpose naming the session and the key's slot, so a row copied
-- to another session or slot does not open. Held here rather than in files, so a session that moves or fails over
-- opens its socket on another silo with the same keys. A key-store batch is written in one transaction.
CREATE TABLE web_auth_creds (
    tenant_id  text        NOT NULL,
    session_id text        NOT NULL,
    sealed     bytea       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, session_id)
);

CREATE TABLE web_auth_keys (
    tenant_id  text  NOT NULL,
    session_id text  NOT NULL,
    type       text  NOT NULL,
    id         text  NOT NULL,
    sealed     bytea NOT NULL,
    PRIMARY KEY (tenant_id, session_id, type, id)
);

-- Each message as Baileys holds it (opaque to us), for the socket's getMessage (re-sends, polls), quotes and
-- media downloads. Deleted with the session.
CREATE TABLE web_messages (
    tenant_id  text        NOT NULL,
    session_id text        NOT NULL,
    network_id text        NOT NULL,
    from_me    boolean     NOT NULL,
    raw        text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, session_id, network_id)
);
