package bot_test

import (
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/phases"
)

// checkParts requires text in both languages to come with its English and
// French parts, English first, as wanted, and joined by sep in Text.
func checkParts(t *testing.T, what string, lang bot.Lang, text string, parts []bot.Part, sep, en, fr string) {
	t.Helper()
	want := []bot.Part{{Lang: bot.English, Text: en}, {Lang: bot.French, Text: fr}}
	if lang != bot.Unknown || len(parts) != 2 || parts[0] != want[0] || parts[1] != want[1] {
		t.Errorf("%s: lang %q, parts %q; want no language and parts %q", what, lang, parts, want)
		return
	}
	if whole := en + sep + fr; text != whole {
		t.Errorf("%s: text %q, want the parts in one: %q", what, text, whole)
	}
}

// Text the engine writes in both languages carries each language apart
// (Parts), as composed, through the outbox, for pages that tag each
// language: a broadcast whose English holds the divider and lines of its
// own, the acknowledgement of a question in no telling language, the
// refusal of an answer from outside the roster, a phase change, the notice
// to the whole desk about an unclaimed question, and a notice to the
// author of an answer who is no longer on the roster. Text stays whole.
func TestBilingualTextCarriesEachLanguageApart(t *testing.T) {
	t.Run("broadcast", func(t *testing.T) {
		e := newEnv(t, nil)
		en := "Offices closed Monday.\n\n· · ·\n\nPassport office open Tuesday, @everyone."
		fr := "Bureaux fermés lundi.\n\n· · ·\n\nBureau des passeports ouvert mardi."
		if _, err := e.eng.Broadcast(e.ctx, bot.BroadcastRequest{Actor: bot.Actor{DeskUserID: lead}, EN: en + "\n", FR: fr,
			Channels: []bot.ChannelKey{"mem:help", "mem:fr"}}); err != nil {
			t.Fatal(err)
		}
		e.tick()
		posts := e.ch.all()
		if len(posts) != 2 {
			t.Fatalf("posts %+v, want one in each channel", posts)
		}
		for _, p := range posts {
			r := p.Reply
			if p.To.ChannelID == "fr" {
				if r.Lang != bot.French || r.Parts != nil {
					t.Errorf("French channel: lang %q, parts %q; want French, in one part", r.Lang, r.Parts)
				}
				continue
			}
			checkParts(t, "broadcast", r.Lang, r.Text, r.Parts, "\n\n· · ·\n\n", bot.Defang(en), fr)
		}
	})
	t.Run("acknowledgement", func(t *testing.T) {
		e := newEnv(t, nil)
		e.ask("ana", "4471 ???")
		e.tick()
		got := e.ch.all()
		if len(got) != 1 {
			t.Fatalf("sent %+v, want one acknowledgement", got)
		}
		r := got[0].Reply
		checkParts(t, "acknowledgement", r.Lang, r.Text, r.Parts, "\n",
			e.msgs.Text(bot.English, bot.MsgAck, nil), e.msgs.Text(bot.French, bot.MsgAck, nil))
	})
	t.Run("answer from outside the roster", func(t *testing.T) {
		e := newEnv(t, nil)
		d := e.ask("ana", goatEN)
		e.tick()
		_, _ = e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: d.EscalationID, DeskUserID: unrostered, EventID: "x", Text: "Sure."})
		e.tick()
		n := e.desk.noticesOf(bot.NoticeRefused)
		if len(n) != 1 {
			t.Fatalf("refusals %+v, want one", n)
		}
		checkParts(t, "refusal", n[0].Lang, n[0].Text, n[0].Parts, "\n",
			e.msgs.Text(bot.English, bot.MsgDeskNotRoster, nil), e.msgs.Text(bot.French, bot.MsgDeskNotRoster, nil))
	})
	t.Run("phase change", func(t *testing.T) {
		e := newEnv(t, nil)
		if _, err := e.eng.SetPhase(e.ctx, bot.PhaseRequest{Actor: bot.Actor{DeskUserID: lead}, Phase: phases.Broadcast,
			Reason: "Election period.\n\n· · ·\n\nAnnouncements only."}); err != nil {
			t.Fatal(err)
		}
		e.tick()
		n := e.desk.noticesOf(bot.NoticePhase)
		if len(n) != 1 {
			t.Fatalf("phase notices %+v, want one", n)
		}
		data := func(l bot.Lang) map[string]any {
			phase := map[bot.Lang][2]string{bot.English: {"broadcast only (1)", "replies (2)"},
				bot.French: {"diffusion seulement (1)", "réponses (2)"}}[l]
			return map[string]any{"By": "Sam Tremblay", "Phase": phase[0], "From": phase[1], "Reason": "Election period.\n\n· · ·\n\nAnnouncements only.", "Note": ""}
		}
		checkParts(t, "phase notice", n[0].Lang, n[0].Text, n[0].Parts, "\n",
			e.msgs.Text(bot.English, bot.MsgDeskPhaseGlobal, data(bot.English)), e.msgs.Text(bot.French, bot.MsgDeskPhaseGlobal, data(bot.French)))
	})
	t.Run("unclaimed", func(t *testing.T) {
		e := newEnv(t, func(c *bot.Config) { c.Staff = roster[2:]; c.MaxReminders = bot.NoReminders })
		d := e.ask("ana", goatEN)
		e.tick()
		e.clock.Advance(31 * time.Minute)
		e.tick()
		n := e.desk.noticesOf(bot.NoticeUnclaimed)
		if len(n) != 1 {
			t.Fatalf("desk-wide notices %+v, want one", n)
		}
		data := map[string]any{"ID": d.EscalationID, "Minutes": 31, "Count": 31}
		checkParts(t, "unclaimed", n[0].Lang, n[0].Text, n[0].Parts, "\n",
			e.msgs.Text(bot.English, bot.MsgDeskUnclaimed, data), e.msgs.Text(bot.French, bot.MsgDeskUnclaimed, data))
	})
	t.Run("author no longer on the roster", func(t *testing.T) {
		e := withBob(t, func(e *env, id int64) {
			if _, err := e.eng.Answer(e.ctx, bot.DeskAnswer{EscalationID: id, DeskUserID: "U_BOB", EventID: "b1",
				Text: "Only service animals may attend the ceremony."}); err != nil {
				t.Fatal(err)
			}
		})
		e.tick()
		e.tick()
		n := e.desk.noticesOf(bot.NoticeRelayed)
		if len(n) != 1 {
			t.Fatalf("confirmations %+v, want one", n)
		}
		data := map[string]any{"Count": 1}
		checkParts(t, "confirmation", n[0].Lang, n[0].Text, n[0].Parts, "\n",
			e.msgs.Text(bot.English, bot.MsgDeskRelayed, data), e.msgs.Text(bot.French, bot.MsgDeskRelayed, data))
	})
}
