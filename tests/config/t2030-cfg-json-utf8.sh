#!/bin/sh
# t2030-cfg-json-utf8 - JSON output never drops what is not UTF-8
# (issue 21, item 9): xk cfg show --json refuses a value JSON cannot
# hold, with its place and before writing anything; xk cfg check --json
# escapes file names and messages as \xNN; valid UTF-8 passes unchanged;
# a document that cannot be written fails the command.
#   t2030-cfg-json-utf8.sh XK BUILD-DIR
set -u
XK=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() {
	echo "ok - $1"
	passed=$((passed + 1))
}

not_ok() {
	echo "not ok - $1"
	sed 's/^/#   /' "$tmp/out" "$tmp/err" | head -n 10
	failed=$((failed + 1))
}

# refused NAME CONTENT PATTERN: show --json fails, says PATTERN on
# stderr and writes nothing on stdout
refused() {
	# shellcheck disable=SC2059 # CONTENT is a format: its \ooo bytes
	printf "$2" >"$tmp/f.cfg"
	"$XK" cfg show --json "$tmp/f.cfg" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ "$st" -eq 1 ] && [ ! -s "$tmp/out" ] &&
	    grep -Eq -- "$3" "$tmp/err"; then
		ok "$1"
	else
		not_ok "$1 (status $st)"
	fi
}

refused "invalid byte in a mapped key" 'name="a\377b"\nmemory=512\n' \
    'f\.cfg:1:6: name: the string is not valid UTF-8 \(byte 0xff at offset 1\)'
refused "invalid byte in an unknown key's nested list" \
    'x = [ "ok", [ "\303\251", "\300\257" ] ]\n' \
    'f\.cfg:1:21: x: the string is not valid UTF-8 \(byte 0xc0 at offset 0\)'
refused "UTF-16 surrogate encoded in UTF-8" 'x = "\355\240\200"\n' \
    'f\.cfg:1:5: x: .*not valid UTF-8 \(byte 0xed'
refused "truncated sequence at the end of a string" 'x = "ab\342\202"\n' \
    'f\.cfg:1:5: x: .*not valid UTF-8 \(byte 0xe2 at offset 2\)'

printf 'name = "caf\303\251 \360\237\230\200"\nx = [ "\342\202\254" ]\n' \
    >"$tmp/good.cfg"
if "$XK" cfg show --json "$tmp/good.cfg" >"$tmp/out" 2>"$tmp/err" &&
    [ "$(jq -r .name "$tmp/out")" = "$(printf 'caf\303\251 \360\237\230\200')" ] &&
    [ "$(jq -r '.settings.x[0]' "$tmp/out")" = "$(printf '\342\202\254')" ]
then
	ok "valid UTF-8 kept as it is"
else
	not_ok "valid UTF-8 kept as it is"
fi

# a document that could not be written is a failure, not a success
if [ -w /dev/full ]; then
	"$XK" cfg show --json "$tmp/good.cfg" >/dev/full 2>"$tmp/err"
	st=$?
	: >"$tmp/out"
	if [ "$st" -eq 1 ] && grep -q 'writing the JSON document' "$tmp/err"
	then
		ok "show --json into a full disk fails"
	else
		not_ok "show --json into a full disk fails (status $st)"
	fi
	"$XK" cfg check --json "$tmp/good.cfg" >/dev/full 2>"$tmp/err"
	st=$?
	if [ "$st" -eq 1 ] && grep -q 'writing the JSON document' "$tmp/err"
	then
		ok "check --json into a full disk fails"
	else
		not_ok "check --json into a full disk fails (status $st)"
	fi
fi

# check --json: every file has its entry, escaped where it is not UTF-8
printf 'memory = "a\377"\n' >"$tmp/bad-value.cfg"
bad_name=$(printf '%s/n\376.cfg' "$tmp")
printf 'name = "x"\n' >"$bad_name"
"$XK" cfg check --json "$tmp/bad-value.cfg" "$bad_name" "$tmp/good.cfg" \
    >"$tmp/out" 2>"$tmp/err"
if [ "$(jq length "$tmp/out")" = 3 ] &&
    [ "$(jq -r '.[0].error' "$tmp/out")" = \
    "$tmp/bad-value.cfg:1:10: memory: 'a\\xff' is not a number" ] &&
    [ "$(jq -r '.[1].file' "$tmp/out")" = "$tmp/n\\xfe.cfg" ] &&
    [ "$(jq -r '.[1].ok' "$tmp/out")" = true ] &&
    [ "$(jq -r '.[2].ok' "$tmp/out")" = true ]
then
	ok "check --json keeps every file, escaped"
else
	not_ok "check --json keeps every file, escaped"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
