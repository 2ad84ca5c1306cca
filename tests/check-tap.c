/*
 * check-tap: runs a test program's unit_suite() and reports in TAP on
 * stdout.  See check-tap.h.
 */
#include <config.h>
#include "tests/check-tap.h"

#include <stdlib.h>

int
main(void)
{
    SRunner *sr = srunner_create(unit_suite());
    int n_failed;

    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    n_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
