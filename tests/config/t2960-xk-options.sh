#!/bin/sh
# t2960-xk-options - every command's options, one source of truth: each
# long option of a command's getopt_long table (src/cmd-*.c) is in its
# usage line (xk help CMD) and its man page (doc/xk-CMD.1.scd), the usage
# line names no option the command does not take, and every command
# reports an unknown option and an option missing its value the same way.
#   t2960-xk-options.sh XK BUILD-DIR
#
# Which options a command takes is read from the source: a table inside
# its handler (cmd_lab_up) is that command's own; a table at file level
# is shared by the file's commands (cmd-snapshot.c), whose usage lines
# together must name each of its options once at least.  An option whose
# value (the table's last field) repeats an earlier one's is an alias
# (create's --hook for --hooks): it need not be documented.
set -u
XK=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# ok, notok, finish
. "$(dirname "$0")/../lib.sh"

# Commands not yet reporting bad options the common way, with why; their
# checks run and print, counted as skipped (# TODO) while they fail.
todo_bad_option() {
	case $1 in
	*) return 1 ;;
	esac
}

# expect NAME WANT-STATUS FIXED-STRING CMD...: a usage error check.
expect() {
	name=$1 want=$2 msg=$3
	shift 3
	"$@" >"$tmp/out" 2>&1 </dev/null
	got=$?
	if [ "$got" -eq "$want" ] && grep -qF -- "$msg" "$tmp/out"; then
		if reason=$(todo_bad_option "$cmd"); then
			echo "ok - $name # TODO passes now: take it off the list"
			passed=$((passed + 1))
		else
			ok "$name"
		fi
		return
	fi
	if reason=$(todo_bad_option "$cmd"); then
		echo "not ok - $name # TODO $reason"
		skipped=$((skipped + 1))
	else
		notok "$name (status $got, want $want and: $msg)"
	fi
	sed 's/^/#   /' "$tmp/out" | head -n 3
}

# The entries of XK_EVENT_OPTIONS (src/event-opts.h), which commands put
# in their own tables: read as if written there.
sed -n '/^#define XK_EVENT_OPTIONS/,/[^\\]$/p' "$top/src/event-opts.h" |
    grep '{ "' >"$tmp/event-opts"
[ -s "$tmp/event-opts" ] || notok "no XK_EVENT_OPTIONS in src/event-opts.h"

# Every long option in the source: FILE FUNCTION NAME KIND VALUE, one a
# line; FUNCTION is "-" for a table at file level.
for f in "$top"/src/cmd-*.c; do
	sed "/^[[:space:]]*XK_EVENT_OPTIONS,/{
r $tmp/event-opts
d
}" "$f" | awk -v file="$(basename "$f")" '
	/^[A-Za-z_][A-Za-z0-9_]*\(/ { fn = $0; sub(/\(.*/, "", fn) }
	/^}/ { fn = "" }
	/\{ *"[a-z0-9-]+", *(no|required|optional)_argument,/ {
		line = $0
		sub(/^[^"]*"/, "", line)
		name = line; sub(/".*/, "", name)
		kind = line; sub(/^[^,]*, */, "", kind); sub(/,.*/, "", kind)
		val = line; sub(/ *}.*/, "", val); sub(/.*, */, "", val)
		print file, (fn == "" ? "-" : fn), name, kind, val
	}'
done >"$tmp/options"
[ -s "$tmp/options" ] || { notok "no option tables found in src/"; exit 1; }

# Every command path with a handler: "cfg show", "monitor", ...
"$XK" help | sed -n 's/^  \([a-z]*\) .*/\1/p' >"$tmp/top"
while read -r c; do
	[ "$c" = help ] || [ "$c" = version ] && continue
	subs=$("$XK" help "$c" | sed -n '/^subcommands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
	if [ -n "$subs" ]; then
		for s in $subs; do echo "$c $s"; done
	else
		echo "$c"
	fi
done <"$tmp/top" >"$tmp/commands"
[ "$(wc -l <"$tmp/commands")" -ge 10 ] ||
    notok "too few commands found: $(cat "$tmp/commands")"

# usage CMD: the usage line of a command, what follows "usage: xk CMD"
# (CMD's words, "lab up", split on purpose here and below)
usage() {
	# shellcheck disable=SC2086
	"$XK" help $1 | sed -n '1s/^usage: xk //p'
}

# has_option TEXT NAME: does TEXT name --NAME (not a longer option)?
has_option() {
	printf '%s\n' "$1" | grep -Eq -- "--$2([^a-z0-9-]|\$)"
}

# options_of FILE FUNCTION: NAME KIND of the table's non-alias options
options_of() {
	awk -v file="$1" -v fn="$2" '$1 == file && $2 == fn && !seen[$5]++ {
		print $3, $4 }' "$tmp/options"
}

checked=0
while read -r cmd; do
	handler=cmd_$(echo "$cmd" | tr ' ' '_')
	file=$(grep -l "^$handler(" "$top"/src/cmd-*.c | head -n 1)
	if [ -z "$file" ]; then
		notok "$cmd: no handler $handler( in src/cmd-*.c"
		continue
	fi
	file=$(basename "$file")
	man=$top/doc/xk-${cmd%% *}.1.scd
	line=$(usage "$cmd")
	own=$(options_of "$file" "$handler")
	if [ -n "$own" ] || ! options_of "$file" - | grep -q .; then
		scope=$handler
	else
		scope=-
	fi
	options_of "$file" "$scope" >"$tmp/mine"
	echo "$file|$cmd|$line" >>"$tmp/usages"
	# each option of its own table is in its usage line and man page
	while read -r name kind; do
		checked=$((checked + 1))
		if [ "$scope" != - ] && ! has_option "$line" "$name"; then
			notok "$cmd: --$name not in its usage line: $line"
		elif ! grep -q -- "\*--$name\*" "$man"; then
			notok "$cmd: --$name not in $(basename "$man")"
		else
			ok "$cmd: --$name in its usage line and man page"
		fi
		# a missing value is reported as such (once per option taken)
		if [ "$kind" = required_argument ] && has_option "$line" "$name"
		then
			# shellcheck disable=SC2086
			expect "$cmd --$name without a value" 2 \
			    "xk: $cmd: option '--$name' needs a value" \
			    "$XK" $cmd "--$name"
		fi
	done <"$tmp/mine"
	# the usage line names only options the command takes
	for o in $(printf '%s\n' "$line" | grep -Eo -- '--[a-z0-9-]+'); do
		if grep -q "^${o#--} " "$tmp/mine"; then
			ok "$cmd: usage's $o is an option it takes"
		else
			notok "$cmd: usage names $o, which $handler does not take"
		fi
	done
	# shellcheck disable=SC2086
	expect "$cmd --no-such-option" 2 \
	    "xk: $cmd: unknown option '--no-such-option'" \
	    "$XK" $cmd --no-such-option
done <"$tmp/commands"

# a table shared by a file's commands: each option in one usage line
awk '$2 == "-" { print $1 }' "$tmp/options" | sort -u >"$tmp/shared-files"
while read -r file; do
	grep "^$file|" "$tmp/usages" >"$tmp/theirs"
	options_of "$file" - >"$tmp/shared"
	while read -r name kind; do
		if has_option "$(cat "$tmp/theirs")" "$name"; then
			ok "$file: --$name in a usage line"
		else
			notok "$file: --$name in no usage line of its commands"
		fi
	done <"$tmp/shared"
done <"$tmp/shared-files"

[ "$checked" -ge 30 ] || notok "only $checked options checked"
finish
