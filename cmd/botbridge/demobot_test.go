package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/botbridge/botbridge/internal/botapi"
)

const testBotSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestDemobotFlagErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"demobot"}, "--secret (or DEMOBOT_SECRET) is required"},
		{nil, []string{"demobot", "--secret", " , "}, "--secret (or DEMOBOT_SECRET) is required"},
		{nil, []string{"demobot", "--secret", "whsec_notbase64!"}, "secret #1 is not a valid whsec_ secret"},
		{map[string]string{"DEMOBOT_SECRET": testBotSecret + ",whsec_c2hvcnQ="}, []string{"demobot"}, "secret #2 is not a valid"},
		{nil, []string{"demobot", "--secret", testBotSecret, "--port", "1"}, "flag provided but not defined"},
		{nil, []string{"demobot", "--secret", testBotSecret, "now"}, `unexpected argument "now"`},
		{nil, []string{"demobot", "--secret", testBotSecret, "--language", "de"}, "--language must be ru or en"},
	}
	for _, tc := range cases {
		code, stderr := runWithEnv(t, tc.env, tc.args...)
		require.Equal(t, exitUsage, code, "%v", tc.args)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Contains(t, stderr, "Usage:", "%v", tc.args)
		require.NotContains(t, stderr, "MfKQ9r8G", "secrets never reach the output")
	}
}

func TestDemobotServesAndStops(t *testing.T) {
	t.Parallel()
	other, err := botapi.NewSecret()
	require.NoError(t, err)
	base, stop := runServer(t, map[string]string{"DEMOBOT_SECRET": other + ", " + testBotSecret}, "demobot", "--listen", "127.0.0.1:0")

	post := func(secret string) (int, string) {
		body := []byte(`{"id":"evt_1","type":"message.text","chat":{"id":"c1","platform_chat_id":"1"},"user":{"id":"u","channel":"webim"},"message":{"id":"m","text":"hello"}}`)
		h, err := botapi.Headers([]string{secret}, "evt_1", time.Now(), body)
		require.NoError(t, err)
		req, _ := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(string(body)))
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	code, body := post(testBotSecret)
	require.Equal(t, http.StatusOK, code, body)
	require.Contains(t, body, "Вы написали: hello", "Russian by default")
	code, _ = post(other)
	require.Equal(t, http.StatusOK, code, "every comma-separated secret verifies")
	fresh, _ := botapi.NewSecret()
	code, _ = post(fresh)
	require.Equal(t, http.StatusUnauthorized, code)

	require.Zero(t, stop())
}
