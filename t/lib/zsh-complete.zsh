#!/bin/zsh -f
# SPDX-License-Identifier: MIT
#
# zsh-complete.zsh DIR OUT LINE: press TAB after LINE in an interactive
# zsh whose completion system has the functions of DIR first in $fpath,
# and write to OUT every match offered, one per line, as the completion
# functions handed them to compadd.
#
# The shell runs in a pseudo-terminal of zsh's own (zsh/zpty), so what
# is tested is the real compsys, _arguments and _git included; only
# compadd is wrapped, to record its matches (-O) before adding them.
zmodload zsh/zpty || exit 1
dir=$1 out=$2 line=$3
: >"$out" || exit 1
zpty z zsh -f -i || exit 1
zpty -w z "PS1='' PS2='' PROMPT_EOL_MARK=''; fpath=(${(q)dir} \$fpath)"
zpty -w z "autoload -Uz compinit && compinit -u -D"
zpty -w z "zstyle ':completion:*' menu no; LISTMAX=10000"
zpty -w z "compadd () { local -a m; builtin compadd -O m \"\$@\";" \
	"(( \$#m )) && print -rl -- \"\${m[@]}\" >>${(q)out};" \
	"builtin compadd \"\$@\" }"
# The markers are typed quoted: the terminal echoes what is typed before
# zle takes it over, and only the shell's own output may match.
zpty -w z "print RE\"\"ADY"
zpty -r z reply '*READY*' || exit 1
zpty -w -n z "$line"$'\t'
zpty -w z $'\C-u'"print DO\"\"NE"
zpty -r z reply '*DONE*' || exit 1
zpty -d z
