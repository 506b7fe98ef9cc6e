-- 0011: the OS's side of each relationship. The persona (the name the OS chose,
-- how it describes itself, its traits and interests, running notes on the
-- relationship) is versioned: every change is a new row with the diff from the
-- one before and the reason, so the person can read the history and go back.
-- The current persona is the highest version; a rollback adds a version.
CREATE TABLE persona_versions (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    about       TEXT NOT NULL,
    traits      TEXT NOT NULL,     -- one per line
    interests   TEXT NOT NULL,     -- one per line
    notes       TEXT NOT NULL,
    source      TEXT NOT NULL,     -- onboarding, rename, evolve, rollback, default
    reason      TEXT NOT NULL,
    diff        TEXT NOT NULL,     -- from the version before, one "field: old -> new" per line
    created_at  INTEGER NOT NULL,
    UNIQUE (person_id, version)
);

-- Where a person is in the first-run interview: 'interview' (QUESTION is the
-- one asked and not yet answered), 'done' or 'skipped'. No row: not begun.
CREATE TABLE onboarding (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    stage       TEXT NOT NULL,
    question    INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);

-- The persona text a conversation first sent, frozen like its core profile
-- (0008) so that its KV state stays reusable; cleared when the person renames
-- the OS or rolls its persona back (those take effect at once).
ALTER TABLE sessions ADD COLUMN persona TEXT;
