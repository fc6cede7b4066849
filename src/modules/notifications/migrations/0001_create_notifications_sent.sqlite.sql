-- Mails the notifications module has sent, one row per (event, template), written after the
-- mail was handed over: a job that runs again finds its row and sends nothing.
CREATE TABLE notifications_sent (
  event_id TEXT NOT NULL,
  template TEXT NOT NULL,
  topic TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  PRIMARY KEY (event_id, template)
);
CREATE INDEX notifications_sent_subject ON notifications_sent (subject_id);
