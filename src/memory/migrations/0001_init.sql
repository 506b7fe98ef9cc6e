-- 0001: people, sessions and the episodic record of every turn, with a
-- full-text index. Every row carries person_id; every query filters on it.

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL               -- unix seconds
);

-- A session is one sitting: the turns between two long silences (or, in the
-- B2 protocol, what the caller names a session).
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,                 -- the caller's name for it
    conversation TEXT NOT NULL DEFAULT '',
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    UNIQUE (person_id, key)
);

CREATE TABLE turns (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    ext_id      TEXT,                          -- the caller's id for the turn, if any
    ts          INTEGER NOT NULL,              -- unix seconds, the turn's own time
    speaker     TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    text        TEXT NOT NULL
);
CREATE INDEX turns_by_person_time ON turns (person_id, ts, id);
CREATE INDEX turns_by_session ON turns (session_id, id);
CREATE UNIQUE INDEX turns_by_ext_id ON turns (person_id, ext_id) WHERE ext_id IS NOT NULL;

-- External-content FTS5 over turns: the text is stored once (in turns); the
-- triggers keep the index in step, deletes included, so forgetting reaches it.
CREATE VIRTUAL TABLE turns_fts USING fts5 (
    text, speaker,
    content = 'turns', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
    INSERT INTO turns_fts (rowid, text, speaker) VALUES (new.id, new.text, new.speaker);
END;
CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
    INSERT INTO turns_fts (turns_fts, rowid, text, speaker) VALUES ('delete', old.id, old.text, old.speaker);
END;
CREATE TRIGGER turns_fts_update AFTER UPDATE OF text, speaker ON turns BEGIN
    INSERT INTO turns_fts (turns_fts, rowid, text, speaker) VALUES ('delete', old.id, old.text, old.speaker);
    INSERT INTO turns_fts (rowid, text, speaker) VALUES (new.id, new.text, new.speaker);
END;
