package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

// testConfig writes a configuration whose data directory is temporary.
func testConfig(t *testing.T) (path, dataDir string) {
	t.Helper()
	clearSecrets(t)
	dataDir = t.TempDir()
	path = writeFile(t, "config.toml", "data_dir = \""+dataDir+"\"\n"+staffTOML)
	return path, dataDir
}

func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func TestDraftIsServedOnlyWithBothLanguagesAndApproval(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	d := bot.Draft{EntryID: "ceremony-animals", Topic: "general", QuestionEN: "Can animals attend a ceremony?", AnswerEN: "Only service animals may attend.", State: bot.DraftOpen, By: "sam"}
	if err := st.SaveDraft(ctx, &d); err != nil {
		t.Fatal(err)
	}
	st.Close()
	id := "1"

	out, _, err := runCLI(t, "kb", "drafts", "list", "--config", cfgPath)
	if err != nil || !strings.Contains(out, "ceremony-animals") || !strings.Contains(out, "missing") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	_, _, err = runCLI(t, "kb", "drafts", "approve", id, "--config", cfgPath, "--by", "sam")
	if err == nil || !strings.Contains(err.Error(), "French question") || !strings.Contains(err.Error(), "--fr-answer") {
		t.Fatalf("approving a draft without French: %v", err)
	}
	if _, _, err := runCLI(t, "kb", "drafts", "edit", id, "--config", cfgPath, "--by", "sam", "--fr-question", "Les animaux peuvent-ils assister à une cérémonie?",
		"--fr-answer", "Seuls les animaux d’assistance sont admis."); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "kb", "drafts", "approve", id, "--config", cfgPath, "--by", "sam"); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "kb", "drafts", "export", "--config", cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// The export is a valid knowledge-base file with the entry in both languages.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "approved.toml"), []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := knowledge.Load(dir)
	if err != nil {
		t.Fatalf("exported file does not load: %v\n%s", err, out)
	}
	if len(b.Entries) != 1 || !b.Entries[0].Has(bot.English) || !b.Entries[0].Has(bot.French) || b.Entries[0].ID != "ceremony-animals" {
		t.Fatalf("exported entries = %+v", b.Entries)
	}
	if ps := knowledge.Validate(b.Entries, false); len(ps) > 0 {
		t.Errorf("exported entry invalid: %v", ps)
	}
	// Approved drafts are what serve adds to the knowledge base.
	st, _ = store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	defer st.Close()
	extra, err := approvedDrafts(ctx, st)
	if err != nil || len(extra) != 1 || extra[0].FR.Answer == "" {
		t.Fatalf("approved drafts = %+v, %v", extra, err)
	}
	// Once exported into the knowledge-base files, as the README says, the
	// base still opens: the files' entry is served, the draft steps aside.
	kb, err := knowledge.Prepare(dir, nil, extra, false)
	if err != nil || len(kb.Entries) != 1 || !slices.ContainsFunc(kb.Notes, func(n string) bool { return strings.Contains(n, "ceremony-animals") }) {
		t.Fatalf("knowledge base with the exported draft in its files: %v; entries %d, notes %q", err, len(kb.Entries), kb.Notes)
	}
	log, _ := st.AuditLog(ctx, 0)
	if len(log) == 0 || log[0].Action != "draft.approve" || log[0].Actor != "sam" {
		t.Errorf("audit = %+v", log)
	}
}

func TestDraftWithAnIDTheKnowledgeBaseUsesIsRefused(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, _ := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	d := bot.Draft{EntryID: "passport-renew", Topic: "passports", QuestionEN: "q", AnswerEN: "a", QuestionFR: "q", AnswerFR: "r", State: bot.DraftOpen}
	if err := st.SaveDraft(ctx, &d); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, _, err := runCLI(t, "kb", "drafts", "approve", "1", "--config", cfgPath, "--by", "sam")
	if err == nil || !strings.Contains(err.Error(), "already used") {
		t.Fatalf("err = %v", err)
	}
}

// Two drafts saved from the same question propose the same entry id: the
// second is refused at approval, naming the first, or the knowledge base
// `serve` opens would hold the id twice and be refused.
func TestDraftWithAnIDAnotherApprovedDraftUsesIsRefused(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		d := bot.Draft{EntryID: "ceremony-animals", Topic: "general",
			QuestionEN: "Can animals attend a ceremony?", AnswerEN: "Only service animals may attend.",
			QuestionFR: "Les animaux peuvent-ils assister à une cérémonie?", AnswerFR: "Seuls les animaux d’assistance sont admis.",
			State: bot.DraftOpen, By: "sam"}
		if err := st.SaveDraft(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	if _, _, err := runCLI(t, "kb", "drafts", "approve", "1", "--config", cfgPath, "--by", "sam"); err != nil {
		t.Fatalf("approve 1: %v", err)
	}
	_, _, err = runCLI(t, "kb", "drafts", "approve", "2", "--config", cfgPath, "--by", "sam")
	if err == nil || !strings.Contains(err.Error(), `entry id "ceremony-animals" is already used by approved draft 1`) ||
		!strings.Contains(err.Error(), "--id") {
		t.Fatalf("approve 2 with the id of approved draft 1: err = %v", err)
	}

	// What serve opens: the sample and the one approved draft.
	st, err = store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if d, err := st.Draft(ctx, 2); err != nil || d.State != bot.DraftOpen {
		t.Errorf("refused draft = %+v, %v; want it still under review", d, err)
	}
	extra, err := approvedDrafts(ctx, st)
	if err != nil || len(extra) != 1 {
		t.Fatalf("approved drafts = %+v, %v", extra, err)
	}
	if _, err := knowledge.Prepare("", nil, extra, false); err != nil {
		t.Errorf("the knowledge base with the approved draft is refused: %v", err)
	}

	// With another id, it is approved.
	if _, _, err := runCLI(t, "kb", "drafts", "edit", "2", "--config", cfgPath, "--by", "sam", "--id", "ceremony-service-animals"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "kb", "drafts", "approve", "2", "--config", cfgPath, "--by", "sam"); err != nil {
		t.Errorf("approve 2 with its own id: %v", err)
	}
}

// An export over the previous one replaces it whole, once complete: a
// reader of the old file (serve reloading the knowledge base it was
// exported into) sees it as it was, never truncated nor half written, and
// nothing is left next to it.
func TestDraftsExportReplacesTheFileWhole(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	d := bot.Draft{EntryID: "ceremony-animals", Topic: "general",
		QuestionEN: "Can animals attend a ceremony?", AnswerEN: "Only service animals may attend.",
		QuestionFR: "Les animaux peuvent-ils assister à une cérémonie?", AnswerFR: "Seuls les animaux d’assistance sont admis.",
		State: bot.DraftApproved, By: "sam", ApprovedBy: "sam"}
	if err := st.SaveDraft(ctx, &d); err != nil {
		t.Fatal(err)
	}
	st.Close()

	dir := t.TempDir()
	path := filepath.Join(dir, "approved.toml")
	const old = "# last week's export\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()

	if _, stderr, err := runCLI(t, "kb", "drafts", "export", "--config", cfgPath, "--out", path); err != nil || !strings.Contains(stderr, "1 drafts written to "+path) {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	if b, err := io.ReadAll(reader); err != nil || string(b) != old {
		t.Errorf("the previous export, as its reader sees it: %q, %v; want it whole", b, err)
	}
	b, err := knowledge.Load(path)
	if err != nil || len(b.Entries) != 1 || b.Entries[0].ID != "ceremony-animals" {
		t.Fatalf("the new export: %v, %+v", err, b)
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("files left next to the export: %v", names)
	}

}

// An --out that cannot be written says why in the user's terms, naming the
// flag and the path given, not the name of the file written next to it.
func TestExportOutMistakesSayWhatToDo(t *testing.T) {
	cfgPath, _ := testConfig(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope", "approved.toml")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"drafts into a missing directory", []string{"kb", "drafts", "export", "--out", missing},
			"kb drafts export: --out " + missing + ": directory " + filepath.Dir(missing) + " does not exist: create it, or write the file elsewhere"},
		{"drafts onto a directory", []string{"kb", "drafts", "export", "--out", dir},
			"kb drafts export: --out " + dir + ": " + dir + " is a directory: give the name of the file to write"},
		{"archive onto a directory", []string{"archive", "export", "--out", dir},
			"archive export: --out " + dir + ": " + dir + " is a directory: give the name of the file to write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCLI(t, append(tt.args, "--config", cfgPath)...)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v\nwant %s", err, tt.want)
			}
			if exitCode(err) != 1 {
				t.Errorf("exit code %d", exitCode(err))
			}
		})
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("files left: %v", names)
	}
}

// With no approved drafts, export writes nothing, not a file of no entries
// (a knowledge base of none), and leaves a previous export as it was.
func TestDraftsExportWithNothingToExportWritesNothing(t *testing.T) {
	cfgPath, _ := testConfig(t)
	path := filepath.Join(t.TempDir(), "approved.toml")
	const old = "# last week's export\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "kb", "drafts", "export", "--config", cfgPath, "--out", path)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "no approved drafts, nothing written") {
		t.Errorf("export with no drafts: %v (exit %d)", err, exitCode(err))
	}
	if b, _ := os.ReadFile(path); string(b) != old {
		t.Errorf("the previous export became %q", b)
	}
	if out, _, err = runCLI(t, "kb", "drafts", "export", "--config", cfgPath); err == nil || out != "" {
		t.Errorf("export to standard output with no drafts: %q, %v", out, err)
	}
}

// A draft the knowledge base would refuse (a malformed topic, an answer
// past the longest the base takes) is refused at approval with what to
// fix: approved, it would keep every later draft from being served, since
// serve adds the approved drafts to the knowledge base together.
func TestDraftTheKnowledgeBaseWouldRefuseIsRefusedAtApproval(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	d := bot.Draft{EntryID: "ceremony-animals", Topic: "Ceremonies & events",
		QuestionEN: "Can animals attend a ceremony?", AnswerEN: strings.Repeat("Only service animals may attend. ", 300),
		QuestionFR: "Les animaux peuvent-ils assister à une cérémonie?", AnswerFR: "Seuls les animaux d’assistance sont admis.",
		State: bot.DraftOpen, By: "sam"}
	if err := st.SaveDraft(ctx, &d); err != nil {
		t.Fatal(err)
	}
	st.Close()

	_, _, err = runCLI(t, "kb", "drafts", "approve", "1", "--config", cfgPath, "--by", "sam")
	if err == nil || !strings.Contains(err.Error(), `malformed topic "Ceremonies & events"`) ||
		!strings.Contains(err.Error(), "[en]: answer is 9900 characters long: keep it under 8000") ||
		!strings.Contains(err.Error(), "--topic") || !strings.Contains(err.Error(), "--en-answer") {
		t.Fatalf("approving a draft the knowledge base would refuse: %v", err)
	}
	st, err = store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := st.Draft(ctx, 1); err != nil || d.State != bot.DraftOpen {
		t.Errorf("refused draft = %+v, %v; want it still under review", d, err)
	}
	st.Close()

	if _, _, err := runCLI(t, "kb", "drafts", "edit", "1", "--config", cfgPath, "--by", "sam", "--topic", "general",
		"--en-answer", "Only service animals may attend."); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "kb", "drafts", "approve", "1", "--config", cfgPath, "--by", "sam"); err != nil {
		t.Errorf("approve once fixed: %v", err)
	}
}

// draftAudit returns the audit entries of draft 1, oldest first.
func draftAudit(t *testing.T, dataDir string) []bot.AuditEntry {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, err := st.AuditLog(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var es []bot.AuditEntry
	for _, e := range log {
		if e.Target == "draft:1" {
			es = append([]bot.AuditEntry{e}, es...)
		}
	}
	return es
}

func TestDraftEditsAndRefusedApprovalsAreAudited(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	d := bot.Draft{EntryID: "ceremony-animals", Topic: "general", QuestionEN: "Can animals attend a ceremony?", AnswerEN: "Only service animals may attend.", State: bot.DraftOpen, By: "sam"}
	if err := st.SaveDraft(ctx, &d); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if _, _, err := runCLI(t, "kb", "drafts", "approve", "1", "--config", cfgPath, "--by", "sam"); err == nil {
		t.Fatal("a draft without French was approved")
	}
	if _, _, err := runCLI(t, "kb", "drafts", "edit", "1", "--config", cfgPath); err == nil || !strings.Contains(err.Error(), "--fr-answer") {
		t.Fatalf("an edit that changes nothing: %v", err)
	}
	if _, _, err := runCLI(t, "kb", "drafts", "edit", "1", "--config", cfgPath, "--by", "alex",
		"--fr-question", "Les animaux peuvent-ils assister à une cérémonie?", "--fr-answer", "Seuls les animaux d’assistance sont admis."); err != nil {
		t.Fatal(err)
	}
	es := draftAudit(t, dataDir)
	if len(es) != 2 {
		t.Fatalf("audit of draft 1 = %+v, want the refused approval and the edit", es)
	}
	if a := es[0]; a.Action != "draft.approve" || a.Allowed || a.Actor != "sam" || a.Via != "cli" || !strings.Contains(a.Detail, "French") {
		t.Errorf("refused approval audited as %+v", a)
	}
	if a := es[1]; a.Action != "draft.edit" || !a.Allowed || a.Actor != "alex" || a.Detail != "fr-question, fr-answer" {
		t.Errorf("edit audited as %+v", a)
	}
}

func TestRejectingAnApprovedDraftSaysItIsWithdrawn(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	d := bot.Draft{EntryID: "ceremony-animals", Topic: "general", QuestionEN: "Can animals attend a ceremony?", AnswerEN: "Only service animals may attend.",
		QuestionFR: "Les animaux peuvent-ils assister à une cérémonie?", AnswerFR: "Seuls les animaux d’assistance sont admis.", State: bot.DraftOpen, By: "sam"}
	if err := st.SaveDraft(ctx, &d); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, _, err := runCLI(t, "kb", "drafts", "approve", "1", "--config", cfgPath, "--by", "sam"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "kb", "drafts", "reject", "1", "--config", cfgPath, "--by", "alex", "--reason", "policy changed")
	if err != nil || !strings.Contains(out, "withdrawn") || !strings.Contains(out, "next knowledge reload") {
		t.Fatalf("rejecting an approved draft: %v\n%s", err, out)
	}
	_, _, err = runCLI(t, "kb", "drafts", "reject", "1", "--config", cfgPath, "--by", "alex", "--reason", "again")
	if err == nil || !strings.Contains(err.Error(), "already rejected") {
		t.Fatalf("rejecting a rejected draft: %v", err)
	}
	es := draftAudit(t, dataDir)
	if len(es) != 3 || es[1].Action != "draft.reject" || !es[1].Allowed || es[2].Action != "draft.reject" || es[2].Allowed {
		t.Fatalf("audit of draft 1 = %+v", es)
	}
}

// A draft under review may hold a citizen's question as they wrote it
// (masked): an export of drafts other than the approved ones is readable
// by its owner only, as the archive export is, even when it replaces a
// file anyone could read.
func TestDraftsExportOfDraftsNotApprovedIsPrivate(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	d := bot.Draft{EntryID: "passport-lost", Topic: "general", QuestionEN: "My passport [document] is lost, I am Jean Tremblay",
		AnswerEN: "Report it at once.", State: bot.DraftOpen, By: "sam"}
	if err := st.SaveDraft(ctx, &d); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, state := range []string{"draft", "all"} {
		t.Run(state, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "drafts.toml")
			if err := os.WriteFile(path, []byte("# earlier\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, _, err := runCLI(t, "kb", "drafts", "export", "--state", state, "--config", cfgPath, "--out", path); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(path); !strings.Contains(string(b), "Jean Tremblay") {
				t.Fatalf("the export does not hold the draft:\n%s", b)
			}
			if perm := fi.Mode().Perm(); perm&0o077 != 0 {
				t.Errorf("export of %s drafts has mode %v, want readable by its owner only", state, perm)
			}
		})
	}
}

// inFilesRig is a knowledge base whose files hold the entries of two
// approved drafts, exported into approved.toml, and a third approved draft
// not exported yet; serve has recorded the first two as in the files.
func inFilesRig(t *testing.T) (cfgPath, dataDir, approvedFile string) {
	t.Helper()
	clearSecrets(t)
	dataDir, kbDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(kbDir, "base.toml"), []byte(baseTOML), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath = writeFile(t, "config.toml", fmt.Sprintf("data_dir = %q\n[knowledge]\npath = %q\n", dataDir, kbDir)+staffTOML)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ds []bot.Draft
	for _, id := range []string{"ceremony-animals", "ceremony-guests", "ceremony-dress"} {
		d := bot.Draft{EntryID: id, Topic: "general", State: bot.DraftApproved, By: "sam", ApprovedBy: "sam",
			QuestionEN: "What is " + id + "?", AnswerEN: "It is " + id + ".",
			QuestionFR: "Qu’est-ce que " + id + "?", AnswerFR: "C’est " + id + "."}
		if err := st.SaveDraft(ctx, &d); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	b, err := exportDrafts(ds[:2])
	if err != nil {
		t.Fatal(err)
	}
	approvedFile = filepath.Join(kbDir, "approved.toml")
	if err := os.WriteFile(approvedFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	base, err := knowledge.Prepare(kbDir, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := takeIntoFiles(ctx, base, st, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	return cfgPath, dataDir, approvedFile
}

// A draft whose entry the knowledge-base files hold shows so, and cannot be
// rejected nor edited: the files serve the entry, so that is where it is
// changed or removed. The refused rejection is audited.
func TestDraftInTheFilesIsChangedInTheFiles(t *testing.T) {
	cfgPath, dataDir, _ := inFilesRig(t)
	out, _, err := runCLI(t, "kb", "drafts", "list", "--state", "in-files", "--config", cfgPath)
	if err != nil || !strings.Contains(out, "1  in-files  ceremony-animals") || !strings.Contains(out, "ceremony-guests") || strings.Contains(out, "ceremony-dress") {
		t.Errorf("list --state in-files: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, "kb", "drafts", "show", "1", "--config", cfgPath)
	if err != nil || !strings.Contains(out, "Draft 1 (in-files)") || !strings.Contains(out, "is in your knowledge-base files, which serve it: edit or delete it there") {
		t.Errorf("show: %v\n%s", err, out)
	}
	const want = `its entry "ceremony-animals" is in your knowledge-base files, which serve it: edit or delete it there`
	_, _, err = runCLI(t, "kb", "drafts", "reject", "1", "--config", cfgPath, "--by", "alex", "--reason", "obsolete")
	if err == nil || err.Error() != "draft 1 cannot be rejected: "+want {
		t.Errorf("reject: %v", err)
	}
	_, _, err = runCLI(t, "kb", "drafts", "edit", "1", "--en-answer", "No.", "--config", cfgPath, "--by", "alex")
	if err == nil || err.Error() != "draft 1 cannot be edited: "+want {
		t.Errorf("edit: %v", err)
	}
	es := draftAudit(t, dataDir)
	if len(es) != 2 || es[0].Action != "draft.in-files" || es[1].Action != "draft.reject" || es[1].Allowed || es[1].Actor != "alex" {
		t.Errorf("audit of draft 1 = %+v", es)
	}
}

// Exporting again into the file that holds drafts taken into the files
// keeps them in it, with the drafts approved since; an entry deleted from
// it is not written back, and one moved to another file is not written
// twice. An export elsewhere writes the approved drafts only.
func TestDraftsExportAgainKeepsWhatTheFileHoldsAndNotWhatWasDeleted(t *testing.T) {
	cfgPath, _, approvedFile := inFilesRig(t)
	ids := func(path string) []string {
		t.Helper()
		b, err := knowledge.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range b.Entries {
			got = append(got, e.ID)
		}
		return got
	}
	export := func(path string) {
		t.Helper()
		if _, stderr, err := runCLI(t, "kb", "drafts", "export", "--config", cfgPath, "--out", path); err != nil {
			t.Fatalf("export: %v\n%s", err, stderr)
		}
	}
	export(approvedFile)
	if got := ids(approvedFile); !slices.Equal(got, []string{"ceremony-animals", "ceremony-guests", "ceremony-dress"}) {
		t.Errorf("exported again: %v", got)
	}
	// The department deletes ceremony-animals and moves ceremony-guests to
	// a file of its own.
	b, err := exportDrafts([]bot.Draft{{EntryID: "ceremony-dress", Topic: "general", QuestionEN: "q", AnswerEN: "a", QuestionFR: "q", AnswerFR: "r"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(approvedFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(approvedFile), "guests.toml"), []byte(`[[entry]]
id = "ceremony-guests"
topic = "general"
[entry.en]
question = "How many guests?"
answer = "Two."
[entry.fr]
question = "Combien d’invités?"
answer = "Deux."
`), 0o644); err != nil {
		t.Fatal(err)
	}
	export(approvedFile)
	if got := ids(approvedFile); !slices.Equal(got, []string{"ceremony-dress"}) {
		t.Errorf("exported again after the deletion: %v, want the approved draft only", got)
	}
	elsewhere := filepath.Join(t.TempDir(), "new.toml")
	export(elsewhere)
	if got := ids(elsewhere); !slices.Equal(got, []string{"ceremony-dress"}) {
		t.Errorf("exported elsewhere: %v, want the approved draft only", got)
	}
}

// serve records at start the approved drafts the knowledge-base files
// hold, also with reloading turned off: a restart after the entry is
// deleted from the files does not serve it again.
func TestServeRecordsAtStartTheDraftsTheFilesHold(t *testing.T) {
	clearSecrets(t)
	dataDir, kbDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(kbDir, "base.toml"), []byte(baseTOML), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	d := bot.Draft{EntryID: "ceremony-animals", Topic: "general", State: bot.DraftApproved, By: "sam", ApprovedBy: "sam",
		QuestionEN: "Can animals attend?", AnswerEN: "Service animals only.", QuestionFR: "Les animaux sont-ils admis?", AnswerFR: "Les animaux d’assistance seulement."}
	if err := st.SaveDraft(ctx, &d); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cfg := writeFile(t, "serve.toml", fmt.Sprintf("data_dir = %q\n[admin]\naddr = \"127.0.0.1:0\"\n[web]\naddr = \"127.0.0.1:0\"\n[knowledge]\npath = %q\nreload_interval = \"0s\"\n", dataDir, kbDir)+staffTOML)
	if _, _, err := runCLI(t, "kb", "drafts", "export", "--config", cfg, "--out", filepath.Join(kbDir, "approved.toml")); err != nil {
		t.Fatal(err)
	}

	sctx, cancel := context.WithCancel(ctx)
	var out, errOut lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(sctx, []string{"serve", "--config", cfg}, &out, &errOut) }()
	for deadline := time.Now().Add(30 * time.Second); !healthRe.MatchString(out.String()); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s", errOut.String())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(errOut.String(), `"msg":"approved draft found in the knowledge-base files, which serve its entry from now on","draft":1,"entry":"ceremony-animals"`) {
		t.Errorf("not logged:\n%s", errOut.String())
	}
	st, err = store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got, err := st.Draft(ctx, d.ID); err != nil || got.State != bot.DraftInFiles {
		t.Errorf("draft after serve started: %+v, %v; want it in the files", got, err)
	}
	if extra, err := approvedDrafts(ctx, st); err != nil || len(extra) != 0 {
		t.Errorf("drafts the next start serves: %+v, %v; want none", extra, err)
	}
}

// A rejection of an approved draft that serve takes into the files between
// the command's reading of the draft and its writing is refused, as if
// serve had been first: the draft stays in the files, which serve its entry.
// The store's write lock, held here as another process would, opens that
// window.
func TestDraftTakenIntoTheFilesWhileBeingRejectedStaysInTheFiles(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	d := bot.Draft{EntryID: "ceremony-animals", Topic: "general", QuestionEN: "Can animals attend a ceremony?", AnswerEN: "Only service animals may attend.",
		QuestionFR: "Les animaux peuvent-ils assister à une cérémonie?", AnswerFR: "Seuls les animaux d’assistance sont admis.", State: bot.DraftApproved, By: "sam", ApprovedBy: "sam"}
	if err := st.SaveDraft(ctx, &d); err != nil {
		t.Fatal(err)
	}
	st.Close()
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(dataDir, "liaison.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	type res struct {
		out string
		err error
	}
	done := make(chan res, 1)
	go func() {
		out, _, err := runCLI(t, "kb", "drafts", "reject", "1", "--config", cfgPath, "--by", "alex", "--reason", "policy changed")
		done <- res{out, err}
	}()
	// The command has read the draft, approved, and waits for the lock
	// to write (well within the store's busy timeout).
	buf := make([]byte, 1<<20)
	waiting := false
	for deadline := time.Now().Add(4 * time.Second); time.Now().Before(deadline) && !waiting; time.Sleep(time.Millisecond) {
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			waiting = waiting || strings.Contains(g, "runKBDrafts") && strings.Contains(g, "store.(*DB).write")
		}
	}
	if !waiting {
		t.Fatal("kb drafts reject never waited for the database's write lock")
	}
	// Meanwhile serve finds the draft's entry in the files.
	if _, err := conn.ExecContext(ctx, "UPDATE drafts SET state = 'in-files' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	var state string
	if err := raw.QueryRowContext(ctx, "SELECT state FROM drafts WHERE id = 1").Scan(&state); err != nil {
		t.Fatal(err)
	}
	const want = `draft 1 cannot be rejected: its entry "ceremony-animals" is in your knowledge-base files, which serve it: edit or delete it there`
	if state != string(bot.DraftInFiles) || r.err == nil || r.err.Error() != want {
		t.Errorf("a draft serve took into the files meanwhile: state %s after the rejection, which said %v\n%s", state, r.err, r.out)
	}
	if es := draftAudit(t, dataDir); len(es) != 1 || es[0].Action != "draft.reject" || es[0].Allowed || es[0].Detail != want {
		t.Errorf("audit of draft 1 = %+v", es)
	}
}
