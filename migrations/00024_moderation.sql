-- Moderation for a team of moderators (issue 17): who took a request into
-- work, revocation of a grant, resubmission of a rejected request, internal
-- moderator notes and the automatic evidence check of the Webim domain.

-- +goose Up
-- The moderator who took the request into work (shown in the queue and used
-- by its "assigned to me" / "unassigned" filters). A column rather than a
-- lookup in the history so the queue filters in its own index scan.
ALTER TABLE integration_requests ADD COLUMN assigned_to bigint REFERENCES users(id) ON DELETE SET NULL;

-- "revoked": an approved request whose grant a moderator took back. The
-- reason column now holds the reason of either decision the owner must
-- read (a rejection or a revocation).
ALTER TABLE integration_requests DROP CONSTRAINT integration_requests_status_check;
ALTER TABLE integration_requests ADD CONSTRAINT integration_requests_status_check
    CHECK (status IN ('submitted', 'in_review', 'approved', 'rejected', 'withdrawn', 'revoked'));
ALTER TABLE integration_requests DROP CONSTRAINT integration_requests_check;
ALTER TABLE integration_requests ADD CONSTRAINT integration_requests_check
    CHECK (status NOT IN ('rejected', 'revoked') OR reject_reason <> '');

-- "note": a moderator-only comment. Owners' reads of the history filter
-- notes out in SQL, so no page or mail built from them can carry one.
ALTER TABLE request_events DROP CONSTRAINT request_events_kind_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_kind_check
    CHECK (kind IN ('transition', 'comment', 'note'));
ALTER TABLE request_events DROP CONSTRAINT request_events_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_check
    CHECK (kind IN ('comment', 'note') AND comment <> '' OR kind = 'transition' AND to_status IS NOT NULL);

-- The latest automatic check of a request's Webim domain: one row per
-- request, replaced by every run ("Check again"). checks is the list of
-- {name, ok, detail} the worker produced; state 'pending' while a job is
-- queued. Only moderators read it.
CREATE TABLE request_evidence (
    request_id   bigint PRIMARY KEY REFERENCES integration_requests(id) ON DELETE CASCADE,
    domain       text NOT NULL,
    state        text NOT NULL CHECK (state IN ('pending', 'done')),
    ok           boolean NOT NULL DEFAULT false,
    checks       jsonb NOT NULL DEFAULT '[]',
    requested_at timestamptz NOT NULL DEFAULT now(),
    checked_at   timestamptz
);

-- The queue's per-status counts. count(*) GROUP BY status over 10^5
-- requests reads every row (150+ ms measured; the planner will not use the
-- status index for it), far over the queue's 30 ms. Instead every change of
-- integration_requests appends its net change per status here (statement
-- triggers over the transition tables: a bulk insert adds one row per
-- status, not one per request), and the count is the sum of a few rows.
-- Appends never wait on each other (a single counter row per status would
-- serialise every submission and deadlock concurrent transactions); a
-- periodic job folds the rows (request.CompactCounts) so the table stays
-- a few rows long.
CREATE TABLE request_status_deltas (
    status text NOT NULL,
    n      bigint NOT NULL
);
INSERT INTO request_status_deltas (status, n)
    SELECT status, count(*) FROM integration_requests GROUP BY status;

-- +goose StatementBegin
CREATE FUNCTION request_status_deltas_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_status_deltas (status, n) SELECT status, count(*) FROM new_rows GROUP BY status;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION request_status_deltas_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_status_deltas (status, n)
    SELECT s, sum(d) FROM (
        SELECT o.status AS s, -1 AS d FROM old_rows o JOIN new_rows nw ON nw.id = o.id WHERE nw.status <> o.status
        UNION ALL
        SELECT nw.status, 1 FROM old_rows o JOIN new_rows nw ON nw.id = o.id WHERE nw.status <> o.status
    ) c GROUP BY s;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION request_status_deltas_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_status_deltas (status, n) SELECT status, -count(*) FROM old_rows GROUP BY status;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER request_status_deltas_ins AFTER INSERT ON integration_requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION request_status_deltas_ins();
CREATE TRIGGER request_status_deltas_upd AFTER UPDATE ON integration_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION request_status_deltas_upd();
CREATE TRIGGER request_status_deltas_del AFTER DELETE ON integration_requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION request_status_deltas_del();

-- +goose Down
DROP TRIGGER request_status_deltas_del ON integration_requests;
DROP TRIGGER request_status_deltas_upd ON integration_requests;
DROP TRIGGER request_status_deltas_ins ON integration_requests;
DROP FUNCTION request_status_deltas_del();
DROP FUNCTION request_status_deltas_upd();
DROP FUNCTION request_status_deltas_ins();
DROP TABLE request_status_deltas;
DROP TABLE request_evidence;
DELETE FROM request_events WHERE kind = 'note';
ALTER TABLE request_events DROP CONSTRAINT request_events_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_check
    CHECK (kind = 'comment' AND comment <> '' OR kind = 'transition' AND to_status IS NOT NULL);
ALTER TABLE request_events DROP CONSTRAINT request_events_kind_check;
ALTER TABLE request_events ADD CONSTRAINT request_events_kind_check CHECK (kind IN ('transition', 'comment'));
-- A revoked request was approved once; that is the nearest older state.
UPDATE integration_requests SET status = 'approved' WHERE status = 'revoked';
ALTER TABLE integration_requests DROP CONSTRAINT integration_requests_check;
ALTER TABLE integration_requests ADD CONSTRAINT integration_requests_check
    CHECK (status <> 'rejected' OR reject_reason <> '');
ALTER TABLE integration_requests DROP CONSTRAINT integration_requests_status_check;
ALTER TABLE integration_requests ADD CONSTRAINT integration_requests_status_check
    CHECK (status IN ('submitted', 'in_review', 'approved', 'rejected', 'withdrawn'));
ALTER TABLE integration_requests DROP COLUMN assigned_to;
