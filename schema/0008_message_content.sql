-- Every message type beyond text: the type's own object (media reference, location, contacts,
-- reaction, interactive parts; json, not jsonb, so it reads back byte for byte) and the message it quotes or reacts to.
ALTER TABLE messages
    ADD COLUMN details  json,
    ADD COLUMN reply_to text;

ALTER TABLE sim_network_messages
    ADD COLUMN details  json,
    ADD COLUMN reply_to text;
