DELETE FROM jobs WHERE kind IN ('variants', 'sweep');
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN ('publish', 'deliver', 'prune'));
DROP TABLE media_sweeps;
DROP TABLE media_references;
DROP TABLE media_variants;
DROP TABLE media;
