package discord

import (
	"fmt"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// Permissions are exactly the permissions the bot asks for when invited. No
// administrator, no mention @everyone, no managing messages or roles.
const Permissions int64 = discordgo.PermissionViewChannel | // see the watched channels at all
	discordgo.PermissionSendMessages | // post answers, acknowledgements and broadcasts
	discordgo.PermissionSendMessagesInThreads | // answer follow-ups in threads, and in reply_style "thread"
	discordgo.PermissionCreatePublicThreads | // start the answer thread on a question (reply_style "thread")
	discordgo.PermissionReadMessageHistory | // reply to a question (a message reference needs it) and react to older messages
	discordgo.PermissionAddReactions | // seed answers with 👍/👎 for feedback
	discordgo.PermissionEmbedLinks // show the preview of the knowledge-base link an answer carries

// InviteURL returns the OAuth2 URL that adds the bot to a server with
// Permissions. applicationID is the application's id (Developer Portal →
// General Information → Application ID).
func InviteURL(applicationID string) (string, error) {
	if !snowflake(applicationID) {
		return "", fmt.Errorf("discord: application id %q is not a Discord id: copy the Application ID from the Developer Portal (General Information)", applicationID)
	}
	return "https://discord.com/oauth2/authorize?client_id=" + applicationID +
		"&scope=bot%20applications.commands&permissions=" + strconv.FormatInt(Permissions, 10), nil
}
