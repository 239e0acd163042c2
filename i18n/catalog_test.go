package i18n_test

import (
	"strings"
	"testing"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
)

func TestCatalogHasEveryMessageInBothLanguages(t *testing.T) {
	c, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range bot.Langs {
		have := map[string]bool{}
		for _, id := range c.IDs(l) {
			have[id] = true
		}
		for _, id := range bot.MessageIDs() {
			if !have[id] {
				t.Errorf("message %q is missing in %s", id, l)
			}
		}
	}
	if len(c.IDs(bot.English)) != len(c.IDs(bot.French)) {
		t.Errorf("English has %d messages, French %d", len(c.IDs(bot.English)), len(c.IDs(bot.French)))
	}
}

func TestCatalogRendersEachLanguage(t *testing.T) {
	c, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{
		"Link": "https://example.gc.ca", "Name": "Ana", "Title": "Agent", "Count": 2,
		"Minutes": 30, "From": "x", "AnswerLang": "x", "AskerLang": "y",
		"Phase": "p", "By": "b", "Reason": "r", "Channel": "c", "ID": 7, "Text": "t", "Kept": "k", "Note": "",
	}
	for _, id := range bot.MessageIDs() {
		en := c.Text(bot.English, id, data)
		fr := c.Text(bot.French, id, data)
		if en == id || fr == id {
			t.Errorf("%s did not render: en=%q fr=%q", id, en, fr)
		}
		if strings.Contains(en, "<no value>") || strings.Contains(fr, "<no value>") {
			t.Errorf("%s has a template field not given: en=%q fr=%q", id, en, fr)
		}
		if en == fr && id != bot.MsgSignature && id != bot.MsgBroadcastDivider {
			t.Errorf("%s is the same in both languages: %q", id, en)
		}
	}
	tests := []struct {
		id    string
		lang  bot.Lang
		count int
		want  string
	}{
		{bot.MsgDeskRelayed, bot.English, 1, "Answer sent to 1 citizen."},
		{bot.MsgDeskRelayed, bot.English, 3, "Answer sent to 3 citizens."},
		{bot.MsgDeskRelayed, bot.French, 1, "Réponse transmise à 1 personne."},
		{bot.MsgDeskRelayed, bot.French, 3, "Réponse transmise à 3 personnes."},
		{bot.MsgDeskReminder, bot.English, 1, "Reminder: this question has been waiting 1 minute and nobody has claimed it yet."},
		{bot.MsgDeskReminder, bot.English, 30, "Reminder: this question has been waiting 30 minutes and nobody has claimed it yet."},
		{bot.MsgDeskReminder, bot.French, 1, "Rappel\u00a0: cette question attend depuis 1 minute et personne ne l’a encore prise en charge."},
		{bot.MsgDeskReminder, bot.French, 30, "Rappel\u00a0: cette question attend depuis 30 minutes et personne ne l’a encore prise en charge."},
	}
	for _, tt := range tests {
		if got := c.Text(tt.lang, tt.id, map[string]any{"Count": tt.count, "Minutes": tt.count}); got != tt.want {
			t.Errorf("%s %s count %d: got %q, want %q", tt.id, tt.lang, tt.count, got, tt.want)
		}
	}
	undelivered := map[string]any{"ID": 12, "Name": "Ana", "Reason": "unknown channel"}
	if got, want := c.Text(bot.French, bot.MsgDeskUndelivered, undelivered),
		"Votre réponse à la question nº\u00a012 n’a pas pu être transmise à Ana\u00a0: unknown channel."; got != want {
		t.Errorf("%s fr: got %q, want %q", bot.MsgDeskUndelivered, got, want)
	}
	// A reply from someone off the roster: the French says, as the English
	// does, that it did not reach the citizen.
	if got, want := c.Text(bot.French, bot.MsgDeskNotRoster, nil),
		"Cette réponse n’a pas été transmise à la personne\u00a0: seuls les employés inscrits à la liste du personnel peuvent répondre aux personnes qui posent des questions. Demandez à l’administrateur de vous ajouter à la liste du personnel."; got != want {
		t.Errorf("%s fr: got %q, want %q", bot.MsgDeskNotRoster, got, want)
	}
	if got := c.Text(bot.French, "no.such.id", nil); got != "no.such.id" {
		t.Errorf("missing id rendered %q", got)
	}
}
