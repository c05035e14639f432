/*
 * fuzz_model.c - fuzz target: the input bytes are an .onnx model.
 *
 * The bytes go to onnxmini_model_load_memory(). A model that loads is run
 * by fuzz_run_model() with zeros in every input.
 *
 * The seed corpus is the ONNX backend test models and the MNIST models
 * (tests/fuzz/make-corpus.sh). `make fuzz` links protobuf-c's runtime
 * built with the same instrumentation, so mutations of the wire format get
 * coverage feedback inside the parser as well. Most mutations still break
 * the message or the graph before an operator runs; fuzz_graph.c builds
 * valid models directly to reach the operators more often.
 */
#include "fuzz_support.h"

/* The values of differently configured sessions (another instruction
 * set, no rewrites) are not compared for this target: a mutated model's
 * own weights are summed in kernel-specific order, and with huge or
 * cancelling weights any fixed relative tolerance is exceeded (seen:
 * -7.355e27 against -7.376e27). Status, types and shapes must still agree,
 * and threads and a caller's arena must give the same bytes. fuzz_graph
 * compares values on its exact inputs. A negative tolerance skips the
 * comparison. */
#define MODEL_TOLERANCE (-1.0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    onnxmini_model *model = NULL;
    onnxmini_error error;
    onnxmini_status st;
    fuzz_run_config config = {FUZZ_FILL_ZEROS, NULL, 0, MODEL_TOLERANCE, 1};

    st = onnxmini_model_load_memory(data, size, &model, &error);
    fuzz_check_error("onnxmini_model_load_memory", st, &error);
    FUZZ_CHECK((st == ONNXMINI_OK) == (model != NULL),
               "model_load_memory returned %d and model %p", (int)st,
               (void *)model);
    if (st != ONNXMINI_OK)
        return 0;

    fuzz_run_model(model, &config);
    onnxmini_model_free(model);
    return 0;
}
