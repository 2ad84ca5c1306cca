/*
 * dtctl: what the source files of dovetail-ctl share.
 *
 * dovetail-ctl.c runs the program (options, the transaction, output);
 * dtctl-tables.c has the commands that add, delete, change and list the
 * rows of each table (tenant-*, network-*, domain-*, action-*, policy-*,
 * endpoint-*, hypervisor-*, mcast-group-*); dtctl-views.c has the commands
 * that read a whole network at once (show, policy-graph, resolve, import,
 * export).  Each command file exports its ctl_command_syntax table.
 */
#ifndef UTILITIES_DTCTL_H
#define UTILITIES_DTCTL_H 1

#include <stdbool.h>
#include <stddef.h>

#include "db-ctl-base.h"

struct ds;
struct ovsdb_idl_table_class;
struct table;

/* The command tables, terminated by a null entry. */
extern const struct ctl_command_syntax dtctl_table_commands[];
extern const struct ctl_command_syntax dtctl_view_commands[];

/* Prerequisites of every dovetail command: replicate everything. */
void dtctl_pre(struct ctl_context *);

/* Stores 'error' (a malloc'd message, or NULL) as the command's error.
 * Returns true if there was one: "if (dtctl_error(ctx, dt_parse_...))". */
bool dtctl_error(struct ctl_context *, char *error);

/* Returns true if the command was given option 'name' ("--may-exist"). */
bool dtctl_option(const struct ctl_context *, const char *name);
/* Returns the value of option 'name' ("--ttl"), or NULL. */
const char *dtctl_option_value(const struct ctl_context *, const char *name);

/* Look a row up by name, validating the name first.  On failure set
 * ctx->error (unless 'if_exists' and the row merely does not exist) and
 * return NULL. */
const struct dtrec_virtual_network *dtctl_network(struct ctl_context *,
                                                  const char *name,
                                                  bool if_exists);
const struct dtrec_hypervisor *dtctl_hypervisor(struct ctl_context *,
                                                const char *name,
                                                bool if_exists);
const struct dtrec_tenant *dtctl_tenant(struct ctl_context *,
                                        const char *name, bool if_exists);
const struct dtrec_policy_domain *dtctl_domain(
    struct ctl_context *, const struct dtrec_virtual_network *,
    const char *name, bool if_exists);
const struct dtrec_policy_action *dtctl_action(
    struct ctl_context *, const struct dtrec_virtual_network *,
    const char *name, bool if_exists);
const struct dtrec_endpoint *dtctl_endpoint(struct ctl_context *,
                                            const char *name,
                                            bool if_exists);

/* Returns a malloc'd array of the rows of 'table' for which 'filter'
 * (NULL: every row) returns true given 'aux', sorted by 'compare', and
 * stores their number in '*n'.  The array holds pointers to the dtrec_*
 * structs, so callers cast it to an array of those. */
const void **dtctl_sorted_rows(struct ctl_context *,
                               const struct ovsdb_idl_table_class *,
                               bool (*filter)(const void *row,
                                              const void *aux),
                               const void *aux,
                               int (*compare)(const void *, const void *),
                               size_t *n);
/* The sorted rows of each table, of one network if 'net' is nonnull. */
const struct dtrec_virtual_network **dtctl_networks(struct ctl_context *,
                                                    size_t *n);
const struct dtrec_hypervisor **dtctl_hypervisors(struct ctl_context *,
                                                  size_t *n);
const struct dtrec_policy_domain **dtctl_domains(
    struct ctl_context *, const struct dtrec_virtual_network *, size_t *n);
const struct dtrec_policy_action **dtctl_actions(
    struct ctl_context *, const struct dtrec_virtual_network *, size_t *n);
const struct dtrec_policy **dtctl_policies(
    struct ctl_context *, const struct dtrec_virtual_network *, size_t *n);
const struct dtrec_endpoint **dtctl_endpoints(
    struct ctl_context *, const struct dtrec_virtual_network *, size_t *n);

/* Formatting shared by the listings and the views. */
void dtctl_format_ips(const struct dtrec_endpoint *, struct ds *);
void dtctl_format_location(const struct dtrec_endpoint *, struct ds *);
void dtctl_format_policy_actions(const struct dtrec_policy *, struct ds *);
void dtctl_format_policy_name(const struct dtrec_policy *, struct ds *);

/* Starts the command's output table with the given column headings (a
 * NULL-terminated list), printed in the --format the user chose. */
struct table *dtctl_table(struct ctl_context *, ...);
/* Adds a cell with 'text' (copied) to the current row of 'table'. */
void dtctl_cell(struct table *, const char *text);

#endif /* utilities/dtctl.h */
