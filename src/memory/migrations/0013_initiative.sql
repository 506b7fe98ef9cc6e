-- 0013: the OS may speak first. Each thing it might say (a follow-up on what
-- the person said they would do, a check-in after a hard day, a reminder they
-- asked for) is a row from the moment it is thought of; the scheduler's
-- decision (sent, held and why, dropped and why) is kept with it, so the
-- person can read why the OS spoke, or did not.
CREATE TABLE initiatives (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,      -- follow_up, check_in, reminder
    text          TEXT NOT NULL,      -- what the OS will say
    reason        TEXT NOT NULL,      -- why it thought of it
    importance    REAL NOT NULL,      -- 0..1
    due_at        INTEGER NOT NULL,   -- not before then
    created_at    INTEGER NOT NULL,
    state         TEXT NOT NULL,      -- pending, sent, dropped
    decision      TEXT NOT NULL DEFAULT '',  -- the scheduler's last word on it
    decided_at    INTEGER,
    delivered_at  INTEGER,            -- when a client of the person received it
    source_turn   INTEGER REFERENCES turns(id) ON DELETE CASCADE,
    said_turn     INTEGER REFERENCES turns(id) ON DELETE SET NULL,  -- the OS's turn that said it (it may quote the source)
    dedup         TEXT NOT NULL       -- one of each per person (a check-in per day, a follow-up per message)
);
CREATE UNIQUE INDEX initiatives_once ON initiatives (person_id, dedup);
CREATE INDEX initiatives_due ON initiatives (state, due_at);

-- The person's own limits; no row: the defaults.
CREATE TABLE initiative_settings (
    person_id      INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    opted_out      INTEGER NOT NULL DEFAULT 0,
    quiet_from     INTEGER NOT NULL DEFAULT 1320,  -- minutes after local midnight (22:00)
    quiet_to       INTEGER NOT NULL DEFAULT 480,   -- 08:00
    utc_offset     INTEGER NOT NULL DEFAULT 0,     -- minutes east of UTC
    daily_cap      INTEGER NOT NULL DEFAULT 2,     -- messages a day the OS starts (reminders asked for do not count)
    min_importance REAL NOT NULL DEFAULT 0.3
);

-- A corrected message: what the OS meant to say about it may no longer hold.
CREATE TRIGGER turns_correct_initiatives AFTER UPDATE OF text ON turns BEGIN
    DELETE FROM initiatives WHERE source_turn = old.id AND state = 'pending';
END;
