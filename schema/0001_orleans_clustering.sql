-- Orleans ADO.NET providers (invariant "Npgsql") load their SQL from OrleansQuery at start-up and
-- bind parameters by name (@DeploymentId, @Address, ...); result columns are read by name, so every
-- query aliases its output to the name the provider asks for.
--
-- This script: the query registry itself plus membership (Microsoft.Orleans.Clustering.AdoNet).

-- Unquoted on purpose: the providers run "SELECT QueryKey, QueryText FROM OrleansQuery" verbatim.
CREATE TABLE OrleansQuery (
    QueryKey  varchar(64) PRIMARY KEY,
    QueryText text        NOT NULL
);

-- One row per cluster (the providers call it DeploymentId = ClusterOptions.ClusterId). Its version is
-- the membership table's optimistic-concurrency token: every insert/update of a silo row must present
-- the version it read and moves it forward by one; I-am-alive heartbeats deliberately do not.
CREATE TABLE orleans_membership_version (
    deployment_id text        PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port, generation). Times are timestamptz because the provider
-- binds UTC DateTimes (DbType.DateTime, which Npgsql sends as timestamptz).
CREATE TABLE orleans_membership (
    deployment_id   text        NOT NULL REFERENCES orleans_membership_version ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL,
    -- Suspicion votes as the provider formats them ("silo,time|silo,time"); only cleanup looks inside.
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Must always yield exactly one boolean row: true only for the silo that created the version row.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_version (deployment_id)
    VALUES (@DeploymentId)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created)
$q$),

-- @Version is the table version the caller read. The silo row goes in only if that version is still
-- current (it is then advanced) and the silo is not already present; otherwise false, and the
-- version is left untouched.
('InsertMembershipKey', $q$
WITH advanced AS (
    UPDATE orleans_membership_version v
    SET version = v.version + 1, updated_at = now()
    WHERE v.deployment_id = @DeploymentId
      AND v.version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM orleans_membership m
          WHERE m.deployment_id = @DeploymentId AND m.address = @Address
            AND m.port = @Port AND m.generation = @Generation)
    RETURNING v.deployment_id
), inserted AS (
    INSERT INTO orleans_membership
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
         start_time, i_am_alive_time)
    SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
    FROM advanced
    ON CONFLICT (deployment_id, address, port, generation) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM inserted)
$q$),

-- Same version rule as the insert; the silo row must already exist.
('UpdateMembershipKey', $q$
WITH advanced AS (
    UPDATE orleans_membership_version v
    SET version = v.version + 1, updated_at = now()
    WHERE v.deployment_id = @DeploymentId
      AND v.version = @Version
      AND EXISTS (
          SELECT 1 FROM orleans_membership m
          WHERE m.deployment_id = @DeploymentId AND m.address = @Address
            AND m.port = @Port AND m.generation = @Generation)
    RETURNING v.deployment_id
), updated AS (
    UPDATE orleans_membership m
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM advanced a
    WHERE m.deployment_id = a.deployment_id AND m.address = @Address
      AND m.port = @Port AND m.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated)
$q$),

-- Heartbeat: not versioned, so it never conflicts with membership changes.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership
SET i_am_alive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),

-- The provider takes the table version from the first row and treats a NULL StartTime as "no silo",
-- so at least one row must always come back: the cluster's version, joined to the silo if present.
-- A cluster with no version row yet reads as version 0 with no silos.
('MembershipReadRowKey', $q$
SELECT coalesce(v.version, 0) AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status",
       m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
       m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM (SELECT @DeploymentId AS deployment_id) c
LEFT JOIN orleans_membership_version v ON v.deployment_id = c.deployment_id
LEFT JOIN orleans_membership m
       ON m.deployment_id = v.deployment_id AND m.address = @Address
      AND m.port = @Port AND m.generation = @Generation
$q$),

('MembershipReadAllKey', $q$
SELECT coalesce(v.version, 0) AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status",
       m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
       m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
FROM (SELECT @DeploymentId AS deployment_id) c
LEFT JOIN orleans_membership_version v ON v.deployment_id = c.deployment_id
LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
$q$),

-- Clients build gateway URIs from these three columns; @Status is SiloStatus.Active.
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM orleans_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),

-- Removes the whole cluster; silo rows follow the version row through the cascade.
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId
$q$),

-- @IAmAliveTime is the cut-off. Only silos already declared Dead (SiloStatus 6) whose start, last
-- heartbeat and every suspicion vote all predate it are removed, so a recently declared death stays
-- visible (Orleans retains dead rows for ClusterMembershipOptions.DefunctSiloMinimumRetention so a
-- delayed silo can still learn it was declared dead). Votes are "silo,yyyy-MM-dd HH:mm:ss.fff GMT".
-- The check runs inside the DELETE, so a row that changes concurrently is judged on its new values.
-- The table version is not advanced: no live silo's view depends on a dead row.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId
  AND status = 6
  AND start_time < @IAmAliveTime
  AND i_am_alive_time < @IAmAliveTime
  AND NOT EXISTS (
      SELECT 1 FROM unnest(string_to_array(suspect_times, '|')) AS vote
      WHERE split_part(vote, ',', 2)::timestamptz >= @IAmAliveTime)
$q$);
