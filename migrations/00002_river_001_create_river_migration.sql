-- River job-queue schema, version 1 of migration line "main" (riverqueue/river v0.51.2,
-- riverdriver/riverpgxv5/migration/main/001_create_river_migration). One goose file per River version because
-- each must commit before the next uses what it adds (new enum values).

-- +goose Up
-- +goose StatementBegin
CREATE TABLE river_migration(
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT NOW(),
  version bigint NOT NULL,
  CONSTRAINT version CHECK (version >= 1)
);

CREATE UNIQUE INDEX ON river_migration USING btree(version);
-- +goose StatementEnd
INSERT INTO river_migration (version) VALUES (1) ON CONFLICT DO NOTHING;

-- +goose Down
-- +goose StatementBegin
DROP TABLE river_migration;
-- +goose StatementEnd
