/*
 * -netdev user: QEMU's user-mode networking on libslirp (DHCP, DNS, NAT to the host's
 * sockets, hostfwd and guestfwd), with libslirp's sockets and timers in tern's main loop.
 */
#ifndef TERN_NET_SLIRP_H
#define TERN_NET_SLIRP_H

#include <stdbool.h>
#include <stddef.h>
#include "core/opts.h"

/* -netdev user,id=ID,...: open the slirp backend; the netdev `id`. False with one line in err. */
bool net_slirp_open(const char *id, opt_list *opts, char *err, size_t errsize);
/* The monitor's hostfwd_add [netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport
 * and hostfwd_remove [netdev_id] [tcp|udp]:[hostaddr]:hostport: false with a message (QEMU's
 * words where it has them). netdev_id NULL: the first user netdev. */
bool net_slirp_hostfwd_add(const char *netdev_id, const char *rule, char *err, size_t errsize);
bool net_slirp_hostfwd_remove(const char *netdev_id, const char *rule, char *err, size_t errsize);

#endif
