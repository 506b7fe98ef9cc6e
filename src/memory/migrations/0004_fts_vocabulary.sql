-- 0004: the full-text index's vocabulary, per column: how many turns hold each
-- (stemmed) word. Recall reads it to skip words too common to be worth their cost.
CREATE VIRTUAL TABLE turns_fts_vocab USING fts5vocab (turns_fts, 'col');
