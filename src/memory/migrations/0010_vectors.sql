-- 0010: dense vectors of turns, made by the embedding model configured with
-- --embed-model, searched beside the full text. A corrected turn loses its
-- vector (it is made again); a forgotten one takes it along (cascade).
CREATE TABLE turn_vectors (
    turn_id    INTEGER PRIMARY KEY REFERENCES turns(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    vec        BLOB NOT NULL    -- float32 in the machine's byte order, L2-normalized
);
CREATE INDEX turn_vectors_by_person ON turn_vectors (person_id, turn_id);

-- The model that made them: another model's vectors do not compare, so a
-- change of model empties the table (memory_store::use_vector_model).
CREATE TABLE vector_model (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    key   TEXT NOT NULL,
    dims  INTEGER NOT NULL
);

CREATE TRIGGER turns_correct_vectors AFTER UPDATE OF text ON turns BEGIN
    DELETE FROM turn_vectors WHERE turn_id = old.id;
END;
