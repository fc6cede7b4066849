-- The dialect this database speaks, so a test can see which file ran.
CREATE TABLE fixture_dialect (name TEXT NOT NULL);
INSERT INTO fixture_dialect (name) VALUES ('sqlite');
