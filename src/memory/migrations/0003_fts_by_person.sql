-- 0003: the full-text index carries each turn's person, so that a search is
-- an intersection with that person's postings inside the index (`person_id :
-- "17" AND (...)`) rather than a scan of everyone's matches filtered after:
-- with 1,000 people a search costs what one person's memories cost.
DROP TRIGGER turns_fts_insert;
DROP TRIGGER turns_fts_delete;
DROP TRIGGER turns_fts_update;
DROP TABLE turns_fts;

CREATE VIRTUAL TABLE turns_fts USING fts5 (
    text, speaker, person_id,
    content = 'turns', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
    INSERT INTO turns_fts (rowid, text, speaker, person_id) VALUES (new.id, new.text, new.speaker, new.person_id);
END;
CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
    INSERT INTO turns_fts (turns_fts, rowid, text, speaker, person_id)
        VALUES ('delete', old.id, old.text, old.speaker, old.person_id);
END;
CREATE TRIGGER turns_fts_update AFTER UPDATE OF text, speaker ON turns BEGIN
    INSERT INTO turns_fts (turns_fts, rowid, text, speaker, person_id)
        VALUES ('delete', old.id, old.text, old.speaker, old.person_id);
    INSERT INTO turns_fts (rowid, text, speaker, person_id) VALUES (new.id, new.text, new.speaker, new.person_id);
END;
INSERT INTO turns_fts (turns_fts) VALUES ('rebuild');
