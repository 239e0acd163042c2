package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/liaison-gc/liaison/bot"
)

// conversationMessages and conversationSent read the newest of a
// channel's messages and delivered replies (see Conversation).
const (
	conversationMessages = `SELECT m.platform_id, m.thread_id, m.author_id, m.author_name, m.author_bot, m.text, m.at,
		CASE WHEN d.lang_source = 'detected' THEN d.lang ELSE '' END
		FROM messages m LEFT JOIN decisions d ON d.message_id = m.id
		WHERE m.channel = ? AND m.redacted = 0 ORDER BY m.at DESC, m.id DESC LIMIT ?`
	conversationSent = `SELECT ` + outboxCols + ` FROM outbox
		WHERE platform = ? AND channel = ? AND state = 'sent' ORDER BY sent_at DESC, id DESC LIMIT ?`
)

// Conversation lists the last limit things said in a channel, oldest
// first: the messages posted there (those purged under the retention
// policy are left out), each with the language the engine told from it,
// and the replies delivered there.
func (db *DB) Conversation(ctx context.Context, platform, channelID string, limit int) ([]bot.Said, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []bot.Said
	rows, err := db.r.QueryContext(ctx, conversationMessages, string(bot.Key(platform, channelID)), limit)
	if err != nil {
		return nil, fmt.Errorf("store: conversation: %w", err)
	}
	for rows.Next() {
		m := bot.Message{Platform: platform, ChannelID: channelID}
		var lang string
		if err := rows.Scan(&m.ID, &m.ThreadID, &m.AuthorID, &m.AuthorName, &m.AuthorBot, &m.Text, timeCol{&m.Time}, &lang); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: conversation: %w", err)
		}
		out = append(out, bot.Said{Message: &m, At: m.Time, Lang: bot.Lang(lang)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: conversation: %w", err)
	}
	rows, err = db.r.QueryContext(ctx, conversationSent, platform, channelID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: conversation: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOutgoing(rows)
		if err != nil {
			return nil, fmt.Errorf("store: conversation: %w", err)
		}
		out = append(out, bot.Said{Sent: &o, At: o.SentAt})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: conversation: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out[max(0, len(out)-limit):], nil
}
