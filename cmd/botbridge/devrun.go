package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/apperr"
	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/config"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/demobot"
	"github.com/botbridge/botbridge/internal/integration"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/project"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/sandbox"
	"github.com/botbridge/botbridge/internal/secret"
)

// demoSandboxToken is the Auth token of the demo integration: the sandbox
// accepts exactly this one, as a real Webim account accepts its bot's token.
const demoSandboxToken = "sandbox-demo-token"

// cmdDevRun is `make run`: migrate, seed, then run the Webim sandbox, the
// demo bot and botbridge (web + workers) in one process, so a newcomer can
// chat with the bot through the whole bridge a minute after cloning.
func cmdDevRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("dev run", stderr)
	sandboxAddr := fs.String("sandbox", "127.0.0.1:8090", "address of the Webim sandbox")
	botAddr := fs.String("bot", "127.0.0.1:8091", "address of the demo bot")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if !cfg.Dev() {
		return errors.New("dev run: only with APP_ENV=development")
	}
	if !cfg.OutboundAllowLocal {
		return errors.New("dev run: the sandbox and demo bot run on loopback; set OUTBOUND_ALLOW_LOCAL=true (make run does)")
	}
	if err := db.Migrate(ctx, cfg.DatabaseURL, nil); err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, 4)
	if err != nil {
		return err
	}
	defer pool.Close()

	sbLn, err := net.Listen("tcp", *sandboxAddr)
	if err != nil {
		return fmt.Errorf("dev run: sandbox: %w (is another make run still running?)", err)
	}
	botLn, err := net.Listen("tcp", *botAddr)
	if err != nil {
		sbLn.Close()
		return fmt.Errorf("dev run: demo bot: %w", err)
	}
	sandboxURL := "http://" + sbLn.Addr().String()
	botURL := "http://" + botLn.Addr().String() + "/bot"

	if err := seedDemo(ctx, pool); err != nil {
		return err
	}
	seeded, err := seedBridge(ctx, pool, cfg, sandboxURL, botURL)
	if err != nil {
		return err
	}
	pool.Close()

	quiet := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sb := sandbox.New(sandbox.Config{Token: demoSandboxToken, WebhookURL: seeded.webhook, ChatEventsURL: seeded.chatEvents,
		ChatAssigned: true, Log: quiet, FirstChatID: max(1, int64(time.Since(chatIDEpoch)/time.Second)),
		Language: cfg.DefaultLanguage})
	botLang := getenv("DEMOBOT_LANGUAGE")
	if botLang == "" {
		botLang = cfg.DefaultLanguage
	}
	bot := demobot.New(demobot.Config{Secrets: seeded.secrets, Log: quiet, Language: botLang})
	go func() { _ = serveUntilDone(ctx, sbLn, sb, quiet, sb.Close) }()
	go func() { _ = serveUntilDone(ctx, botLn, bot, quiet, nil) }()

	printLogins(stdout, cfg.BaseURL.String())
	fmt.Fprintf(stdout, `  Chat with the demo bot as a Webim visitor:  %s/
  (the sandbox stands in for Webim; "Demo shop" has Webim granted and an integration
   pointing at it, and its bot endpoint is the demo bot at %s;
   after a transfer the page's operator console writes as the operator, returns the
   chat to the bot or closes it, which reaches botbridge through the chat events URL)

`, sandboxURL, botURL)
	return serve(ctx, getenv, stderr, serveOptions{Workers: true, Web: true})
}

// seededBridge is what the sandbox and the demo bot need of the seed.
type seededBridge struct {
	// webhook is the integration's webhook URL; chatEvents its chat
	// events URL with fresh Basic credentials written in.
	webhook, chatEvents string
	// secrets are the bot's signing secrets.
	secrets []string
}

// seedBridge grants Webim to the demo project and wires an integration to
// the sandbox and the bot endpoint to the demo bot; idempotent, except
// that the chat events credentials are new on every run (they are stored
// hashed, so this is the only way to hand them to the sandbox).
func seedBridge(ctx context.Context, pool *pgxpool.Pool, cfg *config.Config, sandboxURL, botURL string) (seededBridge, error) {
	var out seededBridge
	kr, err := secret.NewKeyring(cfg.SecretKey, cfg.OldSecretKeys...)
	if err != nil {
		return out, err
	}
	owner, err := auth.GetUserByEmail(ctx, pool, "owner@demo.test")
	if err != nil {
		return out, err
	}
	p, _, err := project.EnsureNamed(ctx, pool, owner.ID, demoProject)
	if err != nil {
		return out, err
	}
	projectID := p.ID
	if err := request.Grant(ctx, pool, projectID, integration.PlatformWebim, owner.ID); err != nil {
		return out, fmt.Errorf("dev seed: grant webim: %w", err)
	}
	env := integration.Env{Keyring: kr, Outbound: outbound.Policy{AllowLocal: true}}
	list, err := integration.List(ctx, pool, projectID)
	if err != nil {
		return out, err
	}
	var in integration.Integration
	found := false
	for _, i := range list {
		if i.Domain == sandboxURL && i.DeletedAt == nil {
			in, found = i, true
			break
		}
	}
	if !found {
		if in, err = integration.Create(ctx, pool, env, projectID, owner.ID, "webim", integration.Input{
			Token: demoSandboxToken, Domain: sandboxURL, TransferTo: "department", DepartmentID: "support",
		}); err != nil {
			return out, fmt.Errorf("dev seed: integration: %w", err)
		}
	}
	key, err := integration.WebhookKey(kr, in)
	if err != nil {
		return out, err
	}
	bs, err := integration.GetBotSettings(ctx, pool, projectID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && bs.URL != botURL) {
		in := integration.DefaultBotInput("")
		in.URL = botURL
		if _, err := integration.SaveBot(ctx, pool, env, projectID, owner.ID, in); err != nil {
			return out, fmt.Errorf("dev seed: bot endpoint: %w", err)
		}
	} else if err != nil {
		return out, err
	}
	bot, err := integration.BotEndpoint(ctx, pool, kr, projectID)
	if err != nil {
		return out, err
	}
	out.webhook, out.secrets = integration.WebhookURL(cfg.BaseURL, key), bot.Secrets
	user, pass, err := integration.RotateChatEvents(ctx, pool, projectID, in.ID, owner.ID)
	if err != nil {
		return out, fmt.Errorf("dev seed: chat events credentials: %w", err)
	}
	if out.chatEvents, err = sandbox.WithCredentials(out.webhook+integration.ChatEventsPath, user, pass); err != nil {
		return out, err
	}
	return out, nil
}
