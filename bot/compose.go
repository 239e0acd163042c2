package bot

import (
	"fmt"
	"strings"
)

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
		text = strings.TrimSpace(b.EN) + "\n\n" + msgs.Text(English, MsgBroadcastDivider, nil) + "\n\n" + strings.TrimSpace(b.FR)
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

// bilingual joins the English and French renderings of one message, for
// notices everyone on the desk reads.
func bilingual(msgs Messages, id string, data func(Lang) map[string]any) string {
	return fmt.Sprintf("%s\n%s", msgs.Text(English, id, data(English)), msgs.Text(French, id, data(French)))
}
