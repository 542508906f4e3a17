-- Tenants and their API keys, as queryable copies of the tenant and key grains' state (written by the
-- grains after their own state), so operators can list them without activating grains. Secret hashes are
-- kept only in the key grains' state, never here.

CREATE TABLE tenants (
    tenant_id           text        NOT NULL PRIMARY KEY,
    name                text        NOT NULL,
    -- 'deleted' is a soft delete: the tenant answers 404 and its keys stop working, its data is retained.
    status              text        NOT NULL CHECK (status IN ('active', 'suspended', 'deleted')),
    max_sessions        int         NOT NULL CHECK (max_sessions > 0),
    messages_per_minute int         NOT NULL CHECK (messages_per_minute > 0),
    media_storage_bytes bigint      NOT NULL CHECK (media_storage_bytes > 0),
    created_at          timestamptz NOT NULL,
    suspended_at        timestamptz,
    deleted_at          timestamptz,
    updated_at          timestamptz NOT NULL
);

CREATE TABLE api_keys (
    key_id       text        NOT NULL PRIMARY KEY,
    tenant_id    text        NOT NULL,
    name         text,
    scopes       text[]      NOT NULL,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    -- Written at most about once a minute per key, so authentication stays cheap.
    last_used_at timestamptz
);

-- A tenant's keys, newest first (the keyset for pagination).
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at DESC, key_id DESC);
