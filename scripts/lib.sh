# Helpers the scripts share; `source scripts/lib.sh` from the repository's
# root. Not a command of its own.

# Prints a heading for the next step of a long script. Under a command that
# times its steps (STEP_LOG, set by start_step_log), it also notes when the
# step began, with the script's name: a script's steps, and those of the
# scripts it runs, then end where the next one begins. It also notes the
# disk's free space then, so a run that fills the disk shows which steps
# took it.
step() {
    printf '\n==> %s\n' "$*"
    if [[ -n ${STEP_LOG:-} ]]; then
        printf '%s\t%s\t%s\t%s\n' "$(date +%s.%N)" "$(basename "$0")" "$*" "$(disk_free_gb)" >>"$STEP_LOG"
    fi
}

# Makes the steps of this script and of every script it runs be timed
# (see `step`), unless a script that runs this one already does.
start_step_log() {
    if [[ -z ${STEP_LOG:-} ]]; then
        STEP_LOG=$(mktemp "${TMPDIR:-/tmp}/steps.XXXXXX")
        export STEP_LOG
    fi
}

# Prints where the time went: one line per step, in minutes and seconds,
# each from its start to the next step's, with the GB free on the disk of
# target/ when it began, and the total. With a non-zero
# exit status, it first says which step failed, after how long. Call it
# from an EXIT trap: `trap 'report_steps $?' EXIT`.
report_steps() {
    local status=$1
    [[ -n ${STEP_LOG:-} && -s $STEP_LOG ]] || return 0
    awk -F'\t' -v now="$(date +%s.%N)" -v status="$status" -v own="$(basename "$0")" '
        function clock(s) { s = int(s + 0.5); return sprintf("%d:%02d", int(s / 60), s % 60) }
        { start[NR] = $1; script[NR] = $2; name[NR] = $3; free[NR] = $4 }
        END {
            if (NR == 0) exit
            for (i = 1; i <= NR; i++) seconds[i] = (i < NR ? start[i + 1] : now) - start[i]
            if (status != 0)
                printf "\n==> FAILED (exit status %d) in step \"%s\", after %s in that step\n", status, name[NR], clock(seconds[NR])
            printf "\n==> where the time went (minutes:seconds), and the GB free on the disk when each step began\n"
            for (i = 1; i <= NR; i++) {
                label = (script[i] == own ? "" : "  " script[i] ": ") name[i]
                if (length(label) > 100) label = substr(label, 1, 97) "..."
                printf "%7s  %6s GB  %s\n", clock(seconds[i]), free[i], label
            }
            printf "%7s  %6s     total%s\n", clock(now - start[1]), "", (status != 0 ? " (failed)" : "")
        }' "$STEP_LOG" >&2
    rm -f "$STEP_LOG"
}

# A build that runs out of disk fails in odd ways (a linker killed by
# SIGBUS), so the test command warns at its start when the disk is short
# (warn_if_disk_short) and says at its end what it used (report_disk).

# GB free on the disk of target/, to one decimal.
disk_free_gb() {
    mkdir -p target
    df --output=avail --block-size=1M target | awk 'NR == 2 { printf "%.1f", $1 / 1024 }'
}

# Warns when the disk of target/ has less than `$1` GB free.
warn_if_disk_short() {
    local free
    free=$(disk_free_gb)
    if awk -v free="$free" -v need="$1" 'BEGIN { exit !(free < need) }'; then
        printf 'warning: only %s GB free on the disk of target/; a run from a fresh checkout needs about %s GB\n' "$free" "$1" >&2
    fi
}

# GB the folder $1 holds, to one decimal.
gb_held() {
    du -s --block-size=1M "$1" 2>/dev/null | awk '{ printf "%.1f", $1 / 1024 }'
}

# Prints how much target/ holds and how much its disk has free, in GB.
report_disk() {
    printf '==> disk: target/ holds %s GB; %s GB free\n' "$(gb_held target)" "$(disk_free_gb)" >&2
}

# Prints what a script is doing within a step.
note() { printf -- '--> %s\n' "$*"; }

# Stops the script with a message on standard error.
fail() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Installs Debian packages, without questions, as root (through sudo when
# the script is not root). Arguments are apt-get's: options may come first.
# The package lists are updated once per run of the scripts (APT_UPDATED).
install_debian_packages() {
    local as_root=()
    if [[ $(id -u) -ne 0 ]]; then
        as_root=(sudo)
    fi
    if [[ -z ${APT_UPDATED:-} ]]; then
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
        export APT_UPDATED=1
    fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
    # The downloaded packages are of no more use, and take hundreds of MB.
    "${as_root[@]}" apt-get clean
}

# Installs those of the named Debian packages that are not installed yet,
# in one apt-get call. Options for apt-get may come first.
install_missing_debian_packages() {
    local options=() missing=() package
    while [[ ${1:-} == -* ]]; do
        options+=("$1")
        shift
    done
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$package")
    done
    if ((${#missing[@]} > 0)); then
        install_debian_packages "${options[@]}" "${missing[@]}"
    fi
}

# Installs a pinned tool from crates.io with the Cargo.lock it was published
# with: `cargo_install_pinned mdbook --version 0.5.4`, with `cargo install`'s
# arguments. Built without optimisation or debug information: these tools do
# little work (a small book, one browser), and an optimised build of each
# takes two to three times as long on two cores. They share one target
# folder, so a dependency that two of them lock at one version is built once.
cargo_install_pinned() {
    CARGO_TARGET_DIR="$PWD/target/tool-builds" CARGO_PROFILE_DEV_DEBUG=0 \
        cargo install --locked --debug "$@"
}

# Removes that shared target folder, of no more use once the tools are
# installed (the book's three leave about 1 GB in it): a script calls it
# after its last cargo_install_pinned.
forget_tool_builds() {
    rm -rf "$PWD/target/tool-builds"
}

# The chapters' package names, one a line: every chapters/chapter-N.
chapter_packages() {
    local dir
    for dir in chapters/chapter-*/; do
        basename "$dir"
    done | sort -V
}

# `-p chapter-1 -p chapter-2 …`: every chapter, as cargo's arguments.
chapter_package_args() {
    local package
    for package in $(chapter_packages); do
        printf -- '-p\n%s\n' "$package"
    done
}

# Runs the calling script again under scripts/with-redis (a throwaway Redis
# for chapter 5, stopped at the end), unless one is already given in
# SESSIONS_TEST_REDIS_URL. Call it as `rerun_with_redis "$@"`.
rerun_with_redis() {
    if [[ -z ${SESSIONS_TEST_REDIS_URL:-} ]]; then
        step "Redis for chapter 5 (scripts/with-redis)"
        exec scripts/with-redis "scripts/$(basename "$0")" "$@"
    fi
}
