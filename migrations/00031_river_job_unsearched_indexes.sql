-- River's schema indexes every job's args and metadata (GIN) and its kind,
-- for finding jobs by them (River UI, JobList filters). botbridge runs
-- neither: River's own fetch, completion, rescue and cleanup go by state
-- (river_job_prioritized_fetching_index, river_job_state_and_finalized_at_
-- index) and id, and botbridge's one query on jobs (CancelProjectChatJobs)
-- filters on state first. Yet a job's row is written three times
-- (inserted, fetched as running, completed), never as a HOT update since
-- state is in the fetch index, so each write added entries to all three:
-- with a chat job per live message, the GIN indexes' pending-list
-- updates alone were a fifth of the WAL the end-to-end bench wrote. No
-- River migration up to 008 touches these indexes; a later one that does
-- must be checked against this.

-- +goose Up
DROP INDEX IF EXISTS river_job_args_index;
DROP INDEX IF EXISTS river_job_metadata_index;
DROP INDEX IF EXISTS river_job_kind;

-- +goose Down
CREATE INDEX IF NOT EXISTS river_job_args_index ON river_job USING GIN (args);
CREATE INDEX IF NOT EXISTS river_job_metadata_index ON river_job USING GIN (metadata);
CREATE INDEX IF NOT EXISTS river_job_kind ON river_job USING btree (kind);
