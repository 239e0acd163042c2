package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

// baseTOML is a one-entry knowledge base; brokenTOML is an edit of it that
// fails validation (an entry without a topic nor French).
const baseTOML = `[[entry]]
id = "office-hours"
topic = "general"
[entry.en]
question = "When are your offices open?"
answer = "Monday to Friday, 8:30 to 4:30."
[entry.fr]
question = "Quand vos bureaux sont-ils ouverts?"
answer = "Du lundi au vendredi, de 8 h 30 à 16 h 30."
`

const brokenTOML = baseTOML + `
[[entry]]
id = "half-written"
[entry.en]
question = "What about"
answer = "..."
`

// reloadRig is what serve runs for approved drafts: the store, the
// knowledge index opened with the drafts approved at that moment, and
// watchKnowledge started later by start.
type reloadRig struct {
	t      *testing.T
	cfg    string
	kbFile string
	st     *store.DB
	kb     *knowledge.Index
	took   []knowledge.Entry // the drafts the index was opened with
	log    *lockedBuffer
}

// newReloadRig saves the drafts whose entry ids are given, under review but
// for those in approved, and opens the knowledge index as serve does.
func newReloadRig(t *testing.T, ids []string, approved ...string) *reloadRig {
	t.Helper()
	clearSecrets(t)
	ctx := context.Background()
	dataDir, kbDir := t.TempDir(), t.TempDir()
	r := &reloadRig{t: t, kbFile: filepath.Join(kbDir, "base.toml"), log: &lockedBuffer{}}
	if err := os.WriteFile(r.kbFile, []byte(baseTOML), 0o600); err != nil {
		t.Fatal(err)
	}
	r.cfg = writeFile(t, "config.toml", fmt.Sprintf("data_dir = %q\n[knowledge]\npath = %q\n", dataDir, kbDir)+staffTOML)
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	r.st = st
	t.Cleanup(func() { st.Close() })
	for _, id := range ids {
		d := bot.Draft{EntryID: id, Topic: "general", State: bot.DraftOpen, By: "sam",
			QuestionEN: "What is " + id + "?", AnswerEN: "It is " + id + ".",
			QuestionFR: "Qu’est-ce que " + id + "?", AnswerFR: "C’est " + id + "."}
		for _, a := range approved {
			if a == id {
				d.State, d.ApprovedBy = bot.DraftApproved, "sam"
			}
		}
		if err := st.SaveDraft(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	extra, err := approvedDrafts(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	lg := slog.New(slog.NewTextHandler(r.log, nil))
	kb, err := knowledge.Open(ctx, knowledge.Options{Path: kbDir, Extra: extra, DataDir: dataDir, Logger: lg})
	if err != nil {
		t.Fatal(err)
	}
	r.kb, r.took = kb, extra
	t.Cleanup(func() { kb.Close() })
	return r
}

// start runs watchKnowledge, as serve does after startup, with a short
// reload interval, until the test ends.
func (r *reloadRig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		watchKnowledge(ctx, r.kb, r.st, r.took, 5*time.Millisecond, slog.New(slog.NewTextHandler(r.log, nil)))
	}()
	r.t.Cleanup(func() { cancel(); <-done })
}

// draft runs `liaison kb drafts <verb> <draft id>` as staff would.
func (r *reloadRig) draft(verb string, id int64) {
	r.t.Helper()
	args := []string{"kb", "drafts", verb, strconv.FormatInt(id, 10), "--config", r.cfg, "--by", "sam"}
	if verb == "reject" {
		args = append(args, "--reason", "wrong answer")
	}
	if _, _, err := runCLI(r.t, args...); err != nil {
		r.t.Fatalf("kb drafts %s %d: %v", verb, id, err)
	}
}

// served reports whether the index serves entry id in both languages.
func (r *reloadRig) served(id string) bool {
	for _, l := range bot.Langs {
		_, err := r.kb.Entry(context.Background(), id, l)
		if errors.Is(err, bot.ErrNotFound) {
			return false
		}
		if err != nil {
			r.t.Fatalf("entry %s: %v", id, err)
		}
	}
	return true
}

// waitFor waits until cond holds, failing after a generous deadline.
func (r *reloadRig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("never: %s\nlog:\n%s", what, r.log.String())
		}
	}
}

// writeKB replaces the knowledge-base file whole, as an editor saving it.
func (r *reloadRig) writeKB(body string) {
	r.t.Helper()
	tmp := filepath.Join(r.t.TempDir(), "base.toml")
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Rename(tmp, r.kbFile); err != nil {
		r.t.Fatal(err)
	}
}

// A draft approved after serve opened the knowledge base, before its first
// reload, is served at that reload (the README's "served at the next
// reload"); so is one approved later, and a draft rejected after its
// approval is withdrawn at the next reload.
func TestDraftApprovedRightAfterStartIsServedAtTheNextReload(t *testing.T) {
	r := newReloadRig(t, []string{"ceremony-animals", "ceremony-guests"})
	r.draft("approve", 1) // after the index took the approved drafts, before the first reload
	r.start()
	r.waitFor("draft approved right after start served", func() bool { return r.served("ceremony-animals") })
	r.draft("approve", 2)
	r.waitFor("draft approved later served", func() bool { return r.served("ceremony-guests") })
	r.draft("reject", 1)
	r.waitFor("rejected draft withdrawn", func() bool { return !r.served("ceremony-animals") })
	if !r.served("ceremony-guests") {
		t.Error("the other approved draft is no longer served")
	}
}

// An approved draft rejected after serve opened the knowledge base, before
// its first reload, is withdrawn at that reload.
func TestDraftRejectedRightAfterStartIsWithdrawnAtTheNextReload(t *testing.T) {
	r := newReloadRig(t, []string{"ceremony-animals"}, "ceremony-animals")
	if !r.served("ceremony-animals") {
		t.Fatal("draft approved before start not served")
	}
	r.draft("reject", 1)
	r.start()
	r.waitFor("draft rejected right after start withdrawn", func() bool { return !r.served("ceremony-animals") })
}

// A draft approved while a knowledge-base edit is broken cannot be served
// (the base with it does not load); it is reported once, and served at the
// first reload after the edit is fixed, not forgotten.
func TestDraftApprovedWhileTheKnowledgeBaseIsBrokenIsServedOnceItIsFixed(t *testing.T) {
	r := newReloadRig(t, []string{"ceremony-animals", "ceremony-guests"}, "ceremony-animals")
	r.start()
	r.writeKB(brokenTOML)
	r.draft("approve", 2)
	const refused = `msg="approved drafts`
	r.waitFor("approved drafts refused while the base is broken", func() bool { return strings.Contains(r.log.String(), refused) })
	if r.served("ceremony-guests") {
		t.Fatal("draft served while the knowledge base is broken")
	}
	r.writeKB(baseTOML)
	r.waitFor("draft refused while the base was broken served once it is fixed", func() bool { return r.served("ceremony-guests") })
	if !r.served("ceremony-animals") || !r.served("office-hours") {
		t.Error("the draft approved before or the files' entry is no longer served")
	}
	if n := strings.Count(r.log.String(), refused); n != 1 {
		t.Errorf("refusal reported %d times, want once:\n%s", n, r.log.String())
	}
}

// An approved draft exported into the knowledge-base files is, once serve
// finds it there, recorded as in the files (audited): the files serve its
// entry from then on, so that deleting the entry from them (an answer now
// obsolete) removes it, at the next reload and after a restart, instead of
// the draft serving the deleted answer again.
func TestDraftExportedIntoTheFilesIsNoLongerServedOnceDeletedFromThem(t *testing.T) {
	r := newReloadRig(t, []string{"ceremony-animals"}, "ceremony-animals")
	r.start()
	out := filepath.Join(filepath.Dir(r.kbFile), "approved.toml")
	if _, _, err := runCLI(t, "kb", "drafts", "export", "--out", out, "--config", r.cfg); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	state := func() bot.DraftState {
		d, err := r.st.Draft(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		return d.State
	}
	r.waitFor("exported draft recorded as in the files", func() bool { return state() == bot.DraftInFiles })
	if !r.served("ceremony-animals") {
		t.Fatal("the exported entry is not served from the files")
	}
	es := r.audit()
	if len(es) != 1 || es[0].Action != "draft.in-files" || es[0].Actor != "liaison" || es[0].Via != "serve" ||
		!es[0].Allowed || !strings.HasPrefix(es[0].Detail, "ceremony-animals at "+out) {
		t.Errorf("audit of draft 1 = %+v", es)
	}

	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	r.waitFor("entry deleted from the files withdrawn", func() bool { return !r.served("ceremony-animals") })
	if !r.served("office-hours") {
		t.Error("the files' other entry is no longer served")
	}
	// A restart opens the knowledge base with the approved drafts.
	if extra, err := approvedDrafts(ctx, r.st); err != nil || len(extra) != 0 {
		t.Errorf("drafts a restart would serve: %+v, %v; want none", extra, err)
	}
	if s := state(); s != bot.DraftInFiles {
		t.Errorf("draft is %s after the deletion, want %s", s, bot.DraftInFiles)
	}
}

// audit is the audit log of draft 1, oldest first.
func (r *reloadRig) audit() []bot.AuditEntry {
	r.t.Helper()
	log, err := r.st.AuditLog(context.Background(), 0)
	if err != nil {
		r.t.Fatal(err)
	}
	var es []bot.AuditEntry
	for _, e := range log {
		if e.Target == "draft:1" {
			es = append([]bot.AuditEntry{e}, es...)
		}
	}
	return es
}
