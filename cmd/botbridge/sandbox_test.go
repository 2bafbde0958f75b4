package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe to write from the command's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runServer starts a long-running command and returns the base URL it
// printed, and a stop function that cancels it and returns its exit code.
func runServer(t *testing.T, env map[string]string, args ...string) (string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	}()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	exited := make(chan int, 1) // the condition runs off the test goroutine: it reports, the test fails
	require.Eventually(t, func() bool {
		select {
		case code := <-done:
			exited <- code
			return true
		default:
		}
		m := re.FindStringSubmatch(out.String())
		if m == nil {
			return false
		}
		base = m[1]
		return true
	}, 10*time.Second, 10*time.Millisecond)
	select {
	case code := <-exited:
		t.Fatalf("%v exited early with %d: %s", args, code, errb.String())
	default:
	}
	stopped := false
	stop := func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("the command did not shut down")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

func runWithEnv(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	return code, errb.String()
}

func TestSandboxFlagErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sandbox"}, "--token (or SANDBOX_TOKEN) is required"},
		{[]string{"sandbox", "--token", "T", "--bogus"}, "flag provided but not defined"},
		{[]string{"sandbox", "--token", "T", "extra"}, `unexpected argument "extra"`},
		{[]string{"sandbox", "--token", "T", "--webhook", "ftp://x"}, "--webhook"},
		{[]string{"sandbox", "--token", "T", "--webhook", "localhost:8080/x"}, "--webhook"},
		{[]string{"sandbox", "--token", "T", "--first-chat-id", "-3"}, "--first-chat-id"},
		{[]string{"sandbox", "--token", "T", "--first-chat-id", "x"}, "invalid value"},
		{[]string{"sandbox", "--token", "T", "--chat-events", "ftp://x"}, "--chat-events"},
		{[]string{"sandbox", "--token", "T", "--language", "fr"}, "--language must be ru or en"},
	}
	for _, tc := range cases {
		code, stderr := runWithEnv(t, nil, tc.args...)
		require.Equal(t, exitUsage, code, "%v", tc.args)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Contains(t, stderr, "Usage:", "%v", tc.args)
	}
	code, stderr := runWithEnv(t, map[string]string{"SANDBOX_TOKEN": "T"}, "sandbox", "--listen", "256.0.0.1:99999")
	require.Equal(t, 1, code, "a listen error is not a usage error")
	require.Contains(t, stderr, "sandbox:")
}

func TestSandboxServesAndStops(t *testing.T) {
	t.Parallel()
	base, stop := runServer(t, map[string]string{"SANDBOX_TOKEN": "envtoken", "SANDBOX_LANGUAGE": "en"},
		"sandbox", "--listen", "127.0.0.1:0", "--webhook", "http://127.0.0.1:1/webhooks/webim/k", "--first-chat-id", "500",
		"--chat-events", "http://u:p@127.0.0.1:1/webhooks/webim/k/chat-events", "--webim-version", "10.3.2")

	resp, err := http.Get(base + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(page), "Start chat", "SANDBOX_LANGUAGE=en")
	require.Contains(t, string(page), `value="10.3.2"`)
	require.Contains(t, string(page), `value="http://u:p@127.0.0.1:1/webhooks/webim/k/chat-events"`)

	resp, err = http.Post(base+"/sandbox/chats", "application/json", strings.NewReader(`{"name":"Ann"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Contains(t, string(body), `"chat_id":500`)
	require.Contains(t, string(body), "Could not reach botbridge", "the configured webhook URL is used")

	req, _ := http.NewRequest(http.MethodPost, base+"/api/bot/v2/close_chat", strings.NewReader(`{"chat_id":500}`))
	req.Header.Set("Authorization", "Token envtoken")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the token comes from SANDBOX_TOKEN")

	require.Zero(t, stop(), "a cancelled context is a clean exit")
	_, err = http.Get(base + "/")
	require.Error(t, err, "the port is released")
}

// Without --first-chat-id, chat ids start from the clock so a restarted
// sandbox does not reuse the ids a development database already holds.
func TestSandboxDefaultFirstChatID(t *testing.T) {
	t.Parallel()
	base, stop := runServer(t, nil, "sandbox", "--listen", "127.0.0.1:0", "--token", "T")
	resp, err := http.Post(base+"/sandbox/chats", "application/json", strings.NewReader(`{"name":"Ann"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`"chat_id":(\d+)`).FindStringSubmatch(string(body))
	require.NotNil(t, m)
	require.Greater(t, len(m[1]), 4, "id %s comes from the clock", m[1])
	require.Zero(t, stop())
}
