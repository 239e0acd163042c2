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
	"esc.title":        {"*Question %d* for staff", "*Question nº\u00a0%d* pour le personnel"},
	"esc.fallback":     {"Question %d for staff", "Question nº\u00a0%d pour le personnel"},
	"esc.lang":         {"Language: %s", "Langue\u00a0: %s"},
	"esc.where":        {"Asked in %s", "Posée dans %s"},
	"esc.askers":       {"%d people asked this", "%d personnes ont posé cette question"},
	"esc.routed":       {"For %s", "Pour %s"},
	"esc.unrouted":     {"Not routed: anyone on the roster may claim it", "Non acheminée\u00a0: toute personne de la liste du personnel peut la prendre en charge"},
	"esc.suggestions":  {"*Suggested entries*", "*Fiches suggérées*"},
	"esc.suggestion":   {"• `%s` %s (confidence %d%%)", "• `%s` %s (confiance %d\u00a0%%)"},
	"esc.nosuggestion": {"No suggested entry", "Aucune fiche suggérée"},
	"esc.howto":        {"To answer, reply in this thread: your reply is sent to every person who asked the question, signed with your name.", "Pour répondre, écrivez dans ce fil\u00a0: votre réponse est transmise à chaque personne qui a posé la question, signée de votre nom."},
	"esc.truncated":    {"(shortened)", "(texte abrégé)"},
	"esc.redacted":     {"_The question was removed under the retention policy._", "_La question a été retirée selon la politique de conservation._"},
	// A post whose answer did not reach every citizen: back with its
	// author, to answer again (to those citizens only) or close.
	"state.undelivered":     {"Answer not delivered to %d of %d citizens — answer again in this thread (it goes only to them) or close it with a reason", "Réponse non transmise à %d personne(s) sur %d\u00a0: répondez de nouveau dans ce fil (votre réponse ira seulement aux personnes qui ne l'ont pas reçue) ou fermez la question en indiquant un motif"},
	"state.undelivered.one": {"Answer not delivered to the citizen who asked — answer again in this thread or close it with a reason", "Réponse non transmise à la personne qui a posé la question\u00a0: répondez de nouveau dans ce fil ou fermez la question en indiquant un motif"},
	"esc.howto.undelivered": {"To answer again, reply in this thread: your reply is sent only to the people who did not get the answer, signed with your name.", "Pour répondre de nouveau, écrivez dans ce fil\u00a0: votre réponse est transmise seulement aux personnes qui n'ont pas reçu la réponse, signée de votre nom."},
	// The short form of a post Slack refused in full (its error code).
	"esc.refused.short":      {"Slack refused to show this question in full (error `%s`): it is shortened here. Claim it and answer it in this thread as usual.", "Slack a refusé d'afficher cette question en entier (erreur `%s`)\u00a0: elle est abrégée ici. Prenez-la en charge et répondez-y dans ce fil comme d'habitude."},
	"esc.refused.noquestion": {"Slack refused to show this question, even shortened (error `%s`): the operators can read it with `liaison archive export`. Claim it and answer it in this thread as usual.", "Slack a refusé d'afficher cette question, même abrégée (erreur `%s`)\u00a0: l'équipe d'exploitation peut la lire avec `liaison archive export`. Prenez-la en charge et répondez-y dans ce fil comme d'habitude."},

	"state.open":     {"Waiting for a staff answer", "En attente d'une réponse du personnel"},
	"state.claimed":  {"Claimed by %s", "Prise en charge par %s"},
	"state.answered": {"Answered by %s", "Réponse de %s"},
	"state.relayed":  {"Answer sent: %d of %d people", "Réponse transmise\u00a0: %d personne(s) sur %d"},
	"state.closed":   {"Closed by %s: %s", "Fermée par %s\u00a0: %s"},
	"state.reminded": {"Reminders sent: %d", "Rappels envoyés\u00a0: %d"},

	"lang.en":      {"English", "anglais"},
	"lang.fr":      {"French", "français"},
	"lang.unknown": {"unknown", "inconnue"},

	"btn.claim":      {"Claim", "Prendre en charge"},
	"btn.suggest":    {"Send %s", "Envoyer %s"},
	"btn.draft":      {"Save as draft entry", "Enregistrer comme ébauche de fiche"},
	"btn.sendanyway": {"Send anyway", "Envoyer quand même"},
	"btn.close":      {"Close without answer", "Fermer sans réponse"},
	"btn.translate":  {"I will translate", "Je vais traduire"},

	// The close modal.
	"close.title":   {"Close question %d", "Fermer la question nº\u00a0%d"},
	"close.intro":   {"The citizen gets no answer from the desk. Say why, for the record (for instance: abuse, duplicate of question 12, answered elsewhere).", "La personne ne recevra pas de réponse du bureau. Indiquez le motif, qui sera consigné (par exemple\u00a0: propos abusifs, doublon de la question nº\u00a012, réponse donnée ailleurs)."},
	"close.reason":  {"Reason", "Motif"},
	"close.submit":  {"Close", "Fermer"},
	"close.cancel":  {"Cancel", "Annuler"},
	"close.missing": {"A reason is required.", "Un motif est requis."},
	"close.done":    {"Question %d is closed.", "La question nº\u00a0%d est fermée."},

	// Thread replies and buttons.
	"answer.notrelayed": {"This reply was not relayed.", "Cette réponse n'a pas été transmise."},
	"answer.conflict":   {"This reply was not relayed: the question is closed.", "Cette réponse n'a pas été transmise\u00a0: la question est fermée."},
	"answer.invalid":    {"This reply was not relayed: it is empty.", "Cette réponse n'a pas été transmise\u00a0: elle est vide."},
	"answer.files":      {"Only the text of your reply goes to citizens: attached files are not relayed. If they need the document, put a link to it in the text.", "Seul le texte de votre réponse est transmis aux personnes\u00a0: les fichiers joints ne le sont pas. Si elles ont besoin du document, ajoutez dans le texte un lien vers celui-ci."},
	"answer.fileonly":   {"This reply was not relayed: files are not sent to citizens. Write the answer as text in this thread.", "Cette réponse n'a pas été transmise\u00a0: les fichiers ne sont pas envoyés aux personnes. Écrivez la réponse en texte dans ce fil."},
	"suggest.conflict":  {"This entry was not sent.", "Cette fiche n'a pas été envoyée."},
	"answer.edited":     {"Your edit is not sent to citizens: they only get a reply as it was first written. To correct your answer, reply again in this thread.", "Votre modification n'est pas transmise aux personnes\u00a0: elles reçoivent seulement une réponse telle qu'elle a d'abord été écrite. Pour corriger votre réponse, répondez de nouveau dans ce fil."},
	"answer.lost":       {"Liaison could not record your reply because of a fault. If it answers a citizen's question, it was not sent: send it again in the question's thread.", "Liaison n'a pas pu enregistrer votre réponse à cause d'une panne. Si elle répond à la question d'une personne, elle n'a pas été transmise\u00a0: envoyez-la de nouveau dans le fil de la question."},
	"answer.deleted":    {"Deleting your reply does not take it back from citizens who already got it. To correct your answer, reply again in this thread.", "La suppression de votre réponse ne la retire pas aux personnes qui l'ont déjà reçue. Pour corriger votre réponse, répondez de nouveau dans ce fil."},
	"claim.conflict":    {"Question %d is already claimed, answered or closed.", "La question nº\u00a0%d est déjà prise en charge, traitée ou fermée."},
	"draft.done":        {"Draft entry %d saved. It is served once both languages are written and it is approved.", "Ébauche de fiche nº\u00a0%d enregistrée. Elle sera utilisée une fois rédigée dans les deux langues et approuvée."},
	"mismatch.sent":     {"%s chose to send the answer as written.", "%s a choisi d'envoyer la réponse telle quelle."},
	"mismatch.dropped":  {"%s will write a translation: reply again in this thread.", "%s va rédiger une traduction\u00a0: répondez de nouveau dans ce fil."},
	"forbidden.roster":  {"Sorry, only staff on the Liaison roster can do this.", "Désolés, seules les personnes inscrites à la liste du personnel de Liaison peuvent faire cela."},
	"forbidden.lead":    {"Sorry, only communications leads can change the phase or send broadcasts. Your request was recorded.", "Désolés, seuls les responsables des communications peuvent changer la phase ou envoyer une annonce. Votre demande a été consignée."},
	"notfound":          {"That question or answer no longer exists.", "Cette question ou cette réponse n'existe plus."},
	"error.generic":     {"Something went wrong and nothing was changed. Try again in a minute.", "Un problème est survenu et rien n'a été modifié. Réessayez dans une minute."},
	"error.invalid":     {"That request is not valid: nothing was changed.", "Cette demande n'est pas valide\u00a0: rien n'a été modifié."},

	// The language-mismatch notice when its choice was made before the
	// click that asks again: what the notice shows, what the clicker reads.
	"mismatch.was.sent":     {"The answer was sent as written.", "La réponse a été envoyée telle quelle."},
	"mismatch.was.dropped":  {"The answer was not sent: a translation is to be written in this thread.", "La réponse n'a pas été envoyée\u00a0: une traduction doit être rédigée dans ce fil."},
	"mismatch.already.sent": {"Nothing was changed: this answer had already been sent as written.", "Rien n'a été modifié\u00a0: cette réponse avait déjà été envoyée telle quelle."},
	// The clicker's choice is recorded but the notice could not be
	// updated to show it (a long rate limit, the notice deleted).
	"mismatch.recorded.sent":    {"Your choice is recorded: the answer is sent as written. The notice above could not be updated yet; clicking its buttons again changes nothing.", "Votre choix est enregistré\u00a0: la réponse est envoyée telle quelle. L'avis ci-dessus n'a pas encore pu être mis à jour; cliquer de nouveau sur ses boutons ne change rien."},
	"mismatch.recorded.dropped": {"Your choice is recorded: the answer is not sent; reply again in this thread with the translation. The notice above could not be updated yet; clicking its buttons again changes nothing.", "Votre choix est enregistré\u00a0: la réponse n'est pas envoyée; répondez de nouveau dans ce fil avec la traduction. L'avis ci-dessus n'a pas encore pu être mis à jour; cliquer de nouveau sur ses boutons ne change rien."},
	"mismatch.already.dropped":  {"Nothing was changed: it had already been decided to translate this answer rather than send it.", "Rien n'a été modifié\u00a0: il avait déjà été décidé de traduire cette réponse plutôt que de l'envoyer."},

	// Slash commands.
	"cmd.usage":               {"Commands: `%[1]s phase [PHASE] [CHANNEL] [reason]`, `%[1]s broadcast`, `%[1]s status`. PHASE is broadcast (1), replies (2), outreach (3), or inherit for a channel.", "Commandes\u00a0: `%[1]s phase [PHASE] [CANAL] [motif]`, `%[1]s diffusion`, `%[1]s état`. PHASE\u00a0: diffusion (1), réponses (2), proactif (3), ou hériter pour qu'un canal suive la phase globale."},
	"phase.global":            {"Global phase: *%s*", "Phase globale\u00a0: *%s*"},
	"phase.override":          {"%s: *%s*", "%s\u00a0: *%s*"},
	"phase.nooverride":        {"No channel overrides.", "Aucun canal n'a sa propre phase."},
	"phase.set.global":        {"The global phase is now *%s* (was %s).", "La phase globale est maintenant *%s* (avant\u00a0: %s)."},
	"phase.set.channel":       {"The phase in %s is now *%s* (was %s).", "La phase dans %s est maintenant *%s* (avant\u00a0: %s)."},
	"phase.set.inherit":       {"%s now follows the global phase (was %s).", "%s suit maintenant la phase globale (avant\u00a0: %s)."},
	"phase.unknown.channel":   {"Unknown channel %s. Possible channels: %s.", "Canal %s inconnu. Canaux possibles\u00a0: %s."},
	"phase.ambiguous.channel": {"Several channels are named %s (%s), so nothing was changed. Name the channel by its key.", "Plusieurs canaux s'appellent %s (%s)\u00a0: rien n'a été modifié. Nommez le canal par sa clé."},
	"phase.near.channel":      {"No channel is named %s, which looks like %s, so nothing was changed. Name the channel as it is written or, to switch every channel, start the reason with another word.", "Aucun canal ne s'appelle %s, qui ressemble à %s\u00a0: rien n'a été modifié. Nommez le canal tel qu'il s'écrit ou, pour changer la phase de tous les canaux, commencez le motif par un autre mot."},
	"phase.unknown":           {"Unknown phase %s: use broadcast (1), replies (2) or outreach (3).", "Phase inconnue %s\u00a0: utilisez diffusion (1), réponses (2) ou proactif (3)."},
	"phase.inheritglobal":     {"Only a channel can follow the global phase: name the channel, such as `%s phase inherit discord:123 end of pilot`.", "Seul un canal peut suivre la phase globale\u00a0: nommez le canal, par exemple `%s phase hériter discord:123 fin du projet pilote`."},
	"phase.reason":            {"A reason is required, such as `%s phase replies discord:123 pilot in the help channel`.", "Un motif est requis, par exemple `%s phase réponses discord:123 projet pilote dans le canal d'aide`."},
	"phase.name.1":            {"broadcast", "diffusion"},
	"phase.name.2":            {"replies", "réponses"},
	"phase.name.3":            {"outreach", "proactif"},
	"status.title":            {"*Liaison status*", "*État de Liaison*"},
	"status.channels":         {"Channels:", "Canaux\u00a0:"},
	"status.channel":          {"• %s: %s", "• %s\u00a0: %s"},
	"status.open":             {"Questions waiting for staff: %d", "Questions en attente du personnel\u00a0: %d"},
	"status.oldest":           {"Oldest waiting: question %d since %s (%s)", "La plus ancienne en attente\u00a0: nº\u00a0%d depuis %s (%s)"},
	"status.none":             {"Nothing is waiting.", "Rien n'est en attente."},
	"status.followers":        {"People who can see the assistant on %s: %d", "Personnes qui peuvent voir l'assistant sur %s\u00a0: %d"},
	// The same figures as the comms page and `liaison report`.
	"status.since":         {"*Activity since %s*", "*Activité depuis %s*"},
	"status.questions":     {"Questions to the assistant: %d (%s)", "Questions à l'assistant\u00a0: %d (%s)"},
	"status.bylang":        {"%s %d", "%s\u00a0: %d"},
	"status.answered":      {"Answered by the assistant: %d", "Réglées par l'assistant\u00a0: %d"},
	"status.withheld":      {"Answers withheld (switched to phase 1): %d", "Réponses retenues (passage à la phase 1)\u00a0: %d"},
	"status.undelivered":   {"Answers refused by the platform: %d", "Réponses refusées par la plateforme\u00a0: %d"},
	"status.escalated":     {"Passed to staff: %d", "Transmises au personnel\u00a0: %d"},
	"status.langrequests":  {"Answers asked for in the citizen's language: %d", "Réponses demandées dans la langue de la personne\u00a0: %d"},
	"status.shadow":        {"Recorded in broadcast phase: %d (the assistant would have answered %d)", "Enregistrées en phase de diffusion\u00a0: %d (l'assistant aurait répondu à %d)"},
	"status.firstresponse": {"Median time to first response: %s", "Délai médian de première réponse\u00a0: %s"},
	"status.staffanswer":   {"Median time to a staff answer: %s", "Délai médian de réponse du personnel\u00a0: %s"},
	"status.feedback":      {"Feedback: 👍 %d helpful, 👎 %d not helpful", "Rétroaction\u00a0: 👍 %d utile, 👎 %d pas utile"},
	"status.gaps":          {"Topics passed to staff most: %s", "Sujets les plus transmis au personnel\u00a0: %s"},
	"status.gap.general":   {"general", "général"},
	// A median with how many it is taken over.
	"status.over.question":    {"%s over %d question", "%s sur %d\u00a0question"},
	"status.over.questions":   {"%s over %d questions", "%s sur %d\u00a0questions"},
	"status.over.escalation":  {"%s over %d question passed to staff", "%s sur %d\u00a0question transmise"},
	"status.over.escalations": {"%s over %d questions passed to staff", "%s sur %d\u00a0questions transmises"},
	"dur.none":                {"none yet", "aucun pour l'instant"},
	"dur.seconds":             {"%d s", "%d\u00a0s"},
	"dur.minutes":             {"%d min %d s", "%d\u00a0min %d\u00a0s"},
	"dur.hours":               {"%d h %d min", "%d\u00a0h %d\u00a0min"},

	// Broadcast modal.
	"bc.title":         {"Broadcast", "Annonce"},
	"bc.preview":       {"Preview", "Aperçu"},
	"bc.send":          {"Send", "Envoyer"},
	"bc.cancel":        {"Cancel", "Annuler"},
	"bc.close":         {"Close", "Fermer"},
	"bc.en":            {"English text", "Texte anglais"},
	"bc.fr":            {"French text", "Texte français"},
	"bc.at":            {"Send date and time (optional)", "Date et heure d'envoi (facultatif)"},
	"bc.at.hint":       {"Leave empty to send now.", "Laissez vide pour envoyer maintenant."},
	"bc.channels":      {"Channels (optional)", "Canaux (facultatif)"},
	"bc.channels.hint": {"Leave empty for every channel configured for broadcasts.", "Laissez vide pour tous les canaux configurés pour les annonces."},
	"bc.intro":         {"Every broadcast goes out in English and French. You will see a preview before it is sent.", "Chaque annonce est publiée en anglais et en français. Vous verrez un aperçu avant l'envoi."},
	"bc.missing.en":    {"The English text is required: every broadcast goes out in both languages.", "Le texte anglais est requis\u00a0: chaque annonce est publiée dans les deux langues."},
	"bc.missing.fr":    {"The French text is required: every broadcast goes out in both languages.", "Le texte français est requis\u00a0: chaque annonce est publiée dans les deux langues."},
	"bc.toolong":       {"Too long: at most %d characters.", "Trop long\u00a0: au plus %d caractères."},
	"bc.past":          {"This time has passed: leave it empty to send now.", "Ce moment est passé\u00a0: laissez vide pour envoyer maintenant."},
	"bc.preview.head":  {"*Preview*: citizens will see exactly this, in both languages.", "*Aperçu*\u00a0: les personnes verront exactement ceci, dans les deux langues."},
	"bc.preview.now":   {"Goes out as soon as you press Send.", "L'annonce sera publiée dès que vous cliquerez sur Envoyer."},
	"bc.preview.at":    {"Scheduled: %s.", "Publication prévue\u00a0: %s."},
	"bc.preview.to":    {"Channels: %s", "Canaux\u00a0: %s"},
	"bc.preview.all":   {"Channels: every channel configured for broadcasts", "Canaux\u00a0: tous les canaux configurés pour les annonces"},
	"bc.changed":       {"The texts changed after the preview: check this new preview, then send.", "Les textes ont changé après l'aperçu\u00a0: vérifiez ce nouvel aperçu, puis envoyez."},
	"bc.queued":        {"Announcement %d is going out now.", "L'annonce nº\u00a0%d est en cours de publication."},
	"bc.scheduled":     {"Announcement %d is scheduled: %s.", "L'annonce nº\u00a0%d est prévue\u00a0: %s."},
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

// explained is the engine's explanation of err in l, when it gives one
// (who claimed the question, that it is closed), or otherwise.
func explained(l bot.Lang, err error, otherwise string) string {
	if why := bot.Explain(err, l); why != "" {
		return escape(why)
	}
	return otherwise
}

// trEach is tr with arguments written in the language of the text they go
// in: args gives them for l, or for English and for French in turn when l
// is Unknown (both languages), where tr would write the same arguments in
// both.
func trEach(l bot.Lang, id msg, args func(bot.Lang) []any) string {
	if l.Valid() {
		return tr(l, id, args(l)...)
	}
	return tr(bot.English, id, args(bot.English)...) + " / " + tr(bot.French, id, args(bot.French)...)
}
