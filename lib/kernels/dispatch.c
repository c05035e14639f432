/*
 * dispatch.c - choose a kernel table by instruction set.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernels/kernels.h"

/* The tables built into this library, best first. */
static const om_kernels *const tables[] = {
    &om_kernels_scalar,
};

#define N_TABLES (sizeof tables / sizeof tables[0])

onnxmini_status om_kernels_select(const char *isa, const om_kernels **out,
                                  onnxmini_error *err)
{
    size_t i;

    if (!isa || !isa[0])
        isa = getenv("ONNXMINI_ISA");
    if (!isa || !isa[0]) {
        *out = tables[0];
        return ONNXMINI_OK;
    }
    for (i = 0; i < N_TABLES; i++)
        if (strcmp(tables[i]->isa, isa) == 0) {
            *out = tables[i];
            return ONNXMINI_OK;
        }
    return om_fail(err, ONNXMINI_ERR_UNSUPPORTED,
                   "instruction set '%s' is not available in this build "
                   "(available: scalar)",
                   isa);
}
