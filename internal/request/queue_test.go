package request_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbtest"
	"github.com/botbridge/botbridge/internal/request"
)

type queueRow struct {
	id       int64
	platform string
	status   request.Status
	search   string
	at       time.Time
}

// seedQueue inserts 60 requests over 30 projects, two platforms and every
// status, with many equal created_at values so the id tie-break matters.
func seedQueue(t *testing.T, f *fixture) []queueRow {
	t.Helper()
	_, err := f.conn.Exec(f.ctx, `UPDATE platforms SET available = true WHERE key = 'jivo'`)
	require.NoError(t, err)
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var projects []int64
	for i := 0; i < 30; i++ {
		projects = append(projects, newProject(t, f, fmt.Sprintf("Proj %02d", i)))
	}
	decided := []request.Status{request.Approved, request.Rejected, request.Withdrawn}
	var rows []queueRow
	for i := 0; i < 60; i++ {
		st := decided[i%3]
		if i < 30 {
			st = request.InReview
			if i%3 == 0 {
				st = request.Submitted
			}
		}
		platform := "webim"
		if i%2 == 1 {
			platform = "jivo"
		}
		org := fmt.Sprintf("Org %d", i)
		email := fmt.Sprintf("contact%d@example.com", i)
		search := strings.ToLower(fmt.Sprintf("Proj %02d %s %s", i%30, org, email))
		at := base.Add(time.Duration(i%20) * time.Minute)
		var id int64
		require.NoError(t, f.conn.QueryRow(f.ctx, `
INSERT INTO integration_requests (project_id, platform, status, contact_email, organisation, description,
    access_requested, reject_reason, search, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, 'A bot that answers questions.', true, 'no', $6, $7, $8) RETURNING id`,
			projects[i%30], platform, string(st), email, org, search, f.owner.ID, at).Scan(&id))
		rows = append(rows, queueRow{id: id, platform: platform, status: st, search: search, at: at})
	}
	return rows
}

func expected(rows []queueRow, f request.QueueFilter) []int64 {
	sts := f.Statuses
	if len(sts) == 0 {
		sts = request.OpenStatuses
	}
	var out []queueRow
	for _, r := range rows {
		if slices.Contains(sts, r.status) && (f.Platform == "" || r.platform == f.Platform) &&
			strings.Contains(r.search, strings.ToLower(f.Search)) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b queueRow) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return int(a.id - b.id)
	})
	var ids []int64
	for _, r := range out {
		ids = append(ids, r.id)
	}
	return ids
}

// walk pages forward to the end, then back to the start, checking that
// both directions see every row once, in order.
func walk(t *testing.T, q db.DBTX, f request.QueueFilter, size int) (forward []int64, pages int) {
	t.Helper()
	ctx := context.Background()
	var fwdPages [][]int64
	cur := ""
	for i := 0; ; i++ {
		require.Less(t, i, 100, "pagination does not end")
		p, err := request.Queue(ctx, q, f, cur, size)
		require.NoError(t, err)
		if i == 0 {
			require.Empty(t, p.Prev, "first page has no previous page")
		} else {
			require.NotEmpty(t, p.Prev, "page %d has a previous page", i)
		}
		var ids []int64
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		if p.Next != "" {
			require.Len(t, ids, size, "only the last page may be short")
		}
		fwdPages = append(fwdPages, ids)
		forward = append(forward, ids...)
		if p.Next == "" {
			break
		}
		cur = p.Next
	}
	// Back again from the last page, following Prev links.
	last, err := request.Queue(ctx, q, f, cur, size)
	require.NoError(t, err)
	prev := last.Prev
	for i := len(fwdPages) - 2; i >= 0; i-- {
		require.NotEmpty(t, prev, "page %d is reachable backwards", i)
		p, err := request.Queue(ctx, q, f, prev, size)
		require.NoError(t, err)
		var ids []int64
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		require.Equal(t, fwdPages[i], ids, "page %d read backwards", i)
		require.NotEmpty(t, p.Next, "page %d has a next page", i)
		prev = p.Prev
	}
	require.Empty(t, prev, "no page before the first")
	return forward, len(fwdPages)
}

func TestQueueFiltersAndPagination(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	f := setup(t, tx)
	rows := seedQueue(t, f)

	cases := []struct {
		name   string
		filter request.QueueFilter
		count  int
	}{
		{"default: open requests", request.QueueFilter{}, 30},
		{"submitted only", request.QueueFilter{Statuses: []request.Status{request.Submitted}}, 10},
		{"approved only", request.QueueFilter{Statuses: []request.Status{request.Approved}}, 10},
		{"decided", request.QueueFilter{Statuses: []request.Status{request.Withdrawn, request.Rejected, request.Approved}}, 30},
		{"everything", request.QueueFilter{Statuses: request.Statuses}, 60},
		{"platform", request.QueueFilter{Platform: "jivo"}, 15},
		{"platform and status", request.QueueFilter{Platform: "webim", Statuses: []request.Status{request.InReview}}, 10},
		{"search organisation", request.QueueFilter{Search: "ORG 1", Statuses: request.Statuses}, 11},
		{"search project", request.QueueFilter{Search: "proj 07"}, 1},
		{"search e-mail with platform and status", request.QueueFilter{Search: "contact4", Platform: "webim", Statuses: request.Statuses}, 6},
		{"search wildcard is literal", request.QueueFilter{Search: "%", Statuses: request.Statuses}, 0},
		{"search underscore is literal", request.QueueFilter{Search: "org_1", Statuses: request.Statuses}, 0},
		{"unknown platform", request.QueueFilter{Platform: "nope"}, 0},
	}
	for _, tc := range cases {
		want := expected(rows, tc.filter)
		require.Len(t, want, tc.count, "%s: fixture", tc.name)
		for _, size := range []int{1, 7, 25, 100} {
			got, pages := walk(t, tx, tc.filter, size)
			require.Equal(t, want, got, "%s, page size %d", tc.name, size)
			wantPages := max(1, (len(want)+size-1)/size)
			require.Equal(t, wantPages, pages, "%s, page size %d", tc.name, size)
		}
	}

	// Items carry what the queue shows.
	p, err := request.Queue(f.ctx, tx, request.QueueFilter{Search: "proj 07"}, "", 0)
	require.NoError(t, err)
	require.Len(t, p.Items, 1)
	it := p.Items[0]
	require.Equal(t, "Proj 07", it.ProjectName)
	require.Equal(t, "Jivo", it.PlatformName)
	require.Equal(t, "Org 7", it.Organisation)
	require.Equal(t, "contact7@example.com", it.ContactEmail)
	require.Equal(t, request.InReview, it.Status)

	// A request decided while someone pages moves out of the open view
	// without duplicating or skipping the others.
	first, err := request.Queue(f.ctx, tx, request.QueueFilter{}, "", 10)
	require.NoError(t, err)
	_, err = tx.Exec(f.ctx, `UPDATE integration_requests SET status = 'withdrawn' WHERE id = $1`, first.Items[3].ID)
	require.NoError(t, err)
	second, err := request.Queue(f.ctx, tx, request.QueueFilter{}, first.Next, 10)
	require.NoError(t, err)
	all := expected(rows, request.QueueFilter{})
	require.Equal(t, all[10], second.Items[0].ID)
}

func TestQueueBadInput(t *testing.T) {
	t.Parallel()
	tx := dbtest.Tx(t)
	ctx := context.Background()
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, c := range []string{
		"garbage!", "a1.2", enc("x"), enc("a1.0"), enc("a1.-3"), enc("c1.2"), enc("a1.2 OR 1=1"),
		enc("a99999999999999999999.1"), strings.Repeat("A", 200), enc("a1.2") + "=",
	} {
		_, err := request.Queue(ctx, tx, request.QueueFilter{}, c, 0)
		require.ErrorIs(t, err, apperr.ErrInvalid, "cursor %q", c)
	}
	_, err := request.Queue(ctx, tx, request.QueueFilter{Statuses: []request.Status{"bogus"}}, "", 0)
	require.ErrorIs(t, err, apperr.ErrInvalid)
	_, err = request.Queue(ctx, tx, request.QueueFilter{Statuses: []request.Status{"submitted') OR true --"}}, "", 0)
	require.ErrorIs(t, err, apperr.ErrInvalid)
	_, err = request.Queue(ctx, tx, request.QueueFilter{Search: strings.Repeat("x", 201)}, "", 0)
	require.ErrorIs(t, err, apperr.ErrInvalid)
	// A well-formed cursor is just a position, even one that matches no row.
	p, err := request.Queue(ctx, tx, request.QueueFilter{}, enc("a1.2"), 0)
	require.NoError(t, err)
	require.Empty(t, p.Items)
}

// With 100 000 requests the queue is served by indexes for every filter,
// and page 50 (reached by following Next links) is an index range scan that
// starts at the cursor, not a scan and sort of everything before it.
func TestQueuePlansUseIndexes(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewDatabase(t)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `
INSERT INTO users (email, password_hash, role) VALUES ('bulk@example.com', 'x', 'owner');
UPDATE platforms SET available = true WHERE key = 'jivo';
INSERT INTO projects (name, created_by)
SELECT 'Project ' || g, (SELECT id FROM users) FROM generate_series(1, 20000) g;
-- 20 000 open requests (one per project), 80 000 decided ones: the shape
-- of a queue that has run for a while.
INSERT INTO integration_requests (project_id, platform, status, contact_email, organisation, description,
    access_requested, reject_reason, search, created_by, created_at)
SELECT ((g - 1) % 20000) + 1,
       CASE WHEN g % 5 = 0 THEN 'jivo' ELSE 'webim' END,
       CASE WHEN g <= 20000 THEN (CASE WHEN g % 2 = 0 THEN 'submitted' ELSE 'in_review' END)
            ELSE (ARRAY['approved', 'rejected', 'withdrawn'])[g % 3 + 1] END,
       'contact' || g || '@example.com', 'Org ' || g, 'A bot that answers questions about orders.',
       true, 'reason', lower('Project ' || (((g - 1) % 20000) + 1) || ' Org ' || g || ' contact' || g || '@example.com'),
       (SELECT id FROM users), now() - (g * interval '17 seconds')
FROM generate_series(1, 100000) g;
ANALYZE integration_requests; ANALYZE projects; ANALYZE platforms;`)
	require.NoError(t, err)
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM integration_requests`).Scan(&n))
	require.Equal(t, 100000, n)

	page50 := func(f request.QueueFilter) string {
		cur := ""
		for i := 1; i < 50; i++ {
			p, err := request.Queue(ctx, pool, f, cur, request.PageSize)
			require.NoError(t, err)
			require.NotEmpty(t, p.Next, "page %d has a next page", i)
			cur = p.Next
		}
		return cur
	}
	explain := func(f request.QueueFilter, cur string) string {
		sql, args, err := request.QueueQuery(f, cur, request.PageSize+1)
		require.NoError(t, err)
		rows, err := pool.Query(ctx, "EXPLAIN "+sql, args...)
		require.NoError(t, err)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return strings.Join(lines, "\n")
	}

	all := request.Statuses
	cases := []struct {
		name   string
		filter request.QueueFilter
		index  string // the index that must drive the plan
		noSort bool   // rows come out of the index in page order
	}{
		{"default", request.QueueFilter{}, "integration_requests_open_queue_idx", true},
		{"one status", request.QueueFilter{Statuses: []request.Status{request.Approved}}, "integration_requests_queue_idx", true},
		{"platform and status", request.QueueFilter{Platform: "jivo", Statuses: []request.Status{request.Rejected}}, "integration_requests_platform_queue_idx", true},
		{"platform, open", request.QueueFilter{Platform: "jivo"}, "", false},
		{"search", request.QueueFilter{Search: "org 4242", Statuses: all}, "integration_requests_search_idx", false},
		{"search, open", request.QueueFilter{Search: "contact777"}, "", false},
		{"search and platform", request.QueueFilter{Search: "project 1234", Platform: "webim", Statuses: []request.Status{request.Approved}}, "", false},
	}
	for _, tc := range cases {
		for _, cur := range []string{"", "page 50"} {
			if cur == "page 50" {
				if tc.filter.Search != "" {
					continue // a search finds a handful of rows: one page
				}
				cur = page50(tc.filter)
			}
			plan := explain(tc.filter, cur)
			require.NotContains(t, plan, "Seq Scan on integration_requests", "%s (%q):\n%s", tc.name, cur, plan)
			if tc.index != "" {
				require.Contains(t, plan, tc.index, "%s:\n%s", tc.name, plan)
			}
			if tc.noSort {
				require.NotContains(t, plan, "Sort", "%s: no sort needed:\n%s", tc.name, plan)
				if cur != "" {
					// The keyset condition is an index condition: the scan
					// starts at the cursor instead of skipping 1 225 rows.
					require.Regexp(t, `Index Cond: .*ROW\((r\.)?created_at, (r\.)?id\) > ROW`, plan, "%s:\n%s", tc.name, plan)
				}
			}
			t.Logf("%s, cursor %t:\n%s", tc.name, cur != "", plan)
		}
	}
}
