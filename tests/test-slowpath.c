/* Placeholder: being written. */
#include <config.h>
#include "tests/check-tap.h"
Suite *unit_suite(void) { return suite_create("slowpath"); }
