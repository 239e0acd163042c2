package web

import (
	"fmt"
	"strings"

	"github.com/liaison-gc/liaison/bot"
)

// uiStrings is the pages' own text, in English and French. Keys starting
// with "js." are also handed to the page scripts. A test checks that every
// key has both languages.
var uiStrings = map[string][2]string{
	"site.title":   {"Liaison", "Liaison"},
	"site.tagline": {"Questions and answers, in English and French", "Questions et réponses, en français et en anglais"},
	"skip":         {"Skip to main content", "Passer au contenu principal"},
	"nav.label":    {"Pages", "Pages"},
	"nav.chat":     {"Ask a question", "Poser une question"},
	"nav.desk":     {"Staff desk", "Bureau du personnel"},
	"nav.comms":    {"Communications", "Communications"},
	"lang.other":   {"Français", "English"},
	"lang.label":   {"Language", "Langue"},
	"logout":       {"Sign out", "Se déconnecter"},
	"footer.privacy": {
		"Messages are archived as the law requires. Do not share personal information such as your address, phone number or file number.",
		"Les messages sont archivés comme l’exige la loi. Ne communiquez pas de renseignements personnels comme votre adresse, votre numéro de téléphone ou votre numéro de dossier.",
	},
	"footer.langs": {"Service offered in English and French.", "Service offert en français et en anglais."},

	"chat.title": {"Ask a question", "Posez une question"},
	"chat.intro": {
		"Write in English or French. The assistant answers in the language you write in. When it cannot answer, a staff member does, and signs the answer with their name.",
		"Écrivez en français ou en anglais. L’assistant répond dans la langue de votre message. S’il ne peut pas répondre, un membre du personnel le fait et signe la réponse de son nom.",
	},
	"chat.rooms":        {"Rooms", "Salons"},
	"chat.room.help":    {"Every message in this room goes to the assistant.", "Chaque message de ce salon est adressé à l’assistant."},
	"chat.room.general": {"Start your message with @liaison to ask the assistant. Other messages are for people in the room.", "Commencez votre message par @liaison pour vous adresser à l’assistant. Les autres messages s’adressent aux personnes du salon."},
	"chat.log":          {"Messages", "Messages"},
	"chat.name":         {"Your display name", "Votre nom affiché"},
	"chat.name.hint":    {"Shown to others in the room. A first name or a nickname is enough.", "Visible par les autres personnes du salon. Un prénom ou un pseudonyme suffit."},
	"chat.message":      {"Your message", "Votre message"},
	"chat.message.hint": {"Up to {Max} characters.", "Jusqu’à {Max} caractères."},
	"chat.send":         {"Send", "Envoyer"},
	"chat.compose":      {"Write a message", "Écrire un message"},

	"desk.title": {"Staff desk", "Bureau du personnel"},
	"desk.intro": {
		"Questions the assistant could not answer. Claim a question, answer it, and the answer goes to every person who asked it, signed with your name.",
		"Les questions auxquelles l’assistant n’a pas pu répondre. Prenez une question en charge et répondez-y\u00a0: la réponse est transmise à chaque personne qui l’a posée, signée de votre nom.",
	},
	"desk.whoami":        {"You are", "Vous êtes"},
	"desk.whoami.choose": {"Choose your name", "Choisissez votre nom"},
	"desk.whoami.hint":   {"Your name signs the answers you send. Your choice is kept in this browser.", "Les réponses que vous envoyez sont signées de votre nom. Votre choix est conservé dans ce navigateur."},
	"desk.signedin":      {"Signed in as {Name}. What you do here is recorded under your name.", "Session ouverte\u00a0: {Name}. Ce que vous faites ici est consigné à votre nom."},
	"desk.ended.kept":    {"What you were typing is kept in this tab.", "Ce que vous écriviez est conservé dans cet onglet."},
	"desk.showall":       {"Also show answered and closed questions", "Afficher aussi les questions traitées et fermées"},
	"desk.notices":       {"Notices", "Avis"},
	"desk.queue":         {"Questions", "Questions"},

	"comms.title": {"Communications", "Communications"},
	"comms.intro": {
		"Switch the rollout phase, publish bilingual announcements and follow today’s activity. Only communications leads may change the phase or publish.",
		"Changez la phase de déploiement, publiez des annonces bilingues et suivez l’activité du jour. Seuls les responsables des communications peuvent changer la phase ou publier.",
	},
	"comms.whoami.hint":  {"Phase changes and announcements are recorded under your name. Your choice is kept in this browser.", "Les changements de phase et les annonces sont consignés à votre nom. Votre choix est conservé dans ce navigateur."},
	"comms.phase":        {"Rollout phase", "Phase de déploiement"},
	"comms.phase.global": {"Phase for all channels:", "Phase pour tous les canaux\u00a0:"},
	"comms.channels":     {"Phase in force on each channel", "Phase en vigueur dans chaque canal"},
	"comms.col.channel":  {"Channel", "Canal"},
	"comms.col.phase":    {"Phase in force", "Phase en vigueur"},
	"comms.col.override": {"Set for this channel", "Propre à ce canal"},
	"comms.switch":       {"Change the phase", "Changer la phase"},
	"comms.scope":        {"Where", "Où"},
	"comms.scope.global": {"All channels (global phase)", "Tous les canaux (phase globale)"},
	"comms.newphase":     {"New phase", "Nouvelle phase"},
	"comms.reason":       {"Reason", "Motif"},
	"comms.reason.hint":  {"Required. Kept in the audit log with your name and the time.", "Obligatoire. Conservé au journal d’audit avec votre nom et l’heure."},
	"comms.apply":        {"Change the phase", "Changer la phase"},
	"comms.broadcast":    {"Bilingual announcement", "Annonce bilingue"},
	"comms.broadcast.hint": {
		"Both languages are required: nothing is published in one language only.",
		"Les deux langues sont obligatoires\u00a0: rien n’est publié dans une seule langue.",
	},
	"comms.en":           {"English text", "Texte anglais"},
	"comms.fr":           {"French text", "Texte français"},
	"comms.at":           {"Publication date and time (optional)", "Date et heure de publication (facultatif)"},
	"comms.at.hint":      {"Leave empty to publish now. Your local time.", "Laissez vide pour publier maintenant. Heure locale."},
	"comms.targets":      {"Channels", "Canaux"},
	"comms.targets.hint": {"None checked: every channel set up for announcements.", "Aucun coché\u00a0: tous les canaux prévus pour les annonces."},
	"comms.send":         {"Publish the announcement", "Publier l’annonce"},
	"comms.summary":      {"Activity", "Activité"},
	"comms.pause":        {"Pause automatic updates", "Suspendre les mises à jour automatiques"},
	"comms.refreshed":    {"Data refreshed every 10 seconds.", "Données actualisées toutes les 10 secondes."},

	"phase.broadcast": {"1 — Broadcast: announcements only; questions are recorded, not answered", "1 — Diffusion\u00a0: annonces seulement; les questions sont enregistrées, sans réponse"},
	"phase.replies":   {"2 — Replies: answer questions addressed to the assistant, or pass them to staff", "2 — Réponses\u00a0: répondre aux questions adressées à l’assistant, ou les transmettre au personnel"},
	"phase.outreach":  {"3 — Outreach: not built yet; the bot behaves as in phase 2 (replies)", "3 — Proactif\u00a0: pas encore en place; le bot se comporte comme en phase 2 (réponses)"},
	"phase.inherit":   {"Follow the global phase (remove this channel’s setting)", "Suivre la phase globale (retirer le réglage du canal)"},

	"login.title":  {"Staff sign in", "Connexion du personnel"},
	"login.intro":  {"The staff desk and the communications page are protected. Enter the desk token your administrator gave you.", "Le bureau du personnel et la page des communications sont protégés. Entrez le jeton du bureau que votre administrateur vous a remis."},
	"login.token":  {"Desk token", "Jeton du bureau"},
	"login.submit": {"Sign in", "Se connecter"},
	"login.wrong":  {"That token is not correct.", "Ce jeton n’est pas valide."},
	"login.out":    {"You are signed out.", "Déconnexion effectuée."},
	"error.title":  {"We could not show this page", "Nous n’avons pas pu afficher cette page"},
	"error.home":   {"Go to the question page", "Aller à la page des questions"},

	// Under personal sign-in (LIAISON_WEB_TOKEN_<ID>).
	"login.intro.personal": {"The staff desk and the communications page are protected. Enter your personal desk token: you act under your own name.", "Le bureau du personnel et la page des communications sont protégés. Entrez votre jeton personnel\u00a0: vous agissez en votre propre nom."},
	"login.token.personal": {"Your personal desk token", "Votre jeton personnel"},

	"err.notfound": {"Not found.", "Introuvable."},
	"err.csrf":     {"This page has expired or the request came from another site. Reload the page and try again.", "Cette page a expiré ou la demande provient d’un autre site. Rechargez la page et réessayez."},
	"err.host": {
		"Without a desk token, the staff pages answer only at this computer’s own address (127.0.0.1 or localhost). To reach them by another name, set LIAISON_WEB_TOKEN.",
		"Sans jeton du bureau, les pages du personnel ne répondent qu’à l’adresse de cet ordinateur (127.0.0.1 ou localhost). Pour y accéder par un autre nom, définissez LIAISON_WEB_TOKEN.",
	},
	"err.proxied": {
		"Without a desk token, the staff pages answer only on this computer, not through a proxy. To reach them through a proxy, set LIAISON_WEB_TOKEN.",
		"Sans jeton du bureau, les pages du personnel ne répondent que sur cet ordinateur, et non par un serveur mandataire. Pour y accéder par un serveur mandataire, définissez LIAISON_WEB_TOKEN.",
	},
	"err.login": {"Sign in to use the staff desk.", "Connectez-vous pour utiliser le bureau du personnel."},
	"err.flood": {"You are sending messages too quickly. Wait {Seconds} seconds, then try again.", "Vous envoyez des messages trop rapidement. Attendez {Seconds} secondes, puis réessayez."},
	"err.room":  {"This room does not exist.", "Ce salon n’existe pas."},
	"err.nametaken": {
		"That name belongs to the assistant or to a member of staff. Choose another display name.",
		"Ce nom est celui de l’assistant ou d’un membre du personnel. Choisissez un autre nom affiché.",
	},
	"err.name":       {"Enter a display name of at most 40 characters.", "Entrez un nom affiché d’au plus 40 caractères."},
	"err.empty":      {"Write a message first.", "Écrivez d’abord un message."},
	"err.toolong":    {"Your message is too long: at most {Max} characters.", "Votre message est trop long\u00a0: au plus {Max} caractères."},
	"err.starting":   {"The service is starting. Try again in a moment.", "Le service démarre. Réessayez dans un instant."},
	"err.internal":   {"Something went wrong on our side. Please try again.", "Un problème est survenu de notre côté. Veuillez réessayer."},
	"err.invalid":    {"The request was not understood. Reload the page and try again.", "La demande n’a pas été comprise. Rechargez la page et réessayez."},
	"err.forbidden":  {"You are not allowed to do this.", "Vous n’avez pas l’autorisation de faire cela."},
	"err.refused":    {"Refused.", "Refusé."},
	"err.conflict":   {"This action is no longer possible. The list has been refreshed.", "Cette action n’est plus possible. La liste a été actualisée."},
	"err.duplicate":  {"This has already been done.", "Cette action a déjà été effectuée."},
	"err.whoami":     {"Choose who you are from the staff list first.", "Choisissez d’abord qui vous êtes dans la liste du personnel."},
	"err.nodeskuser": {"Your roster entry has no desk user id. Ask the administrator to set it.", "Votre inscription à la liste du personnel n’a pas d’identifiant de bureau. Demandez à l’administrateur de l’ajouter."},
	"err.phase":      {"Choose a phase.", "Choisissez une phase."},
	"err.when":       {"The date and time are not valid.", "La date et l’heure ne sont pas valides."},

	"err.streams": {"Too many pages of this site with live updates are open from your network address. Close some of them: this page will try again by itself.", "Trop de pages de ce site à mise à jour en direct sont ouvertes depuis votre adresse réseau. Fermez-en quelques-unes\u00a0: cette page réessaiera d’elle-même."},

	// No « au nom de {Name} »: a name starting with a vowel elides « de ».
	"err.notyou": {"You are signed in as {Name}: you can act only under your own name.", "Session ouverte\u00a0: {Name}. Vous ne pouvez agir qu’en votre propre nom."},

	"js.you":             {"You", "Vous"},
	"js.bot":             {"Liaison assistant", "Assistant Liaison"},
	"js.staff":           {"Staff answer", "Réponse du personnel"},
	"js.broadcast":       {"Announcement", "Annonce"},
	"js.notice":          {"Notice", "Avis"},
	"js.inreply":         {"In reply to {Author}", "En réponse à {Author}"},
	"js.foryou":          {"Reply to you", "Réponse pour vous"},
	"js.feedback.q":      {"Was this answer helpful?", "Cette réponse vous a-t-elle été utile?"},
	"js.helpful":         {"Helpful", "Utile"},
	"js.nothelpful":      {"Not helpful", "Pas utile"},
	"js.feedback.thanks": {"Thank you for your feedback.", "Merci de votre rétroaction."},
	"js.link":            {"More information", "Plus d’information"},
	"js.failed":          {"Not sent. Please try again.", "Non envoyé. Veuillez réessayer."},
	"js.sending":         {"Sending…", "Envoi en cours…"},
	"js.sent":            {"Message sent.", "Message envoyé."},
	"js.name.required":   {"Enter a display name.", "Entrez un nom affiché."},
	"js.text.required":   {"Write a message.", "Écrivez un message."},
	"js.text.toolong":    {"Your message is too long: at most {Max} characters.", "Votre message est trop long\u00a0: au plus {Max} caractères."},
	"js.session.ended":   {"Your session has ended.", "Votre session a pris fin."},
	"js.session.signin":  {"Sign in again", "Reconnectez-vous"},
	"js.connlost":        {"Connection lost. Reconnecting…", "Connexion perdue. Reconnexion…"},
	"js.error":           {"Something went wrong. Please try again.", "Un problème est survenu. Veuillez réessayer."},
	"js.empty":           {"No messages yet.", "Aucun message pour l’instant."},
	"js.new":             {"New message from {Author}:", "Nouveau message — {Author}\u00a0:"}, // no « de », which a name starting with a vowel elides

	"js.esc.title":       {"Question {ID}", "Question nº\u00a0{ID}"},
	"js.esc.new":         {"New question {ID} ({Details})", "Nouvelle question nº\u00a0{ID} ({Details})"},
	"js.notice.new":      {"New notice: {What}", "Nouvel avis\u00a0: {What}"},
	"js.esc.redacted":    {"The question was removed under the retention policy.", "La question a été retirée selon la politique de conservation."},
	"js.state.open":      {"Open", "Ouverte"},
	"js.state.claimed":   {"Claimed", "Prise en charge"},
	"js.state.answered":  {"Answered", "Réponse fournie"},
	"js.state.relayed":   {"Answer delivered", "Réponse transmise"},
	"js.state.closed":    {"Closed", "Fermée"},
	"js.lang.en":         {"English", "anglais"},
	"js.lang.fr":         {"French", "français"},
	"js.lang.":           {"Unknown", "inconnue"},
	"js.f.lang":          {"Language", "Langue"},
	"js.f.topic":         {"Topic", "Sujet"},
	"js.f.channel":       {"Channel", "Canal"},
	"js.f.routed":        {"Routed to", "Acheminée à"},
	"js.f.claimed":       {"Claimed by", "Prise en charge par"},
	"js.f.answered":      {"Answered by", "Réponse fournie par"},
	"js.f.closed":        {"Closed by", "Fermée par"},
	"js.f.askers":        {"People who asked", "Personnes qui l’ont posée"},
	"js.f.asked":         {"Asked", "Posée"},
	"js.suggestions":     {"Suggested entries", "Fiches suggérées"},
	"js.nosuggestions":   {"No suggested entry.", "Aucune fiche suggérée."},
	"js.confidence":      {"confidence {Pct}%", "confiance {Pct}\u00a0%"},
	"js.sendentry":       {"Send this entry", "Envoyer cette fiche"},
	"js.claim":           {"Claim", "Prendre en charge"},
	"js.answer":          {"Your answer", "Votre réponse"},
	"js.answer.hint":     {"Write in the language of the question: {Lang}. Your answer is sent signed with your name.", "Écrivez dans la langue de la question\u00a0: {Lang}. Votre réponse est transmise signée de votre nom."},
	"js.sendanswer":      {"Send answer", "Envoyer la réponse"},
	"js.closereason":     {"Reason for closing", "Motif de fermeture"},
	"js.close":           {"Close without answer", "Fermer sans réponse"},
	"js.draft":           {"Save as draft entry", "Enregistrer comme ébauche de fiche"},
	"js.draft.ok":        {"Draft entry saved ({Entry}). It needs both languages and approval before the assistant uses it.", "Ébauche de fiche enregistrée ({Entry}). Elle doit être rédigée dans les deux langues et approuvée avant que l’assistant ne l’utilise."},
	"js.claim.ok":        {"You claimed question {ID}.", "Vous avez pris en charge la question nº\u00a0{ID}."},
	"js.answer.ok.one":   {"Answer recorded: on its way to {N} citizen. A notice confirms delivery.", "Réponse enregistrée : en cours d’envoi à {N} personne. Un avis en confirmera la réception."},
	"js.answer.ok.other": {"Answer recorded: on its way to {N} citizens. A notice confirms delivery.", "Réponse enregistrée : en cours d’envoi à {N} personnes. Un avis en confirmera la réception."},
	"js.answer.held":     {"Your answer is not in the language of the question. Choose what to do in the notices.", "Votre réponse n’est pas dans la langue de la question. Choisissez quoi faire dans les avis."},
	"js.answer.dup":      {"This answer was already received.", "Cette réponse avait déjà été reçue."},
	"js.close.ok":        {"Question {ID} closed.", "Question nº\u00a0{ID} fermée."},
	"js.sendanyway":      {"Send anyway", "Envoyer quand même"},
	"js.translate":       {"I will translate", "Je vais traduire"},
	"js.translate.ok":    {"Noted: write the translation of your answer under the question.", "C’est noté\u00a0: écrivez la traduction de votre réponse sous la question."},
	"js.resolved":        {"Settled.", "Réglé."},

	// How a held answer was settled, as the Slack desk says it.
	"js.resolved.sent":    {"Settled: the answer was sent as written.", "Réglé\u00a0: la réponse a été envoyée telle quelle."},
	"js.resolved.dropped": {"Settled: the answer was not sent. A translation is to be written under the question.", "Réglé\u00a0: la réponse n’a pas été envoyée. Une traduction doit être rédigée sous la question."},

	// A choice on a held answer made already (by a colleague, or a double
	// click) before this page heard of it: nothing changes.
	"js.mismatch.already.queued":  {"Nothing was changed: this answer had already been sent as written.", "Rien n’a été modifié\u00a0: cette réponse avait déjà été envoyée telle quelle."},
	"js.mismatch.already.dropped": {"Nothing was changed: it had already been decided to translate this answer rather than send it.", "Rien n’a été modifié\u00a0: il avait déjà été décidé de traduire cette réponse plutôt que de l’envoyer."},

	"js.whoami.first":    {"Choose who you are first (at the top of the page).", "Choisissez d’abord qui vous êtes (en haut de la page)."},
	"js.reason.required": {"Enter a reason.", "Entrez un motif."},
	"js.answer.required": {"Write an answer.", "Écrivez une réponse."},
	"js.queue.none":      {"No questions waiting. New questions appear here as they arrive.", "Aucune question en attente. Les nouvelles questions s’affichent ici dès leur arrivée."},
	"js.notices.none":    {"No notices.", "Aucun avis."},
	"js.kind.reminder":   {"Reminder", "Rappel"},
	"js.kind.reroute":    {"Re-routed", "Réacheminée"},
	"js.kind.mismatch":   {"Language mismatch", "Langue différente"},
	"js.kind.relayed":    {"Answer delivered", "Réponse transmise"},
	"js.kind.refused":    {"Refused", "Refusé"},
	"js.kind.phase":      {"Phase change", "Changement de phase"},
	"js.kind.info":       {"Information", "Information"},
	"js.commslead":       {"communications lead", "responsable des communications"},

	"js.kind.undelivered":  {"Answer not delivered", "Réponse non transmise"},                                                // a relay failed for good
	"js.kind.reopened":     {"Question returned to the author of its answer", "Question renvoyée à l’auteur de la réponse"},  // the answer did not reach every asker
	"js.kind.unclaimed":    {"Still unclaimed", "Question toujours non prise en charge"},                                     // nobody took it after its reminders
	"js.kind.lang_request": {"Answer asked for in the citizen’s language", "Réponse demandée dans la langue de la personne"}, // after one sent anyway in the other: the question waits again
	"js.kind.edited":       {"Question edited by the citizen", "Question modifiée par la personne"},                          // while it waits: the post shows the edit
	"js.kind.deleted":      {"Question deleted by the citizen", "Question supprimée par la personne"},                        // while it waits: it stays on record

	// A waiting question whose answer did not reach every citizen who asked
	// (its card, and the sentence said when that appears).
	"js.undelivered.one":        {"The answer did not reach the citizen who asked.", "La réponse n’a pas pu être transmise à la personne qui a posé la question."},
	"js.undelivered.all":        {"The answer did not reach any of the {M} citizens who asked.", "La réponse n’a pu être transmise à aucune des {M} personnes qui ont posé la question."},
	"js.undelivered.some":       {"The answer did not reach {N} of the {M} citizens who asked.", "La réponse n’a pas pu être transmise à {N} des {M} personnes qui ont posé la question."},
	"js.undelivered.next.one":   {"Answer again and it goes to that citizen only, or close the question with a reason.", "Répondez de nouveau et la réponse ne sera transmise qu’à cette personne, ou fermez la question en indiquant un motif."},
	"js.undelivered.next.other": {"Answer again and it goes to those citizens only, or close the question with a reason.", "Répondez de nouveau et la réponse ne sera transmise qu’à ces personnes, ou fermez la question en indiquant un motif."},
	"js.undelivered.new":        {"Question {ID} is waiting again.", "La question nº\u00a0{ID} est de nouveau en attente."},

	"js.sum.q.en":            {"Questions in English", "Questions en anglais"},
	"js.sum.q.fr":            {"Questions in French", "Questions en français"},
	"js.sum.answered":        {"Answered by the assistant", "Réglées par l’assistant"},
	"js.sum.withheld":        {"Answers withheld (switched to phase 1)", "Réponses retenues (passage à la phase 1)"},
	"js.sum.undelivered":     {"Answers refused by the platform", "Réponses refusées par la plateforme"},
	"js.sum.escalated":       {"Passed to staff", "Transmises au personnel"},
	"js.sum.langrequests":    {"Answers asked for in the citizen’s language", "Réponses demandées dans la langue de la personne"},
	"js.sum.open":            {"Questions waiting for staff", "Questions en attente du personnel"},
	"js.sum.median":          {"Median time to first response", "Délai médian de première réponse"},
	"js.sum.over.one":        {"{Median} over {N}\u00a0question", "{Median} sur {N}\u00a0question"},
	"js.sum.over.other":      {"{Median} over {N}\u00a0questions", "{Median} sur {N}\u00a0questions"},
	"js.sum.staffmedian":     {"Median time to a staff answer", "Délai médian de réponse du personnel"},
	"js.sum.staffover.one":   {"{Median} over {N}\u00a0question passed to staff", "{Median} sur {N}\u00a0question transmise"},
	"js.sum.staffover.other": {"{Median} over {N}\u00a0questions passed to staff", "{Median} sur {N}\u00a0questions transmises"},
	"js.sum.feedback":        {"Helpful / not helpful", "Utile / pas utile"},
	"js.sum.shadow":          {"Recorded in broadcast phase (would have answered)", "Enregistrées en phase de diffusion (l’assistant aurait répondu)"},
	"js.sum.since":           {"Since {Time}", "Depuis {Time}"},
	"js.sum.gaps":            {"Topics passed to staff most", "Sujets les plus transmis au personnel"},
	"js.sum.followers":       {"People who can see the assistant on {Platform}", "Personnes qui peuvent voir l’assistant sur {Platform}"},
	"js.phase.ok":            {"Phase changed: {Where} is now in the \"{Phase}\" phase.", "Phase modifiée\u00a0: {Where} est maintenant en phase «\u00a0{Phase}\u00a0»."},
	"js.phase.required":      {"Choose the new phase.", "Choisissez la nouvelle phase."},
	"js.phase.inherit.ok":    {"{Where} now follows the global phase.", "{Where} suit maintenant la phase globale."},
	"js.global":              {"every channel", "chaque canal"},
	"js.bc.ok":               {"Announcement {ID} published.", "Annonce nº\u00a0{ID} publiée."},
	"js.bc.scheduled":        {"Announcement {ID} scheduled for {Time}.", "Annonce nº\u00a0{ID} prévue le {Time}."},
	"js.bc.en.required":      {"Enter the English text of the announcement.", "Entrez le texte anglais de l’annonce."},
	"js.when":                {"The date and time are not valid. Enter the whole date and time, or leave the field empty to publish now.", "La date et l’heure ne sont pas valides. Entrez la date et l’heure au complet, ou laissez le champ vide pour publier maintenant."},
	"js.bc.en.toolong":       {"The English text is too long: at most {Max} characters.", "Le texte anglais est trop long\u00a0: au plus {Max} caractères."},
	"js.bc.fr.toolong":       {"The French text is too long: at most {Max} characters.", "Le texte français est trop long\u00a0: au plus {Max} caractères."},
	"js.count.left.one":      {"{N} character left", "Il reste {N} caractère"},
	"js.count.left.other":    {"{N} characters left", "Il reste {N} caractères"},
	"js.count.over.one":      {"{N} character too many", "{N} caractère de trop"},
	"js.count.over.other":    {"{N} characters too many", "{N} caractères de trop"},
	"js.bc.fr.required":      {"Enter the French text of the announcement. Nothing is published in one language only.", "Entrez le texte français de l’annonce. Rien n’est publié dans une seule langue."},
	"js.errsummary":          {"Please correct the following:", "Veuillez corriger ce qui suit\u00a0:"},
	"js.phasename.broadcast": {"broadcast", "diffusion"},
	"js.phasename.replies":   {"replies", "réponses"},
	"js.phasename.outreach":  {"outreach", "proactif"},
	"js.yes":                 {"Yes", "Oui"},
	"js.no":                  {"No", "Non"},
}

// uiText returns the interface text key in l; a missing key returns the key
// itself (a test forbids missing keys).
func uiText(l bot.Lang, key string) string {
	v, ok := uiStrings[key]
	if !ok {
		return key
	}
	if l == bot.French {
		return v[1]
	}
	return v[0]
}

// uiTextf fills {Name} placeholders from data.
func uiTextf(l bot.Lang, key string, data map[string]any) string {
	s := uiText(l, key)
	for k, v := range data {
		s = strings.ReplaceAll(s, "{"+k+"}", fmt.Sprint(v))
	}
	return s
}

// jsStrings is the text the page scripts need, in l.
func jsStrings(l bot.Lang, _ string) map[string]string {
	out := map[string]string{}
	for k := range uiStrings {
		if name, ok := strings.CutPrefix(k, "js."); ok {
			out[name] = uiText(l, k)
		}
	}
	return out
}
