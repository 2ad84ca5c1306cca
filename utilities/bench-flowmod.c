/* Placeholder: being written. */
#include <config.h>
#include "utilities/bench.h"
#include "command-line.h"
#include "util.h"

void
bench_flowmod(struct ovs_cmdl_context *ctx OVS_UNUSED)
{
    ovs_fatal(0, "flowmod: not written yet");
}
