/*
 * msg — see msg.h.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/msg.h"

static const struct msgs en = {
	.lang = "en",
	.demo_usage =
		"usage: relais demo [--speed N | --fast] [--seed N] "
		"[--lang fr|en]\n\n"
		"Routes a day of a small outsourced contact centre (two "
		"clients, Paris and\nCasablanca, a dozen agents, voice, chat "
		"and email) through the routing\nengine on a virtual clock, "
		"and prints a summary every 15 minutes.\n\n"
		"  --speed N   virtual seconds per real second (default 1800)\n"
		"  --fast      no waiting: run the day as fast as possible\n"
		"  --seed N    random seed (default 42)\n"
		"  --lang L    fr or en (default: from the environment)\n",
	.intro = "relais demo - Monday 30 November 2026, Paris time: the "
		 "centre of\n'relais serve --demo'. Clients: AssurMax "
		 "(insurer, open around the clock),\nTelecom Plus (operator, "
		 "open 08:00-22:00; closed voice queues take voicemail).\n"
		 "Sites: Paris (onshore), Casablanca (offshore). Service "
		 "level: answered within 20 s.",
	.tick_head = "time   waiting offered handled abandoned  SL%   "
		     "|   free   busy   wrap paused",
	.table_head = "queue             channel offered handled abandon "
		      "voicem  SL%  ASA(s)",
	.footer = "Every figure above came from the engine that routes "
		  "production traffic.\nNext: 'make test' runs the tests; "
		  "'relais --help' lists the commands.",
	.serve_demo =
		"\nrelais demo centre: two clients (AssurMax, Telecom Plus), "
		"Paris and Casablanca,\n12 agents, voice/chat/email queues.\n"
		"  API      %s  (OpenAPI: docs/openapi.yaml)\n"
		"  logins   admin / admin-demo, supervisor / supervisor-demo,\n"
		"           agent01 ... agent12 / agent01-demo ..., "
		"client-assurmax / client-assurmax-demo,\n"
		"           client-telecom / client-telecom-demo, integration "
		"/ "
		"integration-demo\n"
		"  try      curl -s -X POST %sapi/v1/session -H "
		"'Content-Type: application/json' \\\n"
		"                -d '{\"username\":\"admin\",\"password\":"
		"\"admin-demo\"}'\n"
		"  stop     Ctrl-C (the data stays in the --data folder)\n",
};

static const struct msgs fr = {
	.serve_demo =
		"\ncentre de démonstration relais : deux clients (AssurMax, "
		"Télécom Plus), Paris et\nCasablanca, 12 conseillers, files "
		"voix/chat/e-mail.\n"
		"  API          %s  (OpenAPI : docs/openapi.yaml)\n"
		"  identifiants admin / admin-demo, supervisor / "
		"supervisor-demo,\n"
		"               agent01 ... agent12 / agent01-demo ..., "
		"client-assurmax / client-assurmax-demo,\n"
		"               client-telecom / client-telecom-demo, "
		"integration / integration-demo\n"
		"  essayer      curl -s -X POST %sapi/v1/session -H "
		"'Content-Type: application/json' \\\n"
		"                    -d '{\"username\":\"admin\",\"password\":"
		"\"admin-demo\"}'\n"
		"  arrêter      Ctrl-C (les données restent dans le dossier "
		"--data)\n",
	.lang = "fr",
	.demo_usage =
		"usage : relais demo [--speed N | --fast] [--seed N] "
		"[--lang fr|en]\n\n"
		"Fait passer une journée d'un petit centre de contacts "
		"externalisé (deux\nclients, Paris et Casablanca, une douzaine "
		"de conseillers, voix, chat et\ne-mail) par le moteur de "
		"routage, sur une horloge virtuelle, et affiche un\nbilan "
		"tous les quarts d'heure.\n\n"
		"  --speed N   secondes virtuelles par seconde réelle (1800 "
		"par défaut)\n"
		"  --fast      sans attendre : la journée au plus vite\n"
		"  --seed N    graine du hasard (42 par défaut)\n"
		"  --lang L    fr ou en (par défaut : selon l'environnement)\n",
	.intro = "relais demo - lundi 30 novembre 2026, heure de Paris : le "
		 "centre de\n'relais serve --demo'. Clients : AssurMax "
		 "(assureur, ouvert jour et nuit),\nTélécom Plus (opérateur, "
		 "ouvert de 08:00 à 22:00 ; hors horaires, messagerie\nvocale "
		 "pour la voix). Sites : Paris (onshore), Casablanca "
		 "(offshore).\nNiveau de service : répondu en moins de 20 s.",
	.tick_head = "heure  attente   reçus traités  abandons  NS%   "
		     "| libres occup. post-a. pause",
	.table_head = "file              canal     reçus traités abandon "
		      "messag  NS%  ASA(s)",
	.footer = "Chaque chiffre ci-dessus vient du moteur qui route le "
		  "trafic de production.\nEnsuite : 'make test' lance les "
		  "tests ; 'relais --help' liste les commandes.",
};

static const char *env_lang(void)
{
	static const char *const vars[] = {"RELAIS_LANG", "LC_ALL",
					   "LC_MESSAGES", "LANG"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return v;
	}
	return "en";
}

const struct msgs *msgs_get(const char *lang)
{
	if (!lang)
		lang = env_lang();
	return strncmp(lang, "fr", 2) == 0 ? &fr : &en;
}

void msg_fill(char *out, size_t size, const char *tmpl, const char *const *args)
{
	size_t n = 0;

	for (const char *p = tmpl; *p && n + 1 < size; p++) {
		const char *s = NULL;

		if (p[0] == '%' && p[1] == 's')
			s = *args++;
		else if (p[0] == '%' && p[1] == '%')
			s = "%";
		if (!s) {
			out[n++] = *p;
			continue;
		}
		p++;
		for (; *s && n + 1 < size; s++)
			out[n++] = *s;
	}
	out[n] = '\0';
}

void msg_say(FILE *f, const char *tmpl, const char *const *args)
{
	char buf[1024];

	msg_fill(buf, sizeof(buf), tmpl, args);
	fputs(buf, f);
}
