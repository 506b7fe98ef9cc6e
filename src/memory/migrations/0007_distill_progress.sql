-- 0007: how far each person's turns have been distilled into facts, and the
-- failures on the way (a model's broken output is refused, counted and tried
-- again later; nothing of it is stored).
CREATE TABLE distill_progress (
    person_id     INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    upto_turn_id  INTEGER NOT NULL DEFAULT 0,   -- turns with id <= this are distilled
    failures      INTEGER NOT NULL DEFAULT 0,   -- in a row, since the last success
    last_error    TEXT,
    updated_at    INTEGER NOT NULL
);
