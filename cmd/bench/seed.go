package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/internal/stack"
	"github.com/botbridge/botbridge/internal/webim"
)

// tenant is the seeded project everything runs in: stack.Seed's owner,
// project, demo bot and its first sandbox accounts.
type tenant struct {
	*stack.Stack
	OwnerID int64
	kr      *secret.Keyring
	servers []*http.Server
}

func seedTenant(ctx context.Context, pool *pgxpool.Pool, baseURL string, integrations int) (*tenant, error) {
	kr, err := secret.NewKeyring(stack.SecretKey)
	if err != nil {
		return nil, err
	}
	s, err := stack.Seed(ctx, pool, kr, baseURL, stack.Options{Integrations: integrations})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	t := &tenant{Stack: s, kr: kr}
	err = pool.QueryRow(ctx, `SELECT user_id FROM project_members WHERE project_id = $1 AND role = 'owner' ORDER BY user_id LIMIT 1`,
		s.ProjectID).Scan(&t.OwnerID)
	return t, err
}

// keys returns the webhook keys of the seeded accounts.
func (t *tenant) keys(ctx context.Context) ([]account, error) {
	var out []account
	for _, a := range t.Accounts {
		in, err := integration.GetByID(ctx, t.Pool, a.IntegrationID)
		if err != nil {
			return nil, err
		}
		key, err := integration.WebhookKey(t.kr, in)
		if err != nil {
			return nil, err
		}
		out = append(out, account{IntegrationID: a.IntegrationID, Key: key, Sandbox: a.Sandbox})
	}
	return out, nil
}

// account is a Webim integration with its sandbox and webhook key.
type account struct {
	IntegrationID int64
	Key           string
	Sandbox       *sandbox.Server
	// Chats are sandbox chats the bot owns (new_message to them gets replies).
	Chats []int64
}

// WebhookURL is the account's webhook on the botbridge at base.
func (a account) WebhookURL(base string) string { return base + integration.WebhookPath + a.Key }

// addAccounts creates n more sandbox accounts and integrations in the
// tenant. wrap (optional) wraps each sandbox's handler, e.g. to timestamp
// the API calls it receives. Each sandbox gets chatsPer chats, opened
// without a webhook (the benchmark sends the webhooks itself).
func (t *tenant) addAccounts(ctx context.Context, n, chatsPer int, firstChat int64, wrap func(http.Handler) http.Handler) ([]account, error) {
	env := integration.Env{Keyring: t.kr, Outbound: outbound.Policy{AllowLocal: true}}
	var out []account
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		sb := sandbox.New(sandbox.Config{Token: stack.SandboxToken, FirstChatID: firstChat + int64(i)*1_000_000})
		var h http.Handler = sb
		if wrap != nil {
			h = wrap(sb)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		t.servers = append(t.servers, srv)
		go func() { _ = srv.Serve(ln) }()
		in, err := integration.Create(ctx, t.Pool, env, t.ProjectID, t.OwnerID, "webim", integration.Input{
			Token: stack.SandboxToken, Domain: "http://" + ln.Addr().String(), TransferTo: "department", DepartmentID: "support"})
		if err != nil {
			return nil, fmt.Errorf("create integration: %w", err)
		}
		key, err := integration.WebhookKey(t.kr, in)
		if err != nil {
			return nil, err
		}
		a := account{IntegrationID: in.ID, Key: key, Sandbox: sb}
		for range chatsPer {
			// No webhook URL is set, so the chat opens without telling
			// anyone; StartChat reports that as a *WebhookError.
			id, _ := sb.StartChat(ctx, "Visitor")
			if id == 0 {
				return nil, fmt.Errorf("sandbox refused to open a chat")
			}
			a.Chats = append(a.Chats, id)
		}
		out = append(out, a)
	}
	return out, nil
}

// Close stops the tenant's servers.
func (t *tenant) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range t.servers {
		_ = srv.Shutdown(ctx)
	}
	t.Stop()
}

// newHTTPClient is the load generator's client: keep-alive connections
// for every concurrent sender.
func newHTTPClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: 90 * time.Second,
			DisableCompression: true,
		},
	}
}

// Webhook bodies of Bot API 2.0, as the sandbox (and Webim) send them.
func newMessageBody(chatID int64, msgID, text string) []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"event":"new_message","chat_id":`...)
	b = strconv.AppendInt(b, chatID, 10)
	b = append(b, `,"message":{"id":"`...)
	b = append(b, msgID...)
	b = append(b, `","kind":"visitor","text":`...)
	b = strconv.AppendQuote(b, text)
	return append(b, `}}`...)
}

func newChatBody(chatID int64, visitorID, name string) []byte {
	return fmt.Appendf(nil, `{"event":"new_chat","chat":{"id":%d},"visitor":{"id":%q,"fields":{"name":%q}},"messages":[]}`,
		chatID, visitorID, name)
}

// postWebhook sends one webhook and succeeds only on 200 {"result":"ok"}.
func postWebhook(ctx context.Context, c *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webim.HeaderVersion, webim.Version2)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte(`"ok"`)) {
		return fmt.Errorf("webhook answered %d: %.200s", resp.StatusCode, answer)
	}
	return nil
}
