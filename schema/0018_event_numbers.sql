-- Events are written once and never updated. Numbering used to rewrite each event row to set its seq: a second copy
-- of the row, its JSON included, and a second entry in each of its indexes, which cost two thirds of what writing the
-- event had cost. Now a writer also queues the event's position (a narrow row), and numbering moves positions from
-- the queue into event_numbers, also narrow. Readers find a tenant's events by seq through event_numbers.
--
-- Silos of the previous release number events by rewriting them, so every silo must run this release before it
-- writes events (the release notes say to upgrade silos and gateways together).

CREATE TABLE event_queue (
    tenant_id text   NOT NULL,
    position  bigint NOT NULL,
    PRIMARY KEY (tenant_id, position)
);

CREATE TABLE event_numbers (
    tenant_id text   NOT NULL,
    seq       bigint NOT NULL,
    position  bigint NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

-- An event's number, from its position (reads by id, the purge).
CREATE UNIQUE INDEX event_numbers_by_position ON event_numbers (position);

INSERT INTO event_numbers (tenant_id, seq, position) SELECT tenant_id, seq, position FROM events WHERE seq IS NOT NULL;
INSERT INTO event_queue (tenant_id, position) SELECT tenant_id, position FROM events WHERE seq IS NULL;

-- Dropping the column drops events_by_seq and events_unnumbered with it.
DROP FUNCTION sequence_events(text, integer);
ALTER TABLE events DROP COLUMN seq;

-- Numbers up to p_limit of a tenant's queued events in write order and fans them out to the tenant's matching
-- active webhook subscriptions. The counter row lock makes concurrent callers take turns, and a batch commits all
-- its numbers at once, in order, so a reader that has seen N never later finds a committed N-1 it skipped.
-- Returns how many it numbered and which subscriptions got deliveries.
CREATE FUNCTION number_events(p_tenant text, p_limit integer)
RETURNS TABLE (numbered integer, subscriptions text[])
LANGUAGE plpgsql AS $$
DECLARE
    v_last  bigint;
    v_count integer;
    v_subs  text[];
BEGIN
    INSERT INTO event_sequences (tenant_id, last_seq) VALUES (p_tenant, 0) ON CONFLICT (tenant_id) DO NOTHING;
    SELECT last_seq INTO v_last FROM event_sequences WHERE tenant_id = p_tenant FOR UPDATE;

    WITH taken AS (
        DELETE FROM event_queue WHERE tenant_id = p_tenant AND position = ANY (ARRAY(
            SELECT position FROM event_queue WHERE tenant_id = p_tenant ORDER BY position LIMIT p_limit))
        RETURNING position),
    numbered AS (
        INSERT INTO event_numbers (tenant_id, seq, position)
        SELECT p_tenant, v_last + row_number() OVER (ORDER BY position), position FROM taken
        RETURNING seq, position),
    fanned AS (
        INSERT INTO webhook_deliveries (tenant_id, subscription_id, seq, session_id, state, next_attempt_at, retry_from, event_position)
        SELECT p_tenant, w.id, n.seq, e.session_id, 'pending', now(), now(), n.position
        FROM numbered n
        JOIN events e ON e.position = n.position
        JOIN webhook_subscriptions w ON w.tenant_id = p_tenant AND w.status = 'active'
            AND (w.session_ids IS NULL OR e.session_id = ANY (w.session_ids))
            AND (w.event_types IS NULL OR e.type = ANY (w.event_types))
        -- Checked once, so a tenant without webhooks reads none of its events back.
        WHERE EXISTS (SELECT FROM webhook_subscriptions WHERE tenant_id = p_tenant AND status = 'active')
        RETURNING subscription_id)
    SELECT (SELECT count(*) FROM numbered), (SELECT array_agg(DISTINCT subscription_id) FROM fanned) INTO v_count, v_subs;

    IF v_count > 0 THEN
        UPDATE event_sequences SET last_seq = v_last + v_count WHERE tenant_id = p_tenant;
    END IF;
    RETURN QUERY SELECT v_count, coalesce(v_subs, '{}'::text[]);
END
$$;

-- Unused since 0016 (statements append their events and render message JSON inline).
DROP FUNCTION append_event(text, text, text, timestamptz, json);
DROP FUNCTION message_json(messages);
DROP FUNCTION utc_json_time(timestamptz);
