-- 0014: a person's id is never given to someone else. Erasing a person deletes
-- their row, and SQLite would hand the largest id out again: a background job
-- of the erased person that finished late (a fact, a summary, a name) would
-- then be written into the new person. The highest id ever used is kept here,
-- and new people are numbered after it.
CREATE TABLE person_id_high (id INTEGER NOT NULL);
INSERT INTO person_id_high SELECT coalesce(max(id), 0) FROM people;
CREATE TRIGGER people_id_high AFTER INSERT ON people BEGIN
    UPDATE person_id_high SET id = max(id, NEW.id);
END;
