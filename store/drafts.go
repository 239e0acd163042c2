package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/liaison-gc/liaison/bot"
)

const draftCols = `id, COALESCE(escalation_id, 0), entry_id, topic, question_en, answer_en, question_fr,
	answer_fr, state, created_by, approved_by, created_at, updated_at`

func scanDraft(sc scanner) (bot.Draft, error) {
	var (
		d     bot.Draft
		state string
	)
	err := sc.Scan(&d.ID, &d.EscalationID, &d.EntryID, &d.Topic, &d.QuestionEN, &d.AnswerEN, &d.QuestionFR,
		&d.AnswerFR, &state, &d.By, &d.ApprovedBy, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt})
	d.State = bot.DraftState(state)
	return d, err
}

// SaveDraft inserts d when its ID is 0 (State defaults to draft, CreatedAt
// to now) or updates every field but CreatedAt; UpdatedAt is set to now and
// the fields filled in d. bot.ErrNotFound when updating a draft that does
// not exist, bot.ErrInvalid for an unknown state or escalation.
func (db *DB) SaveDraft(ctx context.Context, d *bot.Draft) error {
	if d == nil {
		return fmt.Errorf("store: save draft: %w: nil draft", bot.ErrInvalid)
	}
	nd := *d
	if nd.State == "" {
		nd.State = bot.DraftOpen
	}
	if !knownDraftState(nd.State) {
		return fmt.Errorf("store: save draft: %w: unknown state %q", bot.ErrInvalid, nd.State)
	}
	now := db.now()
	nd.UpdatedAt = now
	err := db.write(ctx, func(tx *sql.Tx) error {
		if nd.ID == 0 {
			nd.CreatedAt = orNow(nd.CreatedAt, now)
			res, err := tx.ExecContext(ctx, `INSERT INTO drafts (escalation_id, entry_id, topic, question_en,
				answer_en, question_fr, answer_fr, state, created_by, approved_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id(nd.EscalationID), nd.EntryID, nd.Topic, nd.QuestionEN, nd.AnswerEN, nd.QuestionFR, nd.AnswerFR,
				string(nd.State), nd.By, nd.ApprovedBy, ts(nd.CreatedAt), ts(nd.UpdatedAt))
			if err != nil {
				return constraint(err)
			}
			nd.ID, err = res.LastInsertId()
			return err
		}
		err := tx.QueryRowContext(ctx, `UPDATE drafts SET escalation_id = ?, entry_id = ?, topic = ?,
			question_en = ?, answer_en = ?, question_fr = ?, answer_fr = ?, state = ?, created_by = ?,
			approved_by = ?, updated_at = ? WHERE id = ? RETURNING created_at`,
			id(nd.EscalationID), nd.EntryID, nd.Topic, nd.QuestionEN, nd.AnswerEN, nd.QuestionFR, nd.AnswerFR,
			string(nd.State), nd.By, nd.ApprovedBy, ts(nd.UpdatedAt), nd.ID).Scan(timeCol{&nd.CreatedAt})
		return noRows(constraint(err), "draft", nd.ID)
	})
	if err != nil {
		return fmt.Errorf("store: save draft: %w", err)
	}
	*d = nd
	return nil
}

// MoveDraft moves draft id from state from to state to, and writes audit
// in the same transaction: the move is recorded exactly when it is made. An
// error wrapping bot.ErrConflict when the draft is no longer in from (a
// change made meanwhile is kept), bot.ErrNotFound when it does not exist,
// bot.ErrInvalid for an unknown state or an audit entry without an action.
func (db *DB) MoveDraft(ctx context.Context, id int64, from, to bot.DraftState, audit bot.AuditEntry) error {
	if !knownDraftState(to) {
		return fmt.Errorf("store: move draft: %w: unknown state %q", bot.ErrInvalid, to)
	}
	now := db.now()
	err := db.write(ctx, func(tx *sql.Tx) error {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM drafts WHERE id = ?`, id).Scan(&state)
		if err != nil {
			return noRows(err, "draft", id)
		}
		if bot.DraftState(state) != from {
			return fmt.Errorf("%w: draft %d is %s, not %s", bot.ErrConflict, id, state, from)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE drafts SET state = ?, updated_at = ? WHERE id = ?`,
			string(to), ts(now), id); err != nil {
			return err
		}
		return insertAudit(ctx, tx, &audit, now)
	})
	if err != nil {
		return fmt.Errorf("store: move draft: %w", err)
	}
	return nil
}

// knownDraftState reports whether s is one of the draft states.
func knownDraftState(s bot.DraftState) bool {
	switch s {
	case bot.DraftOpen, bot.DraftApproved, bot.DraftRejected, bot.DraftInFiles:
		return true
	}
	return false
}

// Draft returns one draft, or an error wrapping bot.ErrNotFound.
func (db *DB) Draft(ctx context.Context, id int64) (bot.Draft, error) {
	d, err := scanDraft(db.r.QueryRowContext(ctx, `SELECT `+draftCols+` FROM drafts WHERE id = ?`, id))
	if err != nil {
		return bot.Draft{}, fmt.Errorf("store: %w", noRows(err, "draft", id))
	}
	return d, nil
}

// Drafts lists drafts in state (all when ""), oldest first.
func (db *DB) Drafts(ctx context.Context, state bot.DraftState) ([]bot.Draft, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+draftCols+` FROM drafts
		WHERE ? = '' OR state = ? ORDER BY created_at, id`, string(state), string(state))
	if err != nil {
		return nil, fmt.Errorf("store: drafts: %w", err)
	}
	defer rows.Close()
	var ds []bot.Draft
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, fmt.Errorf("store: drafts: %w", err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: drafts: %w", err)
	}
	return ds, nil
}
