-- How the stored reports' story terms were read (Normalization/StoryTerms.Reading). A build that reads terms another
-- way (another stemmer, new groups of words) reads those of the window's reports again at start
-- (DbStoryIndex.RereadTermsAsync), so that new reports still find and meet them. Reports stored before this table
-- were read the first way.
CREATE TABLE story_terms_reading (reading INTEGER NOT NULL);
INSERT INTO story_terms_reading (reading) VALUES (1);
