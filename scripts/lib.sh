# Helpers the scripts share; `source scripts/lib.sh` from the repository's
# root. Not a command of its own.

# Prints a heading for the next step of a long script.
step() { printf '\n==> %s\n' "$*"; }

# Prints what a script is doing within a step.
note() { printf -- '--> %s\n' "$*"; }

# Stops the script with a message on standard error.
fail() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Installs Debian packages, without questions, as root (through sudo when
# the script is not root). Arguments are apt-get's: options may come first.
install_debian_packages() {
    local as_root=()
    if [[ $(id -u) -ne 0 ]]; then
        as_root=(sudo)
    fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
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
