-- 0012: how each of the person's messages seemed to feel: a label from a fixed
-- set, valence (-1 unpleasant .. 1 pleasant) and arousal (0 calm .. 1 intense),
-- read by the model under a grammar or, where it is not capable, from a word
-- list. The mood series is read from here. A corrected message loses its
-- reading (it is read again); a forgotten one takes it along.
CREATE TABLE turn_emotions (
    turn_id    INTEGER PRIMARY KEY REFERENCES turns(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    valence    REAL NOT NULL,
    arousal    REAL NOT NULL,
    source     TEXT NOT NULL,   -- model or lexicon
    ts         INTEGER NOT NULL -- the message's time
);
CREATE INDEX turn_emotions_by_person ON turn_emotions (person_id, ts);

CREATE TRIGGER turns_correct_emotions AFTER UPDATE OF text ON turns BEGIN
    DELETE FROM turn_emotions WHERE turn_id = old.id;
END;
