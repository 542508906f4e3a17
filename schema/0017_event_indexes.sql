-- Fewer index entries per event (index upkeep was a third of PostgreSQL's time under load, most of it for events):
-- an unnumbered event gets no entry in events_by_seq (it is found through events_unnumbered), and age, which
-- only the retention purge asks about, is kept as a block-range summary instead of an entry per row and version.
CREATE UNIQUE INDEX events_by_seq_numbered ON events (tenant_id, seq) WHERE seq IS NOT NULL;
DROP INDEX events_by_seq;
ALTER INDEX events_by_seq_numbered RENAME TO events_by_seq;

CREATE INDEX events_by_age_ranges ON events USING brin (occurred_at) WITH (autosummarize = on);
DROP INDEX events_by_age;
ALTER INDEX events_by_age_ranges RENAME TO events_by_age;
