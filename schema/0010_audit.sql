-- Who did what: every mutating API request (a tenant's, through one of its API keys, or an operator's,
-- through the admin key) and the cluster's own actions (sessions moved by a drain, a rebalance or a
-- graceful shutdown). Append-only. Never holds request bodies, secrets or API keys, only key ids.

CREATE TABLE audit_log (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor      text        NOT NULL CHECK (actor IN ('tenant', 'admin', 'system')),
    -- The tenant that acted, or that an operator's or the system's action concerned.
    tenant_id  text,
    -- The API key a tenant acted through.
    key_id     text,
    -- "METHOD /route/{pattern}" for requests, a dotted name (e.g. session.move) for system actions.
    action     text        NOT NULL,
    -- The request path, or the resource a system action concerned.
    target     text        NOT NULL,
    -- The HTTP status answered; system actions use the same codes.
    outcome    int         NOT NULL,
    request_id text,
    -- Small facts about system actions (e.g. from/to silo); never request bodies.
    details    jsonb
);

-- Newest first is id order (the keyset); a tenant's entries, and the whole log by time.
CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, id DESC) WHERE tenant_id IS NOT NULL;
CREATE INDEX audit_log_by_time ON audit_log (at);
