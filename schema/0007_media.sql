-- Media: what a tenant uploaded (or an engine received), its bytes, and how much storage the tenant uses.

-- Metadata. A row exists only once its blob is completely stored; the row is what the API can see.
CREATE TABLE media (
    -- Insertion order; the keyset for listing newest first.
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    id         text        NOT NULL PRIMARY KEY,
    tenant_id  text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'document', 'sticker')),
    mime_type  text        NOT NULL,
    file_name  text,
    size       bigint      NOT NULL CHECK (size >= 0),
    sha256     text        NOT NULL,
    source     text        NOT NULL CHECK (source IN ('upload', 'inbound')),
    -- Where the bytes are in the blob store; kept here so another store can use another key scheme.
    blob_key   text        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX media_by_tenant ON media (tenant_id, seq);

-- Bytes used per tenant: the sum of its media sizes. Uploads add to it with a conditional update in the
-- metadata's transaction, so concurrent uploads serialise on this row and never overshoot the quota.
CREATE TABLE media_usage (
    tenant_id  text   NOT NULL PRIMARY KEY,
    used_bytes bigint NOT NULL CHECK (used_bytes >= 0)
);

-- The PostgreSQL blob store: one row per blob, its bytes in fixed-size chunks, so neither a write nor a
-- read ever holds more than one chunk in memory.
CREATE TABLE media_blobs (
    key        text        NOT NULL PRIMARY KEY,
    size       bigint      NOT NULL CHECK (size >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE media_blob_chunks (
    key   text  NOT NULL REFERENCES media_blobs (key) ON DELETE CASCADE,
    chunk int   NOT NULL,
    data  bytea NOT NULL,
    PRIMARY KEY (key, chunk)
);

-- The chunks are written once and read sequentially; compressing already-compressed media only costs CPU.
ALTER TABLE media_blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
