package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/config"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/web"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	slog.SetDefault(log)

	if *migrate {
		if err := db.Migrate(ctx, cfg.DatabaseURL, log); err != nil {
			return err
		}
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()

	app, err := newApp(ctx, cfg, pool, log)
	if err != nil {
		return err
	}
	e := web.New(app.webDeps())

	srv := &http.Server{
		Addr:              cfg.ListenAddr,
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() {
		log.Info("botbridge listening", "addr", cfg.ListenAddr, "base_url", cfg.BaseURL.String())
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
		close(errc)
	}()
	if err := app.start(ctx); err != nil {
		return err
	}

	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("http shutdown", "error", err)
	}
	app.stop(shutdownCtx)
	log.Info("stopped")
	return nil
}

// app wires the long-lived parts (web, workers) of one process.
type app struct {
	cfg  *config.Config
	pool *pgxpool.Pool
	log  *slog.Logger
}

func newApp(_ context.Context, cfg *config.Config, pool *pgxpool.Pool, log *slog.Logger) (*app, error) {
	return &app{cfg: cfg, pool: pool, log: log}, nil
}

func (a *app) webDeps() web.Deps {
	return web.Deps{
		Config:   a.cfg,
		DB:       a.pool,
		Ping:     a.pool.Ping,
		Log:      a.log,
		Sessions: auth.DefaultSessions,
		Throttle: auth.DefaultThrottle,
	}
}

// start launches background work; stop drains it.
func (a *app) start(ctx context.Context) error {
	go a.pruneLoop(ctx)
	return nil
}

func (a *app) stop(ctx context.Context) {}

// pruneLoop deletes expired sessions and old log-in failures hourly.
func (a *app) pruneLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := auth.DefaultSessions.Prune(ctx, a.pool); err != nil && ctx.Err() == nil {
			a.log.Warn("prune sessions", "error", err)
		} else if n > 0 {
			a.log.Info("pruned sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
