package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// The activity report: what managers measure the service by (questions,
// answers, escalations, response times, feedback, and what the bot could
// not answer), from the records, for any period.

// activityJSON is `liaison report --json`. Its keys are part of the format:
// add keys, never rename them. OpenEscalations and OldestOpen are the
// escalations waiting at Until: now for a period not over, else at its end,
// whatever became of them since (see store.DB.Summary). Answered counts the
// bot's answers that reached the citizen or are on their way; Withheld
// those never posted because their channel was switched to phase 1 first,
// Undelivered those the platform refused for good. LanguageRequests counts
// citizens' replies to a staff answer sent in the other official language
// asking for it in theirs: the question goes back to staff but is not a new
// one, so they are not in Questions or Escalated. ThanksAndEmojiLeft counts
// the thank-yous and messages of emoji or punctuation alone addressed to
// the bot, which the comment policy records and leaves: they ask nothing,
// so they are not in Questions or Ignored. Each median comes with
// how many measurements it is taken over: FirstResponses, the questions of
// the period that got a reply (even after the period), each once however
// many replies it got; StaffAnswers, the escalations of the period's
// questions (the first one asked in it) whose staff answer was relayed
// (even after the period). A question belongs to the period it was posted
// in, as in the archive export, also when it was handled after it (read
// when the bot caught up after a restart). A count of 0
// means there was nothing to measure: the median beside it is then 0 and
// means nothing (the text report shows "—"); with a count, 0 is a real 0 s.
type activityJSON struct {
	Since                 time.Time      `json:"since"`
	Until                 time.Time      `json:"until"`
	Questions             int            `json:"questions"`
	QuestionsByLang       map[string]int `json:"questions_by_lang"`
	Answered              int            `json:"answered"`
	Withheld              int            `json:"withheld"`
	Undelivered           int            `json:"undelivered"`
	Escalated             int            `json:"escalated"`
	Shadow                int            `json:"shadow"`
	ShadowWouldAnswer     int            `json:"shadow_would_answer"`
	Ignored               int            `json:"ignored"`
	LanguageRequests      int            `json:"language_requests"`
	ThanksAndEmojiLeft    int            `json:"thanks_and_emoji_left"`
	OpenEscalations       int            `json:"open_escalations"`
	OldestOpen            *time.Time     `json:"oldest_open,omitempty"`
	MedianFirstResponseS  float64        `json:"median_first_response_seconds"`
	FirstResponses        int            `json:"first_responses"`
	MedianStaffAnswerS    float64        `json:"median_staff_answer_seconds"`
	StaffAnswers          int            `json:"staff_answers"`
	Helpful               int            `json:"helpful"`
	NotHelpful            int            `json:"not_helpful"`
	UnansweredTopics      []activityGap  `json:"unanswered_topics"`
	AnsweredByBotShare    float64        `json:"answered_by_bot_share"`
	HelpfulShareOfRatings float64        `json:"helpful_share_of_ratings"`
	// Followers lists, for each place whose followers serve ever
	// recorded, how they changed over the period (see followersJSON).
	Followers []followersJSON `json:"followers"`

	over bool // the period ended before the report: Until is not now
}

type activityGap struct {
	Topic string `json:"topic"`
	Count int    `json:"count"`
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file; empty: embedded defaults")
	since := fs.String("since", "", "first day (2006-01-02, local time) or instant (RFC 3339); empty: 7 days before --until")
	until := fs.String("until", "", "last day, included (2006-01-02), or instant (RFC 3339) to stop before; empty: up to now")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("report: unexpected arguments %q: use 'liaison report [--since DATE] [--until DATE] [--json]'", fs.Args())
	}
	now := time.Now()
	from, err := parseDay("--since", *since, false)
	if err != nil {
		return err
	}
	to, err := parseDay("--until", *until, true)
	if err != nil {
		return err
	}
	end := to // the period's end, for the reader: now when open
	if to.IsZero() || to.After(now) {
		end, to = now, time.Time{}
	}
	if from.IsZero() {
		from = end.AddDate(0, 0, -7)
	}
	if !from.Before(now) {
		return usagef("report: --since %s is not in the past", *since)
	}
	if !from.Before(end) {
		return usagef("report: --since %s is not before --until %s: nothing to report", *since, *until)
	}
	_, st, _, err := openAdmin(ctx, *configPath, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := st.Report(ctx, from, to)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	counts, err := st.Followers(ctx, from, to)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	r := activityOf(s, from, end)
	r.Followers = followersOf(counts)
	r.over = !to.IsZero()
	if *asJSON {
		return writeJSON(stdout, r)
	}
	printActivity(stdout, r)
	return nil
}

func activityOf(s bot.Summary, from, until time.Time) activityJSON {
	r := activityJSON{
		Since: from, Until: until,
		QuestionsByLang: map[string]int{}, UnansweredTopics: []activityGap{},
		Answered: s.Answered, Withheld: s.Withheld, Undelivered: s.Undelivered, Escalated: s.Escalated, Shadow: s.Shadow, ShadowWouldAnswer: s.ShadowWouldAnswer,
		Ignored: s.Ignored, LanguageRequests: s.LanguageRequests, ThanksAndEmojiLeft: s.Left, OpenEscalations: s.OpenEscalations,
		MedianFirstResponseS: s.MedianFirstResponse.Seconds(), FirstResponses: s.FirstResponses,
		MedianStaffAnswerS: s.MedianStaffAnswer.Seconds(), StaffAnswers: s.StaffAnswers,
		Helpful: s.Helpful, NotHelpful: s.NotHelpful,
	}
	for l, n := range s.Questions {
		r.QuestionsByLang[string(l)] = n
		r.Questions += n
	}
	if !s.OldestOpen.IsZero() {
		t := s.OldestOpen
		r.OldestOpen = &t
	}
	for _, g := range s.TopGaps {
		topic := g.Topic
		if topic == "" {
			topic = "general"
		}
		r.UnansweredTopics = append(r.UnansweredTopics, activityGap{Topic: topic, Count: g.Count})
	}
	if n := r.Answered + r.Escalated; n > 0 {
		r.AnsweredByBotShare = float64(r.Answered) / float64(n)
	}
	if n := r.Helpful + r.NotHelpful; n > 0 {
		r.HelpfulShareOfRatings = float64(r.Helpful) / float64(n)
	}
	return r
}

// period names a report's period as its reader means it: whole days by
// their first and last day ("from 2024-03-01 to 2024-03-31, included"),
// other instants with the end left out ("from … to … (not included)").
func period(since, until time.Time) string {
	midnight := func(t time.Time) bool {
		t = t.Local()
		return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
	}
	if midnight(since) && midnight(until) {
		return fmt.Sprintf("from %s to %s, included", since.Local().Format("2006-01-02"), until.Local().AddDate(0, 0, -1).Format("2006-01-02"))
	}
	return fmt.Sprintf("from %s to %s (not included)", since.Local().Format("2006-01-02 15:04"), until.Local().Format("2006-01-02 15:04"))
}

func printActivity(w io.Writer, r activityJSON) {
	fmt.Fprintf(w, "Liaison activity %s\n\n", period(r.Since, r.Until))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	langs := make([]string, 0, len(r.QuestionsByLang))
	for l := range r.QuestionsByLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	var by []string
	for _, l := range langs {
		by = append(by, fmt.Sprintf("%s %d", langLabel(l), r.QuestionsByLang[l]))
	}
	detail := ""
	if len(by) > 0 {
		detail = " (" + strings.Join(by, ", ") + ")"
	}
	fmt.Fprintf(tw, "Questions to the bot\t%d%s\n", r.Questions, detail)
	fmt.Fprintf(tw, "Answered by the bot\t%d%s\n", r.Answered, percent(r.AnsweredByBotShare, r.Answered+r.Escalated))
	if r.Withheld > 0 {
		fmt.Fprintf(tw, "Answers withheld (switched to phase 1)\t%d\n", r.Withheld)
	}
	if r.Undelivered > 0 {
		fmt.Fprintf(tw, "Answers refused by the platform\t%d\n", r.Undelivered)
	}
	fmt.Fprintf(tw, "Passed to staff\t%d\n", r.Escalated)
	if r.Shadow > 0 {
		fmt.Fprintf(tw, "Recorded only (phase 1)\t%d (would have answered %d)\n", r.Shadow, r.ShadowWouldAnswer)
	}
	fmt.Fprintf(tw, "Not answered by policy\t%d\n", r.Ignored)
	if r.LanguageRequests > 0 {
		fmt.Fprintf(tw, "Staff answers asked for in the citizen's language\t%d\n", r.LanguageRequests)
	}
	if r.ThanksAndEmojiLeft > 0 {
		fmt.Fprintf(tw, "Thank-yous, emoji and punctuation left (no question)\t%d\n", r.ThanksAndEmojiLeft)
	}
	open := fmt.Sprint(r.OpenEscalations)
	if r.OldestOpen != nil {
		open += fmt.Sprintf(" (oldest waiting since %s)", r.OldestOpen.Local().Format("2006-01-02 15:04"))
	}
	when := "now"
	if r.over {
		when = "at the end"
	}
	fmt.Fprintf(tw, "Open escalations %s\t%s\n", when, open)
	fmt.Fprintf(tw, "Median time to first response\t%s\n", median(r.MedianFirstResponseS, r.FirstResponses, "question", "questions"))
	fmt.Fprintf(tw, "Median time to a staff answer\t%s\n", median(r.MedianStaffAnswerS, r.StaffAnswers, "escalation", "escalations"))
	fmt.Fprintf(tw, "Feedback\thelpful %d, not helpful %d%s\n", r.Helpful, r.NotHelpful, percent(r.HelpfulShareOfRatings, r.Helpful+r.NotHelpful))
	tw.Flush()
	printFollowers(w, r.Followers)
	fmt.Fprintln(w, "\nWhat the bot could not answer (questions passed to staff, by topic):")
	if len(r.UnansweredTopics) == 0 {
		fmt.Fprintln(w, "  none")
		return
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, g := range r.UnansweredTopics {
		fmt.Fprintf(tw, "  %s\t%d\n", g.Topic, g.Count)
	}
	tw.Flush()
}

func langLabel(l string) string {
	switch l {
	case "en":
		return "English"
	case "fr":
		return "French"
	}
	return l
}

// percent shows a share of n items, "" when there are none.
func percent(share float64, n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%.0f%%)", share*100)
}

// median shows a median of seconds over n measurements of what one and
// other name ("1m5s over 37 questions"), "—" when there are none.
func median(s float64, n int, one, other string) string {
	if n == 0 {
		return "—"
	}
	what := other
	if n == 1 {
		what = one
	}
	return fmt.Sprintf("%s over %d %s", duration(s), n, what)
}

// duration shows seconds as a rounded duration.
func duration(s float64) string {
	d := time.Duration(max(0, s) * float64(time.Second))
	if d < time.Hour {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}
