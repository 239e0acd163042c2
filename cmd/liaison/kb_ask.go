package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
)

// askResult is what `liaison ask` shows: what the bot would do in phase 2.
type askResult struct {
	Text       string     `json:"text"`
	Lang       bot.Lang   `json:"lang"`
	LangConf   float64    `json:"lang_confidence"`
	Threshold  float64    `json:"threshold"`
	Action     string     `json:"action"`           // "answer", "escalate", "notice" (the partisan notice) or "ignore"
	Reason     bot.Reason `json:"reason,omitempty"` // why, when the comment policy decides
	Reply      string     `json:"reply,omitempty"`
	EntryID    string     `json:"entry_id,omitempty"`
	Topic      string     `json:"topic,omitempty"`
	Confidence float64    `json:"confidence"`
	Hits       []bot.Hit  `json:"hits"`
}

// runAsk shows what the bot would answer in phase 2.
func runAsk(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newKBFlags("ask", stderr)
	var src kbSource
	src.register(fs)
	threshold := fs.Float64("threshold", knowledge.DefaultThreshold, "confidence needed to answer (knowledge.answer_threshold)")
	n := fs.Int("n", 3, "number of hits to show")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseKBFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return usagef("ask: give the question as one argument: liaison ask \"text\" [--kb PATH] [--json]")
	}
	if *n < 1 {
		*n = 1
	}
	x, err := src.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer x.Close()
	r, err := ask(ctx, x, pos[0], *threshold, *n)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	switch {
	case r.Lang == bot.Unknown:
		fmt.Fprintln(stdout, "language: unknown (0.00)")
	case r.LangConf == 0: // searched both: the best entry's language
		fmt.Fprintf(stdout, "language: unknown (0.00), best match in %s; in a bilingual channel the answer is in both languages\n", r.Lang)
	default:
		fmt.Fprintf(stdout, "language: %s (%.2f)\n", r.Lang, r.LangConf)
	}
	printHits(stdout, r.Hits)
	fmt.Fprintln(stdout)
	switch r.Action {
	case "answer":
		fmt.Fprintf(stdout, "answer (entry %s, confidence %.2f >= %.2f), the reply would be:\n\n%s\n", r.EntryID, r.Confidence, r.Threshold, r.Reply)
		return nil
	case "notice":
		fmt.Fprintf(stdout, "notice (comment policy: %s), the reply would be:\n\n%s\n", r.Reason, r.Reply)
		return nil
	case "ignore":
		fmt.Fprintf(stdout, "ignore (comment policy: %s): recorded, neither answered nor passed to staff\n", r.Reason)
		return nil
	}
	fmt.Fprintf(stdout, "escalate to topic %q (confidence %.2f < %.2f)\n", r.Topic, r.Confidence, r.Threshold)
	return nil
}

// ask decides like the engine in phase 2: the comment policy first (abuse,
// partisan statements, thanks and wordless messages), then detect the
// language (searching both when unsure), answer when the top hit reaches
// the threshold, or escalate to the topic the hits vote for. The hits are
// shown whatever the policy decides.
func ask(ctx context.Context, k bot.Knowledge, text string, threshold float64, n int) (askResult, error) {
	lang, conf := i18n.Detect(text)
	hits, err := k.Search(ctx, text, lang, max(n, bot.RoutingHits))
	if err != nil {
		return askResult{}, err
	}
	r := askResult{Text: text, Lang: lang, LangConf: conf, Threshold: threshold, Action: "escalate", Topic: bot.RouteTopic(hits), Hits: kbNonNil(hits[:min(n, len(hits))])}
	if len(hits) > 0 {
		r.Confidence = hits[0].Confidence
	}
	switch r.Reason = bot.Screen(text); r.Reason {
	case "":
	case bot.ReasonPartisan:
		r.Action, r.Topic, r.Reply = "notice", "", partisanNotice(lang)
		return r, nil
	default:
		r.Action, r.Topic = "ignore", ""
		return r, nil
	}
	if len(hits) > 0 {
		top := hits[0]
		unknown := r.Lang == bot.Unknown
		if unknown {
			r.Lang = top.Lang // searched both: the matching language wins
		}
		if top.Confidence >= threshold {
			r.Action, r.EntryID = "answer", top.EntryID
			r.Reply = formatAnswerReply(ctx, k, top, unknown)
		}
	}
	return r, nil
}

// partisanNotice is exactly the neutral notice the engine posts in lang,
// in both languages when lang is unknown (bot.ComposeNotice with the
// bilingual catalogue).
func partisanNotice(lang bot.Lang) string {
	msgs, err := i18n.NewCatalog()
	if err != nil {
		return ""
	}
	return bot.ComposeNotice(msgs, bot.KindNotice, bot.MsgPartisan, lang).Text
}

// formatAnswerReply is exactly the public reply the engine posts for a
// knowledge-base answer (bot.ComposeAnswer with the bilingual catalogue),
// in a bilingual channel: in both languages for text that shows none
// (bot.AnswerInBoth).
func formatAnswerReply(ctx context.Context, k bot.Knowledge, h bot.Hit, unknown bool) string {
	msgs, err := i18n.NewCatalog()
	if err != nil {
		return h.Answer
	}
	if unknown {
		return bot.AnswerInBoth(ctx, k, msgs, h).Text
	}
	return bot.ComposeAnswer(msgs, h).Text
}
