-- 0008: facts go into prompts (recalled, and in the core profile), so
-- forgetting or correcting a fact must reach every prompt that held it; and a
-- fact lost with a forgotten turn is distilled again from what remains.

-- User turns whose recalled block quoted a fact (as turn_citations for turns).
CREATE TABLE fact_citations (
    turn_id    INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    fact_id    INTEGER NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (turn_id, fact_id)
) WITHOUT ROWID;
CREATE INDEX fact_citations_by_fact ON fact_citations (fact_id);

CREATE TRIGGER facts_forget_quotes BEFORE DELETE ON facts BEGIN
    UPDATE turns SET recalled = NULL WHERE id IN (SELECT turn_id FROM fact_citations WHERE fact_id = old.id);
    UPDATE sessions SET profile = NULL WHERE person_id = old.person_id AND instr(profile, old.text) > 0;
END;
CREATE TRIGGER facts_correct_quotes AFTER UPDATE OF text ON facts BEGIN
    UPDATE turns SET recalled = NULL WHERE id IN (SELECT turn_id FROM fact_citations WHERE fact_id = old.id);
    UPDATE sessions SET profile = NULL WHERE person_id = old.person_id AND instr(profile, old.text) > 0;
END;

-- The core profile as a conversation first sent it: it stays the same for the
-- whole conversation (it sits before the history in the prompt, so a change
-- would recompute the history's KV state), and is cleared when what it holds
-- is forgotten or corrected.
ALTER TABLE sessions ADD COLUMN profile TEXT;

-- Turns to distil again: the other sources of a fact that went with a
-- forgotten or corrected turn (and a corrected turn itself).
CREATE TABLE redistill (
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    turn_id    INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, turn_id)
) WITHOUT ROWID;
CREATE INDEX redistill_by_turn ON redistill (turn_id);

DROP TRIGGER turns_forget_facts;
CREATE TRIGGER turns_forget_facts BEFORE DELETE ON turns BEGIN
    -- First: the turn's own quotes go, so that the facts' trigger below never
    -- changes the row being deleted (undefined in a BEFORE trigger).
    DELETE FROM fact_citations WHERE turn_id = old.id;
    INSERT OR IGNORE INTO redistill (person_id, turn_id)
        SELECT person_id, turn_id FROM fact_sources
        WHERE turn_id <> old.id AND fact_id IN (SELECT fact_id FROM fact_sources WHERE turn_id = old.id);
    DELETE FROM facts WHERE id IN (SELECT fact_id FROM fact_sources WHERE turn_id = old.id);
END;
DROP TRIGGER turns_correct_facts;
CREATE TRIGGER turns_correct_facts AFTER UPDATE OF text ON turns BEGIN
    INSERT OR IGNORE INTO redistill (person_id, turn_id)
        SELECT person_id, turn_id FROM fact_sources
        WHERE fact_id IN (SELECT fact_id FROM fact_sources WHERE turn_id = old.id);
    INSERT OR IGNORE INTO redistill (person_id, turn_id)
        SELECT old.person_id, old.id FROM distill_progress
        WHERE person_id = old.person_id AND upto_turn_id >= old.id;
    DELETE FROM facts WHERE id IN (SELECT fact_id FROM fact_sources WHERE turn_id = old.id);
END;
