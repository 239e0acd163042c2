package slack

import (
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/liaison-gc/liaison/bot"
)

var _ bot.ConnectionReporter = (*Desk)(nil)

// Connection reports the Socket Mode connection as slack-go's events told
// it (connecting, connected, hello, disconnect, connection errors). Errors
// are recorded as the log shows them (socketError): never an envelope's
// content, never a token.
func (d *Desk) Connection() bot.Connection { return d.conn.Connection() }

// noteConnection records what ev says of the connection.
func (d *Desk) noteConnection(ev socketmode.Event) {
	now := d.now()
	switch ev.Type {
	case socketmode.EventTypeConnecting:
		// Also after a dropped connection: the client connects again.
		d.conn.Down(string(ev.Type), "", now)
	case socketmode.EventTypeConnected, socketmode.EventTypeHello:
		d.conn.Up(string(ev.Type), now)
	case socketmode.EventTypeDisconnect:
		d.conn.Down(string(ev.Type), "", now)
	case socketmode.EventTypeConnectionError:
		msg := "connection failed"
		if c, ok := ev.Data.(*slack.ConnectionErrorEvent); ok && c.ErrorObj != nil {
			msg = c.ErrorObj.Error()
		}
		d.conn.Down(string(ev.Type), msg, now)
	case socketmode.EventTypeInvalidAuth:
		d.conn.Down(string(ev.Type), "Slack refused the app token ("+EnvAppToken+")", now)
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		d.conn.Failed(socketError(ev.Data), now)
	}
}
