package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/botbridge/botbridge/internal/botapi"
	"github.com/botbridge/botbridge/internal/demobot"
)

// cmdDemobot runs the demo bot (see internal/demobot).
func cmdDemobot(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("demobot", stderr)
	listen := fs.String("listen", "127.0.0.1:8091", "address to listen on")
	secretFlag := fs.String("secret", getenv("DEMOBOT_SECRET"), "the project's bot secret(s), whsec_…, comma-separated during a rotation (env DEMOBOT_SECRET)")
	lang := fs.String("language", envOr(getenv, "DEMOBOT_LANGUAGE", "ru"), "language of the replies when an event names none: ru or en (env DEMOBOT_LANGUAGE)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *lang != "ru" && *lang != "en" {
		return fmt.Errorf("demobot: --language must be ru or en: %w", errUsage)
	}
	var secrets []string
	for _, s := range strings.Split(*secretFlag, ",") {
		if s = strings.TrimSpace(s); s != "" {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) == 0 {
		return fmt.Errorf("demobot: --secret (or DEMOBOT_SECRET) is required: %w", errUsage)
	}
	for i, s := range secrets {
		// Signing is the cheapest full check of a secret's format; the
		// secret itself never appears in the error.
		if _, err := botapi.Sign(s, "check", time.Now(), nil); err != nil {
			return fmt.Errorf("demobot: secret #%d is not a valid whsec_ secret (base64 of 24 to 64 bytes): %w", i+1, errUsage)
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	bot := demobot.New(demobot.Config{Secrets: secrets, Log: log, Language: *lang})

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("demobot: %w", err)
	}
	fmt.Fprintf(stdout, "demo bot listening on http://%s\n  use it as the project's bot endpoint; it verifies signatures with %d secret(s)\n",
		ln.Addr().String(), len(secrets))
	return serveUntilDone(ctx, ln, bot, log, nil)
}
