/*
 * erlang_msg — see erlang_msg.h.
 */
#include <string.h>

#include "cli/erlang_msg.h"

static const struct erlang_words en = {
	.usage = "usage: relais erlang b|c|a|staff [OPTIONS] [--json] "
		 "[--lang fr|en]\n\n"
		 "Queueing models for staffing a contact centre:\n"
		 "  b      Erlang B: blocking on N lines (no queue)\n"
		 "  c      Erlang C: a queue of patient callers, N agents\n"
		 "  a      Erlang A: a queue whose callers abandon, N agents\n"
		 "  staff  the smallest number of agents meeting a target\n\n"
		 "Run 'relais erlang COMMAND --help' for a command's "
		 "options; docs/wfm.md\nexplains the models.\n",
	.usage_b = "usage: relais erlang b --lines N --erlangs A [--json]\n\n"
		   "The share of calls blocked when a load of A Erlangs is "
		   "offered to N lines\nand a call finding them all busy is "
		   "lost (Erlang B).\n\n"
		   "  --lines N     lines or trunks (a whole number)\n"
		   "  --erlangs A   offered load: calls per hour x hours per "
		   "call\n"
		   "  --json        {\"blocking\"}\n"
		   "  --lang L      fr or en (default: from the "
		   "environment)\n",
	.usage_c = "usage: relais erlang c --agents N --calls X --interval-s S "
		   "--aht-s H\n                       --threshold-s T "
		   "[--json]\n\n"
		   "Waiting, service level and occupancy of N agents "
		   "answering X contacts in S\nseconds, each handled in H "
		   "seconds on average, callers never abandoning\n(Erlang C). "
		   "Needs more agents than Erlangs (X*H/S).\n\n"
		   "  --agents N       agents on the queue (a whole number)\n"
		   "  --calls X        contacts offered in the interval\n"
		   "  --interval-s S   the interval, in seconds (1800: half "
		   "an hour)\n"
		   "  --aht-s H        average handle time, in seconds\n"
		   "  --threshold-s T  service-level threshold: answered "
		   "within T seconds\n"
		   "  --json           {\"p_wait\", \"service_level\", "
		   "\"asa_s\", \"occupancy\"}\n"
		   "  --lang L         fr or en (default: from the "
		   "environment)\n",
	.usage_a = "usage: relais erlang a --agents N --calls X --interval-s S "
		   "--aht-s H\n                       --threshold-s T "
		   "--patience-s P [--json]\n\n"
		   "As 'relais erlang c', with callers who abandon after "
		   "waiting P seconds on\naverage (Erlang A: exponential "
		   "patience). Any load has an answer.\n\n"
		   "  --agents N       agents on the queue (a whole number)\n"
		   "  --calls X        contacts offered in the interval\n"
		   "  --interval-s S   the interval, in seconds\n"
		   "  --aht-s H        average handle time, in seconds\n"
		   "  --threshold-s T  service-level threshold, in seconds\n"
		   "  --patience-s P   mean patience before abandoning, in "
		   "seconds\n"
		   "  --json           {\"p_wait\", \"p_abandon\", "
		   "\"service_level\", \"asa_s\",\n"
		   "                    \"asa_answered_s\", \"occupancy\"}\n"
		   "  --lang L         fr or en (default: from the "
		   "environment)\n\n"
		   "service_level is answered within T over all offered; "
		   "asa_s is the mean wait\nof all callers (E[W]), "
		   "asa_answered_s that of answered ones.\n",
	.usage_staff =
		"usage: relais erlang staff --model b|c|a --calls X "
		"--interval-s S --aht-s H\n"
		"         [--target-sl F --threshold-s T [--sl-variant V]] "
		"[--target-asa-s W]\n"
		"         [--max-abandon F] [--max-blocking F] "
		"[--max-occupancy F]\n"
		"         [--shrinkage F] [--patience-s P] [--json]\n\n"
		"The smallest number of agents (lines for b) meeting every "
		"target given, and\nthe positions to schedule once shrinkage "
		"(breaks, training, absence) is\ntaken: ceil(agents / (1 - "
		"shrinkage)).\n\n"
		"  --model M          b (lines, no queue), c (patient "
		"callers) or a (callers\n"
		"                     abandon: needs --patience-s)\n"
		"  --calls X, --interval-s S, --aht-s H\n"
		"                     the interval, as in 'relais erlang c'\n"
		"  --target-sl F      service level to reach, e.g. 0.8 "
		"(with --threshold-s)\n"
		"  --threshold-s T    answered within T seconds\n"
		"  --sl-variant V     offered (default): answered in T / "
		"offered;\n"
		"                     answered: / answered; "
		"exclude-abandons: abandons\n"
		"                     within T leave the base; "
		"abandons-met: they count as met\n"
		"  --target-asa-s W   mean wait of answered contacts at "
		"most W seconds\n"
		"  --max-abandon F    abandon rate at most F (model a)\n"
		"  --max-blocking F   blocked share at most F (model b)\n"
		"  --max-occupancy F  occupancy cap, e.g. 0.85\n"
		"  --shrinkage F      share of paid time off the phones, "
		"e.g. 0.3\n"
		"  --patience-s P     mean patience, in seconds (model a)\n"
		"  --json             {\"agents\", \"scheduled\", "
		"\"service_level\", \"p_wait\",\n"
		"                      \"occupancy\", ...}\n"
		"  --lang L           fr or en (default: from the "
		"environment)\n\n"
		"Erlang A alone can meet a service level in overload (those "
		"who stay wait\nless than T, many abandon): add "
		"--max-abandon.\n",
	.range = {"a whole number >= 0", "a number >= 0", "a number > 0",
		  "a fraction in (0, 1], e.g. 0.8",
		  "a fraction in [0, 1), e.g. 0.3", "b, c or a",
		  "offered, answered, exclude-abandons or abandons-met"},
	.bad_value = "%s must be %s (got '%s')",
	.missing = "%s is required",
	.no_value = "%s needs a value",
	.unknown = "unknown option '%s'",
	.unknown_cmd = "unknown command '%s'",
	.not_for = "%s does not apply to --model %s",
	.needs = "%s needs %s",
	.no_target = "--model %s needs a target: %s",
	.more_help = "Run 'relais erlang %s --help' for the options.",
	.unstable = "--agents %s cannot carry %s Erlangs: with patient "
		    "callers the queue would\ngrow without bound. Erlang C "
		    "needs at least %s agents (or try 'relais erlang a'\n"
		    "with a --patience-s).",
	.unreachable = "%s %s cannot be met with up to 1000000 agents",
	.sl_one = "%s 1 cannot be met: some contacts always wait longer "
		  "than the threshold",
	.no_shrink = "a --shrinkage of %s leaves too few agents on the "
		     "phones",
	.title_b = "Erlang B: %s lines, %s Erlangs offered",
	.title_c = "Erlang C: %s agents, %s contacts in %s s, AHT %s s "
		   "(%s Erlangs)",
	.title_a = "Erlang A: %s agents, %s contacts in %s s, AHT %s s "
		   "(%s Erlangs)",
	.title_staff = "Erlang %s staffing: %s contacts in %s s, AHT %s s "
		       "(%s Erlangs)",
	.patience = "mean patience",
	.blocking = "blocking",
	.carried = "carried load per line",
	.p_wait = "probability of waiting",
	.sl_at = "service level in %s s",
	.asa = "average speed of answer",
	.asa_all = "mean wait, all callers",
	.asa_answered = "average speed of answer (answered)",
	.abandon = "abandon rate",
	.occupancy = "occupancy",
	.agents = "agents needed",
	.lines_needed = "lines needed",
	.scheduled = "positions to schedule (shrinkage %s%%)",
	.variants = {"  answered in %s s / offered",
		     "  answered in %s s / answered",
		     "  abandons within %s s excluded",
		     "  abandons within %s s met"},
	.decimal = '.',
};

static const struct erlang_words fr = {
	.usage = "usage : relais erlang b|c|a|staff [OPTIONS] [--json] "
		 "[--lang fr|en]\n\n"
		 "Modèles de files d'attente pour dimensionner un centre de "
		 "contacts :\n"
		 "  b      Erlang B : appels perdus sur N lignes (sans "
		 "attente)\n"
		 "  c      Erlang C : une file d'appelants patients, N "
		 "conseillers\n"
		 "  a      Erlang A : une file dont les appelants "
		 "abandonnent, N conseillers\n"
		 "  staff  le plus petit nombre de conseillers qui tient un "
		 "objectif\n\n"
		 "'relais erlang COMMANDE --help' donne les options d'une "
		 "commande ;\ndocs/wfm.md explique les modèles.\n",
	.usage_b = "usage : relais erlang b --lines N --erlangs A [--json]\n\n"
		   "La part d'appels perdus quand une charge de A erlangs "
		   "est offerte à N\nlignes et qu'un appel qui les trouve "
		   "toutes occupées est perdu (Erlang B).\n\n"
		   "  --lines N     lignes ou circuits (un nombre entier)\n"
		   "  --erlangs A   charge offerte : appels par heure x durée "
		   "en heures\n"
		   "  --json        {\"blocking\"}\n"
		   "  --lang L      fr ou en (par défaut : selon "
		   "l'environnement)\n",
	.usage_c = "usage : relais erlang c --agents N --calls X --interval-s "
		   "S --aht-s H\n                        --threshold-s T "
		   "[--json]\n\n"
		   "Attente, niveau de service et occupation de N "
		   "conseillers qui répondent à X\ncontacts en S secondes, "
		   "traités chacun en H secondes en moyenne, sans abandon\n"
		   "(Erlang C). Il faut plus de conseillers que d'erlangs "
		   "(X*H/S).\n\n"
		   "  --agents N       conseillers sur la file (un nombre "
		   "entier)\n"
		   "  --calls X        contacts reçus sur l'intervalle\n"
		   "  --interval-s S   l'intervalle, en secondes (1800 : une "
		   "demi-heure)\n"
		   "  --aht-s H        durée moyenne de traitement (DMT), en "
		   "secondes\n"
		   "  --threshold-s T  seuil du niveau de service : répondu "
		   "en T secondes\n"
		   "  --json           {\"p_wait\", \"service_level\", "
		   "\"asa_s\", \"occupancy\"}\n"
		   "  --lang L         fr ou en (par défaut : selon "
		   "l'environnement)\n",
	.usage_a = "usage : relais erlang a --agents N --calls X --interval-s "
		   "S --aht-s H\n                        --threshold-s T "
		   "--patience-s P [--json]\n\n"
		   "Comme 'relais erlang c', avec des appelants qui "
		   "abandonnent après P secondes\nd'attente en moyenne "
		   "(Erlang A : patience exponentielle). Toute charge a\n"
		   "une réponse.\n\n"
		   "  --agents N       conseillers sur la file (un nombre "
		   "entier)\n"
		   "  --calls X        contacts reçus sur l'intervalle\n"
		   "  --interval-s S   l'intervalle, en secondes\n"
		   "  --aht-s H        durée moyenne de traitement, en "
		   "secondes\n"
		   "  --threshold-s T  seuil du niveau de service, en "
		   "secondes\n"
		   "  --patience-s P   patience moyenne avant abandon, en "
		   "secondes\n"
		   "  --json           {\"p_wait\", \"p_abandon\", "
		   "\"service_level\", \"asa_s\",\n"
		   "                    \"asa_answered_s\", \"occupancy\"}\n"
		   "  --lang L         fr ou en (par défaut : selon "
		   "l'environnement)\n\n"
		   "service_level : répondus en T sur tous les reçus ; asa_s "
		   ": attente moyenne de\ntous les appelants (E[W]), "
		   "asa_answered_s : celle des répondus.\n",
	.usage_staff =
		"usage : relais erlang staff --model b|c|a --calls X "
		"--interval-s S --aht-s H\n"
		"         [--target-sl F --threshold-s T [--sl-variant V]] "
		"[--target-asa-s W]\n"
		"         [--max-abandon F] [--max-blocking F] "
		"[--max-occupancy F]\n"
		"         [--shrinkage F] [--patience-s P] [--json]\n\n"
		"Le plus petit nombre de conseillers (de lignes pour b) qui "
		"tient tous les\nobjectifs donnés, et les postes à planifier "
		"une fois l'indisponibilité\n(pauses, formation, absences) "
		"prise en compte : plafond(conseillers / (1 -\n"
		"indisponibilité)).\n\n"
		"  --model M          b (lignes, sans attente), c "
		"(appelants patients) ou a\n"
		"                     (ils abandonnent : il faut "
		"--patience-s)\n"
		"  --calls X, --interval-s S, --aht-s H\n"
		"                     l'intervalle, comme pour 'relais "
		"erlang c'\n"
		"  --target-sl F      niveau de service visé, par exemple "
		"0.8\n"
		"                     (avec --threshold-s)\n"
		"  --threshold-s T    répondu en T secondes\n"
		"  --sl-variant V     offered (par défaut) : répondus en T / "
		"reçus ;\n"
		"                     answered : / répondus ; "
		"exclude-abandons : les\n"
		"                     abandons en moins de T sortent de la "
		"base ;\n"
		"                     abandons-met : ils comptent comme "
		"tenus\n"
		"  --target-asa-s W   attente moyenne des répondus d'au "
		"plus W secondes\n"
		"  --max-abandon F    taux d'abandon d'au plus F (modèle a)\n"
		"  --max-blocking F   part d'appels perdus d'au plus F "
		"(modèle b)\n"
		"  --max-occupancy F  plafond d'occupation, par exemple 0.85\n"
		"  --shrinkage F      part du temps payé hors téléphone "
		"(indisponibilité),\n"
		"                     par exemple 0.3\n"
		"  --patience-s P     patience moyenne, en secondes (modèle "
		"a)\n"
		"  --json             {\"agents\", \"scheduled\", "
		"\"service_level\", \"p_wait\",\n"
		"                      \"occupancy\", ...}\n"
		"  --lang L           fr ou en (par défaut : selon "
		"l'environnement)\n\n"
		"Erlang A seul peut tenir un niveau de service en "
		"surcharge (ceux qui restent\nattendent moins de T, beaucoup "
		"abandonnent) : ajoutez --max-abandon.\n",
	.range = {"un nombre entier >= 0", "un nombre >= 0", "un nombre > 0",
		  "une fraction dans ]0, 1], par exemple 0.8",
		  "une fraction dans [0, 1[, par exemple 0.3", "b, c ou a",
		  "offered, answered, exclude-abandons ou abandons-met"},
	.bad_value = "%s doit être %s (reçu « %s »)",
	.missing = "%s est obligatoire",
	.no_value = "%s attend une valeur",
	.unknown = "option inconnue « %s »",
	.unknown_cmd = "commande inconnue « %s »",
	.not_for = "%s ne s'applique pas à --model %s",
	.needs = "%s demande %s",
	.no_target = "--model %s demande un objectif : %s",
	.more_help = "'relais erlang %s --help' donne les options.",
	.unstable = "--agents %s ne peut pas écouler %s erlangs : avec des "
		    "appelants patients,\nla file grandirait sans fin. "
		    "Erlang C demande au moins %s conseillers\n(ou essayez "
		    "'relais erlang a' avec un --patience-s).",
	.unreachable = "%s %s ne peut pas être tenu avec 1000000 "
		       "conseillers ou moins",
	.sl_one = "%s 1 ne peut pas être tenu : certains contacts "
		  "attendent toujours plus que le seuil",
	.no_shrink = "un --shrinkage de %s laisse trop peu de conseillers "
		     "au téléphone",
	.title_b = "Erlang B : %s lignes, %s erlangs offerts",
	.title_c = "Erlang C : %s conseillers, %s contacts en %s s, DMT %s s "
		   "(%s erlangs)",
	.title_a = "Erlang A : %s conseillers, %s contacts en %s s, DMT %s s "
		   "(%s erlangs)",
	.title_staff = "Dimensionnement Erlang %s : %s contacts en %s s, DMT "
		       "%s s (%s erlangs)",
	.patience = "patience moyenne",
	.blocking = "appels perdus",
	.carried = "charge écoulée par ligne",
	.p_wait = "probabilité d'attendre",
	.sl_at = "niveau de service à %s s",
	.asa = "temps moyen de réponse (ASA)",
	.asa_all = "attente moyenne, tous appelants",
	.asa_answered = "temps moyen de réponse (répondus)",
	.abandon = "taux d'abandon",
	.occupancy = "taux d'occupation",
	.agents = "conseillers nécessaires",
	.lines_needed = "lignes nécessaires",
	.scheduled = "postes à planifier (indisponibilité %s %%)",
	.variants = {"  répondus en %s s / reçus",
		     "  répondus en %s s / répondus",
		     "  abandons en moins de %s s exclus",
		     "  abandons en moins de %s s tenus"},
	.decimal = ',',
};

const struct erlang_words *erlang_words_get(const char *lang)
{
	return strcmp(lang, "fr") == 0 ? &fr : &en;
}
