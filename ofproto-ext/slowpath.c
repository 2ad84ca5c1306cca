/* Placeholder: being written. */
#include <config.h>
#include "ofproto-ext/slowpath.h"
