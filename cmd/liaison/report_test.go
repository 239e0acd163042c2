package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liaison-gc/liaison/bot"
	"github.com/liaison-gc/liaison/i18n"
	"github.com/liaison-gc/liaison/knowledge"
	"github.com/liaison-gc/liaison/store"
)

func TestReport(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	seedArchive(t, dataDir)

	// Since January: the answered question, the escalated one (answered by
	// staff an hour later), and the recent shadow record.
	out, _, err := runCLI(t, "report", "--config", cfgPath, "--since", "2024-01-01", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r activityJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	if r.Answered != 1 || r.Escalated != 1 || r.Shadow != 1 || r.ShadowWouldAnswer != 1 {
		t.Errorf("answered %d, escalated %d, shadow %d (would answer %d): want 1, 1, 1, 1", r.Answered, r.Escalated, r.Shadow, r.ShadowWouldAnswer)
	}
	if r.QuestionsByLang["en"] < 1 || r.QuestionsByLang["fr"] != 1 || r.Questions != r.QuestionsByLang["en"]+r.QuestionsByLang["fr"] {
		t.Errorf("questions %d by language %v", r.Questions, r.QuestionsByLang)
	}
	if r.AnsweredByBotShare != 0.5 {
		t.Errorf("answered by bot share %v, want 0.5", r.AnsweredByBotShare)
	}
	if r.MedianStaffAnswerS < 3600 || r.MedianStaffAnswerS > 3700 {
		t.Errorf("median staff answer %vs, want about an hour", r.MedianStaffAnswerS)
	}
	// Behind the medians: January's answer and March's acknowledgement (not
	// the shadow record, which got no reply); March's escalation.
	if r.FirstResponses != 2 || r.StaffAnswers != 1 {
		t.Errorf("first responses %d, staff answers %d: want 2, 1", r.FirstResponses, r.StaffAnswers)
	}
	if len(r.UnansweredTopics) != 1 || r.UnansweredTopics[0].Topic != "benefits" || r.UnansweredTopics[0].Count != 1 {
		t.Errorf("unanswered topics %+v, want benefits once", r.UnansweredTopics)
	}
	for _, k := range []string{`"questions"`, `"answered"`, `"escalated"`, `"median_first_response_seconds"`, `"first_responses"`,
		`"median_staff_answer_seconds"`, `"staff_answers"`, `"helpful"`, `"unanswered_topics"`} {
		if !strings.Contains(out, k) {
			t.Errorf("JSON lacks %s", k)
		}
	}

	// The default period (7 days) holds only the shadow record.
	out, _, err = runCLI(t, "report", "--config", cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, w := range []string{"Questions to the bot 1 (English 1)", "Recorded only (phase 1) 1 (would have answered 1)", "Passed to staff 0", "Open escalations now 0",
		"Median time to first response — ", "Median time to a staff answer — ", "What the bot could not answer (questions passed to staff, by topic): none"} {
		if !strings.Contains(flat, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}

	// A closed period: March alone holds the escalated question, not
	// January's answer nor the recent shadow record; --until includes its day.
	out, _, err = runCLI(t, "report", "--config", cfgPath, "--since", "2024-03-01", "--until", "2024-03-31", "--json")
	if err != nil {
		t.Fatal(err)
	}
	r = activityJSON{}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --until --json: %v\n%s", err, out)
	}
	if r.Questions != 1 || r.Escalated != 1 || r.Answered != 0 || r.Shadow != 0 {
		t.Errorf("March: questions %d, escalated %d, answered %d, shadow %d: want 1, 1, 0, 0", r.Questions, r.Escalated, r.Answered, r.Shadow)
	}
	if want := time.Date(2024, 4, 1, 0, 0, 0, 0, time.Local); !r.Until.Equal(want) {
		t.Errorf("March: until %v, want %v (the end of 31 March)", r.Until, want)
	}
	if out, _, err = runCLI(t, "report", "--config", cfgPath, "--since", "2024-03-01", "--until", "2024-03-31"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "from 2024-03-01 to 2024-03-31, included") {
		t.Errorf("March report's heading names another period:\n%s", out)
	}
	flat = strings.Join(strings.Fields(out), " ")
	if !strings.Contains(flat, "Open escalations at the end 0") {
		t.Errorf("March report: the escalation answered within March is counted open at its end:\n%s", out)
	}
	for _, w := range []string{"Median time to first response 1s over 1 question ", "Median time to a staff answer 1h1m0s over 1 escalation "} {
		if !strings.Contains(flat, w) {
			t.Errorf("March report lacks %q:\n%s", w, out)
		}
	}

	// A period ending before the staff answer: the escalation waited at
	// its end, although it has been answered since.
	halfway := dayMar.Add(30 * time.Minute).Format(time.RFC3339)
	out, _, err = runCLI(t, "report", "--config", cfgPath, "--since", "2024-03-01", "--until", halfway, "--json")
	if err != nil {
		t.Fatal(err)
	}
	r = activityJSON{}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --until %s --json: %v\n%s", halfway, err, out)
	}
	if r.OpenEscalations != 1 || r.OldestOpen == nil || !r.OldestOpen.Equal(dayMar) {
		t.Errorf("until %s: %d open escalations, oldest %v; want 1, created %v", halfway, r.OpenEscalations, r.OldestOpen, dayMar)
	}
	if out, _, err = runCLI(t, "report", "--config", cfgPath, "--since", "2024-03-01", "--until", halfway); err != nil {
		t.Fatal(err)
	}
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "Open escalations at the end 1 (oldest waiting since 2024-03-05 15:30)") {
		t.Errorf("report until %s lacks the escalation open at its end:\n%s", halfway, out)
	}
	if want := "to " + dayMar.Add(30*time.Minute).Local().Format("2006-01-02 15:04") + " (not included)"; !strings.Contains(out, want) {
		t.Errorf("report until %s: heading lacks %q:\n%s", halfway, want, out)
	}

	// Bad input names the flag.
	if _, _, err := runCLI(t, "report", "--config", cfgPath, "--since", "last week"); err == nil || !strings.Contains(err.Error(), "--since") {
		t.Errorf("bad --since: %v", err)
	}
	if _, _, err := runCLI(t, "report", "--config", cfgPath, "--since", "2999-01-01"); err == nil || !strings.Contains(err.Error(), "not in the past") {
		t.Errorf("future --since: %v", err)
	}
	if _, _, err := runCLI(t, "report", "--config", cfgPath, "--until", "31 March"); err == nil || !strings.Contains(err.Error(), "--until") {
		t.Errorf("bad --until: %v", err)
	}
	if _, _, err := runCLI(t, "report", "--config", cfgPath, "--since", "2024-04-01", "--until", "2024-03-01"); err == nil || !strings.Contains(err.Error(), "not before --until") {
		t.Errorf("--until before --since: %v", err)
	}
}

// The report counts what reached the citizen: an answer withheld because its
// channel was switched to phase 1 before it went out, or refused by the
// platform for good, is not counted as answered but on a line of its own,
// and under keys of its own in JSON.
func TestReportCountsWithheldAndUndeliveredAnswers(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	answer := func(id string) int64 {
		t.Helper()
		m := bot.Message{Platform: "web", ChannelID: "help", ID: id, AuthorID: "u-" + id, Text: "How do I renew my passport?", Time: at, Mentioned: true}
		o := &bot.Outcome{Message: m, Decision: bot.Decision{Action: bot.ActAnswer, Reason: bot.ReasonConfident, Phase: 2, Lang: bot.English, At: at},
			Outbox: []bot.Outgoing{{To: bot.Address{Platform: "web", ChannelID: "help", ReplyTo: id, UserID: m.AuthorID},
				Reply: bot.Reply{Kind: bot.KindAnswer, Text: "Renew online.", Key: "answer:" + id}}}}
		if err := st.SaveOutcome(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o.Outbox[0].ID
	}
	sent, held, refused := answer("sent"), answer("held"), answer("refused")
	for _, err := range []error{
		st.MarkSent(ctx, sent, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "b1"}, at.Add(time.Second)),
		st.MarkWithheld(ctx, held, bot.AuditEntry{Actor: "engine", Via: "engine", Action: "reply.send",
			Target: fmt.Sprintf("outgoing:%d", held), Detail: "answer withheld: web:help is in phase 1 (broadcast)"}),
		st.MarkFailed(ctx, refused, "unknown message"),
		st.Close(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	out, _, err := runCLI(t, "report", "--config", cfgPath, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r activityJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	if r.Questions != 3 || r.Answered != 1 || r.Withheld != 1 || r.Undelivered != 1 || r.AnsweredByBotShare != 1 {
		t.Errorf("questions %d, answered %d, withheld %d, undelivered %d, answered share %v: want 3, 1, 1, 1, 1",
			r.Questions, r.Answered, r.Withheld, r.Undelivered, r.AnsweredByBotShare)
	}
	for _, k := range []string{`"answered":1`, `"withheld":1`, `"undelivered":1`} {
		if !strings.Contains(strings.Join(strings.Fields(out), ""), k) {
			t.Errorf("JSON lacks %s:\n%s", k, out)
		}
	}

	if out, _, err = runCLI(t, "report", "--config", cfgPath); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, w := range []string{"Answered by the bot 1 (100%)", "Answers withheld (switched to phase 1) 1", "Answers refused by the platform 1"} {
		if !strings.Contains(flat, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
}

// A citizen's reply asking for a staff answer in their language is counted
// on a line and under a key of its own, not as a question passed to staff.
func TestReportCountsLanguageRequestsApart(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	ask := &bot.Outcome{Message: bot.Message{Platform: "web", ChannelID: "help", ID: "q", AuthorID: "chloe", Text: "Mon chien peut-il venir ?", Time: at, Mentioned: true},
		Decision:      bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.French, At: at},
		NewEscalation: &bot.Escalation{Lang: bot.French, Topic: "ceremonies", Question: "Mon chien peut-il venir ?", RoutedTo: "sam", RoutedAt: at}}
	if err := st.SaveOutcome(ctx, ask); err != nil {
		t.Fatal(err)
	}
	request := &bot.Outcome{Message: bot.Message{Platform: "web", ChannelID: "help", ID: "r", AuthorID: "chloe", Text: "oui en français svp", Time: at.Add(time.Minute), ReplyToBot: true},
		Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLanguageRequest, Phase: 2, Lang: bot.French, At: at.Add(time.Minute),
			EscalationID: ask.Decision.EscalationID}}
	if err := st.SaveOutcome(ctx, request); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	out, _, err := runCLI(t, "report", "--config", cfgPath, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r activityJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	if r.Questions != 1 || r.Escalated != 1 || r.LanguageRequests != 1 {
		t.Errorf("questions %d, escalated %d, language requests %d: want 1, 1, 1", r.Questions, r.Escalated, r.LanguageRequests)
	}
	if !strings.Contains(strings.Join(strings.Fields(out), ""), `"language_requests":1`) {
		t.Errorf("JSON lacks \"language_requests\":1:\n%s", out)
	}
	if out, _, err = runCLI(t, "report", "--config", cfgPath); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, w := range []string{"Questions to the bot 1 (French 1)", "Passed to staff 1", "Staff answers asked for in the citizen's language 1"} {
		if !strings.Contains(flat, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
}

// A median comes with how many questions or escalations it is taken over:
// with none, the text shows "—" and the JSON count 0 says the median of 0
// means nothing; a first response sent at once is a real 0 s.
func TestReportShowsHowManyMeasurementsEachMedianIsTakenOver(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	for _, id := range []string{"a", "b", "c"} {
		m := bot.Message{Platform: "web", ChannelID: "help", ID: id, AuthorID: "u-" + id, Text: "How do I renew my passport?", Time: at, Mentioned: true}
		o := &bot.Outcome{Message: m, Decision: bot.Decision{Action: bot.ActAnswer, Reason: bot.ReasonConfident, Phase: 2, Lang: bot.English, At: at},
			Outbox: []bot.Outgoing{{To: bot.Address{Platform: "web", ChannelID: "help", ReplyTo: id, UserID: m.AuthorID},
				Reply: bot.Reply{Kind: bot.KindAnswer, Text: "Renew online.", Key: "answer:" + id}}}}
		if err := st.SaveOutcome(ctx, o); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "r-" + id}, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	out, _, err := runCLI(t, "report", "--config", cfgPath, "--json")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), "")
	for _, k := range []string{`"median_first_response_seconds":0,`, `"first_responses":3,`, `"median_staff_answer_seconds":0,`, `"staff_answers":0,`} {
		if !strings.Contains(flat, k) {
			t.Errorf("JSON lacks %s:\n%s", k, out)
		}
	}
	if out, _, err = runCLI(t, "report", "--config", cfgPath); err != nil {
		t.Fatal(err)
	}
	flat = strings.Join(strings.Fields(out), " ")
	for _, w := range []string{"Median time to first response 0s over 3 questions ", "Median time to a staff answer — "} {
		if !strings.Contains(flat, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
}

// A thank-you and a message of emoji or punctuation alone, which the
// engine records and leaves, are not questions to the bot nor questions not
// answered by policy, but counted apart; an abusive message and a partisan
// one are questions not answered by policy.
func TestReportDoesNotCountThanksOrEmojiAsQuestions(t *testing.T) {
	cfgPath, _ := testConfig(t)
	if _, _, err := runCLI(t, "phase", "set", "replies", "--channel", "help", "--by", "ops", "--reason", "pilot", "--config", cfgPath); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg, st, _, err := openAdmin(ctx, cfgPath, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := knowledge.Open(ctx, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer kb.Close()
	msgs, err := i18n.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := bot.New(cfg.engineConfig(), bot.Deps{Store: st, Knowledge: kb, Messages: msgs, Detect: i18n.Detect})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Minute)
	for i, c := range []struct {
		text   string
		reason bot.Reason
	}{{"thanks!", bot.ReasonCourtesy}, {"???", bot.ReasonNoWords}, {"you idiot", bot.ReasonAbuse}, {"Carney vs. Poilievre?", bot.ReasonPartisan}} {
		m := bot.Message{Platform: "web", ChannelID: "help", ID: fmt.Sprint("m", i), AuthorID: "visitor", Text: c.text, Time: at, Mentioned: true}
		if d, err := eng.HandleMessage(ctx, m); err != nil || d.Reason != c.reason {
			t.Fatalf("%q decided %s/%s, %v: want %s", c.text, d.Action, d.Reason, err, c.reason)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	out, _, err := runCLI(t, "report", "--config", cfgPath, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r activityJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	if r.Questions != 2 || r.QuestionsByLang["en"] != 2 || r.Ignored != 2 {
		t.Errorf("questions %d %v, not answered by policy %d: want 2 in English, 2", r.Questions, r.QuestionsByLang, r.Ignored)
	}
	if !strings.Contains(strings.Join(strings.Fields(out), ""), `"thanks_and_emoji_left":2`) {
		t.Errorf("JSON lacks \"thanks_and_emoji_left\":2:\n%s", out)
	}
	if out, _, err = runCLI(t, "report", "--config", cfgPath); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, w := range []string{"Questions to the bot 2 (English 2)", "Not answered by policy 2", "Thank-yous, emoji and punctuation left (no question) 2"} {
		if !strings.Contains(flat, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
}

// A question belongs to the period it was posted in, in the report as in
// the archive export, also when the bot handled it after the period ended:
// one posted at 23:50 on 31 March and read at 00:10 on 1 April, when the
// bot caught up after a restart, is one of March's questions, and so is
// its escalation and the staff answer relayed in April; April has none
// (its export lists the question before its own, for that staff answer).
func TestReportCountsAQuestionInThePeriodTheExportListsIt(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	posted := time.Date(2024, 3, 31, 23, 50, 0, 0, time.Local)
	read := posted.Add(20 * time.Minute)
	clock := read
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"), store.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	m := bot.Message{Platform: "web", ChannelID: "help", ID: "late", AuthorID: "u-late", AuthorName: "Ana",
		Text: "Mon chèque de prestation est en retard", Time: posted, Mentioned: true}
	to := bot.Address{Platform: "web", ChannelID: "help", ReplyTo: m.ID, UserID: m.AuthorID, UserName: m.AuthorName}
	o := &bot.Outcome{Message: m, Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.French, At: read},
		NewEscalation: &bot.Escalation{Topic: "benefits", Question: m.Text, CreatedAt: read},
		Outbox:        []bot.Outgoing{{To: to, Reply: bot.Reply{Kind: bot.KindAck, Text: "Le personnel répondra.", Key: "ack:late"}}}}
	if err := st.SaveOutcome(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkSent(ctx, o.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "b-ack"}, read.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	e, err := st.Escalation(ctx, o.NewEscalation.ID)
	if err != nil {
		t.Fatal(err)
	}
	answered := read.Add(time.Hour)
	clock = answered
	e.State, e.AnsweredBy, e.AnsweredAt, e.UpdatedAt = bot.StateAnswered, "sam", answered, answered
	c := &bot.EscalationChange{Escalation: &e,
		Answer: &bot.StaffAnswer{StaffID: "sam", EventID: "ev-late", Text: "Il part demain.", Lang: bot.French, Status: bot.AnswerQueued, At: answered},
		Outbox: []bot.Outgoing{{To: e.Askers[0].Address, MessageID: e.Askers[0].MessageID, AskerMessageID: e.Askers[0].MessageID,
			Reply: bot.Reply{Kind: bot.KindRelay, Text: "Il part demain. — Sam", Key: "relay:late"}}}}
	if err := st.ApplyEscalation(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkSent(ctx, c.Outbox[0].ID, bot.MessageRef{Platform: "web", ChannelID: "help", ID: "b-relay"}, answered.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	st.Close()

	report := func(since, until string) activityJSON {
		t.Helper()
		out, _, err := runCLI(t, "report", "--config", cfgPath, "--since", since, "--until", until, "--json")
		if err != nil {
			t.Fatal(err)
		}
		var r activityJSON
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("report --json: %v\n%s", err, out)
		}
		return r
	}
	for _, p := range []struct {
		since, until string
		questions    int
	}{{"2024-03-01", "2024-03-31", 1}, {"2024-04-01", "2024-04-30", 0}} {
		// The export also lists, first, questions asked before the period
		// whose staff answer falls in it: the report counts those in theirs.
		start, _ := time.ParseInLocation("2006-01-02", p.since, time.Local)
		listed := 0
		for _, l := range records(exported(t, "--config", cfgPath, "--since", p.since, "--until", p.until), "message") {
			if at, err := time.Parse(time.RFC3339, l["time"].(string)); err == nil && !at.Before(start) {
				listed++
			}
		}
		if listed != p.questions {
			t.Fatalf("export %s to %s: %d messages posted then, want %d", p.since, p.until, listed, p.questions)
		}
		r := report(p.since, p.until)
		if r.Questions != p.questions || r.Escalated != p.questions || r.FirstResponses != p.questions || r.StaffAnswers != p.questions || len(r.UnansweredTopics) != p.questions {
			t.Errorf("report %s to %s: %d questions, %d escalated, %d first responses, %d staff answers, topics %v; want %d of each, as the export lists",
				p.since, p.until, r.Questions, r.Escalated, r.FirstResponses, r.StaffAnswers, r.UnansweredTopics, p.questions)
		}
	}
}

// What the bot could not answer is listed whole, however many topics the
// period's questions passed to staff were on: with twelve questions on
// eleven topics, each topic is there, most frequent first, and their counts
// add up to the questions passed to staff (the comms page shows the ten
// most frequent only).
func TestReportListsEveryTopicTheBotCouldNotAnswer(t *testing.T) {
	cfgPath, dataDir := testConfig(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dataDir, "liaison.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	for i := range 12 {
		id := fmt.Sprint("q", i)
		m := bot.Message{Platform: "web", ChannelID: "help", ID: id, AuthorID: "u-" + id, Text: "Can my goat attend?", Time: at, Mentioned: true}
		o := &bot.Outcome{Message: m, Decision: bot.Decision{Action: bot.ActEscalate, Reason: bot.ReasonLowConfidence, Phase: 2, Lang: bot.English, At: at},
			NewEscalation: &bot.Escalation{Topic: fmt.Sprintf("topic-%02d", i%11), Question: m.Text}}
		if err := st.SaveOutcome(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	out, _, err := runCLI(t, "report", "--config", cfgPath, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r activityJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	sum := 0
	for _, g := range r.UnansweredTopics {
		sum += g.Count
	}
	if len(r.UnansweredTopics) != 11 || r.UnansweredTopics[0] != (activityGap{Topic: "topic-00", Count: 2}) || sum != r.Escalated || r.Escalated != 12 {
		t.Errorf("unanswered topics %v (adding up to %d), passed to staff %d: want the 11 topics, topic-00 twice first, adding up to 12",
			r.UnansweredTopics, sum, r.Escalated)
	}
	if out, _, err = runCLI(t, "report", "--config", cfgPath); err != nil {
		t.Fatal(err)
	}
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "topic-09 1 topic-10 1") {
		t.Errorf("report lacks the eleventh topic:\n%s", out)
	}
}
