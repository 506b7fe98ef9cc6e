-- 0006: facts: short statements about the person and their world, distilled
-- from turns ("Zoe, her sister, moved to Boston in May"). Each has provenance
-- (the turns it was distilled from), a time, a confidence and a history: a
-- contradiction supersedes the old fact (kept, marked), a repetition
-- reinforces it (no second row).
CREATE TABLE facts (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    text          TEXT NOT NULL,
    ts            INTEGER NOT NULL,              -- when it was last said (its newest source)
    confidence    REAL NOT NULL,                 -- 0..1
    reinforced    INTEGER NOT NULL DEFAULT 0,    -- times it was said again
    created_at    INTEGER NOT NULL,
    superseded_by INTEGER REFERENCES facts(id) ON DELETE SET NULL,
    superseded_at INTEGER
);
CREATE INDEX facts_by_person ON facts (person_id, id);

-- The key's columns first (see 0002 on SQLite 3.40's integrity_check).
CREATE TABLE fact_sources (
    fact_id    INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    turn_id    INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (fact_id, turn_id)
) WITHOUT ROWID;
CREATE INDEX fact_sources_by_turn ON fact_sources (turn_id);

-- A fact distilled from a turn that is forgotten or corrected goes with it,
-- (it is distilled again from what remains): in SQL, so no path forgets a turn
-- and keeps what was learned from it.
CREATE TRIGGER turns_forget_facts BEFORE DELETE ON turns BEGIN
    DELETE FROM facts WHERE id IN (SELECT fact_id FROM fact_sources WHERE turn_id = old.id);
END;
CREATE TRIGGER turns_correct_facts AFTER UPDATE OF text ON turns BEGIN
    DELETE FROM facts WHERE id IN (SELECT fact_id FROM fact_sources WHERE turn_id = old.id);
END;

-- Full text over facts, each person's own postings as for turns (0005).
CREATE VIEW facts_fts_content AS SELECT id, person_id || char(31) || text AS text FROM facts;
CREATE VIRTUAL TABLE facts_fts USING fts5 (
    text, content = 'facts_fts_content', content_rowid = 'id', tokenize = 'os1_person'
);
CREATE TRIGGER facts_fts_insert AFTER INSERT ON facts BEGIN
    INSERT INTO facts_fts (rowid, text) VALUES (new.id, new.person_id || char(31) || new.text);
END;
CREATE TRIGGER facts_fts_delete AFTER DELETE ON facts BEGIN
    INSERT INTO facts_fts (facts_fts, rowid, text) VALUES ('delete', old.id, old.person_id || char(31) || old.text);
END;
CREATE TRIGGER facts_fts_update AFTER UPDATE OF text ON facts BEGIN
    INSERT INTO facts_fts (facts_fts, rowid, text) VALUES ('delete', old.id, old.person_id || char(31) || old.text);
    INSERT INTO facts_fts (rowid, text) VALUES (new.id, new.person_id || char(31) || new.text);
END;
