package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/botbridge/botbridge/internal/sandbox"
)

// chatIDEpoch anchors the sandbox's default first chat id: counting seconds
// from it keeps ids fresh across restarts, so a long-lived development
// database never mistakes a new chat for an old one (botbridge stores each
// Webim chat id once per integration).
var chatIDEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// cmdSandbox runs the Webim sandbox (see internal/sandbox).
func cmdSandbox(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("sandbox", stderr)
	listen := fs.String("listen", "127.0.0.1:8090", "address to listen on")
	token := fs.String("token", getenv("SANDBOX_TOKEN"), "bot token the Webim API accepts (env SANDBOX_TOKEN)")
	webhook := fs.String("webhook", getenv("SANDBOX_WEBHOOK_URL"), "botbridge webhook URL visitor events go to (env SANDBOX_WEBHOOK_URL; can be set later)")
	firstChat := fs.Int64("first-chat-id", 0, "id of the first chat (default: derived from the clock)")
	chatEvents := fs.String("chat-events", getenv("SANDBOX_CHAT_EVENTS_URL"), "the integration's chat events URL with its Basic credentials, https://user:pass@host/… (env SANDBOX_CHAT_EVENTS_URL)")
	chatAssigned := fs.Bool("chat-assigned", false, "also report chat_assigned to the chat events URL on every transfer")
	stringIDs := fs.Bool("string-chat-ids", false, "send chat ids as JSON strings")
	noIDs := fs.Bool("no-message-ids", false, "send visitor messages without ids")
	version := fs.String("webim-version", envOr(getenv, "SANDBOX_WEBIM_VERSION", sandbox.WebimVersion), `X-Webim-Version to send; "none" sends no version headers (Webim before 10.3); below 10.4 queue transfers are refused (env SANDBOX_WEBIM_VERSION)`)
	lang := fs.String("language", envOr(getenv, "SANDBOX_LANGUAGE", "ru"), "language of the page when the browser asks for none: ru or en (env SANDBOX_LANGUAGE)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *lang != "ru" && *lang != "en" {
		return fmt.Errorf("sandbox: --language must be ru or en: %w", errUsage)
	}
	if *chatEvents != "" {
		if err := sandbox.CheckWebhookURL(*chatEvents); err != nil {
			return fmt.Errorf("sandbox: --chat-events: %v: %w", err, errUsage)
		}
	}
	if *token == "" {
		return fmt.Errorf("sandbox: --token (or SANDBOX_TOKEN) is required: %w", errUsage)
	}
	if *webhook != "" {
		if err := sandbox.CheckWebhookURL(*webhook); err != nil {
			return fmt.Errorf("sandbox: --webhook: %v: %w", err, errUsage)
		}
	}
	if *firstChat < 0 {
		return fmt.Errorf("sandbox: --first-chat-id must be positive: %w", errUsage)
	}
	if *firstChat == 0 {
		*firstChat = max(1, int64(time.Since(chatIDEpoch)/time.Second))
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	sb := sandbox.New(sandbox.Config{Token: *token, WebhookURL: *webhook, Log: log, FirstChatID: *firstChat,
		ChatEventsURL: *chatEvents, ChatAssigned: *chatAssigned, StringChatIDs: *stringIDs, NoMessageIDs: *noIDs,
		WebimVersion: *version, Language: *lang})

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	base := "http://" + ln.Addr().String()
	hook := *webhook
	if hook == "" {
		hook = "(none yet: POST " + base + "/sandbox/webhook or use the page's settings)"
	}
	fmt.Fprintf(stdout, "sandbox listening on %s\n  visitor chat page: %s/\n  Webim API:         %s/api/bot/v2/  (Authorization: Token %s)\n  webhook URL:       %s\n",
		base, base, base, *token, hook)
	return serveUntilDone(ctx, ln, sb, log, sb.Close)
}

// envOr is getenv(key), or def when it is empty.
func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// serveUntilDone serves h on ln until ctx ends, then shuts down gracefully
// (release runs first, to free requests that would hold the shutdown up).
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, release func()) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	if release != nil {
		release()
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("shutdown", "error", err)
	}
	log.Info("stopped")
	return nil
}
