/*
 * dt-check: the rules of the dovetail database that its schema cannot
 * express, checked in the client before any write.
 *
 * OVSDB itself enforces what it can: references (a policy cannot name a
 * deleted domain, an endpoint belongs to exactly one network), uniqueness
 * through indexes (network and tenant names, VNIs, one policy per domain
 * pair and one default policy per network, endpoint names, one endpoint
 * per vIP within a network through the Address table), enums and integer
 * ranges (VNI, TTL, action kinds, fabric modes).  Everything else is
 * checked here, over the whole IDL replica as the current transaction
 * leaves it, by every writer (dovetail-ctl runs dt_check_db() before each
 * commit, including blueprint imports):
 *
 *   - names and addresses are well formed (MAC, IP, OUI, prefix);
 *   - everything a row refers to lives in the row's own network, except
 *     a multicast group's members;
 *   - a MAC is used by at most one endpoint of a network, an OUI by at
 *     most one tenant;
 *   - a policy has both domains or neither (the default), at most
 *     DPS_MAX_ACTIONS actions, no action twice;
 *   - a waypoint action has a location, the others have none;
 *   - a multicast group's address is multicast (its members may be in
 *     any network, of any tenant: a group may be meant for several).
 */
#ifndef DT_CHECK_H
#define DT_CHECK_H 1

#include "openvswitch/compiler.h"

struct ovsdb_idl;

/* Checks every row of 'idl' against the rules above.  Returns NULL if all
 * hold, otherwise a malloc'd message naming the first offending row and
 * value, e.g. "endpoint \"web2\": MAC 02:00:00:00:00:01 is already used by
 * endpoint \"web1\" in network \"blue\"". */
char *dt_check_db(const struct ovsdb_idl *) OVS_WARN_UNUSED_RESULT;

#endif /* lib/dt-check.h */
