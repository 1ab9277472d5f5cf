#!/usr/bin/env bash
# Every name the core library exports carries its module's prefix:
# engine_pool.c exports engine_*, holtwinters.c holtwinters_*... so that
# the core can be linked beside libre and the SIP stack without clashes.
# Usage: core_names.sh path/to/librelais_core.a
set -u
lib=$1
bad=0
while read -r obj sym; do
	mod=${obj%.c.o}
	mod=${mod%.o}
	case "$sym" in
	"${mod}"_* | "${mod%%_*}"_*) ;;
	*)
		echo "core_names: $mod.c exports $sym without the prefix ${mod%%_*}_" >&2
		bad=$((bad + 1))
		;;
	esac
done < <(nm -A -g --defined-only "$lib" |
	awk '$(NF-1) ~ /^[TDBR]$/ { split($1, p, ":"); print p[2], $NF }')
if [ "$bad" -ne 0 ]; then
	echo "core_names: $bad name(s) without their module's prefix" >&2
	exit 1
fi
echo "core_names: every exported name has its module's prefix"
