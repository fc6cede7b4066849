-- The transactional outbox: an event is written in the transaction of the change it reports,
-- so it exists exactly when the change does. seq orders events for readers that tail the outbox
-- (each node's search index); dispatched_at is set once the dispatcher has turned the event into
-- subscriber jobs.
CREATE TABLE outbox_events (
  seq BIGSERIAL PRIMARY KEY,
  id UUID NOT NULL UNIQUE,
  topic TEXT NOT NULL,
  subject TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  dispatched_at TIMESTAMPTZ
);
CREATE INDEX outbox_events_pending ON outbox_events (seq) WHERE dispatched_at IS NULL;

-- Work to do, at least once: subscriber jobs made from events (event_id set, one per subscriber
-- and event) and jobs enqueued directly. status: ready → running → done, or back to ready with a
-- later run_at after a failure, or dead after max_attempts. A running job whose lease ran out
-- (its worker died) is claimed again.
CREATE TABLE jobs (
  id UUID PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  event_id UUID,
  status TEXT NOT NULL CHECK (status IN ('ready', 'running', 'done', 'dead')),
  attempts INT NOT NULL DEFAULT 0,
  max_attempts INT NOT NULL,
  run_at TIMESTAMPTZ NOT NULL,
  locked_by TEXT,
  locked_until TIMESTAMPTZ,
  last_error TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  UNIQUE (kind, event_id)
);
CREATE INDEX jobs_due ON jobs (status, run_at);

-- Periodic tasks: whoever moves next_run_at forward first runs the task, so one node runs it.
CREATE TABLE job_schedules (
  name TEXT PRIMARY KEY,
  next_run_at TIMESTAMPTZ NOT NULL,
  last_node TEXT
);
