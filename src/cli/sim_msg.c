/*
 * sim_msg — see sim_msg.h.
 */
#include <string.h>

#include "cli/sim_msg.h"

static const struct sim_words en = {
	.usage =
		"usage: relais sim mmn --agents N --calls X --interval-s S "
		"--aht-s H\n"
		"                      [--patience-s P] --threshold-s T "
		"[--reps R]\n"
		"                      [--seed K] [--calls-per-rep C] "
		"[--warmup-s W]\n"
		"                      [--json] [--quiet] [--lang fr|en]\n"
		"       relais sim SCENARIO.json [--reps R] [--seed K] "
		"[--json | --csv]\n"
		"                      [--svg FILE] [--quiet] "
		"[--lang fr|en]\n"
		"       relais sim compare A.json B.json [--reps R] [--seed K] "
		"[--json]\n"
		"       relais sim replay SCENARIO.json --day YYYY-MM-DD "
		"[--data DIR] [--tz ZONE]\n"
		"\n"
		"Simulates a contact centre with the production routing "
		"engine on a\nvirtual clock, replication after replication, "
		"and reports means with\n95% confidence intervals.\n"
		"\n"
		"mmn: one queue of N agents, Poisson arrivals (X contacts per "
		"S\nseconds), exponential handle times of mean H seconds, "
		"exponential\npatience of mean P seconds (none: Erlang C; "
		"else Erlang A), threshold\nT seconds; R replications (10) "
		"of C contacts (100000) after a warm-up\nof W seconds (20 "
		"handle times). Prints P(wait), the service level\n"
		"(answered within T over answered + abandoned), P(abandon) "
		"and the\nASA of answered contacts, to compare with "
		"`relais erlang`.\n"
		"\n"
		"SCENARIO.json: tenants, sites, agents with skills and "
		"shifts, queues\nwith steps (the API's Queue fields), "
		"arrivals per interval, handle\ntime and patience "
		"distributions (docs/wfm.md). Prints the measures\nper "
		"queue, site and tenant, and the centre per interval; --json "
		"and\n--csv give every interval of every row, --svg FILE "
		"draws the\nservice level and the offered contacts per "
		"interval.\n"
		"\n"
		"compare: two scenarios side by side, replication by "
		"replication (what-if).\nreplay: a real day from the event "
		"log under a scenario's staffing and\nrouting. Each has its "
		"own --help.\n"
		"\n"
		"  --lang L  fr or en for the tables and messages (default: "
		"from the\n"
		"            environment); --json and --csv are the same in "
		"both\n",
	.no_scenario = "a scenario file is required",
	.progress = "replication %s of %s (%s%%), %s s",
	.refused = {"%s engine command refused", "%s engine commands refused"},
	.reps = {"replication", "replications"},
	.intervals = {"interval", "intervals"},
	.callbacks = {"callback", "callbacks"},
	.voicemails = {"voicemail", "voicemails"},
	.closed = {"closed", "closed"},
	.mmn_title = "M/M/%s%s: %s contacts per %s s, handle time %s s",
	.mmn_patience = ", patience %s s",
	.mmn_threshold = ", threshold %s s\n",
	.mmn_runs = "%s, seed %s, %s contacts after warm-up\n\n",
	.mmn_head = {"measure", "mean", "95% CI ±"},
	.mmn_labels = {"P(wait)", "service level (answered in T / offered)",
		       "P(abandon)", "ASA of answered contacts (s)",
		       "service level, exclude-abandons (SPEC)",
		       "average wait of all contacts (s)", "occupancy"},
	.unstable = "\n%s Erlangs on %s agents who never lose a caller: no "
		    "steady state,\nthe simulated waits grow with the length "
		    "of the run.\n",
	.title = "%s: %s, seed %s, %s of %s s",
	.warmup = ", warm-up %s s",
	.offered = "\n%s contacts offered in all",
	.unresolved = "; %s still waiting when the runs stopped",
	.legend = ".\nMeans over the replications ± half-width of the 95%% "
		  "confidence interval;\nSL: answered within the threshold ÷ "
		  "(answered + abandoned after it).\n",
	.queue = "queue",
	.tenant = "tenant",
	.contacts_head = {"offered", "answered", "abandon %", "SL %", "ASA s",
			  "AHT s"},
	.sites_head = {"site", "agents", "handled", "occupancy %", "cost",
		       "per contact"},
	.centre_row = "(centre)",
	.intervals_head = {"centre", "offered", "SL %", "ASA s", "abandon %",
			   "agents", "occupancy %"},
	.svg_title = ": offered per interval (bars, left) and service level "
		     "(line, right; 95%% CI)",
};

static const struct sim_words fr = {
	.usage = "usage : relais sim mmn --agents N --calls X --interval-s S "
		 "--aht-s H\n"
		 "                       [--patience-s P] --threshold-s T "
		 "[--reps R]\n"
		 "                       [--seed K] [--calls-per-rep C] "
		 "[--warmup-s W]\n"
		 "                       [--json] [--quiet] [--lang fr|en]\n"
		 "        relais sim SCENARIO.json [--reps R] [--seed K] "
		 "[--json | --csv]\n"
		 "                       [--svg FICHIER] [--quiet] "
		 "[--lang fr|en]\n"
		 "        relais sim compare A.json B.json [--reps R] "
		 "[--seed K] [--json]\n"
		 "        relais sim replay SCENARIO.json --day AAAA-MM-JJ "
		 "[--data DOSSIER] [--tz ZONE]\n"
		 "\n"
		 "Simule un centre de contacts avec le moteur de routage de "
		 "production, sur une\nhorloge virtuelle, réplication après "
		 "réplication, et donne des moyennes avec\nleur intervalle "
		 "de confiance à 95 %.\n"
		 "\n"
		 "mmn : une file de N conseillers, des arrivées de Poisson (X "
		 "contacts en S\nsecondes), des durées de traitement "
		 "exponentielles de moyenne H secondes, une\npatience "
		 "exponentielle de moyenne P secondes (sans : Erlang C ; "
		 "sinon Erlang A),\nun seuil de T secondes ; R réplications "
		 "(10) de C contacts (100000) après une\nmise en régime de "
		 "W secondes (20 durées de traitement). Affiche P(attente),\n"
		 "le niveau de service (répondus en T sur répondus + "
		 "abandons), P(abandon) et\nle temps moyen de réponse des "
		 "contacts répondus, à comparer avec\n`relais erlang`.\n"
		 "\n"
		 "SCENARIO.json : clients, sites, conseillers avec leurs "
		 "compétences et leurs\nvacations, files avec leurs étapes "
		 "(les champs Queue de l'API), arrivées par\nintervalle, lois "
		 "des durées de traitement et de la patience (docs/wfm.md).\n"
		 "Affiche les mesures par file, par site et par client, et "
		 "le centre par\nintervalle ; --json et --csv donnent chaque "
		 "intervalle de chaque ligne,\n--svg FICHIER trace le niveau "
		 "de service et les contacts reçus par intervalle.\n"
		 "\n"
		 "compare : deux scénarios côte à côte, réplication par "
		 "réplication (et si…).\nreplay : une journée réelle du "
		 "journal d'événements rejouée avec l'effectif et\nle routage "
		 "d'un scénario. Chacune a son propre --help.\n"
		 "\n"
		 "  --lang L  fr ou en pour les tableaux et les messages (par "
		 "défaut : selon\n"
		 "            l'environnement) ; --json et --csv sont "
		 "identiques dans les deux\n",
	.no_scenario = "un fichier de scénario est obligatoire",
	.progress = "réplication %s sur %s (%s %%), %s s",
	.refused = {"%s commande refusée par le moteur",
		    "%s commandes refusées par le moteur"},
	.reps = {"réplication", "réplications"},
	.intervals = {"intervalle", "intervalles"},
	.callbacks = {"rappel", "rappels"},
	.voicemails = {"message vocal", "messages vocaux"},
	.closed = {"hors horaires", "hors horaires"},
	.mmn_title = "M/M/%s%s : %s contacts en %s s, durée de traitement %s s",
	.mmn_patience = ", patience %s s",
	.mmn_threshold = ", seuil %s s\n",
	.mmn_runs = "%s, graine %s, %s contacts après la mise en régime\n\n",
	.mmn_head = {"mesure", "moyenne", "IC 95 % ±"},
	.mmn_labels = {"P(attente)",
		       "niveau de service (répondus en T / reçus)",
		       "P(abandon)", "temps moyen de réponse des répondus (s)",
		       "niveau de service, hors abandons (SPEC)",
		       "attente moyenne de tous les contacts (s)",
		       "occupation"},
	.unstable = "\n%s erlangs sur %s conseillers qui ne perdent aucun "
		    "appelant : pas de régime\nstationnaire, les attentes "
		    "simulées croissent avec la durée de la simulation.\n",
	.title = "%s : %s, graine %s, %s de %s s",
	.warmup = ", mise en régime %s s",
	.offered = "\n%s contacts reçus au total",
	.unresolved = " ; %s encore en attente à l'arrêt des simulations",
	.legend = ".\nMoyennes sur les réplications ± demi-largeur de "
		  "l'intervalle de confiance à 95 %% ;\nNS : répondus dans le "
		  "seuil ÷ (répondus + abandons après le seuil).\n",
	.queue = "file",
	.tenant = "client",
	.contacts_head = {"reçus", "répondus", "abandon %", "NS %", "ASA s",
			  "DMT s"},
	.sites_head = {"site", "conseillers", "traités", "occupation %", "coût",
		       "par contact"},
	.centre_row = "(centre)",
	.intervals_head = {"centre", "reçus", "NS %", "ASA s", "abandon %",
			   "conseillers", "occupation %"},
	.svg_title = " : contacts reçus par intervalle (barres, à gauche) et "
		     "niveau de service (ligne, à droite ; IC à 95 %%)",
};

const struct sim_words *sim_words_get(const char *lang)
{
	return strcmp(lang, "fr") == 0 ? &fr : &en;
}
