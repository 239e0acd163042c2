package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/channels/discord"
	"github.com/liaison-gc/liaison/channels/slack"
	"github.com/liaison-gc/liaison/channels/web"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

// Deadlines of the shutdown steps: drain the outbox, close the channels,
// close the store. closeTimeout outlasts the slowest channel's own shutdown (Discord: a
// second to close the gateway, then DefaultShutdownTimeout for the
// messages it is still recording), so the store never closes under a
// message a channel would still have saved.
const (
	drainTimeout = 10 * time.Second
	closeTimeout = discord.DefaultShutdownTimeout + 5*time.Second
)

// purgeEvery is how often serve applies privacy.retention_days (also once
// at start).
const purgeEvery = time.Hour

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file (TOML); empty runs the embedded defaults")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Args())
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	red := newRedactor(cfg.secrets)
	log := newLogger(cfg.Log, red.Writer(stderr))
	return red.Error(serve(ctx, cfg, log, stdout))
}

// newLogger builds the process logger: JSON (or text) on w at the
// configured level.
func newLogger(c LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// runner is one long-running part of serve.
type runner struct {
	name string
	run  func(context.Context) error
}

// serve runs the bot until ctx ends, then shuts down in order: drain the
// outbox, close the channels and the desk, close the store.
func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data_dir %s: %w", cfg.DataDir, err)
	}
	st, err := store.Open(ctx, cfg.dbPath(), store.WithLogger(log))
	if err != nil {
		return err
	}
	defer st.Close()

	extra, err := approvedDrafts(ctx, st)
	if err != nil {
		return err
	}
	kb, err := knowledge.Open(ctx, knowledge.Options{Path: cfg.Knowledge.Path, Variants: variantsOf(cfg.Knowledge.Variants),
		Extra: extra, DataDir: cfg.DataDir, AllowUnpaired: cfg.Knowledge.AllowUnpaired, Logger: log})
	if err != nil {
		return fmt.Errorf("knowledge base %s: %w", kbName(cfg.Knowledge.Path), err)
	}
	if err := takeIntoFiles(ctx, kb.Base(), st, log); err != nil {
		log.Error("approved drafts found in the knowledge-base files not recorded as such; tried again at the next reload or start", "err", err)
	}
	defer func() {
		// Close waits for a reload in progress; one stuck reading a
		// knowledge file (on a hung network share) must not hold the
		// exit.
		closed := make(chan struct{})
		go func() { kb.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(closeTimeout):
			log.Warn("the knowledge index did not close in time: a reload is stuck; the index is rebuilt at the next start if need be", "timeout", closeTimeout)
		}
	}()
	msgs, err := i18n.NewCatalog()
	if err != nil {
		return err
	}

	var channels []bot.Channel
	var desk bot.Desk
	var webSrv *web.Server
	var parts []runner // channels and desks, stopped after the drain
	if cfg.discordEnabled() {
		dc, err := discord.New(cfg.Discord, cfg.secrets.discordToken, discord.Options{Logger: log})
		if err != nil {
			return err
		}
		channels = append(channels, dc)
	}
	if cfg.slackEnabled() {
		sd, err := slack.New(cfg.Slack, cfg.secrets.slackBotToken, cfg.secrets.slackAppToken, slack.Options{Logger: log, Roster: cfg.roster()})
		if err != nil {
			return err
		}
		desk = sd
	}
	if cfg.webEnabled() {
		personal := cfg.staffTokens()
		webSrv, err = web.New(cfg.Web, cfg.secrets.webToken, web.Options{Logger: log, StaffTokens: personal})
		if err != nil {
			return err
		}
		if len(personal) > 0 {
			if cfg.secrets.webToken != "" {
				log.Warn("LIAISON_WEB_TOKEN is ignored: personal sign-in is on (a LIAISON_WEB_TOKEN_<ID> is set), so staff sign in with their own token only; unset LIAISON_WEB_TOKEN")
			}
			log.Info("web desk: personal sign-in", "staff", slices.Sorted(maps.Keys(personal)))
		}
		channels = append(channels, webSrv.Channel())
		if desk == nil {
			desk = webSrv.Desk()
		}
	}

	eng, err := bot.New(cfg.engineConfig(), bot.Deps{Store: st, Knowledge: kb, Messages: msgs, Detect: i18n.Detect,
		Channels: channels, Desk: desk, Logger: log})
	if err != nil {
		return err
	}
	if webSrv != nil {
		// The chat rooms show their conversation again, before anything new.
		if err := webSrv.Restore(ctx, eng); err != nil {
			log.Warn("web chat history not restored", "err", err)
		}
		if desk == bot.Desk(webSrv.Desk()) {
			if err := webSrv.Desk().Restore(ctx, eng); err != nil {
				log.Warn("web desk notices not restored", "err", err)
			}
		}
	}
	for _, c := range channels {
		parts = append(parts, runner{"channel " + c.Name(), func(ctx context.Context) error { return c.Run(ctx, eng) }})
	}
	if desk != nil {
		parts = append(parts, runner{"desk " + desk.Name(), func(ctx context.Context) error { return desk.Run(ctx, eng) }})
	}
	if webSrv != nil && desk != bot.Desk(webSrv.Desk()) {
		// The comms page serves comms leads whichever desk staff use; the
		// web desk's Run only gives the pages the engine to talk to.
		wd := webSrv.Desk()
		parts = append(parts, runner{"web comms", func(ctx context.Context) error { return wd.Run(ctx, eng) }})
	}
	var webLn net.Listener
	if webSrv != nil {
		ln, err := webSrv.Listen()
		if err != nil {
			return err
		}
		webLn = ln
		parts = append(parts, runner{"web server", func(ctx context.Context) error { return webSrv.ServeListener(ctx, ln) }})
	}

	var ready atomic.Bool
	status := &statusSource{st: st, kb: kb, eng: eng, channels: channels, desk: desk, started: time.Now(), red: newRedactor(cfg.secrets), now: time.Now}
	admin, adminLn, err := adminServer(cfg.Admin.Addr, st, &ready, status)
	if err != nil {
		if webLn != nil {
			webLn.Close() // nothing serves it yet: free the port
		}
		return err
	}

	// Background work (delivery, reminders, broadcasts, knowledge reload)
	// stops first; the channels keep running while the outbox drains.
	bgCtx, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	partsCtx, stopParts := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	defer stopParts()
	errc := make(chan error, len(parts)+4)
	var bg, fg sync.WaitGroup
	start := func(wg *sync.WaitGroup, ctx context.Context, r runner) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.run(ctx); err != nil && ctx.Err() == nil {
				errc <- fmt.Errorf("%s: %w", r.name, err)
			}
		}()
	}
	start(&bg, bgCtx, runner{"engine", eng.Run})
	if cfg.Knowledge.ReloadInterval > 0 {
		start(&bg, bgCtx, runner{"knowledge reload", func(ctx context.Context) error {
			watchKnowledge(ctx, kb, st, extra, time.Duration(cfg.Knowledge.ReloadInterval), log)
			return nil
		}})
	}
	if days := cfg.Privacy.RetentionDays; days > 0 {
		// A background loop: it stops with the others, before the store
		// closes, and a purge in progress stops between two batches.
		var forget func(context.Context) error // the web chat's rooms drop what was purged
		if webSrv != nil {
			forget = func(ctx context.Context) error { return webSrv.ForgetPurged(ctx, eng) }
		}
		start(&bg, bgCtx, runner{"retention", func(ctx context.Context) error {
			keepRetention(ctx, st, days, purgeEvery, time.Now, forget, log)
			return nil
		}})
	}
	if counters := followerCounters(channels); len(counters) > 0 {
		start(&bg, bgCtx, runner{"followers", func(ctx context.Context) error {
			keepFollowers(ctx, st, counters, followersEvery, time.Now, log)
			return nil
		}})
	}
	for _, p := range parts {
		start(&fg, partsCtx, p)
	}
	go func() { _ = admin.Serve(adminLn) }()

	ready.Store(true)
	printWelcome(stdout, cfg, webSrv, desk, channels, eng.PhaseState(ctx).Global.String(), adminLn.Addr().String())
	log.Info("liaison started", "channels", len(channels), "desk", deskName(desk), "phase", eng.PhaseState(ctx).Global.String(),
		"knowledge_entries", len(kb.Base().Entries), "config", configName(cfg))

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-errc:
		log.Error("stopping after an error", "err", runErr)
	}
	ready.Store(false)

	// 1. Stop background loops, then drain the outbox while channels are up.
	stopBG()
	bg.Wait()
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
	eng.Tick(drainCtx)
	cancel()
	// 2. Close channels, desk and web server.
	stopParts()
	if !waitTimeout(&fg, closeTimeout) {
		log.Warn("channels did not close in time", "timeout", closeTimeout)
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	_ = admin.Shutdown(shutCtx)
	cancel()
	// 3. The store closes on return (deferred).
	log.Info("stopped")
	return runErr
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// adminServer serves /healthz (the process is up), /readyz (started, and
// the database answers and is still the file at its path) and /statusz
// (status, the report of every part) on a loopback address.
func adminServer(addr string, st *store.DB, ready *atomic.Bool, status http.Handler) (*http.Server, net.Listener, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /statusz", status)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ready.Load() {
			http.Error(w, "starting or stopping", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := st.Check(ctx); err != nil {
			http.Error(w, "database unavailable: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("admin.addr %s: %w", addr, err)
	}
	return &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, ln, nil
}

// logReloadError says why a knowledge-base reload failed: the edit, or,
// when the edit is sound, what it was read or built with (a full disk or a
// permission on the data directory), which Watch tries again.
func logReloadError(log *slog.Logger, err error) {
	var ps knowledge.Problems
	if errors.As(err, &ps) {
		log.Error("knowledge base edit rejected; still serving the previous version", "err", err)
		return
	}
	log.Error("knowledge base edit could not be loaded, not for its content: still serving the previous version and trying again; check the data directory's disk and permissions", "err", err)
}

// watchKnowledge reloads the knowledge base when its files change, and
// when drafts are approved or rejected; a broken edit keeps the running
// index. took is the drafts the index was opened with.
func watchKnowledge(ctx context.Context, kb *knowledge.Index, st *store.DB, took []knowledge.Entry, every time.Duration, log *slog.Logger) {
	go kb.Watch(ctx, every, func(err error) { logReloadError(log, err) })
	// last is the signature of the drafts applied, first those the index
	// was opened with: a draft approved or rejected since, before the first
	// tick, is applied at that tick. failed is the signature of drafts
	// refused, reported once and tried again at every tick: a
	// knowledge-base edit broken meanwhile may be fixed.
	last, failed := draftSignature(took), ""
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := takeIntoFiles(ctx, kb.Base(), st, log); err != nil {
			log.Error("approved drafts found in the knowledge-base files not recorded as such; tried again at the next reload or start", "err", err)
		}
		extra, err := approvedDrafts(ctx, st)
		if err != nil {
			log.Error("read approved drafts", "err", err)
			continue
		}
		sig := draftSignature(extra)
		if sig == last {
			failed = ""
			continue
		}
		if err := kb.SetExtra(ctx, extra); err != nil {
			if ctx.Err() != nil || errors.Is(err, knowledge.ErrClosed) {
				return
			}
			if sig != failed {
				log.Error("approved drafts not served yet: the knowledge base with them does not load; still serving the previous version, trying again at every reload", "err", err)
				failed = sig
			}
			continue
		}
		last, failed = sig, ""
	}
}

func draftSignature(es []knowledge.Entry) string {
	var b strings.Builder
	b.WriteString("v1;")
	for _, e := range es {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s;", e.ID, e.EN.Question, e.EN.Answer, e.FR.Question, e.FR.Answer)
	}
	return b.String()
}

// approvedDrafts are the staff drafts approved for serving, as entries.
func approvedDrafts(ctx context.Context, st bot.DraftStore) ([]knowledge.Entry, error) {
	ds, err := st.Drafts(ctx, bot.DraftApproved)
	if err != nil {
		return nil, fmt.Errorf("read approved drafts: %w", err)
	}
	var out []knowledge.Entry
	for _, d := range ds {
		if !d.Complete() {
			continue
		}
		out = append(out, draftEntry(d))
	}
	return out, nil
}

func draftEntry(d bot.Draft) knowledge.Entry {
	return knowledge.Entry{ID: d.EntryID, Topic: d.Topic,
		EN: knowledge.Text{Question: d.QuestionEN, Answer: d.AnswerEN},
		FR: knowledge.Text{Question: d.QuestionFR, Answer: d.AnswerFR}}
}

func variantsOf(path string) []string {
	if path == "" {
		return nil
	}
	return []string{path}
}

func kbName(path string) string {
	if path == "" {
		return "(bundled sample)"
	}
	return path
}

func configName(cfg Config) string {
	if cfg.source == "" {
		return "embedded defaults"
	}
	return cfg.source
}

func deskName(d bot.Desk) string {
	if d == nil {
		return "none"
	}
	return d.Name()
}

// printWelcome tells a newcomer what runs and where.
func printWelcome(w io.Writer, cfg Config, webSrv *web.Server, desk bot.Desk, channels []bot.Channel, phase, admin string) {
	fmt.Fprintf(w, "Liaison is running (%s), phase %s.\n", configName(cfg), phase)
	if webSrv != nil {
		u := webSrv.URLs()
		fmt.Fprintf(w, "  Citizen chat: %s\n", u.Chat)
		if desk != nil && desk.Name() == "web" {
			fmt.Fprintf(w, "  Staff desk:   %s\n", u.Desk)
		}
		fmt.Fprintf(w, "  Comms page:   %s\n", u.Comms)
	}
	for _, c := range channels {
		if c.Name() != "web" {
			fmt.Fprintf(w, "  Channel:      %s\n", c.Name())
		}
	}
	if desk != nil && desk.Name() != "web" {
		fmt.Fprintf(w, "  Staff desk:   %s\n", desk.Name())
	}
	fmt.Fprintf(w, "  Health:       http://%s/healthz  http://%s/readyz  http://%s/statusz\n", admin, admin, admin)
	fmt.Fprintf(w, "  Data:         %s\n", cfg.DataDir)
	fmt.Fprintln(w, "Press Ctrl+C to stop.")
}
