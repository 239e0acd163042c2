package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// topGaps is how many topics Summary.TopGaps lists.
const topGaps = 10

// Summary computes the comms-lead picture of activity in [since, until)
// (a zero until: up to now), from one consistent snapshot:
//
//   - Questions: messages with text (or files alone) addressed to the bot by a person
//     (posted in the period, as the archive export lists them, also when
//     decided after it: caught up after a restart), by the language
//     decided, but for a thank-you or emoji and punctuation alone (Left);
//     Answered, Withheld, Undelivered, Escalated, Shadow (with
//     ShadowWouldAnswer) and Ignored (ignored or given a fixed notice:
//     abuse, flood, partisan, files alone) split them by action and, for an answer, by
//     what became of it (see unreachedQuery);
//   - LanguageRequests: replies asking for a staff answer in the
//     citizen's language (posted in the period), counted apart: the
//     question they ask for again is counted once, when it was asked;
//   - Left: thank-yous and messages of emoji or punctuation alone
//     addressed to the bot (posted in the period), counted apart;
//   - OpenEscalations and OldestOpen (the oldest one's creation):
//     escalations waiting (open or claimed) at the end of the period,
//     whatever their age: now when until is zero, else those created
//     before until and not answered or closed by then (as the history of
//     their states tells, see openEscalations), so a report on a past
//     period gives the same figures whenever it is run;
//   - MedianFirstResponse: over those questions that got a reply, the time
//     from the question to the first reply delivered to it (answer, ack,
//     notice or relay; desk items excluded), even when delivered after
//     the period; FirstResponses counts those questions, each once however
//     many replies it got;
//   - MedianStaffAnswer: over escalations whose first question was
//     posted in the period, the time from the escalation to its first
//     relay delivered, even after the period; StaffAnswers counts those
//     escalations. A median over no question or escalation is 0, and so
//     is its count;
//   - Helpful and NotHelpful: the ratings citizens hold now on answers and
//     relayed staff answers (not on acknowledgements, notices or
//     broadcasts, even when recorded before these were left out), one per
//     citizen and reply, derived from the emoji they still hold (with 👍
//     and 👎 both held, the one added last: see SaveFeedback), each
//     counted in the period when that emoji was added;
//   - TopGaps: the topics of escalated questions asked in the period, most
//     frequent first (ties by topic), at most 10 (see Report for all).
func (db *DB) Summary(ctx context.Context, since, until time.Time) (bot.Summary, error) {
	return db.summary(ctx, since, until, topGaps)
}

// Report is Summary with every topic of the escalated questions asked in
// the period in TopGaps, not only the 10 most frequent: the activity
// report lists what the bot could not answer whole, so that its topics add
// up to the questions passed to staff.
func (db *DB) Report(ctx context.Context, since, until time.Time) (bot.Summary, error) {
	return db.summary(ctx, since, until, -1)
}

// summary is Summary with at most gaps topics in TopGaps (-1: all).
func (db *DB) summary(ctx context.Context, since, until time.Time, gaps int) (bot.Summary, error) {
	s := bot.Summary{Since: since, Until: until, Questions: map[bot.Lang]int{}}
	p := newPeriod(since, until)
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := summaryDecisions(ctx, tx, p, &s); err != nil {
			return fmt.Errorf("decisions: %w", err)
		}
		if err := openEscalations(ctx, tx, until, &s); err != nil {
			return fmt.Errorf("open escalations: %w", err)
		}
		var err error
		if s.MedianFirstResponse, s.FirstResponses, err = medianFirstResponse(ctx, tx, p); err != nil {
			return fmt.Errorf("first response: %w", err)
		}
		// An escalation belongs to the period of its first question.
		if s.MedianStaffAnswer, s.StaffAnswers, err = medianSpan(ctx, tx, `SELECT e.created_at, MIN(o.sent_at)
			FROM escalations e JOIN outbox o ON o.escalation_id = e.id
			WHERE e.id IN (SELECT escalation_id FROM escalation_askers WHERE asked_at >= ?1 AND asked_at < ?2)
			AND NOT EXISTS (SELECT 1 FROM escalation_askers b WHERE b.escalation_id = e.id AND b.asked_at < ?1)
			AND o.kind = 'relay' AND o.state = 'sent'
			GROUP BY e.id`, p.from, p.to); err != nil {
			return fmt.Errorf("staff answer: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE f.value > 0),
			COUNT(*) FILTER (WHERE f.value < 0) FROM feedback f JOIN outbox o ON o.id = f.outbox_id
			WHERE f.rated_at >= ? AND f.rated_at < ? AND o.kind IN `+feedbackKinds, p.from, p.to).Scan(
			&s.Helpful, &s.NotHelpful); err != nil {
			return fmt.Errorf("feedback: %w", err)
		}
		return summaryGaps(ctx, tx, p, gaps, &s)
	})
	if err != nil {
		return bot.Summary{}, fmt.Errorf("store: summary: %w", err)
	}
	return s, nil
}

// openEscalations counts the escalations waiting at until (zero: now) and
// finds the oldest one's creation. Before until, each one's state is the
// last recorded in escalation_states before it (changes at until itself
// are after the period).
func openEscalations(ctx context.Context, tx *sql.Tx, until time.Time, s *bot.Summary) error {
	if until.IsZero() {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM escalations
			WHERE state IN ('open', 'claimed')`).Scan(&s.OpenEscalations, timeCol{&s.OldestOpen})
	}
	return tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(e.created_at) FROM escalations e
		WHERE e.created_at < ?1 AND (SELECT h.state FROM escalation_states h
			WHERE h.escalation_id = e.id AND h.at < ?1 ORDER BY h.at DESC, h.id DESC LIMIT 1) IN ('open', 'claimed')`,
		ts(until)).Scan(&s.OpenEscalations, timeCol{&s.OldestOpen})
}

// period is [from, to) as stored times: "" from the first record,
// endOfTime up to the last.
type period struct{ from, to any }

// newPeriod is [since, until) as stored times, a zero bound being none.
func newPeriod(since, until time.Time) period {
	p := period{from: "", to: endOfTime}
	if f := ts(since); f != nil {
		p.from = f
	}
	if u := ts(until); u != nil {
		p.to = u
	}
	return p
}

// endOfTime sorts after every stored time (timeLayout).
const endOfTime = "9999-12-31T23:59:59.999999999Z"

// langRequest is the reason of a decision that is not a question but a
// request for a staff answer in the citizen's language.
const langRequest = `'` + string(bot.ReasonLanguageRequest) + `'`

// leftReasons are the reasons of decisions on messages addressed to the
// bot that ask nothing, a thank-you or emoji and punctuation alone: the
// comment policy records and leaves them, so they are neither questions
// nor questions not answered by policy. A message over the flood limit is
// another matter: the limit is a policy that stops it before its text is
// read, so it counts as a question not answered by policy.
const leftReasons = `('` + string(bot.ReasonCourtesy) + `', '` + string(bot.ReasonNoWords) + `')`

// decisionsQuery counts the questions posted in [?, ?) by language,
// action and what the bot would have done, and, by kind, the addressed
// messages that are not questions: 1 a language request, 2 a message left.
const decisionsQuery = `SELECT lang, action, would, CASE WHEN reason = ` + langRequest + ` THEN 1
		WHEN reason IN ` + leftReasons + ` THEN 2 ELSE 0 END AS kind, COUNT(*)
	FROM decisions WHERE message_id IN (SELECT id FROM messages WHERE at >= ? AND at < ?)
		AND addressed = 1 GROUP BY lang, action, would, kind`

// unreachedQuery counts the questions posted in [?, ?) that the bot
// decided to answer and whose answer did not reach the citizen, by its
// fate: the state of the outbox item of kind answer for the question, the
// most favourable when there are several (sent, pending, withheld,
// failed). Reports count what reached the citizen, so a question the bot
// decided to answer counts as:
//
//   - Answered when its answer was sent, or is still on its way (pending:
//     a rate limit, an outage), or was never queued (no item: records from
//     before the outbox said what became of an answer);
//   - Withheld when it was withheld: queued under phase 2 or 3, it was due
//     after its channel was switched to phase 1, and was never posted;
//   - Undelivered when the platform refused it for good (failed): like a
//     withheld answer, and like a staff answer that did not reach every
//     asker (its escalation waits again), it did not reach the citizen.
//
// The fate is the one known when the report is run: an answer still
// pending at the end of a past period counts as it ends up. Few answers
// fail to reach the citizen, so the query starts from their items (the
// index outbox_unreached_answers) rather than looking up the answer to
// every question of the period.
const unreachedQuery = `SELECT COUNT(*) FILTER (WHERE withheld), COUNT(*) FILTER (WHERE NOT withheld) FROM (
	SELECT MAX(o.state = 'withheld') AS withheld FROM outbox o JOIN decisions d ON d.message_id = o.message_id
		JOIN messages m ON m.id = o.message_id
	WHERE o.kind = 'answer' AND o.state IN ('withheld', 'failed')
		AND m.at >= ? AND m.at < ? AND d.addressed = 1 AND d.action = 'answer'
		AND NOT EXISTS (SELECT 1 FROM outbox r WHERE r.message_id = o.message_id AND r.kind = 'answer'
			AND r.state IN ('sent', 'pending'))
	GROUP BY o.message_id)`

func summaryDecisions(ctx context.Context, tx *sql.Tx, p period, s *bot.Summary) error {
	rows, err := tx.QueryContext(ctx, decisionsQuery, p.from, p.to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			lang, action, would string
			kind, n             int
		)
		if err := rows.Scan(&lang, &action, &would, &kind, &n); err != nil {
			return err
		}
		switch kind {
		case 1:
			s.LanguageRequests += n
			continue
		case 2:
			s.Left += n
			continue
		}
		s.Questions[bot.Lang(lang)] += n
		switch bot.Action(action) {
		case bot.ActAnswer:
			s.Answered += n
		case bot.ActEscalate:
			s.Escalated += n
		case bot.ActShadow:
			s.Shadow += n
			if bot.Action(would) == bot.ActAnswer {
				s.ShadowWouldAnswer += n
			}
		case bot.ActIgnore, bot.ActNotice:
			s.Ignored += n
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, unreachedQuery, p.from, p.to).Scan(&s.Withheld, &s.Undelivered); err != nil {
		return fmt.Errorf("answers not delivered: %w", err)
	}
	s.Answered -= s.Withheld + s.Undelivered
	return nil
}

// medianFirstResponse: a reply answers its message (MessageID) or, for a
// relay, its asker (AskerMessageID); both indexes are used. A language
// request is not a question: its acknowledgement is not a first response;
// nor is a message left (leftReasons).
func medianFirstResponse(ctx context.Context, tx *sql.Tx, p period) (time.Duration, int, error) {
	return medianSpan(ctx, tx, `SELECT m.at, (SELECT MIN(sent_at) FROM (
			SELECT sent_at FROM outbox WHERE message_id = m.id AND state = 'sent' AND platform <> 'desk'
			UNION ALL
			SELECT sent_at FROM outbox WHERE asker_message_id = m.id AND state = 'sent' AND platform <> 'desk'))
		FROM messages m JOIN decisions d ON d.message_id = m.id
		WHERE m.at >= ? AND m.at < ? AND d.addressed = 1 AND d.reason <> `+langRequest+`
			AND d.reason NOT IN `+leftReasons, p.from, p.to)
}

// medianSpan runs a query of (start, end) times and returns the median of
// end - start over rows where both are set, and how many rows these are
// (0 and 0 when none; negative spans, from clock skew between platforms
// and us, count as 0).
func medianSpan(ctx context.Context, tx *sql.Tx, query string, args ...any) (time.Duration, int, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	var spans []time.Duration
	for rows.Next() {
		var start, end time.Time
		if err := rows.Scan(timeCol{&start}, timeCol{&end}); err != nil {
			return 0, 0, err
		}
		if start.IsZero() || end.IsZero() {
			continue
		}
		spans = append(spans, max(0, end.Sub(start)))
	}
	if err := rows.Err(); err != nil || len(spans) == 0 {
		return 0, 0, err
	}
	slices.Sort(spans)
	n := len(spans)
	if n%2 == 1 {
		return spans[n/2], n, nil
	}
	return (spans[n/2-1] + spans[n/2]) / 2, n, nil
}

// summaryGaps fills s.TopGaps with at most limit topics (-1: all).
func summaryGaps(ctx context.Context, tx *sql.Tx, p period, limit int, s *bot.Summary) error {
	rows, err := tx.QueryContext(ctx, `SELECT e.topic, COUNT(*) AS n FROM escalation_askers a
		JOIN escalations e ON e.id = a.escalation_id
		WHERE a.asked_at >= ? AND a.asked_at < ? GROUP BY e.topic ORDER BY n DESC, e.topic LIMIT ?`, p.from, p.to, limit)
	if err != nil {
		return fmt.Errorf("gaps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g bot.Gap
		if err := rows.Scan(&g.Topic, &g.Count); err != nil {
			return fmt.Errorf("gaps: %w", err)
		}
		s.TopGaps = append(s.TopGaps, g)
	}
	return rows.Err()
}
