-- The node (host:pid) whose transaction wrote the event: a node's own listeners already applied
-- their change in process and may skip it when tailing the outbox.
ALTER TABLE outbox_events ADD COLUMN origin TEXT NOT NULL DEFAULT '';
