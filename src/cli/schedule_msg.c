/*
 * schedule_msg — see schedule_msg.h.
 */
#include <string.h>

#include "cli/schedule_msg.h"

static const struct schedule_words en = {
	.usage = "usage: relais schedule --forecast FILE.csv --sites "
		 "FILE.json\n"
		 "         [--sl F] [--threshold-s S] [--patience-s S]\n"
		 "         [--max-occupancy F] [--shrinkage F] [--aht-s S]\n"
		 "         [--interval-min N] [--days N] [--tz ZONE]\n"
		 "         [--time-limit S] [--gap F] [--json|--csv] "
		 "[--svg FILE] [--quiet]\n"
		 "         [--lang fr|en]\n\n"
		 "Staffs each 15-minute interval with Erlang A, picks the "
		 "cheapest shifts\nthat cover it at the sites (an integer "
		 "program, GLPK) and gives them\nto named agents under the "
		 "labour rules of each site.\n\n"
		 "  --forecast FILE   start,queue,offered,aht_s per interval "
		 "(relais forecast --csv)\n"
		 "  --sites FILE      sites, groups of queues, shifts and "
		 "labour rules (JSON)\n"
		 "  --sl F            service level to reach, default 0.8 "
		 "(also --target-sl)\n"
		 "  --threshold-s S   answered within S seconds, default 20\n"
		 "  --patience-s S    mean patience, default 120; 0: Erlang C\n"
		 "  --max-occupancy F default 0.85; 0: no limit\n"
		 "  --shrinkage F     share of paid time off the phones, "
		 "default 0.3\n"
		 "  --aht-s S         handle time for rows without aht_s\n"
		 "  --interval-min N  minutes per forecast row: 15 (default), "
		 "30 or 60\n"
		 "  --days N          days to schedule from the first date, 1 "
		 "to 7 (default:\n"
		 "                    the days of the forecast)\n"
		 "  --tz ZONE         IANA zone for instants in the forecast\n"
		 "  --time-limit S    time limit of each solve, default 60 s\n"
		 "  --gap F           stop within this relative gap of the "
		 "optimum, default 0.005\n"
		 "  --json, --csv     the whole result as JSON, or the roster "
		 "as CSV\n"
		 "  --svg FILE        write a coverage chart (required vs "
		 "scheduled)\n"
		 "  --quiet           no progress on stderr\n"
		 "  --lang L          fr or en (default: from the "
		 "environment)\n\n"
		 "Exit status: 0, 1 (a file, the data or the solver), 2 (the "
		 "command line).\n",
	.forecast_file = "--forecast FILE",
	.sites_file = "--sites FILE",
	.no_intervals = "%s: no intervals",
	.too_long = "%s covers %s days; a schedule is at most a week "
		    "(--days 1 to 7)",
	.no_aht = "%s: queue %s at %s: no aht_s (give --aht-s)",
	.staffing = "%s: staffing %s",
	.progress = "%s s, best %s, bound %s, gap %s %%, %s",
	.unassigned_warn =
		{"%s shift could not be given to an agent within the labour "
		 "rules; it is listed as unassigned and left out of the "
		 "coverage",
		 "%s shifts could not be given to an agent within the labour "
		 "rules; they are listed as unassigned and left out of the "
		 "coverage"},
	.field_error = "%s: %s: %s",
	.expected = "expected %s",
	.object = "expected an object",
	.unknown_key = "unknown key",
	.true_false = "expected true or false",
	.queue_list = "expected a list of queue names",
	.max_groups = "at most 32 groups",
	.queue_names = "expected queue names",
	.queue_twice = "queue already in another group",
	.groups_object = "expected an object: name -> queues",
	.queue_in_no_group = "this forecast queue is in no group",
	.hours = "expected \"HH:MM-HH:MM\" on quarter hours (the end may "
		 "be past midnight)",
	.days_list = "expected a list such as [\"mon\", \"tue\"]",
	.day_names = "expected mon, tue, wed, thu, fri, sat or sun",
	.group_list = "expected a list of group names",
	.no_group = "no such group in \"groups\"",
	.head_count = "expected a head-count (0 to 100000) or a list of "
		      "names",
	.names = "expected non-empty names",
	.name = "expected a name",
	.missing = "missing",
	.site_list = "expected a list of 1 to 1000 sites",
	.status = {"optimal", "within the gap", "time limit"},
	.days = {"day", "days"},
	.sites = {"site", "sites"},
	.groups = {"group", "groups"},
	.intervals = {"interval", "intervals"},
	.agents = {"agent", "agents"},
	.nodes = {"node", "nodes"},
	.title = "Schedule %s to %s (%s): %s, %s\n",
	.staffing_head = "Staffing: Erlang %s, %s %% in %s s",
	.patience = ", patience %s s",
	.occupancy = ", occupancy <= %s %%",
	.shrinkage = ", shrinkage %s %%\n",
	.solver = "Solver: %s in %s s, gap %s %% (%s columns, %s rows, %s%s)\n",
	.heuristic = ", rounding heuristic",
	.rounds = "Roster: %s solves in %s s (agents could not take every "
		  "shift: their sites got an hours budget)\n\n",
	.site_head = {"Site", "Kind", "Agents", "Used", "Shifts", "Paid h",
		      "Cost"},
	.total = "Total",
	.coverage = "Coverage of %s: required %s agent-h, scheduled %s, "
		    "under %s (%s), over %s\n",
	.legend = "  agents per hour (peak of its quarter hours; r required, "
		  "s scheduled, ! short)\n",
	.mark_required = "r",
	.mark_scheduled = "s",
	.roster = "Roster of %s\n",
	.agent = "Agent",
	.hours_head = "Hours",
	.idle = "(%s without a shift)\n",
	.unassigned = "Unassigned shifts (no agent could take them within the "
		      "rules)\n",
	.svg_title = ": agents required (red line) and scheduled (blue), "
		     "under by %s agent-h (shaded red)",
	.wdays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
};

static const struct schedule_words fr = {
	.usage = "usage : relais schedule --forecast FICHIER.csv --sites "
		 "FICHIER.json\n"
		 "         [--sl F] [--threshold-s S] [--patience-s S]\n"
		 "         [--max-occupancy F] [--shrinkage F] [--aht-s S]\n"
		 "         [--interval-min N] [--days N] [--tz ZONE]\n"
		 "         [--time-limit S] [--gap F] [--json|--csv] "
		 "[--svg FICHIER]\n"
		 "         [--quiet] [--lang fr|en]\n\n"
		 "Calcule l'effectif requis sur chaque intervalle de 15 "
		 "minutes avec Erlang A,\nchoisit les vacations les moins "
		 "chères qui le couvrent sur les sites (un\nprogramme "
		 "linéaire en nombres entiers, GLPK) et les attribue à des "
		 "conseillers\nnommés, dans le respect des règles du travail "
		 "de chaque site.\n\n"
		 "  --forecast FICHIER  start,queue,offered,aht_s par "
		 "intervalle\n"
		 "                      (relais forecast --csv)\n"
		 "  --sites FICHIER     sites, groupes de files, vacations et "
		 "règles du travail\n"
		 "                      (JSON)\n"
		 "  --sl F              niveau de service visé, 0.8 par défaut "
		 "(ou --target-sl)\n"
		 "  --threshold-s S     répondu en S secondes, 20 par défaut\n"
		 "  --patience-s S      patience moyenne, 120 par défaut ; 0 : "
		 "Erlang C\n"
		 "  --max-occupancy F   occupation maximale, 0.85 par défaut ; "
		 "0 : sans limite\n"
		 "  --shrinkage F       part du temps payé hors téléphone "
		 "(indisponibilité),\n"
		 "                      0.3 par défaut\n"
		 "  --aht-s S           DMT des lignes sans aht_s, en "
		 "secondes\n"
		 "  --interval-min N    minutes par ligne de la prévision : 15 "
		 "(par défaut),\n"
		 "                      30 ou 60\n"
		 "  --days N            jours à planifier depuis la première "
		 "date, de 1 à 7\n"
		 "                      (par défaut : les jours de la "
		 "prévision)\n"
		 "  --tz ZONE           fuseau IANA des instants de la "
		 "prévision\n"
		 "  --time-limit S      durée maximale de chaque résolution, "
		 "60 s par défaut\n"
		 "  --gap F             arrêt à cet écart relatif de "
		 "l'optimum, 0.005 par défaut\n"
		 "  --json, --csv       tout le résultat en JSON, ou le "
		 "planning nominatif en CSV\n"
		 "  --svg FICHIER       écrit un graphique de la couverture "
		 "(requis et planifié)\n"
		 "  --quiet             sans progression sur stderr\n"
		 "  --lang L            fr ou en (par défaut : selon "
		 "l'environnement)\n\n"
		 "Code de sortie : 0, 1 (un fichier, les données ou le "
		 "solveur), 2 (la ligne\nde commande).\n",
	.forecast_file = "--forecast FICHIER",
	.sites_file = "--sites FICHIER",
	.no_intervals = "%s : aucun intervalle",
	.too_long = "%s couvre %s jours ; un planning couvre au plus une "
		    "semaine (--days de 1 à 7)",
	.no_aht = "%s : file %s à %s : pas d'aht_s (donnez --aht-s)",
	.staffing = "%s : dimensionnement : %s",
	.progress = "%s s, meilleure %s, borne %s, écart %s %%, %s",
	.unassigned_warn =
		{"%s vacation n'a pu être attribuée à aucun conseiller dans le "
		 "respect des règles du travail ; elle figure parmi les "
		 "vacations non attribuées et ne compte pas dans la "
		 "couverture",
		 "%s vacations n'ont pu être attribuées à aucun conseiller "
		 "dans le respect des règles du travail ; elles figurent "
		 "parmi les vacations non attribuées et ne comptent pas dans "
		 "la couverture"},
	.field_error = "%s : %s : %s",
	.expected = "il faut %s",
	.object = "il faut un objet",
	.unknown_key = "clé inconnue",
	.true_false = "il faut true ou false",
	.queue_list = "il faut une liste de noms de files",
	.max_groups = "32 groupes au plus",
	.queue_names = "il faut des noms de files",
	.queue_twice = "file déjà dans un autre groupe",
	.groups_object = "il faut un objet : nom -> files",
	.queue_in_no_group = "cette file de la prévision n'est dans aucun "
			     "groupe",
	.hours = "il faut « HH:MM-HH:MM » au quart d'heure (la fin peut "
		 "dépasser minuit)",
	.days_list = "il faut une liste comme [\"mon\", \"tue\"]",
	.day_names = "il faut mon, tue, wed, thu, fri, sat ou sun",
	.group_list = "il faut une liste de noms de groupes",
	.no_group = "ce groupe n'est pas dans \"groups\"",
	.head_count = "il faut un effectif (de 0 à 100000) ou une liste de "
		      "noms",
	.names = "il faut des noms non vides",
	.name = "il faut un nom",
	.missing = "manquant",
	.site_list = "il faut une liste de 1 à 1000 sites",
	.status = {"optimal", "dans l'écart toléré",
		   "limite de temps atteinte"},
	.days = {"jour", "jours"},
	.sites = {"site", "sites"},
	.groups = {"groupe", "groupes"},
	.intervals = {"intervalle", "intervalles"},
	.agents = {"conseiller", "conseillers"},
	.nodes = {"nœud", "nœuds"},
	.title = "Planning du %s au %s (%s) : %s, %s\n",
	.staffing_head = "Dimensionnement : Erlang %s, %s %% en %s s",
	.patience = ", patience %s s",
	.occupancy = ", occupation <= %s %%",
	.shrinkage = ", indisponibilité %s %%\n",
	.solver = "Solveur : %s en %s s, écart %s %% (%s colonnes, %s "
		  "lignes, %s%s)\n",
	.heuristic = ", heuristique d'arrondi",
	.rounds = "Affectation : %s résolutions en %s s (les conseillers ne "
		  "pouvaient pas prendre toutes les vacations : leurs sites "
		  "ont reçu un budget d'heures)\n\n",
	.site_head = {"Site", "Type", "Effectif", "Utilisés", "Vacations",
		      "H payées", "Coût"},
	.total = "Total",
	.coverage = "Couverture de %s : requis %s h-conseiller, planifié %s, "
		    "manque %s (%s), excédent %s\n",
	.legend = "  conseillers par heure (pointe de ses quarts d'heure ; "
		  "r requis, p planifiés,\n  ! en manque)\n",
	.mark_required = "r",
	.mark_scheduled = "p",
	.roster = "Planning nominatif de %s\n",
	.agent = "Conseiller",
	.hours_head = "Heures",
	.idle = "(%s sans vacation)\n",
	.unassigned = "Vacations non attribuées (aucun conseiller ne pouvait "
		      "les prendre dans le\nrespect des règles)\n",
	.svg_title = " : conseillers requis (ligne rouge) et planifiés "
		     "(bleu), manque de %s h-conseiller (zone rouge)",
	.wdays = {"lun", "mar", "mer", "jeu", "ven", "sam", "dim"},
};

const struct schedule_words *schedule_words_get(const char *lang)
{
	return strcmp(lang, "fr") == 0 ? &fr : &en;
}
