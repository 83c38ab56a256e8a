-- The contact's current timer due instant, kept on its row (read under the row lock), so that timers
-- are written only when they change.
ALTER TABLE contacts ADD COLUMN next_due timestamptz;
