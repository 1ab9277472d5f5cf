/*
 * forecast_msg — see forecast_msg.h.
 */
#include <string.h>

#include "cli/forecast_msg.h"

static const struct forecast_words en = {
	.usage =
		"usage: relais forecast --history FILE.csv [--queue Q] "
		"[--days N]\n"
		"                       [--model additive|multiplicative]\n"
		"                       [--holidays DATE[=FACTOR],...] "
		"[--tz ZONE] [--json|--csv]\n"
		"                       [--lang fr|en]\n\n"
		"Forecasts contacts per queue and 15-minute interval: "
		"Holt-Winters on the\n"
		"daily totals (weekly season), spread over the day by each "
		"weekday's\n"
		"intraday profile. Accuracy is measured on the last 14 days "
		"of history\n"
		"(MAPE, WAPE) by a fit on the days before them.\n\n"
		"  --history FILE  CSV with a header line: "
		"start,queue,offered[,aht_s];\n"
		"                  start is local \"2026-03-02 08:15\" or an "
		"instant\n"
		"                  \"2026-03-02T07:15:00Z\", on a 15-minute "
		"boundary\n"
		"  --queue Q       only this queue (default: every queue in "
		"the file)\n"
		"  --days N        days to forecast after the history, 1-%s "
		"(default 7)\n"
		"  --model M       additive (default) or multiplicative\n"
		"  --holidays L    special days YYYY-MM-DD, comma-separated, "
		"each with an\n"
		"                  optional =FACTOR (2026-12-25=0). Those in "
		"the history are\n"
		"                  left out of the fit and teach the factor of "
		"the others\n"
		"  --tz ZONE       IANA zone of the centre, for instants "
		"(default UTC)\n"
		"  --csv           every interval: start,queue,offered,aht_s\n"
		"  --json          everything as JSON\n"
		"  --lang L        fr or en (default: from the environment)\n\n"
		"Exit status: 0 done, 1 bad data, 2 bad usage. See "
		"docs/wfm.md.\n",
	.history_file = "--history FILE",
	.too_many_holidays = "more than %s holidays",
	.bad_holiday = "--holidays: '%s' is not YYYY-MM-DD or "
		       "YYYY-MM-DD=FACTOR (0-100)",
	.no_queue = "%s has no queue '%s'; it has:",
	.progress = "queue %s of %s (%s)",
	.progress_step = "queue %s of %s (%s): step %s, SSE %s",
	.queue_error = "queue %s: %s",
	.status = {"converged", "iteration limit", "line search stopped"},
	.model = {"additive", "multiplicative"},
	.queue_head = "Queue %s: %s days of history, %s to %s\n",
	.fit = "  %s Holt-Winters, weekly season: alpha %s, beta %s, gamma %s "
	       "(%s)\n",
	.trend = "  level %s, trend %s/day, week:",
	.in_sample =
		"  in sample: RMSE %s contacts/day over %s days (SSE %s)\n",
	.holdout = "  hold-out, last %s days: MAPE %s %%, WAPE %s %% (days), "
		   "WAPE %s %% (intervals)\n",
	.no_holdout = "  hold-out: needs %s days of history\n",
	.special = {"  special days: learnt factor %s (from %s day)\n",
		    "  special days: learnt factor %s (from %s days)\n"},
	.head = {"Date", "Day", "Offered", "Peak interval", "Offered"},
	.wdays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
};

static const struct forecast_words fr = {
	.usage = "usage : relais forecast --history FICHIER.csv [--queue F] "
		 "[--days N]\n"
		 "                        [--model additive|multiplicative]\n"
		 "                        [--holidays DATE[=FACTEUR],...] "
		 "[--tz ZONE]\n"
		 "                        [--json|--csv] [--lang fr|en]\n\n"
		 "Prévoit les contacts par file et par intervalle de 15 "
		 "minutes : Holt-Winters\n"
		 "sur les totaux journaliers (saisonnalité hebdomadaire), "
		 "répartis sur la\n"
		 "journée selon le profil intrajournalier de chaque jour de "
		 "la semaine. La\n"
		 "précision est mesurée sur les 14 derniers jours de "
		 "l'historique (MAPE,\n"
		 "WAPE), par un ajustement sur les jours qui les précèdent.\n\n"
		 "  --history FICHIER  CSV avec une ligne d'en-tête :\n"
		 "                     start,queue,offered[,aht_s] ;\n"
		 "                     start est une heure locale "
		 "« 2026-03-02 08:15 » ou un\n"
		 "                     instant « 2026-03-02T07:15:00Z », "
		 "au quart d'heure\n"
		 "  --queue F          cette file seulement (par défaut : "
		 "toutes celles du\n"
		 "                     fichier)\n"
		 "  --days N           jours à prévoir après l'historique, de "
		 "1 à %s (7 par\n"
		 "                     défaut)\n"
		 "  --model M          additive (par défaut) ou "
		 "multiplicative\n"
		 "  --holidays L       jours particuliers AAAA-MM-JJ, séparés "
		 "par des virgules,\n"
		 "                     chacun avec un =FACTEUR facultatif "
		 "(2026-12-25=0). Ceux\n"
		 "                     de l'historique sont exclus de "
		 "l'ajustement et donnent\n"
		 "                     le facteur des autres\n"
		 "  --tz ZONE          fuseau IANA du centre, pour les "
		 "instants (UTC par défaut)\n"
		 "  --csv              chaque intervalle : "
		 "start,queue,offered,aht_s\n"
		 "  --json             tout en JSON\n"
		 "  --lang L           fr ou en (par défaut : selon "
		 "l'environnement)\n\n"
		 "Code de sortie : 0 terminé, 1 données invalides, 2 mauvaise "
		 "utilisation.\nVoir docs/wfm.md.\n",
	.history_file = "--history FICHIER",
	.too_many_holidays = "plus de %s jours particuliers",
	.bad_holiday = "--holidays : « %s » n'est ni AAAA-MM-JJ ni "
		       "AAAA-MM-JJ=FACTEUR (de 0 à 100)",
	.no_queue = "%s n'a pas de file « %s » ; ses files :",
	.progress = "file %s sur %s (%s)",
	.progress_step = "file %s sur %s (%s) : itération %s, SSE %s",
	.queue_error = "file %s : %s",
	.status = {"convergé", "limite d'itérations atteinte",
		   "recherche linéaire arrêtée"},
	.model = {"additif", "multiplicatif"},
	.queue_head = "File %s : %s jours d'historique, du %s au %s\n",
	.fit = "  Holt-Winters %s, saisonnalité hebdomadaire : alpha %s, "
	       "bêta %s, gamma %s (%s)\n",
	.trend = "  niveau %s, tendance %s/jour, semaine :",
	.in_sample = "  ajustement : RMSE %s contacts/jour sur %s jours "
		     "(SSE %s)\n",
	.holdout =
		"  validation sur les %s derniers jours : MAPE %s %%, WAPE %s "
		"%% (jours), WAPE %s %% (intervalles)\n",
	.no_holdout = "  validation : il faut %s jours d'historique\n",
	.special = {"  jours particuliers : facteur appris %s (sur %s jour)\n",
		    "  jours particuliers : facteur appris %s (sur %s "
		    "jours)\n"},
	.head = {"Date", "Jour", "Contacts", "Intervalle de pointe",
		 "Contacts"},
	.wdays = {"lun", "mar", "mer", "jeu", "ven", "sam", "dim"},
};

const struct forecast_words *forecast_words_get(const char *lang)
{
	return strcmp(lang, "fr") == 0 ? &fr : &en;
}
