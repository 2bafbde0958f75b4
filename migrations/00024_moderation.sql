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

-- +goose Down
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
