-- Cloud API inbound webhooks. Each session has one webhook id (random, so a URL reveals no tenant or
-- session and cannot be guessed); a verified webhook body is stored raw before Meta gets its 200 and
-- removed once processed, so a silo or gateway dying in between loses nothing.
CREATE TABLE cloud_api_hooks (
    hook_id    text        PRIMARY KEY,
    tenant_id  text        NOT NULL,
    session_id text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, session_id)
);

CREATE TABLE cloud_api_inbox (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   text        NOT NULL,
    session_id  text        NOT NULL,
    body        bytea       NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cloud_api_inbox_by_session ON cloud_api_inbox (tenant_id, session_id, id);
CREATE INDEX cloud_api_inbox_by_age ON cloud_api_inbox (received_at);
