package slack

import (
	"fmt"

	"github.com/liaison-gc/liaison/bot"
)

// msg names one of the desk-facing strings this package writes itself. The
// bot's citizen-facing words live in the i18n catalogue; these are only
// what staff see in Slack around them (labels, buttons, confirmations).
type msg string

// phrase is one desk string in both official languages. Both are required
// and must take the same fmt verbs in the same order (TestPhrasesBilingual).
type phrase struct{ en, fr string }

// phrases is read-only after initialisation.
var phrases = map[msg]phrase{
	// Escalation post.
	"esc.title":        {"*Question #%d* for staff", "*Question nº %d* pour le personnel"},
	"esc.fallback":     {"Question #%d for staff", "Question nº %d pour le personnel"},
	"esc.lang":         {"Language: %s", "Langue : %s"},
	"esc.where":        {"Asked in %s", "Posée dans %s"},
	"esc.askers":       {"%d people asked this", "%d personnes ont posé cette question"},
	"esc.routed":       {"For %s", "Pour %s"},
	"esc.unrouted":     {"Not routed: anyone on the roster may claim it", "Non attribuée : tout membre du personnel peut la prendre"},
	"esc.suggestions":  {"*Suggested entries*", "*Fiches suggérées*"},
	"esc.suggestion":   {"• `%s` %s (confidence %d%%)", "• `%s` %s (confiance %d %%)"},
	"esc.nosuggestion": {"No suggested entry", "Aucune fiche suggérée"},
	"esc.howto":        {"Reply in this thread to answer: your reply is relayed to every asker, signed with your name.", "Répondez dans ce fil : votre réponse est transmise à chaque personne, signée de votre nom."},
	"esc.truncated":    {"(shortened)", "(raccourci)"},
	"esc.redacted":     {"_The question was removed under the retention policy._", "_La question a été retirée selon la politique de conservation._"},

	"state.open":     {"Waiting for a staff answer", "En attente d'une réponse du personnel"},
	"state.claimed":  {"Claimed by %s", "Prise en charge par %s"},
	"state.answered": {"Answered by %s", "Répondue par %s"},
	"state.relayed":  {"Relayed to %d of %d citizens", "Transmise à %d citoyens sur %d"},
	"state.closed":   {"Closed by %s: %s", "Fermée par %s : %s"},
	"state.reminded": {"Reminders sent: %d", "Rappels envoyés : %d"},

	"lang.en":      {"English", "anglais"},
	"lang.fr":      {"French", "français"},
	"lang.unknown": {"unknown", "inconnue"},

	"btn.claim":      {"Claim", "Prendre en charge"},
	"btn.suggest":    {"Send %s", "Envoyer %s"},
	"btn.draft":      {"Save as draft entry", "Enregistrer comme ébauche"},
	"btn.sendanyway": {"Send anyway", "Envoyer quand même"},
	"btn.close":      {"Close without answer", "Fermer sans réponse"},
	"btn.translate":  {"I will translate", "Je vais traduire"},

	// The close modal.
	"close.title":   {"Close question #%d", "Fermer la question nº %d"},
	"close.intro":   {"The citizen gets no answer from the desk. Say why, for the record (for instance: abuse, duplicate of #12, answered elsewhere).", "La personne ne recevra pas de réponse du bureau. Indiquez pourquoi, pour le dossier (par exemple : propos abusifs, doublon de la question nº 12, répondue ailleurs)."},
	"close.reason":  {"Reason", "Raison"},
	"close.submit":  {"Close", "Fermer"},
	"close.cancel":  {"Cancel", "Annuler"},
	"close.missing": {"A reason is required.", "Une raison est requise."},
	"close.done":    {"Question #%d is closed.", "La question nº %d est fermée."},

	// Thread replies and buttons.
	"answer.conflict":  {"This reply was not relayed: the question is closed.", "Cette réponse n'a pas été transmise : la question est fermée."},
	"answer.invalid":   {"This reply was not relayed: it is empty.", "Cette réponse n'a pas été transmise : elle est vide."},
	"answer.files":     {"Only the text of your reply goes to citizens: attached files are not relayed. If they need the document, put a link to it in the text.", "Seul le texte de votre réponse est transmis aux citoyens : les fichiers joints ne le sont pas. S'ils ont besoin du document, mettez-en le lien dans le texte."},
	"answer.fileonly":  {"This reply was not relayed: files are not sent to citizens. Write the answer as text in this thread.", "Cette réponse n'a pas été transmise : les fichiers ne sont pas envoyés aux citoyens. Écrivez la réponse en texte dans ce fil."},
	"claim.conflict":   {"Question #%d is already claimed, answered or closed.", "La question nº %d est déjà prise en charge, répondue ou fermée."},
	"draft.done":       {"Draft entry #%d saved. It is served once both languages are written and it is approved.", "Ébauche nº %d enregistrée. Elle sera utilisée une fois rédigée dans les deux langues et approuvée."},
	"mismatch.sent":    {"%s chose to send the answer as written.", "%s a choisi d'envoyer la réponse telle quelle."},
	"mismatch.dropped": {"%s will write a translation: reply again in this thread.", "%s va rédiger une traduction : répondez de nouveau dans ce fil."},
	"forbidden.roster": {"Sorry, only staff on the Liaison roster can do this.", "Désolé, seules les personnes inscrites au registre du personnel de Liaison peuvent faire cela."},
	"forbidden.lead":   {"Sorry, only communications leads can change the phase or send broadcasts. Your request was recorded.", "Désolé, seuls les responsables des communications peuvent changer la phase ou envoyer une diffusion. Votre demande a été consignée."},
	"notfound":         {"That question or answer no longer exists.", "Cette question ou réponse n'existe plus."},
	"error.generic":    {"Something went wrong and nothing was changed. Try again in a minute.", "Un problème est survenu et rien n'a été modifié. Réessayez dans une minute."},
	"error.invalid":    {"That request is not valid: nothing was changed.", "Cette demande n'est pas valide : rien n'a été modifié."},

	// The language-mismatch notice when its choice was made before the
	// click that asks again: what the notice shows, what the clicker reads.
	"mismatch.was.sent":        {"The answer was sent as written.", "La réponse a été envoyée telle quelle."},
	"mismatch.was.dropped":     {"The answer was not sent: a translation is to be written in this thread.", "La réponse n'a pas été envoyée : une traduction doit être rédigée dans ce fil."},
	"mismatch.already.sent":    {"Nothing was changed: this answer had already been sent as written.", "Rien n'a été modifié : cette réponse avait déjà été envoyée telle quelle."},
	"mismatch.already.dropped": {"Nothing was changed: it had already been decided to translate this answer rather than send it.", "Rien n'a été modifié : il avait déjà été décidé de traduire cette réponse plutôt que de l'envoyer."},

	// Slash commands.
	"cmd.usage":             {"Commands: `%[1]s phase [PHASE] [CHANNEL] [reason]`, `%[1]s broadcast`, `%[1]s status`. PHASE is broadcast (1), replies (2), outreach (3), or inherit for a channel.", "Commandes : `%[1]s phase [PHASE] [CANAL] [raison]`, `%[1]s broadcast`, `%[1]s status`. PHASE : diffusion (1), réponses (2), proactif (3), ou hériter pour un canal."},
	"phase.global":          {"Global phase: *%s*", "Phase globale : *%s*"},
	"phase.override":        {"%s: *%s*", "%s : *%s*"},
	"phase.nooverride":      {"No channel overrides.", "Aucune exception par canal."},
	"phase.set.global":      {"The global phase is now *%s* (was %s).", "La phase globale est maintenant *%s* (avant : %s)."},
	"phase.set.channel":     {"The phase in %s is now *%s* (was %s).", "La phase dans %s est maintenant *%s* (avant : %s)."},
	"phase.set.inherit":     {"%s now follows the global phase (was %s).", "%s suit maintenant la phase globale (avant : %s)."},
	"phase.unknown.channel": {"Unknown channel %s: use one of %s.", "Canal inconnu %s : utilisez l'un de ceux-ci : %s."},
	"phase.unknown":         {"Unknown phase %s: use broadcast (1), replies (2) or outreach (3).", "Phase inconnue %s : utilisez diffusion (1), réponses (2) ou proactif (3)."},
	"phase.inheritglobal":   {"Only a channel can inherit: name the channel, such as `%s phase inherit discord:123 end of pilot`.", "Seul un canal peut hériter : nommez le canal, par exemple `%s phase hériter discord:123 fin du projet pilote`."},
	"phase.reason":          {"A reason is required, such as `%s phase replies discord:123 pilot in the help channel`.", "Une raison est requise, par exemple `%s phase réponses discord:123 projet pilote dans le canal d'aide`."},
	"phase.name.1":          {"broadcast", "diffusion"},
	"phase.name.2":          {"replies", "réponses"},
	"phase.name.3":          {"outreach", "proactif"},
	"status.title":          {"*Liaison status*", "*État de Liaison*"},
	"status.channels":       {"Channels:", "Canaux :"},
	"status.open":           {"Open questions: %d", "Questions en attente : %d"},
	"status.oldest":         {"Oldest waiting: #%d since %s (%s)", "La plus ancienne : nº %d depuis %s (%s)"},
	"status.none":           {"Nothing is waiting.", "Rien n'est en attente."},
	"status.followers":      {"Followers on %s: %d", "Abonnés sur %s : %d"},
	"status.summary":        {"Since %s: %d questions, %d answered by the bot, %d escalated.", "Depuis %s : %d questions, %d répondues par le robot, %d transmises."},

	// Broadcast modal.
	"bc.title":         {"Broadcast", "Diffusion"},
	"bc.preview":       {"Preview", "Aperçu"},
	"bc.send":          {"Send", "Envoyer"},
	"bc.cancel":        {"Cancel", "Annuler"},
	"bc.close":         {"Close", "Fermer"},
	"bc.en":            {"English text", "Texte anglais"},
	"bc.fr":            {"French text", "Texte français"},
	"bc.at":            {"Send at (optional)", "Envoyer à (facultatif)"},
	"bc.at.hint":       {"Leave empty to send now.", "Laissez vide pour envoyer maintenant."},
	"bc.channels":      {"Channels (optional)", "Canaux (facultatif)"},
	"bc.channels.hint": {"Leave empty for every channel configured for broadcasts.", "Laissez vide pour tous les canaux configurés pour les diffusions."},
	"bc.intro":         {"Every broadcast goes out in English and French. You will see a preview before it is sent.", "Chaque diffusion est publiée en anglais et en français. Vous verrez un aperçu avant l'envoi."},
	"bc.missing.en":    {"The English text is required: every broadcast goes out in both languages.", "Le texte anglais est requis : chaque diffusion est publiée dans les deux langues."},
	"bc.missing.fr":    {"The French text is required: every broadcast goes out in both languages.", "Le texte français est requis : chaque diffusion est publiée dans les deux langues."},
	"bc.toolong":       {"Too long: at most %d characters.", "Trop long : au plus %d caractères."},
	"bc.past":          {"This time has passed: leave it empty to send now.", "Ce moment est passé : laissez vide pour envoyer maintenant."},
	"bc.preview.head":  {"*Preview*: citizens will see exactly this, in both languages.", "*Aperçu* : les citoyens verront exactement ceci, dans les deux langues."},
	"bc.preview.now":   {"Goes out as soon as you press Send.", "Publiée dès que vous appuyez sur Envoyer."},
	"bc.preview.at":    {"Goes out at %s.", "Publiée le %s."},
	"bc.preview.to":    {"Channels: %s", "Canaux : %s"},
	"bc.preview.all":   {"Channels: every channel configured for broadcasts", "Canaux : tous les canaux configurés pour les diffusions"},
	"bc.changed":       {"The texts changed after the preview: check this new preview, then send.", "Les textes ont changé après l'aperçu : vérifiez ce nouvel aperçu, puis envoyez."},
	"bc.queued":        {"Broadcast #%d is going out now.", "La diffusion nº %d est en cours de publication."},
	"bc.scheduled":     {"Broadcast #%d is scheduled for %s.", "La diffusion nº %d est prévue le %s."},
}

// tr renders id in l. For a language that is not English or French (a desk
// user not on the roster) it writes both, English first.
func tr(l bot.Lang, id msg, args ...any) string {
	p, ok := phrases[id]
	if !ok {
		return string(id) // TestPhrasesUsed keeps this from happening
	}
	switch l {
	case bot.English:
		return fmt.Sprintf(p.en, args...)
	case bot.French:
		return fmt.Sprintf(p.fr, args...)
	}
	return fmt.Sprintf(p.en, args...) + " / " + fmt.Sprintf(p.fr, args...)
}

// langName names lang in the language l.
func langName(l, lang bot.Lang) string {
	switch lang {
	case bot.English:
		return tr(l, "lang.en")
	case bot.French:
		return tr(l, "lang.fr")
	}
	return tr(l, "lang.unknown")
}

// refused is text followed by the engine's explanation of err in l, when it
// gives one (a broadcast missing a language, a question already closed).
func refused(l bot.Lang, text string, err error) string {
	if why := bot.Explain(err, l); why != "" {
		return text + "\n" + escape(why)
	}
	return text
}
