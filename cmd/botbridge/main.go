// Command botbridge is the whole product in one binary: the web server,
// migrations, account administration and development helpers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/botbridge/botbridge/internal/config"
)

const usage = `botbridge — connect chatbots to Webim.

Usage:
  botbridge serve [--migrate] [--no-workers]  run the web server (and background workers)
  botbridge worker [--migrate]                run background workers only (no web server)
  botbridge migrate up|down|status            apply, roll back one, or list migrations
  botbridge user add --email E --role R [--password-stdin]
                                              create an account (role: owner, moderator, admin);
                                              without --password-stdin a password is generated and printed
  botbridge user list                         list accounts
  botbridge user disable --email E            lock an account out and end its sessions
  botbridge dev seed                          create the demo accounts and project (development only)
  botbridge sandbox [flags]                   a local stand-in for a Webim account (API + visitor chat page)
  botbridge demobot [flags]                   a demo bot speaking the bot protocol
  botbridge secrets reencrypt [--batch N]     reseal stored secrets under SECRET_KEY (key rotation)
  botbridge erase --project P --visitor V|--chat C
                                              erase one visitor's chats (events, calls, fields) in project P
  botbridge healthcheck [--url URL]           exit 0 when the server's /healthz answers 200 (container checks)
  botbridge help                              show this help

Configuration comes from the environment: DATABASE_URL, LISTEN_ADDR, BASE_URL,
SECRET_KEY, SMTP_URL, LOG_FORMAT, … (see README.md).
`

// exitUsage is the exit code for unknown commands and bad flags.
const exitUsage = 2

// errUsage marks errors that should print the usage text.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without globals, so tests can drive the command line.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, args[1:], getenv, stderr)
	case "worker":
		err = cmdWorker(ctx, args[1:], getenv, stderr)
	case "migrate":
		err = cmdMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "user":
		err = cmdUser(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "dev":
		err = cmdDev(ctx, args[1:], getenv, stdout, stderr)
	case "sandbox":
		err = cmdSandbox(ctx, args[1:], getenv, stdout, stderr)
	case "demobot":
		err = cmdDemobot(ctx, args[1:], getenv, stdout, stderr)
	case "secrets":
		err = cmdSecrets(ctx, args[1:], getenv, stdout, stderr)
	case "erase":
		err = cmdErase(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		err = cmdHealthcheck(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("unknown command %q: %w", args[0], errUsage)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "botbridge: %v\n\n%s", trimUsage(err), usage)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "botbridge: %v\n", err)
		return 1
	}
}

func trimUsage(err error) string {
	s := err.Error()
	const suffix = ": usage"
	if len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)]
	}
	return s
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%s: %v: %w", fs.Name(), err, errUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q: %w", fs.Name(), fs.Arg(0), errUsage)
	}
	return nil
}

func loadConfig(getenv func(string) string) (*config.Config, error) {
	return config.Load(getenv)
}

// newLogger builds the process logger: text for people in development,
// JSON for machines in production.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
