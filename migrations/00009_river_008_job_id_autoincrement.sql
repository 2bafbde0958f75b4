-- River job-queue schema, version 8 of migration line "main" (riverqueue/river v0.51.2,
-- riverdriver/riverpgxv5/migration/main/008_job_id_autoincrement). One goose file per River version because
-- each must commit before the next uses what it adds (new enum values).

-- +goose Up
-- +goose StatementBegin
-- No-op. Postgres sequences already prevent automatically generated job IDs
-- from being reused.
SELECT 1;

-- +goose StatementEnd
INSERT INTO river_migration (line, version) VALUES ('main', 8) ON CONFLICT DO NOTHING;

-- +goose Down
DELETE FROM river_migration WHERE line = 'main' AND version = 8;
-- +goose StatementBegin
-- No-op. Postgres sequences already prevent automatically generated job IDs
-- from being reused.
SELECT 1;

-- +goose StatementEnd
