/*
 * pcache-private: what the parts of the policy cache record share with
 * each other and nothing else: controller/pcache.c (entries, index,
 * expiry, resolution) and controller/pcache-template.c (the messages
 * that install entries and forward their first packets, copied from
 * templates).
 */
#ifndef CONTROLLER_PCACHE_PRIVATE_H
#define CONTROLLER_PCACHE_PRIVATE_H 1

#include "openvswitch/ofp-protocol.h"

struct match;
struct ofpbuf;
struct pcache_key;
struct pcache_result;

/* Canonical action texts, one shared copy of each, counted (pcache.c):
 * returns 'text', a shared copy, with another reference; drops one
 * (nullable). */
const char *pcache_actions_ref(const char *text);
void pcache_actions_unref(const char *text);

/* Initializes 'match' to what an entry for 'key' matches in the policy
 * table (pcache.c). */
void pcache_key_to_match(const struct pcache_key *, struct match *);

/* Appends to 'out' the flow_mod that installs 'r' for 'key', encoded for
 * 'protocol' (pcache-template.c). */
void pcache_encode_install(const struct pcache_key *,
                           const struct pcache_result *,
                           enum ofputil_protocol, struct ofpbuf *out);

#endif /* controller/pcache-private.h */
