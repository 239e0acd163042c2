package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
)

// HandleDelete records that the message platform/messageID was deleted
// (by its author, or a moderator). See DeleteHandler.
//
// The message, and what was decided on it, stay on record: a question the
// department received is a record of its business, and the retention purge
// takes it in time. Only a question still waiting for staff (open or
// claimed, not answered nor closed), deleted as first asked (the message
// the desk post quotes), is told: whoever holds it (claimed by, or routed
// to) is told in its thread, in their language, that the citizen deleted
// it (NoticeDeleted), or the whole desk in both languages when nobody on
// the roster holds it, so they can close it if it no longer needs an
// answer, and know their answer will not be a reply to it (the message
// is gone); the deletion is audited (action message.delete,
// no citizen text). The desk post is not drawn again. A deletion of any
// other message, or of one never recorded, changes nothing; a deletion
// told before (a redelivered event) is not told again.
func (e *Engine) HandleDelete(ctx context.Context, platform, messageID string) error {
	if platform == "" || messageID == "" {
		return fmt.Errorf("%w: a deleted message needs a platform and an id", ErrInvalid)
	}
	was, err := e.st.DecisionFor(ctx, platform, messageID)
	if errors.Is(err, ErrNotFound) {
		return nil // posted before the bot watched, or not recorded
	}
	if err != nil {
		return fmt.Errorf("engine: delete: %w", err)
	}
	if was.Action != ActEscalate || was.EscalationID == 0 {
		return nil
	}
	e.escMu.Lock()
	defer e.escMu.Unlock()
	esc, err := e.st.Escalation(ctx, was.EscalationID)
	if err != nil {
		return fmt.Errorf("engine: delete: %w", err)
	}
	if !esc.quotes(was.MessageID) {
		return nil
	}
	key := "deleted:" + strconv.FormatInt(esc.ID, 10)
	n := e.holderNotice(key, NoticeDeleted, esc, MsgDeskDeleted, map[string]any{"ID": esc.ID})
	audit := AuditEntry{At: e.now(), Actor: "engine", Via: "engine", Action: "message.delete", Target: escTarget(esc.ID),
		Detail: "the citizen's message " + platform + "/" + messageID + ", the question of this escalation, was deleted while it waited for staff (" +
			string(esc.State) + ", held by " + cmp.Or(esc.holder(), "nobody") + "); the question stays on record",
		Allowed: true}
	err = e.st.ApplyEscalation(ctx, &EscalationChange{Audit: []AuditEntry{audit}, Outbox: []Outgoing{n}, Once: true})
	if errors.Is(err, ErrDuplicate) {
		return nil // told before
	}
	if err != nil {
		return fmt.Errorf("engine: delete: %w", err)
	}
	e.poke(DeskPlatform)
	return nil
}
