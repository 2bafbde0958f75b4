-- River job-queue schema, version 3 of migration line "main" (riverqueue/river v0.51.2,
-- riverdriver/riverpgxv5/migration/main/003_river_job_tags_non_null). One goose file per River version because
-- each must commit before the next uses what it adds (new enum values).

-- +goose Up
-- +goose StatementBegin
ALTER TABLE river_job ALTER COLUMN tags SET DEFAULT '{}';
UPDATE river_job SET tags = '{}' WHERE tags IS NULL;
ALTER TABLE river_job ALTER COLUMN tags SET NOT NULL;

-- +goose StatementEnd
INSERT INTO river_migration (version) VALUES (3) ON CONFLICT DO NOTHING;

-- +goose Down
DELETE FROM river_migration WHERE version = 3;
-- +goose StatementBegin
ALTER TABLE river_job
    ALTER COLUMN tags DROP NOT NULL,
    ALTER COLUMN tags DROP DEFAULT;

-- +goose StatementEnd
