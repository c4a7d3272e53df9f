/* args.c - turning command-line words and JSON files into reports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "common.h"
#include "ctlproto.h"
#include "names.h"

int antt_args_values(int argc, char **argv, json_t **out)
{
	json_t *vals = json_object();
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq) {
			antt_cli_err("'%s' is not CODE=VALUE (for example hop_dan=3)", argv[i]);
			json_decref(vals);
			return EX_USAGE;
		}
		*eq = '\0';
		const char *code = argv[i], *val = eq + 1;
		int bad = !*val;
		unsigned long long v = 0;
		for (const char *p = val; *p && !bad; p++) {
			if (*p < '0' || *p > '9')
				bad = 1;
			else if (v > (ANTT_VALUE_MAX - (unsigned)(*p - '0')) / 10)
				bad = 2;
			else
				v = v * 10 + (unsigned)(*p - '0');
		}
		if (!antt_valid_name(code)) {
			antt_cli_err("'%s' is not an indicator code (see 'antt forms')", code);
			json_decref(vals);
			return EX_USAGE;
		}
		if (bad) {
			if (bad == 2)
				antt_cli_err("%s=%s: the value is larger than %llu", code, val,
				             (unsigned long long)ANTT_VALUE_MAX);
			else
				antt_cli_err("%s=%s: the value must be a whole number of 0 or more",
				             code, val);
			json_decref(vals);
			return EXIT_REFUSED;
		}
		if (json_object_get(vals, code)) {
			antt_cli_err("%s is given twice", code);
			json_decref(vals);
			return EX_USAGE;
		}
		json_object_set_new(vals, code, json_integer((json_int_t)v));
		*eq = '=';
	}
	*out = vals;
	return 0;
}
