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
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/botbridge/botbridge/internal/auth"
	"github.com/botbridge/botbridge/internal/bridge"
	"github.com/botbridge/botbridge/internal/config"
	"github.com/botbridge/botbridge/internal/db"
	"github.com/botbridge/botbridge/internal/jobs"
	"github.com/botbridge/botbridge/internal/mail"
	"github.com/botbridge/botbridge/internal/outbound"
	"github.com/botbridge/botbridge/internal/request"
	"github.com/botbridge/botbridge/internal/secret"
	webpkg "github.com/botbridge/botbridge/web"
	"github.com/botbridge/botbridge/web/i18n"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	noWorkers := fs.Bool("no-workers", false, "serve web requests only; run `botbridge worker` elsewhere")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serve(ctx, getenv, stderr, serveOptions{Migrate: *migrate, Workers: !*noWorkers, Web: true})
}

// cmdWorker runs background workers only (no web server), for instances
// dedicated to delivery.
func cmdWorker(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := newFlags("worker", stderr)
	migrate := fs.Bool("migrate", false, "apply pending migrations before starting")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serve(ctx, getenv, stderr, serveOptions{Migrate: *migrate, Workers: true})
}

// serveOptions says what one process runs.
type serveOptions struct {
	// Migrate applies pending migrations before anything starts.
	Migrate bool
	// Workers runs River's workers: mail, the bridge and periodic jobs.
	Workers bool
	// Web serves HTTP; false is a worker-only process.
	Web bool
}

// serve runs the web server and/or the workers until ctx ends, then drains.
func serve(ctx context.Context, getenv func(string) string, stderr io.Writer, opt serveOptions) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	slog.SetDefault(log)

	if opt.Migrate {
		if err := db.Migrate(ctx, cfg.DatabaseURL, log); err != nil {
			return err
		}
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()

	var workPool *pgxpool.Pool
	if opt.Workers {
		// Chat workers hold a connection each while they talk to bots and
		// Webim: their own pool keeps the main one free for requests.
		if workPool, err = db.Open(ctx, cfg.DatabaseURL, int32(cfg.BridgeWorkers+2)); err != nil {
			return err
		}
		defer workPool.Close()
	}
	app, err := newApp(cfg, pool, workPool, log, opt.Workers)
	if err != nil {
		return err
	}
	if !opt.Web {
		if err := app.start(ctx); err != nil {
			return err
		}
		log.Info("botbridge worker running")
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		app.stop(shutdownCtx)
		log.Info("stopped")
		return nil
	}
	deps := app.webDeps()
	e := webpkg.New(deps)
	if cfg.MetricsAddr != "" {
		msrv := &http.Server{Addr: cfg.MetricsAddr, Handler: webpkg.Metrics(cfg, deps.Registry), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			log.Info("metrics listening", "addr", cfg.MetricsAddr)
			if err := msrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener", "addr", cfg.MetricsAddr, "error", err)
			}
		}()
		defer msrv.Close()
	}

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
	cfg      *config.Config
	pool     *pgxpool.Pool
	log      *slog.Logger
	keyring  *secret.Keyring
	river    *jobs.Client
	engine   *bridge.Engine
	outbound outbound.Policy
	workers  bool
	// registry holds every metric: HTTP (web) and the bridge's.
	registry *prometheus.Registry
}

func newApp(cfg *config.Config, pool, workPool *pgxpool.Pool, log *slog.Logger, workers bool) (*app, error) {
	kr, err := secret.NewKeyring(cfg.SecretKey, cfg.OldSecretKeys...)
	if err != nil {
		return nil, fmt.Errorf("SECRET_KEY: %w", err)
	}
	sender, err := mail.NewSender(cfg, log)
	if err != nil {
		return nil, err
	}
	policy := outbound.Policy{AllowLocal: cfg.OutboundAllowLocal, AllowedPorts: cfg.OutboundAllowedPorts}
	reg := prometheus.NewRegistry()
	engine := bridge.NewEngine(bridge.Config{
		Metrics:  bridge.NewMetrics(reg, pool),
		Pool:     pool,
		WorkPool: workPool,
		Keyring:  kr,
		HTTP:     outbound.NewClient(policy, 60*time.Second),
		Log:      log,
		Retry:    bridge.DefaultRetry,
		Workers:  cfg.BridgeWorkers,
	})
	rc, err := jobs.New(pool, jobs.Options{
		RunWorkers:           workers,
		Queues:               map[string]int{mail.Queue: 2, bridge.Queue: cfg.BridgeWorkers},
		Log:                  log,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.JobRescueAfter,
		Periodic:             []*river.PeriodicJob{auth.PruneJob(), request.CompactJob()},
	}, mail.Workers(pool, sender, log), engine.Workers(), auth.PruneWorkers(pool, log),
		request.EvidenceWorkers(pool, request.Checker{Policy: policy}, log), request.CompactWorkers(pool))
	if err != nil {
		return nil, err
	}
	engine.Jobs = rc
	engine.Notify = bridge.OwnerMailer{Jobs: rc, BaseURL: cfg.BaseURL.String(), T: i18n.Text, DefaultLang: cfg.DefaultLanguage}.Notify
	return &app{cfg: cfg, pool: pool, log: log, keyring: kr, river: rc, engine: engine, outbound: policy, workers: workers, registry: reg}, nil
}

func (a *app) webDeps() webpkg.Deps {
	return webpkg.Deps{
		Config:   a.cfg,
		DB:       a.pool,
		Ping:     a.pool.Ping,
		Log:      a.log,
		Sessions: auth.DefaultSessions,
		Throttle: auth.DefaultThrottle,
		Jobs:     a.river,
		Keyring:  a.keyring,
		Outbound: a.outbound,
		Bridge:   a.engine,
		Registry: a.registry,
	}
}

// start launches background work; stop drains it.
func (a *app) start(ctx context.Context) error {
	if !a.workers {
		return nil
	}
	// River runs on its own context: shutdown is driven by stop, so jobs in
	// flight can finish instead of being cut off by the signal.
	if err := a.river.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	return nil
}

// stop lets running jobs finish until ctx's deadline; whatever is still
// running then is cancelled and goes back to the queue (River retries it).
func (a *app) stop(ctx context.Context) {
	if !a.workers {
		return
	}
	if err := a.river.Stop(ctx); err != nil {
		a.log.Warn("workers did not drain in time; cancelling the rest", "error", err)
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.river.StopAndCancel(cctx)
	}
}
