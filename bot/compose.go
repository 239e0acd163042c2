package bot

import "strings"

// The bot's public words are composed here, so that `liaison ask` shows
// exactly what would be posted.

// ComposeAnswer returns the reply that answers a question with hit, in the
// hit's language: the answer, its link, and the feedback invitation.
func ComposeAnswer(msgs Messages, h Hit) Reply {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(h.Answer))
	if h.Link != "" {
		b.WriteString("\n\n")
		b.WriteString(msgs.Text(h.Lang, MsgAnswerMore, map[string]any{"Link": h.Link}))
	}
	b.WriteString("\n\n")
	b.WriteString(msgs.Text(h.Lang, MsgFeedbackPrompt, nil))
	return Reply{Kind: KindAnswer, Lang: h.Lang, Text: Defang(b.String()), EntryID: h.EntryID, Link: h.Link, Feedback: true}
}

// ComposeBilingualAnswer returns the reply that answers a question with
// hits, the same entry in each official language, English first: one reply
// of a part each (the answer, its link and the feedback invitation in that
// language), as a broadcast lays out its halves, for a citizen whose
// language is not known. Each part holds its own link, so the reply's Link
// is empty; its EntryID is the entry's, for feedback.
func ComposeBilingualAnswer(msgs Messages, hits []Hit) Reply {
	parts := make([]Part, len(hits))
	for i, h := range hits {
		parts[i] = Part{Lang: h.Lang, Text: ComposeAnswer(msgs, h).Text}
	}
	r := Reply{Kind: KindAnswer, Text: divided(msgs, parts), Parts: parts, Feedback: true}
	if len(hits) > 0 {
		r.EntryID = hits[0].EntryID
	}
	return r
}

// ComposeNotice returns the bot's message id (a notice, an
// acknowledgement) as a reply of kind in lang, or in both official
// languages, a part each, when lang is not known.
func ComposeNotice(msgs Messages, kind ReplyKind, id string, lang Lang) Reply {
	if !lang.Valid() {
		parts := bilingual(msgs, id, func(Lang) map[string]any { return nil })
		return Reply{Kind: kind, Text: whole(parts), Parts: parts}
	}
	return Reply{Kind: kind, Lang: lang, Text: msgs.Text(lang, id, nil)}
}

// composeRelay signs a staff answer for an asker writing in lang. When the
// answer is in the other language (staff chose to send it anyway), a note
// offers an answer in the asker's language.
func composeRelay(msgs Messages, s Staff, text string, answerLang, lang Lang) Reply {
	sig := msgs.Text(lang, MsgSignature, map[string]any{"Name": s.Name, "Title": s.Title(lang)})
	var b strings.Builder
	b.WriteString(strings.TrimSpace(text))
	if answerLang.Valid() && answerLang != lang {
		b.WriteString("\n\n")
		b.WriteString(msgs.Text(lang, MsgRelayOtherLang, map[string]any{
			"AnswerLang": langName(msgs, lang, answerLang), "AskerLang": langName(msgs, lang, lang)}))
	}
	b.WriteString("\n\n")
	b.WriteString(sig)
	b.WriteString("\n\n")
	b.WriteString(msgs.Text(lang, MsgFeedbackPrompt, nil))
	r := Reply{Kind: KindRelay, Lang: lang, Text: Defang(b.String()), Signature: strings.TrimSpace(strings.TrimPrefix(sig, "—")), Feedback: true}
	if answerLang.Valid() && answerLang != lang {
		r.BodyLang = answerLang
	}
	return r
}

// composeBroadcast lays out a broadcast for a channel: both languages in one
// post (English first) for a bilingual channel, or the channel's language.
func composeBroadcast(msgs Messages, b Broadcast, lang Lang) Reply {
	var text string
	switch lang {
	case English:
		text = b.EN
	case French:
		text = b.FR
	default:
		parts := []Part{{Lang: English, Text: Defang(strings.TrimSpace(b.EN))}, {Lang: French, Text: Defang(strings.TrimSpace(b.FR))}}
		return Reply{Kind: KindBroadcast, Text: divided(msgs, parts), Parts: parts}
	}
	return Reply{Kind: KindBroadcast, Lang: lang, Text: Defang(text)}
}

// langName names language l in language in.
func langName(msgs Messages, in, l Lang) string {
	if l == French {
		return msgs.Text(in, MsgLangFR, nil)
	}
	return msgs.Text(in, MsgLangEN, nil)
}

// phaseName names p in lang.
func phaseName(msgs Messages, lang Lang, p int) string {
	switch p {
	case 1:
		return msgs.Text(lang, MsgPhaseBroadcast, nil)
	case 2:
		return msgs.Text(lang, MsgPhaseReplies, nil)
	case 3:
		return msgs.Text(lang, MsgPhaseOutreach, nil)
	}
	return msgs.Text(lang, MsgPhaseInherit, nil)
}

// bilingual renders one message in each official language, English first,
// for notices everyone on the desk reads and replies to citizens whose
// language is not known. The parts go with the text (Reply.Parts,
// Notice.Parts) so that adapters showing each language apart need not
// guess where one ends.
func bilingual(msgs Messages, id string, data func(Lang) map[string]any) []Part {
	parts := make([]Part, 0, len(Langs))
	for _, l := range Langs {
		parts = append(parts, Part{Lang: l, Text: msgs.Text(l, id, data(l))})
	}
	return parts
}

// divided is a post in both languages in one piece: the parts, English
// first, with the divider between them (a broadcast, an answer to text that
// shows no language).
func divided(msgs Messages, parts []Part) string {
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = p.Text
	}
	return strings.Join(texts, "\n\n"+msgs.Text(English, MsgBroadcastDivider, nil)+"\n\n")
}

// whole is bilingual text in one piece, a part a line, for adapters that
// post one message.
func whole(parts []Part) string {
	texts := make([]string, len(parts))
	for i, p := range parts {
		texts[i] = p.Text
	}
	return strings.Join(texts, "\n")
}
