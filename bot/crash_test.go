package bot_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

// The crash test runs the engine in a real child process (this test binary,
// re-executed) and kills it with SIGKILL at random moments, then restarts
// it, several times. The child plays both sides of the platforms: it feeds
// citizen questions (redelivering, after a restart, everything it had not
// seen acknowledged, as a gateway does), answers escalations as staff, and
// records every reply it is asked to post in a file it syncs, keyed by the
// reply's idempotency key, as a platform that honours such keys would.
//
// After the last run the parent checks, from the database and the files:
// no acknowledged question is lost, no acknowledged staff answer is lost,
// every asker of an answered escalation got the answer, and no reply was
// shown twice.

const crashChildEnv = "LIAISON_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const crashQuestions = 400

func crashQuestion(i int) bot.Message {
	texts := []string{renewEN, renewFR, goatEN, goatEN2, goatFR, "what are your office hours",
		fmt.Sprintf("Can my cat number %d come to the citizenship ceremony?", i%7)}
	return bot.Message{Platform: "mem", ChannelID: "help", ID: "q" + strconv.Itoa(i), AuthorID: "citizen" + strconv.Itoa(i%50),
		Text: texts[i%len(texts)], Time: time.Now()}
}

// appendSync appends a line to a file and syncs it: what is in the file
// happened.
type appendSync struct {
	mu sync.Mutex
	f  *os.File
}

func openAppend(path string) (*appendSync, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	return &appendSync{f: f}, err
}

func (a *appendSync) line(s string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.f.WriteString(s + "\n"); err != nil {
		return err
	}
	return a.f.Sync()
}

func readLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// platform records deliveries durably, as the remote platform would.
type platform struct {
	log *appendSync
	n   int
	mu  sync.Mutex
}

func (p *platform) Name() string                                 { return "mem" }
func (p *platform) Run(ctx context.Context, h bot.Handler) error { <-ctx.Done(); return nil }
func (p *platform) Send(ctx context.Context, to bot.Address, r bot.Reply) (bot.MessageRef, error) {
	p.mu.Lock()
	p.n++
	id := fmt.Sprintf("%d-%d", os.Getpid(), p.n)
	p.mu.Unlock()
	b, _ := json.Marshal(map[string]string{"key": r.Key, "kind": string(r.Kind), "to": to.UserID, "reply_to": to.ReplyTo})
	if err := p.log.line(string(b)); err != nil {
		return bot.MessageRef{}, err
	}
	return bot.MessageRef{Platform: "mem", ChannelID: to.ChannelID, ID: id}, nil
}

func crashChild(dir string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // SIGTERM ends the last, clean run
		ch := make(chan os.Signal, 1)
		signalNotify(ch)
		<-ch
		cancel()
	}()
	st, err := store.Open(ctx, filepath.Join(dir, "liaison.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	kb, err := knowledge.Open(ctx, knowledge.Options{})
	if err != nil {
		return err
	}
	msgs, err := i18n.NewCatalog()
	if err != nil {
		return err
	}
	sent, err := openAppend(filepath.Join(dir, "platform.log"))
	if err != nil {
		return err
	}
	acks, err := openAppend(filepath.Join(dir, "acked.log"))
	if err != nil {
		return err
	}
	answers, err := openAppend(filepath.Join(dir, "answered.log"))
	if err != nil {
		return err
	}
	desk := newMemDesk()
	eng, err := bot.New(bot.Config{Channels: defaultChannels(), Staff: roster, FloodPerMinute: 1 << 20, PollInterval: 5 * time.Millisecond},
		bot.Deps{Store: st, Knowledge: kb, Messages: msgs, Detect: i18n.Detect, Channels: []bot.Channel{&platform{log: sent}}, Desk: desk})
	if err != nil {
		return err
	}
	go eng.Run(ctx)

	// Redeliver from the first question not acknowledged.
	next := 0
	for _, l := range readLines(filepath.Join(dir, "acked.log")) {
		if n, err := strconv.Atoi(strings.TrimPrefix(l, "q")); err == nil && n+1 > next {
			next = n + 1
		}
	}
	go func() { // staff answer every waiting escalation
		for ctx.Err() == nil {
			list, err := eng.Escalations(ctx, bot.EscalationFilter{States: []bot.EscalationState{bot.StateOpen, bot.StateClaimed}})
			if err == nil {
				for _, x := range list {
					ev := "ev-" + strconv.FormatInt(x.ID, 10)
					text := "Only service animals may attend the ceremony."
					if x.Lang == bot.French {
						text = "Seuls les animaux d’assistance sont admis à la cérémonie."
					}
					if _, err := eng.Answer(ctx, bot.DeskAnswer{EscalationID: x.ID, DeskUserID: "U_SAM", EventID: ev, Text: text}); err == nil {
						_ = answers.line(ev)
					}
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	for i := next; i < crashQuestions && ctx.Err() == nil; i++ {
		if _, err := eng.HandleMessage(ctx, crashQuestion(i)); err != nil {
			if ctx.Err() != nil {
				break
			}
			return err
		}
		if err := acks.line("q" + strconv.Itoa(i)); err != nil {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	<-ctx.Done()
	eng.Tick(context.Background()) // drain on a clean stop
	return nil
}

func TestKillNineLosesNothingAndRelaysNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	dir := t.TempDir()
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	rng := rand.New(rand.NewPCG(1, 2))
	kills := 0
	for kills < 8 {
		cmd := start()
		time.Sleep(time.Duration(150+rng.IntN(400)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		kills++
	}
	// A last run that is allowed to finish: every question in, every
	// escalation answered, every reply delivered, then a clean stop.
	cmd := start()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if len(readLines(filepath.Join(dir, "acked.log"))) >= crashQuestions && allRelayed(t, dir) {
			break
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("last run: %v", err)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acked := readLines(filepath.Join(dir, "acked.log"))
	ackedSet := map[string]bool{}
	for _, a := range acked {
		ackedSet[a] = true
	}
	if len(ackedSet) != crashQuestions {
		t.Fatalf("%d distinct questions acknowledged, want %d", len(ackedSet), crashQuestions)
	}
	for id := range ackedSet {
		if _, err := st.DecisionFor(ctx, "mem", id); err != nil {
			t.Errorf("acknowledged question %s lost: %v", id, err)
		}
	}
	escs, err := st.Escalations(ctx, bot.EscalationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byEvent := map[string]bool{}
	askers := 0
	for _, x := range escs {
		as, err := st.Answers(ctx, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			byEvent[a.EventID] = true
		}
		for _, k := range x.Askers {
			askers++
			if k.RelayedAt.IsZero() {
				t.Errorf("escalation %d: asker message %d never got the answer (state %s)", x.ID, k.MessageID, x.State)
			}
		}
	}
	for _, ev := range readLines(filepath.Join(dir, "answered.log")) {
		if !byEvent[ev] {
			t.Errorf("acknowledged staff answer %s lost", ev)
		}
	}
	// Every reply shown once: the platform keeps one message per key.
	// Count raw sends too: a resend of the same key can only come from a
	// crash between the send and its record, at most one per kill.
	perKey := map[string]int{}
	relays := 0
	for _, l := range readLines(filepath.Join(dir, "platform.log")) {
		var r map[string]string
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("platform log line %q: %v", l, err)
		}
		perKey[r["key"]]++
		if r["kind"] == string(bot.KindRelay) && perKey[r["key"]] == 1 {
			relays++
		}
	}
	resent := 0
	for _, n := range perKey {
		resent += n - 1
	}
	if relays != askers {
		t.Errorf("%d distinct relays shown, want one per asker of an escalation (%d)", relays, askers)
	}
	if resent > kills {
		t.Errorf("%d resends of an already delivered key after %d kills", resent, kills)
	}
	t.Logf("%d kills; %d questions; %d escalations, %d askers, %d relays; %d replies; %d resends absorbed by idempotency keys",
		kills, len(ackedSet), len(escs), askers, relays, len(perKey), resent)
}

// allRelayed reports whether every asker of every escalation in the
// database has been relayed an answer.
func allRelayed(t *testing.T, dir string) bool {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "liaison.db"))
	if err != nil {
		return false
	}
	defer st.Close()
	escs, err := st.Escalations(ctx, bot.EscalationFilter{})
	if err != nil || len(escs) == 0 {
		return false
	}
	for _, x := range escs {
		for _, k := range x.Askers {
			if k.RelayedAt.IsZero() {
				return false
			}
		}
	}
	return true
}
