-- Grain state for Microsoft.Orleans.Persistence.AdoNet (AddAdoNetGrainStorage, invariant "Npgsql").
--
-- The provider identifies a state record by ServiceId, grain type and grain key (two int64 halves plus
-- an optional string extension; string-keyed grains use only the extension). It also sends two int32
-- hashes of those values; they depend on the configured hasher, so they are not used here: records are
-- keyed by a digest of the identity itself, which keeps the key small however long the type name or
-- string key is, and makes "at most one record per grain" a constraint rather than a convention.

-- Length-prefixed so that no two identities encode alike (a NULL extension is distinct from '').
-- convert_to() is only STABLE because of encoding lookups; with a fixed target encoding it is
-- deterministic, which is what the generated column below requires.
CREATE FUNCTION orleans_grain_state_key(service_id text, grain_type text, n0 bigint, n1 bigint, ext text)
RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $f$
    SELECT sha256(convert_to(
        length(service_id)::text || ':' || service_id || '|' ||
        length(grain_type)::text || ':' || grain_type || '|' ||
        n0::text || '|' || n1::text || '|' ||
        coalesce(length(ext)::text || ':' || ext, '~'),
        'UTF8'))
$f$;

CREATE TABLE orleans_grain_state (
    grain_key     bytea       GENERATED ALWAYS AS
                      (orleans_grain_state_key(service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext)) STORED
                      PRIMARY KEY,
    service_id    text        NOT NULL,
    grain_type    text        NOT NULL,
    grain_id_n0   bigint      NOT NULL,
    grain_id_n1   bigint      NOT NULL,
    grain_id_ext  text,
    -- NULL after a clear that keeps the record (DeleteStateOnClear = false): the grain then reads as
    -- "no record" but its version, and so its ETag, carries on.
    payload       bytea,
    -- The ETag. Optimistic concurrency: a write must present the version it last saw.
    version       integer     NOT NULL,
    modified_at   timestamptz NOT NULL DEFAULT now()
);

-- Every statement below returns a single column named NewGrainStateVersion in exactly one row: the
-- new version on success, NULL when the presented version (@GrainStateVersion, NULL = "I saw no
-- record") does not match. The provider turns NULL into InconsistentStateException; returning no row
-- instead would be taken as success when the grain had no ETag, so conflicts must come back as NULL.
-- Versions wrap from int32 max back to 1 rather than overflow on a very busy grain.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM orleans_grain_state
WHERE grain_key = orleans_grain_state_key(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString)
$q$),

-- No ETag: create the record (a concurrent creator wins, the other gets NULL via the unique key).
-- ETag: replace the payload if the stored version still equals it.
('WriteToStorageKey', $q$
WITH replaced AS (
    UPDATE orleans_grain_state
    SET payload = @PayloadBinary, version = version % 2147483647 + 1, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND grain_key = orleans_grain_state_key(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString)
      AND version = @GrainStateVersion
    RETURNING version
), created AS (
    INSERT INTO orleans_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_ext, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT (grain_key) DO NOTHING
    RETURNING version
)
SELECT (SELECT version FROM replaced UNION ALL SELECT version FROM created) AS "NewGrainStateVersion"
$q$),

-- Clear that keeps the record (default): drop the payload, advance the version.
('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE orleans_grain_state
    SET payload = NULL, version = version % 2147483647 + 1, modified_at = now()
    WHERE grain_key = orleans_grain_state_key(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString)
      AND version = @GrainStateVersion
    RETURNING version
)
SELECT (SELECT version FROM cleared) AS "NewGrainStateVersion"
$q$),

-- Clear with DeleteStateOnClear = true: remove the record. The provider only needs a non-NULL value
-- different from the presented ETag to know it worked (it then forgets the ETag), so report the
-- version the record would have had next.
('DeleteStorageKey', $q$
WITH removed AS (
    DELETE FROM orleans_grain_state
    WHERE grain_key = orleans_grain_state_key(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString)
      AND version = @GrainStateVersion
    RETURNING version
)
SELECT (SELECT version % 2147483647 + 1 FROM removed) AS "NewGrainStateVersion"
$q$);
