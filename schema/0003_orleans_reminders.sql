-- Reminders for Microsoft.Orleans.Reminders.AdoNet (UseAdoNetReminderService, invariant "Npgsql").

CREATE TABLE orleans_reminder (
    service_id    text        NOT NULL,
    -- GrainId.ToString(); the provider parses it back.
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    start_time    timestamptz NOT NULL,
    -- Milliseconds. The provider sends int32 or int64 depending on size and reads either back.
    period_ms     bigint      NOT NULL,
    -- GrainId.GetUniformHashCode() as the provider sends it: the uint32 ring position reinterpreted as a
    -- signed int32. The ring is only rotated by that, so ranges can be compared on the signed values.
    grain_hash    integer     NOT NULL,
    -- The reminder's ETag.
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- Each silo's reminder service loads the rows of its ring range.
CREATE INDEX orleans_reminder_ring ON orleans_reminder (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Registering an existing reminder replaces it; the returned Version is its new ETag.
('UpsertReminderRowKey', $q$
INSERT INTO orleans_reminder (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET start_time = excluded.start_time,
    period_ms  = excluded.period_ms,
    grain_hash = excluded.grain_hash,
    version    = orleans_reminder.version % 2147483647 + 1
RETURNING version AS "Version"
$q$),

('ReadReminderRowKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$q$),

('ReadReminderRowsKey', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_id = @GrainId
$q$),

-- Ring range (BeginHash, EndHash]; the provider picks this one when BeginHash < EndHash as int32.
('ReadRangeRows1Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$q$),

-- The same range when it wraps past the end of the int32 order (BeginHash >= EndHash; equal means
-- the whole ring).
('ReadRangeRows2Key', $q$
SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
       period_ms AS "Period", version AS "Version"
FROM orleans_reminder
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$),

-- Exactly one boolean row: whether the reminder was removed at the presented ETag (@Version).
('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM orleans_reminder
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
      AND version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM removed)
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM orleans_reminder WHERE service_id = @ServiceId
$q$);
