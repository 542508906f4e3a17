-- Idempotency-Key on sends: a retried request finds the message it created the first time. The
-- request hash tells a genuine retry from a different request that reuses a key.
ALTER TABLE messages
    ADD COLUMN idempotency_key text,
    ADD COLUMN request_hash    text;

CREATE UNIQUE INDEX messages_idempotency ON messages (tenant_id, session_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
