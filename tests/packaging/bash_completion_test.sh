#!/usr/bin/env bash
# Checks packaging/docdb.bash-completion against the programs just built: what it offers
# at each level is what their --help lists. Arguments: the completion file, then the
# directories holding docdbctl, docdbsh, docdbd and walinspect.
set -euo pipefail
completion=$1
shift
for dir in "$@"; do PATH="$dir:$PATH"; done
# shellcheck source=/dev/null
source "$completion"

# Completes the words given (the last one being completed); prints the offers sorted.
offers() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _docdb
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {  # expect "<offers>" <words...>
  local want=$1
  shift
  local got
  got=$(offers "$@" | tr '\n' ' ' | sed 's/ $//')
  if [ "$got" != "$want" ]; then
    echo "completing '$*': got '$got', want '$want'" >&2
    exit 1
  fi
}

expect "checkpoint collections compact" docdbctl c
expect "create drop list" docdbctl dbs ""
expect "create" docdbctl --json collections cr
expect "--data-dir --db" docdbsh --d
expect "--bail" docdbsh --b
expect "dump" walinspect du
expect "--config" docdbd --conf
# After an option that takes a path, files are offered.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
touch "$work/docdb.sock"
expect "$work/docdb.sock" docdbctl --socket "$work/docdb."
# Every subcommand docdbctl lists is offered.
listed=$(docdbctl --help | awk '/^Subcommands:/ {s = 1; next} s && /^  [a-z]/ {print $1}' | sort)
[ "$(offers docdbctl "")" != "" ]
for sub in $listed; do offers docdbctl "" | grep -qxF "$sub" || { echo "no $sub" >&2; exit 1; }; done
echo "bash completion offers what the programs list"
