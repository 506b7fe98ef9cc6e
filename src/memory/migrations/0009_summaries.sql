-- 0009: summaries, made by the model in the background: one per session (what
-- was talked about) and one of the person (who they are, across sessions,
-- made from the sessions' summaries). A summary covers its session's turns up
-- to upto_turn_id; when one of them is forgotten or corrected, the summaries
-- that read it go (they are made again from what remains).
CREATE TABLE summaries (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    session_id    INTEGER REFERENCES sessions(id) ON DELETE CASCADE,  -- NULL: the person's summary
    text          TEXT NOT NULL,
    upto_turn_id  INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX summaries_one_each ON summaries (person_id, COALESCE(session_id, 0));
CREATE INDEX summaries_by_session ON summaries (session_id);

-- The person's summary is in the core profile, and a conversation's frozen
-- profile (0008) may hold an older version of it, read from the turn: every
-- frozen profile of the person goes too (forgetting is rare; safe over exact).
CREATE TRIGGER turns_forget_summaries BEFORE DELETE ON turns BEGIN
    DELETE FROM summaries WHERE person_id = old.person_id AND (session_id = old.session_id OR session_id IS NULL);
    UPDATE sessions SET profile = NULL WHERE person_id = old.person_id AND profile IS NOT NULL;
END;
CREATE TRIGGER turns_correct_summaries AFTER UPDATE OF text ON turns BEGIN
    DELETE FROM summaries WHERE person_id = old.person_id AND (session_id = old.session_id OR session_id IS NULL);
    UPDATE sessions SET profile = NULL WHERE person_id = old.person_id AND profile IS NOT NULL;
END;

-- Full text, each person's own postings as for turns (0005).
CREATE VIEW summaries_fts_content AS SELECT id, person_id || char(31) || text AS text FROM summaries;
CREATE VIRTUAL TABLE summaries_fts USING fts5 (
    text, content = 'summaries_fts_content', content_rowid = 'id', tokenize = 'os1_person'
);
CREATE TRIGGER summaries_fts_insert AFTER INSERT ON summaries BEGIN
    INSERT INTO summaries_fts (rowid, text) VALUES (new.id, new.person_id || char(31) || new.text);
END;
CREATE TRIGGER summaries_fts_delete AFTER DELETE ON summaries BEGIN
    INSERT INTO summaries_fts (summaries_fts, rowid, text) VALUES ('delete', old.id, old.person_id || char(31) || old.text);
END;
CREATE TRIGGER summaries_fts_update AFTER UPDATE OF text ON summaries BEGIN
    INSERT INTO summaries_fts (summaries_fts, rowid, text) VALUES ('delete', old.id, old.person_id || char(31) || old.text);
    INSERT INTO summaries_fts (rowid, text) VALUES (new.id, new.person_id || char(31) || new.text);
END;
