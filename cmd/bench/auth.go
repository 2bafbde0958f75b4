package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/botbridge/botbridge/internal/auth"
)

// authBurstWidth is how many visitors sign up and log in at once.
const authBurstWidth = 200

// authBurst measures botbridge's peak memory under a burst of password
// work: authBurstWidth visitors at once, each signing up (a new account)
// and logging in (a wrong password for a seeded account), with argon2id at
// 19 MiB per hash. Unbounded, 400 hashes at once would want ~7.6 GB; the
// hashing slots keep it to one per CPU and turn away what waits too long
// (503). Every visitor has an address of its own (X-Forwarded-For from a
// trusted loopback proxy), so the per-address limits do not hide the
// hashing.
func (b *bench) authBurst(ctx context.Context) error {
	env := maps.Clone(b.opt.env)
	env["TRUSTED_PROXIES"] = "127.0.0.1"
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	srv, err := startChild(ctx, b.bin, b.tmp, "auth", "http://"+addr, addr, b.db.URL, env, "serve", "--no-workers")
	if err != nil {
		return err
	}
	defer srv.Stop()
	const victim = "victim@bench.test"
	if _, err := auth.CreateUser(ctx, b.pool, victim, "bench victim password", auth.RoleOwner); err != nil {
		return err
	}
	_, before, err := memory(srv.Pid())
	if err != nil {
		return err
	}
	log.Printf("auth burst: %d visitors signing up and logging in at once (pid %d)", authBurstWidth, srv.Pid())
	var mu sync.Mutex
	answers := map[string]int{}
	count := func(what string, status int, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			answers[what+" error"]++
			return
		}
		answers[fmt.Sprintf("%s %d", what, status)]++
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range authBurstWidth {
		ip := fmt.Sprintf("10.77.%d.%d", i/250, i%250+1)
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			status, err := formPost(ctx, srv.BaseURL, ip, "/signup", url.Values{"email": {fmt.Sprintf("burst%d@bench.test", i)},
				"password": {"bench burst password"}, "confirm": {"bench burst password"}})
			count("sign-up", status, err)
		}()
		go func() {
			defer wg.Done()
			<-start
			status, err := formPost(ctx, srv.BaseURL, ip, "/login", url.Values{"email": {victim}, "password": {"a wrong guess"}})
			count("log-in", status, err)
		}()
	}
	close(start)
	wg.Wait()
	took := time.Since(t0)
	peak, after, err := memory(srv.Pid())
	if err != nil {
		return err
	}
	b.rep.set("rss_auth_burst_mb", float64(peak)/(1<<20))
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, answers[k])
	}
	b.rep.note("auth burst: %d sign-ups and %d log-ins at once in %.1f s (answers %s); RSS %.0f MB before, %.0f MB after, peak %.0f MB",
		authBurstWidth, authBurstWidth, took.Seconds(), strings.Join(parts, ", "), mb(before), mb(after), mb(peak))
	return nil
}

func mb(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// formPost is one visitor's form: GET the page for its CSRF cookie and
// token, then POST the form with it, from address ip. It returns the
// POST's status.
func formPost(ctx context.Context, base, ip, path string, form url.Values) (int, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	m := csrfRE.FindStringSubmatch(string(body))
	if m == nil {
		return 0, fmt.Errorf("GET %s: %d, no CSRF token", path, resp.StatusCode)
	}
	form.Set("_csrf", html.UnescapeString(m[1]))
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	resp, err = c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
