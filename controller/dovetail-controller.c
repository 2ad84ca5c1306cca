#include <config.h>
#include "lib/dovetail-idl.h"
int main(void) { return 0; }
