/*
 * edgec's Cortex-A bench program: runs a .tflite with LiteRT's C API (libLiteRt.so from
 * the aarch64 ai-edge-litert wheel) on the CPU, with XNNPACK or with TFLite's builtin
 * kernels, one thread.
 *
 *   litert_bench MODEL KERNELS INPUT OUTPUT STATS
 *
 * KERNELS: xnnpack, builtin or reference (LiteRT's CPU kernel modes). INPUT holds whole
 * samples, each the model's inputs concatenated in graph order; OUTPUT gets the outputs
 * likewise. STATS gets "name value" lines. Each run of the model sits between the
 * markers "edgec:invoke" and "edgec:return" (edgec_markers.h), which the instruction
 * counter watches. Exit status: 0, or 2 with the failing call on stderr.
 *
 * No LiteRT headers ship in the wheel, so the part of the C API used here is declared
 * below from LiteRT's public headers (litert/c/litert_*.h, LiteRT 2.x): opaque handles,
 * LiteRtStatus as int (0 = OK), and the ranked tensor type kept as an opaque blob that
 * is only passed back to the library.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgec_markers.h"

typedef int LiteRtStatus;
typedef size_t LiteRtParamIndex;
typedef struct LiteRtEnvironmentT *LiteRtEnvironment;
typedef struct LiteRtModelT *LiteRtModel;
typedef struct LiteRtOptionsT *LiteRtOptions;
typedef struct LiteRtOpaqueOptionsT *LiteRtOpaqueOptions;
typedef struct LiteRtCompiledModelT *LiteRtCompiledModel;
typedef struct LiteRtSignatureT *LiteRtSignature;
typedef struct LiteRtSubgraphT *LiteRtSubgraph;
typedef struct LiteRtTensorT *LiteRtTensor;
typedef struct LiteRtTensorBufferT *LiteRtTensorBuffer;
typedef struct LiteRtTensorBufferRequirementsT *LiteRtTensorBufferRequirements;
typedef struct { _Alignas(16) unsigned char bytes[256]; } RankedTensorType; /* opaque here */

enum { kLiteRtHwAcceleratorCpu = 1 };

LiteRtStatus LiteRtCreateEnvironment(int num_options, const void *options, LiteRtEnvironment *env);
LiteRtStatus LiteRtCreateModelFromFile(LiteRtEnvironment env, const char *path, LiteRtModel *model);
LiteRtStatus LiteRtCreateOptions(LiteRtOptions *options);
LiteRtStatus LiteRtSetOptionsHardwareAccelerators(LiteRtOptions options, int accelerators);
LiteRtStatus LiteRtCreateOpaqueOptions(const char *identifier, void *payload, void (*destructor)(void *),
                                       LiteRtOpaqueOptions *options);
LiteRtStatus LiteRtAddOpaqueOptions(LiteRtOptions options, LiteRtOpaqueOptions opaque);
LiteRtStatus LiteRtCreateCompiledModel(LiteRtEnvironment env, LiteRtModel model, LiteRtOptions options,
                                       LiteRtCompiledModel *compiled);
LiteRtStatus LiteRtCompiledModelIsFullyAccelerated(LiteRtCompiledModel compiled, _Bool *fully);
LiteRtStatus LiteRtGetModelSignature(LiteRtModel model, LiteRtParamIndex index, LiteRtSignature *sig);
LiteRtStatus LiteRtGetSignatureSubgraph(LiteRtSignature sig, LiteRtSubgraph *subgraph);
LiteRtStatus LiteRtGetNumSignatureInputs(LiteRtSignature sig, LiteRtParamIndex *n);
LiteRtStatus LiteRtGetNumSignatureOutputs(LiteRtSignature sig, LiteRtParamIndex *n);
LiteRtStatus LiteRtGetSignatureInputTensorByIndex(LiteRtSignature sig, LiteRtParamIndex i, LiteRtTensor *t);
LiteRtStatus LiteRtGetSignatureOutputTensorByIndex(LiteRtSignature sig, LiteRtParamIndex i, LiteRtTensor *t);
LiteRtStatus LiteRtGetNumSubgraphInputs(LiteRtSubgraph subgraph, LiteRtParamIndex *n);
LiteRtStatus LiteRtGetNumSubgraphOutputs(LiteRtSubgraph subgraph, LiteRtParamIndex *n);
LiteRtStatus LiteRtGetSubgraphInput(LiteRtSubgraph subgraph, LiteRtParamIndex i, LiteRtTensor *t);
LiteRtStatus LiteRtGetSubgraphOutput(LiteRtSubgraph subgraph, LiteRtParamIndex i, LiteRtTensor *t);
LiteRtStatus LiteRtGetRankedTensorType(LiteRtTensor tensor, RankedTensorType *type);
LiteRtStatus LiteRtGetCompiledModelInputBufferRequirements(LiteRtCompiledModel compiled, LiteRtParamIndex sig,
                                                           LiteRtParamIndex i, LiteRtTensorBufferRequirements *r);
LiteRtStatus LiteRtGetCompiledModelOutputBufferRequirements(LiteRtCompiledModel compiled, LiteRtParamIndex sig,
                                                            LiteRtParamIndex i, LiteRtTensorBufferRequirements *r);
LiteRtStatus LiteRtGetTensorBufferRequirementsBufferSize(LiteRtTensorBufferRequirements r, size_t *size);
LiteRtStatus LiteRtCreateTensorBufferFromHostMemory(const RankedTensorType *type, void *memory, size_t size,
                                                    void (*deallocator)(void *), LiteRtTensorBuffer *buffer);
LiteRtStatus LiteRtGetTensorBufferPackedSize(LiteRtTensorBuffer buffer, size_t *size);
LiteRtStatus LiteRtRunCompiledModel(LiteRtCompiledModel compiled, LiteRtParamIndex sig, size_t n_inputs,
                                    LiteRtTensorBuffer *inputs, size_t n_outputs, LiteRtTensorBuffer *outputs);

#define MAX_TENSORS 64
#define CHECK(call)                                                         \
    do {                                                                    \
        LiteRtStatus status_ = (call);                                      \
        if (status_ != 0) {                                                 \
            fprintf(stderr, "edgec: %s failed with status %d\n", #call, status_); \
            exit(2);                                                        \
        }                                                                   \
    } while (0)

/* One model input or output: its signature slot, its buffer, its bytes. */
struct io {
    LiteRtTensorBuffer buffer;
    void *memory;
    size_t bytes; /* packed size: what goes in and out of the files */
};

static void bind(LiteRtCompiledModel compiled, LiteRtTensor tensor, LiteRtParamIndex slot, int is_input,
                 struct io *io)
{
    RankedTensorType type;
    LiteRtTensorBufferRequirements requirements;
    size_t size;
    CHECK(LiteRtGetRankedTensorType(tensor, &type));
    if (is_input) CHECK(LiteRtGetCompiledModelInputBufferRequirements(compiled, 0, slot, &requirements));
    else CHECK(LiteRtGetCompiledModelOutputBufferRequirements(compiled, 0, slot, &requirements));
    CHECK(LiteRtGetTensorBufferRequirementsBufferSize(requirements, &size));
    io->memory = aligned_alloc(64, (size + 63) / 64 * 64); /* LiteRT wants 64-byte aligned host memory */
    if (!io->memory) exit(2);
    memset(io->memory, 0, size);
    CHECK(LiteRtCreateTensorBufferFromHostMemory(&type, io->memory, size, NULL, &io->buffer));
    CHECK(LiteRtGetTensorBufferPackedSize(io->buffer, &io->bytes));
}

/* Signature slot i holds graph tensor order[i]: the files follow graph order, the API signature order. */
static void bind_all(LiteRtCompiledModel compiled, LiteRtSignature sig, LiteRtSubgraph graph, int is_input,
                     size_t *count, struct io *by_graph_order, LiteRtTensorBuffer *by_slot)
{
    LiteRtParamIndex n_sig, n_graph;
    if (is_input) {
        CHECK(LiteRtGetNumSignatureInputs(sig, &n_sig));
        CHECK(LiteRtGetNumSubgraphInputs(graph, &n_graph));
    } else {
        CHECK(LiteRtGetNumSignatureOutputs(sig, &n_sig));
        CHECK(LiteRtGetNumSubgraphOutputs(graph, &n_graph));
    }
    if (n_sig != n_graph || n_sig > MAX_TENSORS) {
        fprintf(stderr, "edgec: the signature has %zu %s, the graph %zu\n", n_sig, is_input ? "inputs" : "outputs",
                n_graph);
        exit(2);
    }
    for (LiteRtParamIndex slot = 0; slot < n_sig; slot++) {
        LiteRtTensor tensor, candidate;
        if (is_input) CHECK(LiteRtGetSignatureInputTensorByIndex(sig, slot, &tensor));
        else CHECK(LiteRtGetSignatureOutputTensorByIndex(sig, slot, &tensor));
        LiteRtParamIndex g = 0;
        for (; g < n_graph; g++) {
            if (is_input) CHECK(LiteRtGetSubgraphInput(graph, g, &candidate));
            else CHECK(LiteRtGetSubgraphOutput(graph, g, &candidate));
            if (candidate == tensor) break;
        }
        if (g == n_graph) {
            fprintf(stderr, "edgec: signature %s %zu is not a graph %s\n", is_input ? "input" : "output", slot,
                    is_input ? "input" : "output");
            exit(2);
        }
        bind(compiled, tensor, slot, is_input, &by_graph_order[g]);
        by_slot[slot] = by_graph_order[g].buffer;
    }
    *count = n_sig;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s MODEL xnnpack|builtin|reference INPUT OUTPUT STATS\n", argv[0]);
        return 2;
    }
    const char *model_path = argv[1], *kernels = argv[2];
    FILE *in = fopen(argv[3], "rb"), *out = fopen(argv[4], "wb"), *stats = fopen(argv[5], "w");
    if (!in || !out || !stats) {
        fprintf(stderr, "edgec: cannot open the input, output or stats file\n");
        return 2;
    }

    LiteRtEnvironment env;
    LiteRtModel model;
    LiteRtOptions options;
    LiteRtOpaqueOptions cpu_options;
    LiteRtCompiledModel compiled;
    CHECK(LiteRtCreateEnvironment(0, NULL, &env));
    CHECK(LiteRtCreateModelFromFile(env, model_path, &model));
    CHECK(LiteRtCreateOptions(&options));
    CHECK(LiteRtSetOptionsHardwareAccelerators(options, kLiteRtHwAcceleratorCpu));
    /* The CPU accelerator's options: a TOML payload under the identifier "xnnpack". */
    char toml[128];
    snprintf(toml, sizeof toml, "kernel_mode = \"%s\"\nnum_threads = 1\n", kernels);
    CHECK(LiteRtCreateOpaqueOptions("xnnpack", strdup(toml), free, &cpu_options));
    CHECK(LiteRtAddOpaqueOptions(options, cpu_options));
    CHECK(LiteRtCreateCompiledModel(env, model, options, &compiled));
    _Bool fully = 0;
    CHECK(LiteRtCompiledModelIsFullyAccelerated(compiled, &fully));

    LiteRtSignature sig;
    LiteRtSubgraph graph;
    CHECK(LiteRtGetModelSignature(model, 0, &sig));
    CHECK(LiteRtGetSignatureSubgraph(sig, &graph));
    static struct io inputs[MAX_TENSORS], outputs[MAX_TENSORS];
    static LiteRtTensorBuffer input_slots[MAX_TENSORS], output_slots[MAX_TENSORS];
    size_t n_inputs, n_outputs, input_bytes = 0, output_bytes = 0;
    bind_all(compiled, sig, graph, 1, &n_inputs, inputs, input_slots);
    bind_all(compiled, sig, graph, 0, &n_outputs, outputs, output_slots);
    for (size_t i = 0; i < n_inputs; i++) input_bytes += inputs[i].bytes;
    for (size_t i = 0; i < n_outputs; i++) output_bytes += outputs[i].bytes;
    fprintf(stats, "input_bytes %zu\noutput_bytes %zu\nfully_accelerated %d\n", input_bytes, output_bytes,
            (int)fully);

    long samples = 0;
    for (;;) {
        size_t i = 0;
        for (; i < n_inputs; i++)
            if (fread(inputs[i].memory, 1, inputs[i].bytes, in) != inputs[i].bytes) break;
        if (i == 0 && feof(in)) break;
        if (i != n_inputs) {
            fprintf(stderr, "edgec: the input file ends inside a sample\n");
            return 2;
        }
        EDGEC_PROFILE_OP(-2, "edgec:invoke");
        LiteRtStatus status = LiteRtRunCompiledModel(compiled, 0, n_inputs, input_slots, n_outputs, output_slots);
        EDGEC_PROFILE_OP(-3, "edgec:return");
        CHECK(status);
        for (i = 0; i < n_outputs; i++) fwrite(outputs[i].memory, 1, outputs[i].bytes, out);
        samples++;
    }
    fprintf(stats, "samples %ld\n", samples);
    fclose(in);
    fclose(out);
    fclose(stats);
    return 0;
}
