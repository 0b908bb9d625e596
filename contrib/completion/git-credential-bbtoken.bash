# bash completion for git-credential-bbtoken              -*- shell-script -*-
# SPDX-License-Identifier: MIT
#
# Completes both spellings:
#
#   git credential-bbtoken <TAB>   git's completion calls _git_credential_bbtoken
#   git-credential-bbtoken <TAB>   registered below with `complete`
#
# Install as ~/.local/share/bash-completion/completions/git-credential-bbtoken
# (or the system completions directory): bash-completion then loads it on
# demand for either spelling.  Sourcing it from ~/.bashrc works too.
#
# Labels for `check`, `remove` and `rotate` come from `git credential-bbtoken
# list`, run with no graphical session so that completion can never raise a
# keyring prompt.

__bbtoken_commands='add check doctor init list lock migrate move remove rotate setup unlock'

# Where tokens can be kept (--store=), and where move can send them.
__bbtoken_stores='auto secretservice file'
__bbtoken_move_to='file secretservice'

# Options of each command; those ending in '=' take a value.  init's
# --key-file takes one or none, so it is offered both ways.
__bbtoken_opts_helper='--host= --warn-days= --api-url= --store='
__bbtoken_opts_add='--host= --label= --username= --workspace= --repo= --expires= --probe= --email= --stdin --no-verify'
__bbtoken_opts_check='--host= --json --probe='
__bbtoken_opts_doctor='--host= --online --fix --yes'
__bbtoken_opts_list='--host='
__bbtoken_opts_migrate='--host= --label= --expires= --probe= --stdin'
__bbtoken_opts_remove='--host='
__bbtoken_opts_rotate='--host= --stdin --expires= --probe= --no-verify --due'
__bbtoken_opts_setup='--unset'
__bbtoken_opts_init='--passphrase --key-file --key-file= --stdin'
__bbtoken_opts_unlock='--for= --stdin'
__bbtoken_opts_lock=''
__bbtoken_opts_move='--to= --host='

# Hosts the helper knows: bitbucket.org and those declared in git's config.
__bbtoken_hosts()
{
	printf '%s\n' bitbucket.org
	git config --get-all bbtoken.host 2>/dev/null
}

# Labels and fingerprints of stored tokens: the first and last column of
# `list`, after its header line; with an argument, the labels only.  With
# no display, a locked keyring makes `list` fail at once instead of
# prompting.
__bbtoken_labels()
{
	# No terminal prompt either: a locked file store would ask for its
	# passphrase in the middle of the command line.  The table ends with
	# an empty line or the line that names the store.
	DISPLAY= WAYLAND_DISPLAY= GIT_TERMINAL_PROMPT=0 \
	git credential-bbtoken list </dev/null 2>/dev/null |
	awk -v labels_only="${1-}" '
		$1 == "LABEL" { seen = 1; next }
		/^Tokens are kept in / { seen = 0 }
		seen && NF > 1 { print $1; if (labels_only == "") print $NF }'
}

# __bbtoken_reply WORDS CUR: offer those of WORDS that start with CUR,
# with no space after an option that takes a value.
__bbtoken_reply()
{
	if [[ -n ${__bbtoken_in_git-} ]] && declare -F __gitcomp >/dev/null; then
		# git's completion adds the spaces itself (it runs with -o nospace).
		__gitcomp "$1" "" "$2"
		return
	fi
	COMPREPLY=($(compgen -W "$1" -- "$2"))
	if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
		compopt -o nospace 2>/dev/null
	fi
}

# __bbtoken_complete CUR WORD... : complete CUR, the WORDs being those
# between the program name and CUR.
__bbtoken_complete()
{
	local cur=$1 cmd= w opts
	shift
	# Options before the first word belong to the helper line; $@ keeps
	# the words after the command.
	while [[ $# -gt 0 ]]; do
		w=$1
		shift
		case $w in
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done

	case $cmd in
	'')
		opts="$__bbtoken_opts_helper -h --help --version"
		if [[ $cur != -* ]]; then
			__bbtoken_reply "$__bbtoken_commands" "$cur"
			return
		fi
		;;
	get|store|erase)
		opts=$__bbtoken_opts_helper ;;
	add)	opts=$__bbtoken_opts_add ;;
	check)	opts=$__bbtoken_opts_check ;;
	doctor)	opts=$__bbtoken_opts_doctor ;;
	list)	opts=$__bbtoken_opts_list ;;
	migrate) opts=$__bbtoken_opts_migrate ;;
	remove)	opts=$__bbtoken_opts_remove ;;
	rotate)	opts=$__bbtoken_opts_rotate ;;
	setup)	opts=$__bbtoken_opts_setup ;;
	init)	opts=$__bbtoken_opts_init ;;
	unlock)	opts=$__bbtoken_opts_unlock ;;
	lock)	opts=$__bbtoken_opts_lock ;;
	move)	opts=$__bbtoken_opts_move ;;
	*)	return ;;
	esac

	# A command takes each option once (only the helper line repeats
	# --host), and --workspace and --repo exclude each other, as do
	# init's --passphrase and --key-file (--stdin goes with the first).
	# rotate --due takes only --host, and no label.
	if [[ -n $cmd ]]; then
		opts=" $opts "
		for w in "$@"; do
			case $w in
			--workspace=*|--repo=*)
				opts=${opts/ --workspace= / }
				opts=${opts/ --repo= / } ;;
			--passphrase)
				opts=${opts/ --passphrase / }
				opts=${opts/ --key-file / }
				opts=${opts/ --key-file= / } ;;
			--key-file|--key-file=*)
				opts=${opts/ --key-file / }
				opts=${opts/ --key-file= / }
				opts=${opts/ --passphrase / }
				opts=${opts/ --stdin / } ;;
			--due)	opts=" --host= "
				[[ $cmd == rotate && $* == *--host=* ]] && opts=' ' ;;
			--*=*)	opts=${opts/ ${w%%=*}= / } ;;
			--*)	opts=${opts/ $w / } ;;
			*)	[[ $cmd == rotate ]] && opts=${opts/ --due / } ;;
			esac
		done
		# doctor --yes answers the questions of --fix: only after it.
		[[ $cmd == doctor && " $* " != *" --fix "* ]] && opts=${opts/ --yes / }
	fi

	case $cur in
	--host=*)
		# Readline has split the word at '=' (and at ':' before a port):
		# the replies complete only what follows the last break.
		w=${cur#--host=}
		__bbtoken_reply "$(__bbtoken_hosts)" "$w"
		if [[ $w == *:* && $COMP_WORDBREAKS == *:* ]]; then
			w=${w%"${w##*:}"}
			COMPREPLY=("${COMPREPLY[@]#"$w"}")
		fi
		return ;;
	--store=*)
		# Only before the command: a command's own options come after it.
		[[ -z $cmd ]] && __bbtoken_reply "$__bbtoken_stores" "${cur#--store=}"
		return ;;
	--to=*)
		[[ $cmd == move ]] && __bbtoken_reply "$__bbtoken_move_to" "${cur#--to=}"
		return ;;
	--*=*)
		return ;;
	-*)
		[[ -n $cmd ]] && opts="$opts -h"
		__bbtoken_reply "$opts" "$cur"
		return ;;
	esac

	# remove and rotate take one label or fingerprint, and rotate none
	# with --due; check takes any number of labels, each once.
	case $cmd in
	remove|rotate)
		for w in "$@"; do
			[[ $w == -* && $w != --due ]] || return
		done
		__bbtoken_reply "$(__bbtoken_labels)" "$cur"
		;;
	check)
		local labels=" $(__bbtoken_labels labels-only | tr '\n' ' ') "
		for w in "$@"; do
			[[ $w == -* ]] || labels=${labels/ "$w" / }
		done
		__bbtoken_reply "$labels" "$cur"
		;;
	esac
}

# Called by git's completion for `git credential-bbtoken`, with its own
# words, cword and cur (where '=' does not split a word) and __git_cmd_idx
# pointing at "credential-bbtoken".
_git_credential_bbtoken()
{
	local __bbtoken_in_git=1
	local i=$((${__git_cmd_idx:-1} + 1))
	__bbtoken_complete "$cur" "${words[@]:i:cword-i}"
}

# The program run directly.
_git_credential_bbtoken_direct()
{
	local cur words cword
	if declare -F _get_comp_words_by_ref >/dev/null; then
		_get_comp_words_by_ref -n =: cur words cword
	else
		# Without bash-completion, split the line at blanks only, so that
		# "--host=h" stays one word as it does above.
		local line=${COMP_LINE:0:COMP_POINT}
		read -ra words <<<"$line"
		if [[ -z $line || $line == *[[:blank:]] ]]; then
			cur=
			cword=${#words[@]}
		else
			cur=${words[${#words[@]}-1]}
			cword=$((${#words[@]} - 1))
		fi
	fi
	COMPREPLY=()
	__bbtoken_complete "$cur" "${words[@]:1:cword-1}"
}

complete -F _git_credential_bbtoken_direct git-credential-bbtoken
