# Sourced by the KVM shell tests: skip (exit 77, one line saying why) where this host
# cannot run tern's microvm guests. The host is probed at run time, never assumed.

# kvm_host_or_skip: an x86-64 host with a /dev/kvm this user may open
kvm_host_or_skip() {
    [ "$(uname -m)" = x86_64 ] || { echo "not an x86-64 host"; exit 77; }
    [ -e /dev/kvm ] || { echo "no /dev/kvm on this host"; exit 77; }
    [ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "no permission to use /dev/kvm"; exit 77; }
}

# kvm_caps_or_skip TERN HELLO_ELF: ask tern itself what this host's KVM can do; a KVM
# without a capability tern needs (tern names it) is a skip, not a failure
kvm_caps_or_skip() {
    local probe
    probe=$(timeout 30 "$1" -M microvm -m 64M -nographic -serial stdio -kernel "$2" </dev/null 2>&1)
    if grep -q "this host's KVM lacks" <<<"$probe"; then
        grep -o "this host's KVM lacks.*" <<<"$probe" | head -1
        exit 77
    fi
}
