package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/auth"
)

// browser is a logged-in user's HTTP client.
type browser struct {
	c    *http.Client
	base string
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// login creates an account with role and logs it in over HTTP like a
// person would (log-in form, CSRF token, session cookie).
func login(ctx context.Context, pool *pgxpool.Pool, base, email string, role auth.Role) (*browser, int64, error) {
	const password = "bench password 0123456789"
	u, err := auth.CreateUser(ctx, pool, email, password, role)
	if err != nil {
		return nil, 0, err
	}
	if err := auth.MarkVerified(ctx, pool, u.ID); err != nil {
		return nil, 0, err
	}
	jar, _ := cookiejar.New(nil)
	b := &browser{c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, base: base}
	status, body, err := b.get(ctx, "/login")
	if err != nil || status != http.StatusOK {
		return nil, 0, fmt.Errorf("GET /login: %d %v", status, err)
	}
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		return nil, 0, fmt.Errorf("no CSRF token on the log-in page")
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {html.UnescapeString(m[1])}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, 0, fmt.Errorf("POST /login answered %d", resp.StatusCode)
	}
	return b, u.ID, nil
}

func (b *browser) get(ctx context.Context, path string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := b.c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// timePage GETs path warm times, then n times one after another, checking
// each answer with check, and returns the latencies (request sent → whole
// page read).
func (b *browser) timePage(ctx context.Context, path string, warm, n int, check func(string) error) ([]time.Duration, error) {
	var lat []time.Duration
	for i := range warm + n {
		start := time.Now()
		status, body, err := b.get(ctx, path)
		took := time.Since(start)
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("GET %s answered %d", path, status)
		}
		if i == 0 {
			if err := check(body); err != nil {
				return nil, fmt.Errorf("GET %s: %w", path, err)
			}
		}
		if i >= warm {
			lat = append(lat, took)
		}
	}
	return lat, nil
}

var (
	nextLinkRE = regexp.MustCompile(`rel="next" href="([^"]+)"`)
	queueRowRE = regexp.MustCompile(`<tr data-request=`)
)

// seedRequests bulk-inserts total integration requests in one statement
// per table (generate_series), over projects (one open request per project
// and platform at most, as the schema demands; most requests are decided).
// About a third of the projects' open requests are in_review on Webim;
// those are assigned to the moderator (the queue shows who took them).
func seedRequests(ctx context.Context, pool *pgxpool.Pool, userID int64, total int) error {
	projects := max(total/4, 3000)
	_, err := pool.Exec(ctx, `
		INSERT INTO projects (name, created_by, created_at)
		SELECT 'Bench project ' || g, $1, now() - interval '1 year' FROM generate_series(1, $2) g`, userID, projects)
	if err != nil {
		return fmt.Errorf("seed projects: %w", err)
	}
	var firstProject int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM projects WHERE name LIKE 'Bench project %'`).Scan(&firstProject); err != nil {
		return err
	}
	_, err = pool.Exec(ctx, `
		INSERT INTO integration_requests (project_id, platform, status, contact_email, organisation, description,
			access_requested, reject_reason, search, created_by, created_at, updated_at, decided_at, assigned_to)
		SELECT $1 + (g - 1) % $3, r.platform, r.status, 'contact' || g || '@example.com', 'Organisation ' || g,
		       'We would like a bot on Webim for our support team, request number ' || g,
		       true, CASE WHEN r.status = 'rejected' THEN 'Not enough detail' ELSE '' END,
		       lower('Bench project ' || ((g - 1) % $3 + 1) || ' organisation ' || g || ' contact' || g || '@example.com'),
		       $4, now() - (($2 - g) * interval '1 minute'), now() - (($2 - g) * interval '1 minute'),
		       CASE WHEN r.status IN ('approved', 'rejected', 'withdrawn') THEN now() - (($2 - g) * interval '1 minute') END,
		       CASE WHEN r.status <> 'submitted' THEN $4::bigint END
		FROM generate_series(1, $2) g,
		LATERAL (SELECT
			CASE WHEN g % 4 = 0 THEN 'jivo' ELSE 'webim' END AS platform,
			CASE WHEN g <= $3 THEN (CASE WHEN g % 3 = 0 THEN 'submitted' ELSE 'in_review' END)
			     WHEN g % 10 < 6 THEN 'approved' WHEN g % 10 < 9 THEN 'rejected' ELSE 'withdrawn' END AS status) r`,
		firstProject, total, projects, userID)
	if err != nil {
		return fmt.Errorf("seed requests: %w", err)
	}
	// VACUUM, as autovacuum would soon after such a load: the queue's
	// counts are an index-only scan, which needs the visibility map.
	for _, stmt := range []string{`VACUUM (ANALYZE) projects`, `VACUUM (ANALYZE) integration_requests`} {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// seedActivity bulk-inserts total finished events (with a bot call and a
// Webim call each) for one integration, spread over chats.
func seedActivity(ctx context.Context, pool *pgxpool.Pool, integrationID, projectID int64, total, chats int) (minID, maxID int64, err error) {
	var firstChat, lastChat int64
	err = pool.QueryRow(ctx, `
		WITH ins AS (
			INSERT INTO chats (integration_id, project_id, platform_chat_id, visitor_id, visitor_name, created_at, last_event_at)
			SELECT $1, $2, 'bench-' || g, 'v' || g, 'Visitor ' || g, now(), now() FROM generate_series(1, $3) g
			RETURNING id)
		SELECT min(id), max(id) FROM ins`, integrationID, projectID, chats).Scan(&firstChat, &lastChat)
	if err != nil {
		return 0, 0, fmt.Errorf("seed chats: %w", err)
	}
	if lastChat-firstChat+1 != int64(chats) {
		return 0, 0, fmt.Errorf("seed chats: ids not consecutive (%d..%d for %d)", firstChat, lastChat, chats)
	}
	err = pool.QueryRow(ctx, `
		WITH ins AS (
			INSERT INTO bridge_events (public_id, integration_id, chat_id, dedup_key, type, message, status, outcome,
				attempts, calls, calls_done, received_at, processed_at)
			SELECT 'evt_bench' || lpad(g::text, 12, '0'), $1, $2 + (g % $4), 'msg:bench:' || g, 'message.text',
			       jsonb_build_object('text', 'Visitor message number ' || g), 'done', 'replied', 0,
			       '[{"method":"send_message","body":{}}]'::jsonb, 1,
			       now() - (($3 - g) * interval '100 milliseconds'), now() - (($3 - g) * interval '100 milliseconds') + interval '20 milliseconds'
			FROM generate_series(1, $3) g
			RETURNING id)
		SELECT min(id), max(id) FROM ins`, integrationID, firstChat, total, chats).Scan(&minID, &maxID)
	if err != nil {
		return 0, 0, fmt.Errorf("seed events: %w", err)
	}
	_, err = pool.Exec(ctx, `
		INSERT INTO bridge_calls (event_id, target, method, attempt, status_code, ok, duration_ms, created_at)
		SELECT e.id, t.target, t.method, 1, 200, true, t.ms, e.received_at
		FROM bridge_events e
		CROSS JOIN (VALUES ('bot', 'message.text', 4), ('webim', 'send_message', 3)) AS t(target, method, ms)
		WHERE e.id BETWEEN $1 AND $2
		ORDER BY e.id, t.target`, minID, maxID)
	if err != nil {
		return 0, 0, fmt.Errorf("seed calls: %w", err)
	}
	_, err = pool.Exec(ctx, `ANALYZE chats; ANALYZE bridge_events; ANALYZE bridge_calls`)
	return minID, maxID, err
}

// followNext walks the moderation queue from path through pages-1 "Next"
// links and returns the URL of the last page reached.
func (b *browser) followNext(ctx context.Context, path string, pages int) (string, error) {
	for p := 1; p < pages; p++ {
		status, body, err := b.get(ctx, path)
		if err != nil || status != http.StatusOK {
			return "", fmt.Errorf("GET %s: %d %v", path, status, err)
		}
		m := nextLinkRE.FindStringSubmatch(body)
		if m == nil {
			return "", fmt.Errorf("page %d has no next link", p)
		}
		path = html.UnescapeString(m[1])
	}
	return path, nil
}

// queueCountRE is one per-status count at the top of the queue.
var queueCountRE = regexp.MustCompile(`<strong class="count-n">(\d+)</strong>`)

// queueStatuses is how many per-status counts the queue shows.
const queueStatuses = 6

func expectRows(re *regexp.Regexp, want int) func(string) error {
	return func(body string) error {
		if n := len(re.FindAllStringIndex(body, -1)); n < want {
			return fmt.Errorf("expected at least %d rows, got %d", want, n)
		}
		if re == queueRowRE {
			// The timed queue page includes its counts over every request.
			counts, sum := queueCountRE.FindAllStringSubmatch(body, -1), 0
			for _, c := range counts {
				n, _ := strconv.Atoi(c[1])
				sum += n
			}
			if len(counts) != queueStatuses || sum == 0 {
				return fmt.Errorf("expected %d status counts over the requests, got %d summing to %d", queueStatuses, len(counts), sum)
			}
		}
		return nil
	}
}
