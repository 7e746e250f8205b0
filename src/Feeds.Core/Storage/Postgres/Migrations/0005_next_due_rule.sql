-- Schedule semantics (issue 15): why a source's next poll is when it is, the rule that set its due time
-- ("schedule", "rhythm", "publisher ttl", "max-age", "retry-after", "backoff", "gone"), shown on /status.
ALTER TABLE sources ADD COLUMN next_due_rule text;
