-- 0002: what went into the prompt with each message, and the core profile.
--
-- A user turn keeps the recalled block put in front of it, so that the next
-- turn renders the same prompt again and its KV state is reused (issue 3);
-- turn_citations says which turns that block quoted, so that forgetting or
-- correcting a turn also clears every block that quoted it.
ALTER TABLE turns ADD COLUMN recalled TEXT;

-- The key's columns come first: SQLite 3.40's integrity_check reports a NOT
-- NULL column declared before them in a WITHOUT ROWID table as NULL.
CREATE TABLE turn_citations (
    turn_id     INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    cited_id    INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (turn_id, cited_id)
) WITHOUT ROWID;
CREATE INDEX turn_citations_by_cited ON turn_citations (cited_id);

-- In SQL rather than in the code, so that no path forgets a turn but keeps a quote of it.
CREATE TRIGGER turns_forget_quotes BEFORE DELETE ON turns BEGIN
    UPDATE turns SET recalled = NULL WHERE id IN (SELECT turn_id FROM turn_citations WHERE cited_id = old.id);
END;
CREATE TRIGGER turns_correct_quotes AFTER UPDATE OF text ON turns BEGIN
    UPDATE turns SET recalled = NULL WHERE id IN (SELECT turn_id FROM turn_citations WHERE cited_id = old.id);
END;

-- The short core profile that is always in the person's prompt.
CREATE TABLE profiles (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
