-- Operators' named admin keys, and what the tenant lifecycle needs: per-plan message retention and
-- the purge of deleted tenants after their grace period.

-- Each operator (or tool) gets its own admin key, so the audit log names who acted and one key can be
-- revoked alone. Only a SHA-256 of the key's random secret is kept; the key itself is shown once.
-- The bootstrap key from configuration (Admin:ApiKey) is not a row here.
CREATE TABLE admin_keys (
    key_id       text        NOT NULL PRIMARY KEY,
    name         text        NOT NULL,
    secret_hash  bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    -- The admin key that issued this one.
    created_by   text        NOT NULL,
    revoked_at   timestamptz,
    -- Written at most about once a minute per key, so authentication stays cheap.
    last_used_at timestamptz
);

-- A name belongs to one live key, so the audit log's names are unambiguous.
CREATE UNIQUE INDEX admin_keys_live_name ON admin_keys (name) WHERE revoked_at IS NULL;

-- Messages older than this many days are purged; null keeps the cluster's default (Lifecycle:MessageRetention).
ALTER TABLE tenants ADD COLUMN message_retention_days int CHECK (message_retention_days > 0);
-- Once its grace period has passed, a deleted tenant's data is purged and this is set.
ALTER TABLE tenants ADD COLUMN purged_at timestamptz;

CREATE INDEX messages_by_age ON messages (tenant_id, created_at);
CREATE INDEX media_by_age ON media (tenant_id, created_at);
