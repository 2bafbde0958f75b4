package request

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/db/dbsqlc"
)

// PageSize is the moderation queue's page length.
const PageSize = 25

// MaxSearch bounds the free-text search, in characters.
const MaxSearch = 200

// QueueFilter narrows the moderation queue; the zero value is the default
// view: every open (submitted or in review) request of every platform.
type QueueFilter struct {
	// Statuses to show; empty means OpenStatuses.
	Statuses []Status
	// Platform key; empty means all.
	Platform string
	// Search is matched as a substring of project name, organisation and
	// contact e-mail, case-insensitively.
	Search string
	// Assigned narrows to requests taken by one moderator (AssignedTo) or
	// to those nobody took (Unassigned).
	AssignedTo int64
	Unassigned bool
}

// QueueItem is one row of the moderation queue.
type QueueItem struct {
	ID           int64
	ProjectID    int64
	ProjectName  string
	Platform     string
	PlatformName string
	Status       Status
	ContactEmail string
	Organisation string
	CreatedAt    time.Time
	// AssignedEmail is the moderator who took it into work ("" if nobody).
	AssignedEmail string
}

// QueuePage is one page of the queue with the cursors of its neighbours
// ("" when there is none).
type QueuePage struct {
	Items []QueueItem
	Next  string
	Prev  string
}

// cursor is a keyset position: the (created_at, id) of the row a page
// starts after (forward) or ends before (backward).
type cursor struct {
	backward bool
	at       time.Time
	id       int64
}

// Cursors are opaque to clients; inside: direction, microseconds, id.
var cursorRE = regexp.MustCompile(`^([ab])(-?[0-9]{1,19})\.([0-9]{1,19})$`)

func (c cursor) encode() string {
	dir := "a"
	if c.backward {
		dir = "b"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s%d.%d", dir, c.at.UnixMicro(), c.id)))
}

// ErrBadCursor is a cursor this server did not make.
var ErrBadCursor = fmt.Errorf("request: bad page cursor: %w", apperr.ErrInvalid)

func parseCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > 64 {
		return nil, ErrBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrBadCursor
	}
	m := cursorRE.FindStringSubmatch(string(raw))
	if m == nil {
		return nil, ErrBadCursor
	}
	us, err1 := strconv.ParseInt(m[2], 10, 64)
	id, err2 := strconv.ParseInt(m[3], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return nil, ErrBadCursor
	}
	return &cursor{backward: m[1] == "b", at: time.UnixMicro(us), id: id}, nil
}

// statusSQL writes the status filter as literals (from the fixed list, so
// safe), sorted: for the open statuses it then matches the partial index's
// predicate exactly and the planner can use that index.
func statusSQL(sts []Status) (string, error) {
	if len(sts) == 0 {
		sts = OpenStatuses
	}
	var names []string
	for _, s := range sts {
		if _, ok := ParseStatus(string(s)); !ok {
			return "", fmt.Errorf("request: unknown status %q: %w", s, apperr.ErrInvalid)
		}
		if !slices.Contains(names, string(s)) {
			names = append(names, string(s))
		}
	}
	// Workflow order, as in the index definition.
	slices.SortFunc(names, func(a, b string) int {
		return slices.Index(Statuses, Status(a)) - slices.Index(Statuses, Status(b))
	})
	if len(names) == 1 {
		return "r.status = '" + names[0] + "'", nil
	}
	return "r.status IN ('" + strings.Join(names, "', '") + "')", nil
}

// queueQuery builds the keyset query: filters, then "after/before the
// cursor" on (created_at, id), in index order, limit rows.
func queueQuery(f QueueFilter, c *cursor, limit int) (string, []any, error) {
	st, err := statusSQL(f.Statuses)
	if err != nil {
		return "", nil, err
	}
	where := []string{st}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Platform != "" {
		where = append(where, "r.platform = "+arg(f.Platform))
	}
	switch {
	case f.AssignedTo > 0:
		where = append(where, "r.assigned_to = "+arg(f.AssignedTo))
	case f.Unassigned:
		where = append(where, "r.assigned_to IS NULL")
	}
	if s := strings.ToLower(strings.TrimSpace(f.Search)); s != "" {
		where = append(where, "r.search ILIKE "+arg(db.ContainsPattern(s)))
	}
	order := "r.created_at, r.id"
	if c != nil {
		op := ">"
		if c.backward {
			op = "<"
			order = "r.created_at DESC, r.id DESC"
		}
		where = append(where, "(r.created_at, r.id) "+op+" ("+arg(c.at)+"::timestamptz, "+arg(c.id)+"::bigint)")
	}
	sql := `SELECT r.id, r.project_id, p.name, r.platform, pl.name, r.status, r.contact_email, r.organisation, r.created_at,
       coalesce(a.email, '')
FROM integration_requests r
JOIN projects p ON p.id = r.project_id
JOIN platforms pl ON pl.key = r.platform
LEFT JOIN users a ON a.id = r.assigned_to
WHERE ` + strings.Join(where, " AND ") + `
ORDER BY ` + order + `
LIMIT ` + arg(limit)
	return sql, args, nil
}

// Queue returns one page of the moderation queue, oldest first. after is
// the cursor from a previous page's Next or Prev ("" for the first page);
// a cursor that was not made here is apperr.ErrInvalid. limit <= 0 means
// PageSize.
func Queue(ctx context.Context, q db.DBTX, f QueueFilter, after string, limit int) (QueuePage, error) {
	if limit <= 0 {
		limit = PageSize
	}
	if len([]rune(f.Search)) > MaxSearch {
		return QueuePage{}, fmt.Errorf("request: search too long: %w", apperr.ErrInvalid)
	}
	c, err := parseCursor(after)
	if err != nil {
		return QueuePage{}, err
	}
	items, err := queueRows(ctx, q, f, c, limit+1)
	if err != nil {
		return QueuePage{}, err
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	if c != nil && c.backward {
		slices.Reverse(items)
	}
	page := QueuePage{Items: items}
	if len(items) == 0 {
		return page, nil
	}
	first, last := items[0], items[len(items)-1]
	next := cursor{at: last.CreatedAt, id: last.ID}
	prev := cursor{backward: true, at: first.CreatedAt, id: first.ID}
	// The page was read in one direction: "more" answers for that side;
	// the other side is asked directly (one index probe).
	var hasNext, hasPrev bool
	switch {
	case c == nil:
		hasNext = more
	case c.backward:
		hasPrev = more
		if hasNext, err = anyRow(ctx, q, f, &next); err != nil {
			return QueuePage{}, err
		}
	default:
		hasNext = more
		if hasPrev, err = anyRow(ctx, q, f, &prev); err != nil {
			return QueuePage{}, err
		}
	}
	if hasNext {
		page.Next = next.encode()
	}
	if hasPrev {
		page.Prev = prev.encode()
	}
	return page, nil
}

func anyRow(ctx context.Context, q db.DBTX, f QueueFilter, c *cursor) (bool, error) {
	items, err := queueRows(ctx, q, f, c, 1)
	return len(items) > 0, err
}

func queueRows(ctx context.Context, q db.DBTX, f QueueFilter, c *cursor, limit int) ([]QueueItem, error) {
	sql, args, err := queueQuery(f, c, limit)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("request: queue: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (QueueItem, error) {
		var it QueueItem
		var st string
		err := row.Scan(&it.ID, &it.ProjectID, &it.ProjectName, &it.Platform, &it.PlatformName, &st,
			&it.ContactEmail, &it.Organisation, &it.CreatedAt, &it.AssignedEmail)
		it.Status = Status(st)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("request: queue: %w", err)
	}
	return items, nil
}

// Counts returns how many requests are in each state, across all projects
// (the queue's counters). One grouped index-only scan; see
// CountRequestsByStatus.
func Counts(ctx context.Context, q db.DBTX) (map[Status]int64, error) {
	rows, err := dbsqlc.New(q).CountRequestsByStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("request: counts: %w", err)
	}
	out := make(map[Status]int64, len(Statuses))
	for _, r := range rows {
		out[Status(r.Status)] = r.N
	}
	return out, nil
}

// NextWaiting is the oldest submitted request the moderator may decide
// (not of a project they belong to); 0 when none waits.
func NextWaiting(ctx context.Context, q db.DBTX, moderatorID int64) (int64, error) {
	id, err := dbsqlc.New(q).OldestWaitingRequest(ctx, moderatorID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("request: next waiting: %w", err)
	}
	return id, nil
}
