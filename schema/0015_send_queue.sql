-- The send queue moves out of the messages row. Its partial index (WHERE status = 'queued') made status an
-- indexed column, so every status change (sent, delivered, read) was a full update writing a new entry into
-- each of the table's indexes. Now a status change touches no indexed column and, with room left on each
-- page (fillfactor), is a HOT update: the row is rewritten in place and no index is touched.

-- An outbound message waiting to go, in acceptance order: inserted with the message, deleted with the
-- status change that ends its wait, in the same statements.
CREATE TABLE send_queue (
    message_id text   NOT NULL PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    tenant_id  text   NOT NULL,
    session_id text   NOT NULL,
    seq        bigint NOT NULL
);
CREATE INDEX send_queue_by_session ON send_queue (tenant_id, session_id, seq);

INSERT INTO send_queue (message_id, tenant_id, session_id, seq)
SELECT id, tenant_id, session_id, seq FROM messages WHERE status = 'queued' AND direction = 'outbound';

DROP INDEX messages_queued;
-- Room on each page for a message's later versions (sent, delivered, read); applies to pages written from now on.
ALTER TABLE messages SET (fillfactor = 75);
