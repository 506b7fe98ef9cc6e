-- 0005: each person's own postings. The index's tokenizer (os1_person,
-- person_tokenizer.h) prefixes every token with its owner, so a search walks
-- one person's postings only and a word's frequency is that person's own.
-- 0003's person column walked every person's postings of a word to intersect
-- them: with 1,000 people, a common word cost 20 ms.
DROP TRIGGER turns_fts_insert;
DROP TRIGGER turns_fts_delete;
DROP TRIGGER turns_fts_update;
DROP TABLE turns_fts_vocab;
DROP TABLE turns_fts;

-- What the index holds of each turn (read only by 'rebuild').
CREATE VIEW turns_fts_content AS
    SELECT id, person_id || char(31) || text AS text, person_id || char(31) || speaker AS speaker FROM turns;

CREATE VIRTUAL TABLE turns_fts USING fts5 (
    text, speaker,
    content = 'turns_fts_content', content_rowid = 'id',
    tokenize = 'os1_person'
);
CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
    INSERT INTO turns_fts (rowid, text, speaker)
        VALUES (new.id, new.person_id || char(31) || new.text, new.person_id || char(31) || new.speaker);
END;
CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
    INSERT INTO turns_fts (turns_fts, rowid, text, speaker)
        VALUES ('delete', old.id, old.person_id || char(31) || old.text, old.person_id || char(31) || old.speaker);
END;
CREATE TRIGGER turns_fts_update AFTER UPDATE OF text, speaker ON turns BEGIN
    INSERT INTO turns_fts (turns_fts, rowid, text, speaker)
        VALUES ('delete', old.id, old.person_id || char(31) || old.text, old.person_id || char(31) || old.speaker);
    INSERT INTO turns_fts (rowid, text, speaker)
        VALUES (new.id, new.person_id || char(31) || new.text, new.person_id || char(31) || new.speaker);
END;
CREATE VIRTUAL TABLE turns_fts_vocab USING fts5vocab (turns_fts, 'col');
INSERT INTO turns_fts (turns_fts) VALUES ('rebuild');
