package discord

import "github.com/liaison-gc/liaison/bot"

var _ bot.ConnectionReporter = (*Channel)(nil)

// Connection reports the gateway connection as discordgo's events told it
// (ready, resumed, disconnect) and the last failure to connect. The error
// is discordgo's or the network's, which never quote the token.
func (c *Channel) Connection() bot.Connection { return c.conn.Connection() }

func (c *Channel) connected(event string) { c.conn.Up(event, c.opts.Now()) }

func (c *Channel) disconnected(event string, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
		if f := fatal(err); f != nil {
			msg = f.Error()
		}
	}
	c.conn.Down(event, msg, c.opts.Now())
}
