package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/liaison-gc/liaison/bot"
)

// The broadcast modal: a form (English, French, optional time and
// channels), then a preview of exactly what goes out with the same fields
// still editable, then Send. The preview's private metadata holds a hash of
// what it shows, so what is sent is what was previewed.
const (
	cbBroadcast        = "liaison.broadcast"
	cbBroadcastConfirm = "liaison.broadcast.confirm"
	cbBroadcastDone    = "liaison.broadcast.done"

	blockEN       = "bc_en"
	blockFR       = "bc_fr"
	blockAt       = "bc_at"
	blockChannels = "bc_channels"
	actText       = "text"
	actAt         = "at"
	actChannels   = "channels"

	// maxAckBytes keeps an ack payload under Slack's 20 KB Socket Mode limit.
	maxAckBytes = 19 * 1024
)

// broadcastForm is what the modal holds.
type broadcastForm struct {
	EN, FR   string
	At       time.Time // zero: now
	Channels []bot.ChannelKey
}

// hash identifies the form's content.
func (f broadcastForm) hash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%q\x00%q\x00%d", f.EN, f.FR, f.At.Unix())
	for _, k := range f.Channels {
		fmt.Fprintf(h, "\x00%q", k)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// onBroadcastCommand opens the broadcast modal for a comms lead. Anyone
// else is refused at once; the engine refuses (and audits) a submission
// from someone who is not a comms lead in any case.
func (d *Desk) onBroadcastCommand(ctx context.Context, h bot.DeskHandler, c slack.SlashCommand, l bot.Lang) (outcome, error) {
	s, ok := d.roster().ByDeskUser(c.UserID)
	d.auditCommand(ctx, h, c.UserID, "broadcast.open", ok && s.CommsLead)
	switch {
	case !ok:
		d.log.Info("slack broadcast refused: not on the roster", "user", c.UserID)
		return reply(tr(l, "forbidden.roster")), nil
	case !s.CommsLead:
		d.log.Info("slack broadcast refused: not a comms lead", "user", c.UserID, "staff", s.ID)
		return reply(tr(l, "forbidden.lead")), nil
	}
	view := d.broadcastView(l, d.channels(ctx, h), broadcastForm{}, "")
	trigger := c.TriggerID
	return outcome{then: func(ctx context.Context) error {
		return d.call(ctx, "views.open", func(ctx context.Context) error {
			_, err := d.api.OpenViewContext(ctx, trigger, view)
			return err
		})
	}}, nil
}

// onViewSubmission handles the broadcast modal's two submissions.
func (d *Desk) onViewSubmission(ctx context.Context, h bot.DeskHandler, cb slack.InteractionCallback) (outcome, error) {
	if cb.View.CallbackID != cbBroadcast && cb.View.CallbackID != cbBroadcastConfirm {
		return outcome{}, nil
	}
	user := cb.User.ID
	l := d.userLang(user)
	form := readBroadcastForm(cb.View.State)
	if errs := d.checkBroadcast(form, l); len(errs) > 0 {
		// Refused here, the broadcast never reaches the engine: audited
		// as the engine audits the broadcasts it refuses.
		d.auditRefusal(ctx, h, d.auditActor(user), "broadcast.create", "broadcast", d.broadcastProblems(form)...)
		return outcome{payload: slack.NewErrorsViewSubmissionResponse(errs)}, nil
	}
	channels := d.channels(ctx, h)
	if cb.View.CallbackID == cbBroadcast || cb.View.PrivateMetadata != form.hash() {
		changed := cb.View.CallbackID == cbBroadcastConfirm
		return d.previewPayload(l, channels, form, changed), nil
	}
	b, err := h.Broadcast(ctx, bot.BroadcastRequest{
		Actor:    bot.Actor{Via: "slack", DeskUserID: user},
		EN:       form.EN,
		FR:       form.FR,
		At:       form.At,
		Channels: form.Channels,
	})
	if err != nil {
		var text string
		switch {
		case errors.Is(err, bot.ErrForbidden):
			text = tr(l, "forbidden.lead")
			if _, ok := d.roster().ByDeskUser(user); !ok {
				text = tr(l, "forbidden.roster")
			}
		case errors.Is(err, bot.ErrInvalid):
			text = refused(l, tr(l, "error.invalid"), err)
		default:
			// Not acknowledged: Slack tells the user it failed and keeps
			// the modal, with their texts, open for another try.
			return outcome{}, fmt.Errorf("broadcast: %w", err)
		}
		return outcome{payload: slack.NewUpdateViewSubmissionResponse(d.doneView(l, text))}, nil
	}
	d.log.Info("slack broadcast created", "broadcast", b.ID, "at", b.At)
	text := tr(l, "bc.scheduled", b.ID, slackDate(b.At))
	if !b.At.After(d.now().Add(time.Minute)) {
		text = tr(l, "bc.queued", b.ID)
	}
	return outcome{payload: slack.NewUpdateViewSubmissionResponse(d.doneView(l, text))}, nil
}

// readBroadcastForm reads the modal's fields.
func readBroadcastForm(st *slack.ViewState) broadcastForm {
	var f broadcastForm
	if st == nil {
		return f
	}
	f.EN = strings.TrimSpace(st.Values[blockEN][actText].Value)
	f.FR = strings.TrimSpace(st.Values[blockFR][actText].Value)
	if t := st.Values[blockAt][actAt].SelectedDateTime; t > 0 {
		f.At = time.Unix(t, 0).UTC()
	}
	for _, o := range st.Values[blockChannels][actChannels].SelectedOptions {
		f.Channels = append(f.Channels, bot.ChannelKey(o.Value))
	}
	return f
}

// checkBroadcast returns the form's problems by block id, as Slack shows
// them under each field.
func (d *Desk) checkBroadcast(f broadcastForm, l bot.Lang) map[string]string {
	errs := map[string]string{}
	if f.EN == "" {
		errs[blockEN] = tr(l, "bc.missing.en")
	} else if utf8.RuneCountInString(f.EN) > bot.MaxBroadcastRunes {
		errs[blockEN] = tr(l, "bc.toolong", bot.MaxBroadcastRunes)
	}
	if f.FR == "" {
		errs[blockFR] = tr(l, "bc.missing.fr")
	} else if utf8.RuneCountInString(f.FR) > bot.MaxBroadcastRunes {
		errs[blockFR] = tr(l, "bc.toolong", bot.MaxBroadcastRunes)
	}
	if bot.BroadcastPast(f.At, d.now()) {
		errs[blockAt] = tr(l, "bc.past")
	}
	return errs
}

// broadcastProblems lists, in English, what checkBroadcast finds wrong
// with f, field by field, for the audit log.
func (d *Desk) broadcastProblems(f broadcastForm) []string {
	errs := d.checkBroadcast(f, bot.English)
	var out []string
	for _, block := range []string{blockEN, blockFR, blockAt} {
		if e, ok := errs[block]; ok {
			out = append(out, e)
		}
	}
	return out
}

// previewPayload updates the modal to the preview, shortening the quoted
// preview (never the fields) to fit a section, and further if Slack's ack
// size limit demands it.
func (d *Desk) previewPayload(l bot.Lang, channels []bot.ChannelConfig, f broadcastForm, changed bool) outcome {
	for limit := maxQuoteChars; ; limit /= 2 {
		view := d.broadcastView(l, channels, f, f.hash())
		view.Blocks.BlockSet = append(d.previewBlocks(l, channels, f, changed, limit), view.Blocks.BlockSet...)
		resp := slack.NewUpdateViewSubmissionResponse(&view)
		b, err := json.Marshal(resp)
		if err == nil && len(b) < maxAckBytes || limit < 100 {
			return outcome{payload: resp}
		}
	}
}

// previewBlocks shows the broadcast as it goes out, each language quoted
// in at most limit characters.
func (d *Desk) previewBlocks(l bot.Lang, channels []bot.ChannelConfig, f broadcastForm, changed bool, limit int) []slack.Block {
	var blocks []slack.Block
	if changed {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(":warning: "+tr(l, "bc.changed")), nil, nil))
	}
	when := tr(l, "bc.preview.now")
	if !f.At.IsZero() {
		when = tr(l, "bc.preview.at", slackDate(f.At))
	}
	to := tr(l, "bc.preview.all")
	if len(f.Channels) > 0 {
		var names []string
		for _, k := range f.Channels {
			names = append(names, channelLabel(channels, k, l))
		}
		to = tr(l, "bc.preview.to", strings.Join(names, ", "))
	}
	blocks = append(blocks,
		slack.NewSectionBlock(mrkdwn(tr(l, "bc.preview.head")), nil, nil),
		slack.NewSectionBlock(mrkdwn("*"+tr(l, "bc.en")+"*\n"+quote(f.EN, limit, l)), nil, nil),
		slack.NewSectionBlock(mrkdwn("*"+tr(l, "bc.fr")+"*\n"+quote(f.FR, limit, l)), nil, nil),
		slack.NewContextBlock("bc_when", mrkdwn(when+" · "+to)),
		slack.NewDividerBlock(),
	)
	return blocks
}

// broadcastView is the form, empty or filled with f. With a hash it is the
// preview's form (submit: Send), else the first form (submit: Preview).
func (d *Desk) broadcastView(l bot.Lang, channels []bot.ChannelConfig, f broadcastForm, hash string) slack.ModalViewRequest {
	input := func(block, label, value string) *slack.InputBlock {
		el := slack.NewPlainTextInputBlockElement(nil, actText).WithMultiline(true).WithMaxLength(bot.MaxBroadcastRunes)
		if value != "" {
			el = el.WithInitialValue(value)
		}
		return slack.NewInputBlock(block, plain(label), nil, el)
	}
	at := slack.NewDateTimePickerBlockElement(actAt)
	if !f.At.IsZero() {
		at.InitialDateTime = f.At.Unix()
	}
	atBlock := slack.NewInputBlock(blockAt, plain(tr(l, "bc.at")), plain(tr(l, "bc.at.hint")), at)
	atBlock.Optional = true

	var blocks []slack.Block
	if hash == "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(tr(l, "bc.intro")), nil, nil))
	}
	blocks = append(blocks, input(blockEN, tr(l, "bc.en"), f.EN), input(blockFR, tr(l, "bc.fr"), f.FR), atBlock)
	if len(channels) > 0 {
		var opts, initial []*slack.OptionBlockObject
		for i, c := range channels {
			if i == 100 { // Slack's limit for a static select
				break
			}
			label, _ := truncate(strings.TrimSpace(channelName(c, l)+" "+string(c.Key)), 75)
			o := slack.NewOptionBlockObject(string(c.Key), plain(label), nil)
			opts = append(opts, o)
			for _, k := range f.Channels {
				if k == c.Key {
					initial = append(initial, o)
				}
			}
		}
		sel := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, nil, actChannels, opts...)
		if len(initial) > 0 {
			sel.InitialOptions = initial
		}
		chBlock := slack.NewInputBlock(blockChannels, plain(tr(l, "bc.channels")), plain(tr(l, "bc.channels.hint")), sel)
		chBlock.Optional = true
		blocks = append(blocks, chBlock)
	}
	submit, callback := tr(l, "bc.preview"), cbBroadcast
	if hash != "" {
		submit, callback = tr(l, "bc.send"), cbBroadcastConfirm
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(title(tr(l, "bc.title"))),
		Submit:          plain(submit),
		Close:           plain(tr(l, "bc.cancel")),
		CallbackID:      callback,
		PrivateMetadata: hash,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// doneView closes the flow with a message.
func (d *Desk) doneView(l bot.Lang, text string) *slack.ModalViewRequest {
	return &slack.ModalViewRequest{
		Type:       slack.VTModal,
		Title:      plain(title(tr(l, "bc.title"))),
		Close:      plain(tr(l, "bc.close")),
		CallbackID: cbBroadcastDone,
		Blocks:     slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}},
	}
}

// title fits a modal title's 24-character limit.
func title(s string) string {
	s, _ = truncate(s, 24)
	return s
}
