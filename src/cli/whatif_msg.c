/*
 * whatif_msg — see whatif_msg.h.
 */
#include <string.h>

#include "cli/words.h"
#include "cli/whatif_msg.h"

static const struct whatif_words en = {
	.compare_usage =
		"usage: relais sim compare A.json B.json [--reps R] [--seed K] "
		"[--json] [--lang fr|en]\n\n"
		"Runs two scenarios with the same seeds and prints, for the "
		"centre and each\nqueue and site they share, service level, "
		"abandon rate, ASA, occupancy and\ncost per contact: A and B "
		"(mean ± 95% half-width) and B - A.\n\n"
		"The comparison is paired: in each replication both scenarios "
		"see the same\ncustomers (arrivals, patience, talk times), so "
		"B - A and its half-width come\nfrom the differences "
		"replication by replication.\n\n"
		"  --reps R   replications (default: A's \"replications\")\n"
		"  --seed K   random seed (default 1)\n"
		"  --json     {\"a\", \"b\", \"reps\", \"seed\", \"paired\", "
		"\"rows\": [{\"group\", \"id\",\n"
		"             \"measure\", \"a\", \"b\", \"diff\", "
		"\"diff_ci95\"}]}\n"
		"  --lang L   fr or en (default: from the environment)\n",
	.compare_title = "what-if: A = %s, B = %s (%s replications, seed %s, "
			 "paired)\n",
	.measure = "measure",
	.compare_nothing = "nothing in common to compare",
	.whole_number = "%s: expected a whole number",
	.unexpected = "unexpected '%s'",
	.replay_usage =
		"usage: relais sim replay SCENARIO.json --day YYYY-MM-DD "
		"[--data DIR]\n"
		"         [--tz ZONE] [--reps R] [--seed K] [--json] "
		"[--lang fr|en]\n"
		"       relais sim replay --day YYYY-MM-DD [--data DIR] [--tz "
		"ZONE]\n"
		"         --write-scenario FILE\n\n"
		"Plays a real day again under another staffing or routing: "
		"the customers of\nthe day come from the event log of a data "
		"folder, the agents, shifts and\nqueues from the scenario. "
		"Each contact arrives when it arrived, in the\nscenario's "
		"queue "
		"of the same id or name, with its real talk time; one who\n"
		"abandoned gives up after the same wait; one who was answered "
		"waits at least\nas long as it did, then its patience is drawn "
		"from the queue's.\n\n"
		"The day runs from the scenario's start to its end, local time "
		"in ZONE.\nPrinted: the day as it happened (from the log) and "
		"as replayed (mean ± 95%\nhalf-width), for the centre and each "
		"queue.\n\n"
		"  --day D    the day, YYYY-MM-DD\n"
		"  --data DIR the data folder (default ./var); the server may "
		"keep running\n"
		"  --tz ZONE  time zone of the day (default UTC), e.g. "
		"Europe/Paris\n"
		"  --reps R   replications (default: the scenario's)\n"
		"  --seed K   random seed (default: the scenario's)\n"
		"  --json     the same figures as JSON\n"
		"  --lang L   fr or en (default: from the environment)\n\n"
		"--write-scenario FILE writes the recorded day (00:00 to "
		"24:00 in ZONE) as a\nscenario: the configuration's sites, "
		"tenants and queues, the agents who worked\nwith their login "
		"spans as shifts and their pauses as breaks, and per queue "
		"the\nday's arrivals, talk and wrap-up times and patience. "
		"Replayed as it is, it\nplays the day as it was staffed; "
		"edit it to ask what if.\n",
	.no_data = "%s: no relais data folder",
	.unreadable = "%s: not a relais data folder, or unreadable",
	.bad_day = "--day: expected a date like 2026-11-27, not '%s'",
	.bad_zone = "--tz: unknown time zone '%s'",
	.no_match = "no contact of %s (%s) entered a queue of the scenario "
		    "(queues match by id or name)",
	.replay_title = "replay of %s (%s), %s to %s, under \"%s\"\n",
	.replay_count = "%s contacts from the event log; %s in queues the "
			"scenario does not have\n",
	.replay_reps = "%s replications, seed %s\n",
	.actual = "as it was",
	.replayed = "replayed",
	.actual_only = "occupancy counts agents' time in states that ended "
		       "within the log; cost\nper contact is the scenario's "
		       "(its sites' costs per hour).\n",
	.cannot_write = "%s: cannot write the scenario",
	.wrote = "%s: the recorded day with %s agents, %s queues and %s "
		 "contacts\n",
	.decimal = '.',
};

static const struct whatif_words fr = {
	.compare_usage =
		"usage : relais sim compare A.json B.json [--reps R] "
		"[--seed K] [--json] [--lang fr|en]\n\n"
		"Joue deux scénarios avec les mêmes graines et affiche, pour "
		"le centre et pour\nchaque file et chaque site qu'ils ont en "
		"commun, le niveau de service, le taux\nd'abandon, le temps "
		"moyen d'attente, l'occupation et le coût par contact :\nA et "
		"B (moyenne ± demi-largeur à 95 %) et B - A.\n\n"
		"La comparaison est appariée : à chaque réplication, les deux "
		"scénarios voient\nles mêmes clients (arrivées, patience, "
		"durées de conversation), si bien que\nB - A et sa "
		"demi-largeur viennent des écarts réplication par "
		"réplication.\n\n"
		"  --reps R   nombre de réplications (par défaut : "
		"\"replications\" de A)\n"
		"  --seed K   graine aléatoire (par défaut 1)\n"
		"  --json     {\"a\", \"b\", \"reps\", \"seed\", \"paired\", "
		"\"rows\": [{\"group\", \"id\",\n"
		"             \"measure\", \"a\", \"b\", \"diff\", "
		"\"diff_ci95\"}]}\n"
		"  --lang L   fr ou en (par défaut : selon "
		"l'environnement)\n",
	.compare_title = "simulation comparée : A = %s, B = %s (%s "
			 "réplications, graine %s, appariées)\n",
	.measure = "mesure",
	.compare_nothing = "rien en commun à comparer",
	.whole_number = "%s : nombre entier attendu",
	.unexpected = "« %s » inattendu",
	.replay_usage =
		"usage : relais sim replay SCENARIO.json --day AAAA-MM-JJ "
		"[--data DOSSIER]\n"
		"         [--tz ZONE] [--reps R] [--seed K] [--json] "
		"[--lang fr|en]\n"
		"        relais sim replay --day AAAA-MM-JJ [--data DOSSIER] "
		"[--tz ZONE]\n"
		"         --write-scenario FICHIER\n\n"
		"Rejoue une journée réelle avec un autre effectif ou un autre "
		"routage : les\nclients de la journée viennent du journal "
		"d'événements d'un dossier de\ndonnées, les conseillers, "
		"leurs plages horaires et les files viennent du\nscénario. "
		"Chaque contact arrive à son heure réelle, dans la file du "
		"scénario\nqui porte le même identifiant ou le même nom, avec "
		"sa vraie durée de\nconversation ; celui qui a abandonné "
		"renonce après la même attente ; celui\nqui a été pris attend "
		"au moins aussi longtemps, puis sa patience est tirée\nselon "
		"celle de la file.\n\n"
		"La journée va du début à la fin du scénario, en heure locale "
		"de ZONE.\nAffiché : la journée telle qu'elle s'est passée "
		"(d'après le journal) et telle\nqu'elle est rejouée (moyenne "
		"± demi-largeur à 95 %), pour le centre et chaque\nfile.\n\n"
		"  --day J        la journée, AAAA-MM-JJ\n"
		"  --data DOSSIER le dossier de données (par défaut ./var) ; "
		"le serveur peut\n"
		"                 continuer de tourner\n"
		"  --tz ZONE      fuseau horaire de la journée (par défaut "
		"UTC), p. ex.\n"
		"                 Europe/Paris\n"
		"  --reps R       nombre de réplications (par défaut : celui "
		"du scénario)\n"
		"  --seed K       graine aléatoire (par défaut : celle du "
		"scénario)\n"
		"  --json         les mêmes chiffres en JSON\n"
		"  --lang L       fr ou en (par défaut : selon "
		"l'environnement)\n\n"
		"--write-scenario FICHIER écrit la journée enregistrée (de "
		"00:00 à 24:00 dans\nZONE) sous forme de scénario : les sites, "
		"clients et files de la configuration,\nles conseillers qui "
		"ont travaillé, avec leurs périodes de connexion pour\n"
		"vacations et leurs pauses, et par file les arrivées, les "
		"durées de\nconversation et de post-appel et la patience du "
		"jour. Rejoué tel quel, il\nrejoue la journée avec son "
		"effectif réel ; modifiez-le pour poser la question\n« et "
		"si… ».\n",
	.no_data = "%s : ce n'est pas un dossier de données relais",
	.unreadable = "%s : dossier de données relais illisible",
	.bad_day = "--day : date attendue sous la forme 2026-11-27, et non "
		   "« %s »",
	.bad_zone = "--tz : fuseau horaire inconnu « %s »",
	.no_match = "aucun contact du %s (%s) n'est entré dans une file du "
		    "scénario\n(les files se retrouvent par identifiant ou par "
		    "nom)",
	.replay_title = "journée du %s rejouée (%s), de %s à %s, selon "
			"« %s »\n",
	.replay_count = "%s contacts tirés du journal ; %s dans des files "
			"que le scénario n'a pas\n",
	.replay_reps = "%s réplications, graine %s\n",
	.actual = "réelle",
	.replayed = "rejouée",
	.actual_only = "l'occupation compte le temps des conseillers dans les "
		       "états terminés dans le\njournal ; le coût par contact "
		       "est celui du scénario (coût horaire de ses sites).\n",
	.cannot_write = "%s : impossible d'écrire le scénario",
	.wrote = "%s : la journée enregistrée, avec %s conseillers, %s files "
		 "et %s contacts\n",
	.decimal = ',',
};

const struct whatif_words *whatif_words_get(int argc, char **argv)
{
	return !strcmp(words_lang(argc, argv), "fr") ? &fr : &en;
}
