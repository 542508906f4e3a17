-- Statements now append their events and render message JSON inline (PostgreSQL cannot inline a SQL function that
-- inserts, and planned each call's body anew). The functions stay for silos of the previous release during a
-- rolling upgrade; a later migration drops them.
COMMENT ON FUNCTION append_event(text, text, text, timestamptz, json) IS 'Unused since 0016; kept for silos of the previous release during a rolling upgrade.';
COMMENT ON FUNCTION message_json(messages) IS 'Unused since 0016; kept for silos of the previous release during a rolling upgrade.';
