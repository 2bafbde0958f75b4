// Package stack assembles a complete botbridge in one process over real
// HTTP: the web server with the bridge engine and River workers, a Webim
// sandbox and the demo bot, on loopback ports, against a given PostgreSQL
// database. End-to-end tests and the benchmarks use it.
//
// It is the one internal package that imports web: like cmd/botbridge it
// wires the whole application, so it sits above every layer, not among the
// domain packages. It lives under internal/ rather than cmd/ only because
// both cmd/bench and the tests in internal/faulttest and internal/stack
// need it. Only harnesses (cmd/bench, tests) may import it; botbridge's own
// packages never do.
package stack

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/config"
	"github.com/botbridge/botbridge/internal/demobot"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/secret"
	"github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/i18n"
)

// Options tunes a stack.
type Options struct {
	// Retry is the engine's retry policy (fast defaults for tests).
	Retry bridge.Retry
	// Workers is the bridge queue's worker count.
	Workers int
	// Log receives botbridge's logs (discarded when nil).
	Log *slog.Logger
	// Transfer sets the integration's target: "department" (dep "support")
	// or "operator" (operator 240001).
	Transfer string
	// Integrations is how many Webim integrations (each with its own
	// sandbox account) to create; default 1.
	Integrations int
	// Sandbox is how the sandbox accounts behave (string chat ids,
	// messages without ids, X-Webim-Version, chat_assigned …); Token,
	// WebhookURL, ChatEventsURL, Log and FirstChatID are the stack's.
	Sandbox sandbox.Config
	// BotLanguage is the demo bot's language, "en" by default (the
	// harnesses wait for its English texts).
	BotLanguage string
}

// Account is one Webim account (sandbox) wired to one integration.
type Account struct {
	Sandbox       *sandbox.Server
	URL           string
	WebhookURL    string
	IntegrationID int64
	// ChatEventsURL is the integration's chat events URL (no credentials);
	// ChatEventsUser and ChatEventsPassword its Basic credentials. The
	// sandbox has them as its chat event handler URL.
	ChatEventsURL, ChatEventsUser, ChatEventsPassword string
}

// Stack is a running botbridge with its peers.
type Stack struct {
	Pool      *pgxpool.Pool
	BaseURL   string
	Engine    *bridge.Engine
	River     *jobs.Client
	Bot       *demobot.Bot
	BotURL    string
	Accounts  []Account
	ProjectID int64
	Keyring   *secret.Keyring
	servers   []*http.Server
}

// SecretKey is the stack's SECRET_KEY.
const SecretKey = "stack-secret-key-0123456789abcdef0123456789"

// SandboxToken is the Auth token every sandbox account accepts.
const SandboxToken = "stack-webim-token"

func listen() (net.Listener, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	return ln, "http://" + ln.Addr().String(), nil
}

func (s *Stack) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() { _ = srv.Serve(ln) }()
}

// Seed creates a tenant (owner, project, Webim granted), a demo bot and
// opt.Integrations sandbox accounts, each wired to an integration whose
// webhook points at baseURL (the botbridge that will serve them, which may
// be another process). The bot and sandboxes run in this process.
func Seed(ctx context.Context, pool *pgxpool.Pool, kr *secret.Keyring, baseURL string, opt Options) (*Stack, error) {
	opt = opt.withDefaults()
	s := &Stack{Pool: pool, BaseURL: baseURL, Keyring: kr}
	base, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	env := integration.Env{Keyring: kr, Outbound: outbound.Policy{AllowLocal: true}}
	owner, err := auth.CreateUser(ctx, pool, fmt.Sprintf("owner-%d@stack.test", time.Now().UnixNano()), "stack owner password", auth.RoleOwner)
	if err != nil {
		return nil, err
	}
	if err := auth.MarkVerified(ctx, pool, owner.ID); err != nil {
		return nil, err
	}
	p, err := project.Create(ctx, pool, owner.ID, "Stack shop")
	if err != nil {
		return nil, err
	}
	s.ProjectID = p.ID
	if err := request.Grant(ctx, pool, p.ID, integration.PlatformWebim, owner.ID); err != nil {
		return nil, err
	}
	botLn, botBase, err := listen()
	if err != nil {
		return nil, err
	}
	s.BotURL = botBase + "/bot"
	if _, err := integration.SaveBot(ctx, pool, env, p.ID, owner.ID, integration.BotInput{
		URL: s.BotURL, Timeout: "5", FallbackMode: "transfer", FallbackText: "Connecting you to a person."}); err != nil {
		return nil, err
	}
	b, err := integration.BotEndpoint(ctx, pool, kr, p.ID)
	if err != nil {
		return nil, err
	}
	s.Bot = demobot.New(demobot.Config{Secrets: b.Secrets, Log: opt.Log, Language: opt.BotLanguage})
	s.serve(botLn, s.Bot)

	for i := range opt.Integrations {
		ln, sbURL, err := listen()
		if err != nil {
			return nil, err
		}
		in := integration.Input{Token: SandboxToken, Domain: sbURL, TransferTo: "department", DepartmentID: "support"}
		if opt.Transfer == "operator" {
			in = integration.Input{Token: SandboxToken, Domain: sbURL, TransferTo: "operator", OperatorID: "240001"}
		}
		integ, err := integration.Create(ctx, pool, env, p.ID, owner.ID, "webim", in)
		if err != nil {
			return nil, err
		}
		key, err := integration.WebhookKey(kr, integ)
		if err != nil {
			return nil, err
		}
		hook := integration.WebhookURL(base, key)
		user, pass, err := integration.RotateChatEvents(ctx, pool, p.ID, integ.ID, owner.ID)
		if err != nil {
			return nil, err
		}
		events := hook + integration.ChatEventsPath
		withCreds, err := sandbox.WithCredentials(events, user, pass)
		if err != nil {
			return nil, err
		}
		cfg := opt.Sandbox
		cfg.Token, cfg.WebhookURL, cfg.ChatEventsURL, cfg.Log = SandboxToken, hook, withCreds, opt.Log
		cfg.FirstChatID = int64(1000*(i+1)) + 1
		sb := sandbox.New(cfg)
		s.serve(ln, sb)
		s.Accounts = append(s.Accounts, Account{Sandbox: sb, URL: sbURL, WebhookURL: hook, IntegrationID: integ.ID,
			ChatEventsURL: events, ChatEventsUser: user, ChatEventsPassword: pass})
	}
	return s, nil
}

func (opt Options) withDefaults() Options {
	if opt.Retry.BotAttempts == 0 {
		opt.Retry = bridge.Retry{BotAttempts: 3, WebimAttempts: 5, Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}
	}
	if opt.Workers == 0 {
		opt.Workers = 10
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.Integrations == 0 {
		opt.Integrations = 1
	}
	if opt.BotLanguage == "" {
		opt.BotLanguage = "en"
	}
	return opt
}

// Config is the botbridge configuration a stack uses (in this process or,
// through Env, in a child process).
func Config(baseURL, listenAddr, databaseURL string) (*config.Config, error) {
	return config.Load(func(k string) string { return Env(baseURL, listenAddr, databaseURL)[k] })
}

// Env is the environment of a botbridge serving a stack.
func Env(baseURL, listenAddr, databaseURL string) map[string]string {
	return map[string]string{"DATABASE_URL": databaseURL, "SECRET_KEY": SecretKey, "BASE_URL": baseURL,
		"OUTBOUND_ALLOW_LOCAL": "true", "LISTEN_ADDR": listenAddr, "APP_ENV": "development"}
}

// Start seeds a stack and runs botbridge (web + engine + River workers) in
// this process on a loopback port.
func Start(ctx context.Context, pool *pgxpool.Pool, opt Options) (*Stack, error) {
	opt = opt.withDefaults()
	webLn, base, err := listen()
	if err != nil {
		return nil, err
	}
	cfg, err := Config(base, webLn.Addr().String(), "postgres://stack/unused")
	if err != nil {
		return nil, err
	}
	kr, err := secret.NewKeyring(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	s, err := Seed(ctx, pool, kr, base, opt)
	if err != nil {
		return nil, err
	}
	policy := outbound.Policy{AllowLocal: true}
	s.Engine = bridge.NewEngine(bridge.Config{
		Pool:    pool,
		Keyring: s.Keyring,
		HTTP:    outbound.NewClient(policy, 30*time.Second),
		Log:     opt.Log,
		Retry:   opt.Retry,
	})
	s.River, err = jobs.New(pool, jobs.Options{RunWorkers: true, Queues: map[string]int{bridge.Queue: opt.Workers},
		FetchPollInterval: 100 * time.Millisecond, SkipUnknownJobCheck: true, Log: opt.Log}, s.Engine.Workers())
	if err != nil {
		return nil, err
	}
	s.Engine.Jobs = s.River
	s.Engine.Notify = bridge.OwnerMailer{Jobs: s.River, BaseURL: cfg.BaseURL.String(), T: i18n.Text, DefaultLang: cfg.DefaultLanguage}.Notify
	if err := s.River.Start(ctx); err != nil {
		return nil, err
	}
	s.serve(webLn, web.New(web.Deps{
		Config: cfg, DB: pool, Ping: pool.Ping, Log: opt.Log,
		Sessions: auth.DefaultSessions, Throttle: auth.DefaultThrottle,
		Jobs: s.River, Keyring: s.Keyring, Outbound: policy, Bridge: s.Engine,
	}))
	return s, nil
}

// Stop shuts the servers and workers down.
func (s *Stack) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, a := range s.Accounts {
		a.Sandbox.Close()
	}
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	if s.River != nil {
		_ = s.River.Stop(ctx)
	}
}

// Sandbox is the first account's sandbox.
func (s *Stack) Sandbox() *sandbox.Server { return s.Accounts[0].Sandbox }
