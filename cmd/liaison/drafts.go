package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/pelletier/go-toml/v2"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

// Drafts are knowledge-base entries proposed from staff answers. A draft is
// served only once both languages are written and a person approves it;
// export writes approved drafts in the knowledge base's TOML format so they
// can join the source files. Once serve finds a draft's entry in the files,
// the draft is in the files (bot.DraftInFiles): they serve the entry from
// then on, and are where it is changed or deleted.

// draftsUsage lists the drafts subcommands, for -h.
const draftsUsage = `Usage:
  liaison kb drafts list [--state draft|approved|in-files|rejected|all]
  liaison kb drafts show ID
  liaison kb drafts edit ID [--id ENTRY] [--topic TOPIC] [--en-question TEXT] [--en-answer TEXT] [--fr-question TEXT] [--fr-answer TEXT] [--by NAME]
  liaison kb drafts approve ID --by NAME
  liaison kb drafts reject ID --by NAME --reason TEXT
  liaison kb drafts export [--state STATE] [--out FILE]

Each takes --config FILE; run 'liaison kb drafts list -h' for every flag.`

func runKBDrafts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("kb drafts: use list, show ID, edit ID, approve ID, reject ID or export")
	}
	sub, rest := args[0], args[1:]
	if isHelp(sub) {
		fmt.Fprintln(stderr, draftsUsage)
		return flag.ErrHelp
	}
	switch sub {
	case "list", "show", "edit", "approve", "reject", "export":
	default:
		// Before the store is opened: a mistake creates no data directory.
		return usagef("kb drafts: unknown subcommand %q: use list, show, edit, approve, reject or export", sub)
	}
	fs := flag.NewFlagSet("kb drafts "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file; empty: embedded defaults")
	state := fs.String("state", "", "list/export: draft, approved, in-files, rejected or all")
	by := fs.String("by", os.Getenv("USER"), "edit/approve/reject: who decides (recorded)")
	reason := fs.String("reason", "", "reject: why")
	out := fs.String("out", "", "export: file to write (default: standard output)")
	id := fs.String("id", "", "edit: the entry id (lowercase letters, digits, dashes)")
	topic := fs.String("topic", "", "edit: the routing topic")
	qEN := fs.String("en-question", "", "edit: the English question")
	aEN := fs.String("en-answer", "", "edit: the English answer")
	qFR := fs.String("fr-question", "", "edit: the French question")
	aFR := fs.String("fr-answer", "", "edit: the French answer")
	idArg, flags := splitPositional(rest)
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	// Mistakes are told before the store is opened: they create no data
	// directory.
	switch bot.DraftState(*state) {
	case "", "all", bot.DraftOpen, bot.DraftApproved, bot.DraftInFiles, bot.DraftRejected:
	default:
		return usagef("kb drafts %s: --state %q: use %s, %s, %s, %s or all", sub, *state, bot.DraftOpen, bot.DraftApproved, bot.DraftInFiles, bot.DraftRejected)
	}
	var n int64
	switch takesID := sub != "list" && sub != "export"; {
	case !takesID && idArg != "":
		return usagef("kb drafts %s: unexpected argument %q: give a state with --state", sub, idArg)
	case fs.NArg() > 0:
		return usagef("kb drafts %s: unexpected argument %q: %s", sub, fs.Arg(0), quoteHint)
	case !takesID:
	case idArg == "":
		return usagef("kb drafts %s: a draft number is required (see 'liaison kb drafts list')", sub)
	default:
		var err error
		if n, err = strconv.ParseInt(idArg, 10, 64); err != nil {
			return usagef("kb drafts %s: %q is not a draft number (see 'liaison kb drafts list')", sub, idArg)
		}
	}
	cfg, st, _, err := openAdmin(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()

	getDraft := func() (bot.Draft, error) {
		d, err := st.Draft(ctx, n)
		if errors.Is(err, bot.ErrNotFound) {
			return d, fmt.Errorf("draft %d does not exist", n)
		}
		return d, err
	}
	switch sub {
	case "list":
		ds, err := st.Drafts(ctx, draftState(*state))
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tSTATE\tENTRY ID\tTOPIC\tEN\tFR\tQUESTION")
		for _, d := range ds {
			q := d.QuestionEN
			if q == "" {
				q = d.QuestionFR
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.State, d.EntryID, d.Topic, done(d.QuestionEN, d.AnswerEN), done(d.QuestionFR, d.AnswerFR), clip(q, 60))
		}
		return tw.Flush()
	case "show":
		d, err := getDraft()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Draft %d (%s), entry %q, topic %q, from escalation %d, saved by %s\n", d.ID, d.State, d.EntryID, d.Topic, d.EscalationID, d.By)
		fmt.Fprintf(stdout, "\nEnglish question: %s\nEnglish answer:   %s\n\nFrench question:  %s\nFrench answer:    %s\n", orMissing(d.QuestionEN), orMissing(d.AnswerEN), orMissing(d.QuestionFR), orMissing(d.AnswerFR))
		if d.State == bot.DraftInFiles {
			fmt.Fprintf(stdout, "\n%s.\n", inFiles(d))
		}
		return nil
	case "edit":
		d, err := getDraft()
		if err != nil {
			return err
		}
		if d.State == bot.DraftInFiles {
			return fmt.Errorf("draft %d cannot be edited: %s", d.ID, inFiles(d))
		}
		if d.State != bot.DraftOpen {
			return fmt.Errorf("draft %d is %s: only drafts under review can be edited", d.ID, d.State)
		}
		var changed []string
		for _, f := range []struct {
			name, v string
			dst     *string
		}{{"id", *id, &d.EntryID}, {"topic", *topic, &d.Topic}, {"en-question", *qEN, &d.QuestionEN}, {"en-answer", *aEN, &d.AnswerEN},
			{"fr-question", *qFR, &d.QuestionFR}, {"fr-answer", *aFR, &d.AnswerFR}} {
			if v := strings.TrimSpace(f.v); v != "" && v != *f.dst {
				*f.dst = v
				changed = append(changed, f.name)
			}
		}
		if len(changed) == 0 {
			return usagef("kb drafts edit: nothing to change: give --id, --topic, --en-question, --en-answer, --fr-question or --fr-answer with the new text")
		}
		editor := strings.TrimSpace(*by)
		if editor == "" {
			return usagef("kb drafts edit: --by NAME is required")
		}
		if err := st.SaveDraft(ctx, &d); err != nil {
			return err
		}
		if err := st.Audit(ctx, bot.AuditEntry{Actor: editor, Via: "cli", Action: "draft.edit", Target: draftTarget(d.ID), Detail: strings.Join(changed, ", "), Allowed: true}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Draft %d saved. English %s, French %s.\n", d.ID, done(d.QuestionEN, d.AnswerEN), done(d.QuestionFR, d.AnswerFR))
		return nil
	case "approve":
		d, err := getDraft()
		if err != nil {
			return err
		}
		approver := strings.TrimSpace(*by)
		if approver == "" {
			return usagef("kb drafts approve: --by NAME is required")
		}
		approved, err := st.Drafts(ctx, bot.DraftApproved)
		if err != nil {
			return err
		}
		if err := checkDraft(d, cfg, approved); err != nil {
			// The refusal is part of the draft's record, as the desk's are.
			if aerr := st.Audit(ctx, bot.AuditEntry{Actor: approver, Via: "cli", Action: "draft.approve", Target: draftTarget(d.ID), Detail: err.Error(), Allowed: false}); aerr != nil {
				return errors.Join(err, aerr)
			}
			return err
		}
		d.State, d.ApprovedBy = bot.DraftApproved, approver
		if err := st.SaveDraft(ctx, &d); err != nil {
			return err
		}
		if err := st.Audit(ctx, bot.AuditEntry{Actor: d.ApprovedBy, Via: "cli", Action: "draft.approve", Target: draftTarget(d.ID), Detail: d.EntryID, Allowed: true}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Draft %d approved as entry %q. A running 'liaison serve' serves it at its next knowledge reload; 'liaison kb drafts export' writes it for the source files.\n", d.ID, d.EntryID)
		return nil
	case "reject":
		d, err := getDraft()
		if err != nil {
			return err
		}
		rejecter, why := strings.TrimSpace(*by), strings.TrimSpace(*reason)
		if why == "" || rejecter == "" {
			return usagef("kb drafts reject: --by NAME and --reason TEXT are required")
		}
		refuse := func(d bot.Draft) error {
			err := fmt.Errorf("draft %d is already rejected", d.ID)
			if d.State == bot.DraftInFiles {
				// The files serve the entry: withdrawing the draft would
				// not withdraw it.
				err = fmt.Errorf("draft %d cannot be rejected: %s", d.ID, inFiles(d))
			}
			if aerr := st.Audit(ctx, bot.AuditEntry{Actor: rejecter, Via: "cli", Action: "draft.reject", Target: draftTarget(d.ID), Detail: err.Error(), Allowed: false}); aerr != nil {
				return errors.Join(err, aerr)
			}
			return err
		}
		if d.State == bot.DraftRejected || d.State == bot.DraftInFiles {
			return refuse(d)
		}
		// Moved from the state read, so that a change made meanwhile (serve
		// finding the draft in the files, another rejection) is not
		// overwritten; the move and its audit are one write.
		was := d.State
		err = st.MoveDraft(ctx, d.ID, was, bot.DraftRejected, bot.AuditEntry{Actor: rejecter, Via: "cli", Action: "draft.reject", Target: draftTarget(d.ID), Detail: why, Allowed: true})
		if errors.Is(err, bot.ErrConflict) {
			if now, gerr := getDraft(); gerr == nil && (now.State == bot.DraftRejected || now.State == bot.DraftInFiles) {
				return refuse(now)
			}
			return fmt.Errorf("draft %d changed while it was being rejected: see 'liaison kb drafts show %d', then try again", d.ID, d.ID)
		}
		if err != nil {
			return err
		}
		if was == bot.DraftApproved {
			fmt.Fprintf(stdout, "Draft %d rejected: entry %q is withdrawn. A running 'liaison serve' stops serving it at its next knowledge reload, unless your knowledge-base files hold it (an export): remove it from them too.\n", d.ID, d.EntryID)
			return nil
		}
		fmt.Fprintf(stdout, "Draft %d rejected.\n", d.ID)
		return nil
	case "export":
		s := draftState(*state)
		if *state == "" {
			s = bot.DraftApproved
		}
		if *out != "" {
			if err := checkWritable(*out); err != nil {
				return fmt.Errorf("kb drafts export: --out %s: %w", *out, err)
			}
		}
		var ds []bot.Draft
		if s == bot.DraftApproved && *out != "" {
			// Exported again into the file that holds drafts taken into
			// the files, they stay in it; one deleted from it, or moved
			// to another file, is not written back.
			ds, err = exportAgain(ctx, st, cfg, *out)
		} else {
			ds, err = st.Drafts(ctx, s)
		}
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			// A file of no entries would be a knowledge base of none.
			what := "drafts"
			if s != "" {
				what = string(s) + " drafts"
			}
			return fmt.Errorf("kb drafts export: no %s, nothing written: approve a draft first (liaison kb drafts approve ID --by NAME)", what)
		}
		b, err := exportDrafts(ds)
		if err != nil {
			return err
		}
		if *out == "" {
			_, err = stdout.Write(b)
			return err
		}
		// Approved drafts are the department's entries, for the source
		// files; drafts under review or rejected may still hold a
		// citizen's question: readable by the owner only, as the archive.
		perm := os.FileMode(0o644)
		if s != bot.DraftApproved && s != bot.DraftInFiles {
			perm = 0o600
		}
		err = writeFileWhole(*out, perm, func(w io.Writer) error {
			_, err := w.Write(b)
			return err
		})
		if err != nil {
			return fmt.Errorf("kb drafts export: --out %s: %w", *out, err)
		}
		fmt.Fprintf(stderr, "%d drafts written to %s\n", len(ds), *out)
		return nil
	}
	return usagef("kb drafts: unknown subcommand %q: use list, show, edit, approve, reject or export", sub)
}

// inFiles says that the knowledge-base files hold d's entry, and serve it.
func inFiles(d bot.Draft) string {
	return fmt.Sprintf("its entry %q is in your knowledge-base files, which serve it: edit or delete it there", d.EntryID)
}

// exportAgain is what `kb drafts export --out out` writes: the approved
// drafts, and the drafts taken into the files whose entry out holds, in the
// order they were saved.
func exportAgain(ctx context.Context, st bot.DraftStore, cfg Config, out string) ([]bot.Draft, error) {
	all, err := st.Drafts(ctx, "")
	if err != nil {
		return nil, err
	}
	held := map[string]bool{}
	if target, err := os.Stat(out); err == nil {
		b, err := knowledge.Load(cfg.Knowledge.Path)
		if b == nil {
			return nil, fmt.Errorf("kb drafts export: read the knowledge base to keep the entries %s holds: %w", out, err)
		}
		same := map[string]bool{}
		for _, e := range b.Entries {
			f := e.Source.File
			if _, ok := same[f]; !ok {
				fi, err := os.Stat(f)
				same[f] = err == nil && os.SameFile(fi, target)
			}
			if same[f] {
				held[e.ID] = true
			}
		}
	}
	var ds []bot.Draft
	for _, d := range all {
		if d.State == bot.DraftApproved || d.State == bot.DraftInFiles && held[d.EntryID] {
			ds = append(ds, d)
		}
	}
	return ds, nil
}

// takeIntoFiles records the approved drafts whose entry the knowledge-base
// files of b hold (exported into them) as in the files: the files serve the
// entry from then on, and a deletion there removes it, where the draft,
// still approved, would serve the deleted answer again. Each is audited.
func takeIntoFiles(ctx context.Context, b *knowledge.Base, st *store.DB, log *slog.Logger) error {
	ds, err := st.Drafts(ctx, bot.DraftApproved)
	if err != nil || len(ds) == 0 || b == nil {
		return err
	}
	held := make(map[string]knowledge.Pos, len(b.Entries))
	for _, e := range b.Entries {
		if e.Source.File != "" { // not an extra entry
			held[e.ID] = e.Source
		}
	}
	var errs []error
	for _, d := range ds {
		at, ok := held[d.EntryID]
		if !ok {
			continue
		}
		err := st.MoveDraft(ctx, d.ID, bot.DraftApproved, bot.DraftInFiles, bot.AuditEntry{Actor: "liaison", Via: "serve",
			Action: "draft.in-files", Target: draftTarget(d.ID), Detail: d.EntryID + " at " + at.String(), Allowed: true})
		switch {
		case errors.Is(err, bot.ErrConflict): // rejected meanwhile
		case err != nil:
			errs = append(errs, err)
		default:
			log.Info("approved draft found in the knowledge-base files, which serve its entry from now on", "draft", d.ID, "entry", d.EntryID, "file", at.File)
		}
	}
	return errors.Join(errs...)
}

// draftTarget is a draft's audit target.
func draftTarget(id int64) string { return "draft:" + strconv.FormatInt(id, 10) }

var entryIDRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// checkDraft refuses to approve a draft that could not be served: missing
// a language, a malformed id, or an id the knowledge base or another
// approved draft already uses (serve would refuse the base holding both).
func checkDraft(d bot.Draft, cfg Config, approved []bot.Draft) error {
	var errs []error
	if d.State != bot.DraftOpen {
		errs = append(errs, fmt.Errorf("draft %d is already %s", d.ID, d.State))
	}
	for _, f := range []struct{ name, v, flag string }{
		{"English question", d.QuestionEN, "--en-question"}, {"English answer", d.AnswerEN, "--en-answer"},
		{"French question", d.QuestionFR, "--fr-question"}, {"French answer", d.AnswerFR, "--fr-answer"},
	} {
		if strings.TrimSpace(f.v) == "" {
			errs = append(errs, fmt.Errorf("draft %d has no %s: every entry is served in both official languages; add it with 'liaison kb drafts edit %d %s TEXT'", d.ID, f.name, d.ID, f.flag))
		}
	}
	if !entryIDRe.MatchString(d.EntryID) {
		errs = append(errs, fmt.Errorf("draft %d: entry id %q must be lowercase letters, digits and dashes; set it with --id", d.ID, d.EntryID))
	}
	// What the knowledge base checks besides (the topic, lengths): a draft
	// it refuses would keep every approved draft from being served. The
	// problems reported above are left out of the entry checked.
	e := draftEntry(d)
	if !entryIDRe.MatchString(e.ID) {
		e.ID = "draft"
	}
	for _, s := range []*string{&e.EN.Question, &e.EN.Answer, &e.FR.Question, &e.FR.Answer} {
		if strings.TrimSpace(*s) == "" {
			*s = "-"
		}
	}
	if ps := knowledge.Validate([]knowledge.Entry{e}, false); len(ps) > 0 {
		for _, p := range ps {
			lang := ""
			if p.Lang != "" {
				lang = " [" + string(p.Lang) + "]"
			}
			errs = append(errs, fmt.Errorf("draft %d%s: %s", d.ID, lang, p.Msg))
		}
		errs = append(errs, fmt.Errorf("draft %d: the knowledge base would refuse it as it is: correct it with 'liaison kb drafts edit %d' and --topic, --en-question, --en-answer, --fr-question or --fr-answer", d.ID, d.ID))
	}
	for _, o := range approved {
		if o.ID != d.ID && o.EntryID == d.EntryID {
			errs = append(errs, fmt.Errorf("draft %d: entry id %q is already used by approved draft %d: choose another with --id", d.ID, d.EntryID, o.ID))
		}
	}
	if b, err := knowledge.Load(cfg.Knowledge.Path); b != nil {
		for _, e := range b.Entries {
			if e.ID == d.EntryID {
				errs = append(errs, fmt.Errorf("draft %d: entry id %q is already used by %s: choose another with --id", d.ID, d.EntryID, e.Source))
			}
		}
	} else if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// tomlEntry is one [[entry]] in the knowledge base's TOML format.
type tomlEntry struct {
	ID    string   `toml:"id"`
	Topic string   `toml:"topic"`
	EN    tomlText `toml:"en"`
	FR    tomlText `toml:"fr"`
}

type tomlText struct {
	Question string `toml:"question"`
	Answer   string `toml:"answer"`
}

// exportDrafts writes drafts as knowledge-base TOML.
func exportDrafts(ds []bot.Draft) ([]byte, error) {
	doc := struct {
		Entry []tomlEntry `toml:"entry"`
	}{}
	for _, d := range ds {
		doc.Entry = append(doc.Entry, tomlEntry{ID: d.EntryID, Topic: d.Topic,
			EN: tomlText{Question: d.QuestionEN, Answer: d.AnswerEN}, FR: tomlText{Question: d.QuestionFR, Answer: d.AnswerFR}})
	}
	var buf bytes.Buffer
	buf.WriteString("# Entries approved from staff answers (liaison kb drafts export).\n\n")
	enc := toml.NewEncoder(&buf)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func draftState(s string) bot.DraftState {
	switch s {
	case "", "all":
		return ""
	}
	return bot.DraftState(s)
}

func done(q, a string) string {
	if q != "" && a != "" {
		return "yes"
	}
	return "missing"
}

func orMissing(s string) string {
	if s == "" {
		return "(missing)"
	}
	return s
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
