/*
 * session.c - sessions: bind input shapes, infer shapes, fold constants,
 * plan memory, run, read outputs.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ops/op.h"
#include "plan.h"
#include "pool.h"

/* A symbolic dimension name and the size it is bound to. */
typedef struct binding {
    const char *name;                 /* owned by the model */
    int64_t size;
    const char *set_by;               /* the input that gave the size */
} binding;

/* What the caller set for one graph input. */
typedef struct input_slot {
    int is_set;
    int rank;
    int64_t dims[OM_MAX_RANK];
    const void *data;                 /* borrowed from the caller */
    size_t bytes;
    int needs_data;                   /* contents shape the plan */
    void *data_copy;                  /* owned copy when needs_data */
} input_slot;

/* One constant computed at planning time. */
typedef struct folded {
    void *data;
    struct folded *next;
} folded;

struct onnxmini_session {
    onnxmini_allocator alloc;         /* every allocation goes through it */
    void *user_arena;                 /* the caller's arena, or NULL */
    size_t user_arena_bytes;
    int measure_only;                 /* plan sizes, allocate no arena */
    om_pool *pool;                    /* intra-op threads, NULL for one */
    int threads;
    size_t max_arena_bytes;           /* 0: no limit */
    size_t max_tensor_elements;       /* 0: no limit */
    const onnxmini_model *model;
    const om_kernels *kernels;
    onnxmini_error err;

    binding *bindings;                /* [n_bindings] */
    int n_bindings;
    input_slot *inputs;               /* [n_slots], as model->inputs */
    int n_slots;                      /* n_inputs + n_defaults */

    om_tensor *tensors;               /* [model->n_values] */
    om_tensor **io;                   /* per node: inputs then outputs */
    int *io_offset;                   /* [n_nodes] start of a node's slots */

    /* The plan; valid when planned is set. */
    int planned;
    int *steps;                       /* [n_steps] node indices run */
    int n_steps;
    size_t *scratch_bytes;            /* [n_nodes] */
    size_t *packed_bytes;             /* [n_nodes] */
    size_t *packed_offset;            /* [n_nodes] into packed */
    void *packed;                     /* prepacked weights of this plan */

    /* Graph rewrites, decided once at creation: a node folded into the
     * one before it shares that node's output buffer (absorbed_input is
     * the input whose buffer it shares, -1 for other nodes), and the node
     * that absorbs it gets a fusion. */
    int *absorbed_input;              /* [n_nodes] */
    int *absorbed_by;                 /* [n_nodes] absorbing node, or -1 */
    om_fusion *fusions;               /* [n_nodes] */
    int *fusion_bias;                 /* [n_nodes] value id, -1 = none */
    char *has_fusion;                 /* [n_nodes] */
    unsigned char *states;            /* per-node operator state */
    size_t *state_offset;             /* [n_nodes] */
    void *arena;
    size_t arena_bytes;
    size_t values_bytes;              /* as placed */
    size_t values_lower_bound;        /* largest total alive at once */
    size_t scratch_total;             /* the scratch part of the arena */
    size_t packed_total;
    void *scratch;
    folded *constants;

    int has_run;                      /* outputs hold a run's results */
    /* Why the session has no plan while inputs disagree on a symbolic
     * dimension; "" otherwise. */
    char conflict[ONNXMINI_ERROR_MESSAGE_SIZE];
};

static onnxmini_status session_fail(onnxmini_session *s, onnxmini_status st,
                                    const char *fmt, ...) OM_PRINTF(3, 4);

/* ------------------------------------------------------------ memory */

static void *s_malloc(onnxmini_session *s, size_t bytes)
{
    return s->alloc.allocate(s->alloc.user, bytes ? bytes : 1, OM_ALIGNMENT);
}

static void *s_calloc(onnxmini_session *s, size_t count, size_t size)
{
    size_t bytes;
    void *p;
    if (size && count > SIZE_MAX / size)
        return NULL;
    bytes = count * size;
    p = s_malloc(s, bytes);
    if (p)
        memset(p, 0, bytes ? bytes : 1);
    return p;
}

static void s_free(onnxmini_session *s, void *p)
{
    if (p)
        s->alloc.release(s->alloc.user, p);
}

static onnxmini_status session_fail(onnxmini_session *s, onnxmini_status st,
                                    const char *fmt, ...)
{
    /* Formatted apart first: an argument may be the old message itself. */
    char message[ONNXMINI_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    memcpy(s->err.message, message, sizeof message);
    s->err.status = st;
    return st;
}

static size_t align_up(size_t n)
{
    return (n + OM_ALIGNMENT - 1) / OM_ALIGNMENT * OM_ALIGNMENT;
}

/* ------------------------------------------------------------ bindings */

static binding *find_binding(onnxmini_session *s, const char *name)
{
    int i;
    for (i = 0; i < s->n_bindings; i++)
        if (strcmp(s->bindings[i].name, name) == 0)
            return &s->bindings[i];
    return NULL;
}

/* Collects every symbolic dimension name of the graph inputs, each bound
 * to 1 until an input gives its size. */
static int init_bindings(onnxmini_session *s)
{
    const onnxmini_model *m = s->model;
    int i, j, n = 0;

    s->bindings = s_calloc(s, (size_t)m->n_inputs * OM_MAX_RANK + 1,
                         sizeof *s->bindings);
    if (!s->bindings)
        return -1;
    for (i = 0; i < m->n_inputs; i++) {
        const om_value *v = &m->values[m->inputs[i]];
        for (j = 0; j < v->rank; j++) {
            const char *name = v->dim_names[j];
            if (name && !find_binding(s, name)) {
                s->bindings[n].name = name;
                s->bindings[n].size = 1;
                s->n_bindings = ++n;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------ planning */

static void free_plan(onnxmini_session *s)
{
    folded *f = s->constants;
    while (f) {
        folded *next = f->next;
        s_free(s, f->data);
        s_free(s, f);
        f = next;
    }
    s->constants = NULL;
    if (s->arena != s->user_arena)
        s_free(s, s->arena);
    s->arena = NULL;
    s_free(s, s->packed);
    s->packed = NULL;
    s->arena_bytes = 0;
    s->scratch = NULL;
    s->values_bytes = 0;
    s->values_lower_bound = 0;
    s->scratch_total = 0;
    s->packed_total = 0;
    s_free(s, s->states);
    s->states = NULL;
    s->n_steps = 0;
    s->planned = 0;
    s->has_run = 0;
}

/* Shape of a graph input for planning: what the caller set, else the
 * declaration with symbolic dimensions bound. Returns 0 when the shape is
 * not known yet. */
static int input_shape(onnxmini_session *s, int index, int64_t *dims,
                       int *rank)
{
    const om_value *v = &s->model->values[s->model->inputs[index]];
    const input_slot *slot = &s->inputs[index];
    int i;

    if (slot->is_set) {
        *rank = slot->rank;
        memcpy(dims, slot->dims, sizeof slot->dims);
        return 1;
    }
    if (v->rank < 0)
        return 0;
    *rank = v->rank;
    for (i = 0; i < v->rank; i++) {
        if (v->dims[i] >= 0)
            dims[i] = v->dims[i];
        else if (v->dim_names[i])
            dims[i] = find_binding(s, v->dim_names[i])->size;
        else
            return 0;
    }
    return 1;
}

/* Whether input `index`, as set, agrees with the current size of each of
 * its symbolic dimensions; when not, records why in s->conflict. Another
 * input may have bound the name to a new size since this one was set. */
static int agrees_with_bindings(onnxmini_session *s, int index)
{
    const om_value *v = &s->model->values[s->model->inputs[index]];
    const input_slot *slot = &s->inputs[index];
    int i;

    for (i = 0; i < v->rank && i < slot->rank; i++) {
        const binding *b;
        if (!v->dim_names[i])
            continue;
        b = find_binding(s, v->dim_names[i]);
        if (b->size != slot->dims[i]) {
            snprintf(s->conflict, sizeof s->conflict,
                     "input '%s' was set with %s = %lld, but input '%s' has "
                     "since set %s = %lld; set '%s' again",
                     v->name, b->name, (long long)slot->dims[i],
                     b->set_by ? b->set_by : "(unknown)", b->name,
                     (long long)b->size, v->name);
            return 0;
        }
    }
    return 1;
}

/* Fills the tensors of initializers and graph inputs. Returns 0 when an
 * input's shape or contents must be set before planning is possible. */
static onnxmini_status bind_sources(onnxmini_session *s, int *ready)
{
    const onnxmini_model *m = s->model;
    int i;

    *ready = 1;
    for (i = 0; i < m->n_values; i++) {
        const om_value *v = &m->values[i];
        om_tensor *t = &s->tensors[i];
        memset(t, 0, sizeof *t);
        if (v->kind == OM_VALUE_INITIALIZER) {
            onnxmini_status st =
                om_tensor_set_shape(t, v->dtype, v->dims, v->rank, &s->err);
            if (st != ONNXMINI_OK)
                return st;
            t->data = v->data;
            t->is_constant = 1;
        }
    }
    for (i = 0; i < s->n_slots; i++) {
        const input_slot *slot = &s->inputs[i];
        om_tensor *t = &s->tensors[m->inputs[i]];
        int64_t dims[OM_MAX_RANK];
        int rank;
        onnxmini_status st;

        if (i >= m->n_inputs && !slot->is_set)
            continue;                 /* an initializer keeps its value */
        if (slot->is_set && !agrees_with_bindings(s, i)) {
            *ready = 0;
            continue;
        }
        if (!input_shape(s, i, dims, &rank) ||
            (slot->needs_data && !slot->is_set)) {
            *ready = 0;
            continue;
        }
        st = om_tensor_set_shape(t, m->values[m->inputs[i]].dtype, dims, rank,
                                 &s->err);
        if (st != ONNXMINI_OK)
            return session_fail(s, st, "graph input '%s': %s",
                                m->values[m->inputs[i]].name,
                                s->err.message);
        t->data = (void *)(uintptr_t)slot->data;
        t->is_constant = 0;
        if (slot->needs_data) {
            /* The plan depends on these contents; it is redone whenever
             * they change, so they count as constant within it. */
            t->data = slot->data_copy;
            t->is_constant = 1;
        }
    }
    return ONNXMINI_OK;
}

static om_infer_ctx node_infer_ctx(onnxmini_session *s, int n)
{
    const om_node *node = &s->model->nodes[n];
    om_infer_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.node = node;
    ctx.in = s->io + s->io_offset[n];
    ctx.n_in = node->n_inputs;
    ctx.out = ctx.in + node->n_inputs;
    ctx.n_out = node->n_outputs;
    ctx.state = s->states + s->state_offset[n];
    ctx.kernels = s->kernels;
    ctx.err = &s->err;
    ctx.threads = s->threads;
    if (s->has_fusion[n]) {
        s->fusions[n].bias =
            s->fusion_bias[n] >= 0 ? &s->tensors[s->fusion_bias[n]] : NULL;
        ctx.fusion = &s->fusions[n];
    }
    return ctx;
}

static om_run_ctx node_run_ctx(onnxmini_session *s, int n, void *scratch)
{
    const om_node *node = &s->model->nodes[n];
    om_run_ctx ctx;
    ctx.node = node;
    ctx.in = s->io + s->io_offset[n];
    ctx.n_in = node->n_inputs;
    ctx.out = ctx.in + node->n_inputs;
    ctx.n_out = node->n_outputs;
    ctx.state = s->states + s->state_offset[n];
    ctx.scratch = scratch;
    /* Operators may offset these pointers by zero bytes; a null pointer
     * would make even that undefined, so an empty part is the arena. */
    ctx.packed = s->packed && s->packed_bytes[n]
                     ? (unsigned char *)s->packed + s->packed_offset[n]
                     : s->arena;
    ctx.pool = s->pool;
    ctx.kernels = s->kernels;
    ctx.err = &s->err;
    return ctx;
}

/* The run of a node folded into the one before it: its output shares
 * that node's buffer, so normally there is nothing to do. */
static void run_absorbed(onnxmini_session *s, int n)
{
    const om_node *node = &s->model->nodes[n];
    om_tensor *in = s->io[s->io_offset[n] + s->absorbed_input[n]];
    om_tensor *out = s->io[s->io_offset[n] + node->n_inputs];
    if (out->data != in->data && in->bytes)
        memcpy(out->data, in->data, in->bytes);
}

/* Set when every output the node writes has no elements. Such a node has
 * nothing to compute, and its loops over the other dimensions could still
 * be huge (a MaxPool over 2^40 planes of width 0), so it is skipped. */
static int outputs_empty(const om_run_ctx *ctx)
{
    int i, any = 0;

    for (i = 0; i < ctx->n_out; i++) {
        if (!ctx->out[i])
            continue;
        if (ctx->out[i]->count)
            return 0;
        any = 1;
    }
    return any;
}

/* Runs a node whose inputs are all constant once, now, and keeps its
 * outputs as constants of this plan. */
static onnxmini_status fold_node(onnxmini_session *s, int n)
{
    const om_node *node = &s->model->nodes[n];
    om_run_ctx ctx;
    void *scratch = NULL, *packed = NULL;
    onnxmini_status st;
    int i;

    for (i = 0; i < node->n_outputs; i++) {
        om_tensor *t = s->io[s->io_offset[n] + node->n_inputs + i];
        folded *f;
        if (!t)
            continue;
        t->is_constant = 1;
        if (i == 0 && s->absorbed_input[n] >= 0) {
            /* Its work was done by the node it is folded into. */
            t->data = s->io[s->io_offset[n] + s->absorbed_input[n]]->data;
            return ONNXMINI_OK;
        }
        if ((node->op->flags & OM_OP_ALIAS) && i == 0) {
            /* A view of constant data needs no copy. */
            t->data = s->io[s->io_offset[n]]->data;
            continue;
        }
        f = s_calloc(s, 1, sizeof *f);
        if (f)
            f->data = s_malloc(s, t->bytes ? t->bytes : 1);
        if (!f || !f->data) {
            s_free(s, f);
            return session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY,
                                "out of memory folding a constant of %zu "
                                "bytes",
                                t->bytes);
        }
        f->next = s->constants;
        s->constants = f;
        t->data = f->data;
    }
    if (s->scratch_bytes[n]) {
        scratch = s_malloc(s, s->scratch_bytes[n]);
        if (!scratch)
            return session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY,
                                "out of memory folding a constant");
    }
    /* Empty scratch or packed memory still gets a valid pointer (the
     * node states), since operators may offset it by zero bytes. */
    ctx = node_run_ctx(s, n, scratch ? scratch : s->states);
    ctx.packed = s->states;
    st = ONNXMINI_OK;
    if (s->packed_bytes[n]) {
        packed = s_malloc(s, s->packed_bytes[n]);
        ctx.packed = packed;
        st = packed ? node->op->pack(&ctx)
                    : session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY,
                                   "out of memory folding a constant");
    }
    if (st == ONNXMINI_OK && !outputs_empty(&ctx))
        st = node->op->run(&ctx);
    s_free(s, packed);
    s_free(s, scratch);
    return st;
}

/* Returned by infer_all when a fusion had to be undone; never leaves this
 * file. */
#define OM_REPLAN ((onnxmini_status)-1)

static int same_shape(const om_tensor *a, const om_tensor *b)
{
    return a->dtype == b->dtype && a->rank == b->rank &&
           (a->rank == 0 ||
            memcmp(a->dims, b->dims, (size_t)a->rank * sizeof a->dims[0]) == 0);
}

static void undo_fusion(onnxmini_session *s, int absorber)
{
    int n;
    for (n = 0; n < s->model->n_nodes; n++)
        if (s->absorbed_by[n] == absorber) {
            s->absorbed_by[n] = -1;
            s->absorbed_input[n] = -1;
        }
    s->has_fusion[absorber] = 0;
    s->fusion_bias[absorber] = -1;
}

/* Infers every node's output shapes in order, folding nodes whose inputs
 * are all constant, and lists the nodes left to run. */
static onnxmini_status infer_all(onnxmini_session *s)
{
    const onnxmini_model *m = s->model;
    int n, i;

    for (n = 0; n < m->n_nodes; n++) {
        const om_node *node = &m->nodes[n];
        om_infer_ctx ctx = node_infer_ctx(s, n);
        int all_constant = 1;
        onnxmini_status st;

        for (i = 0; i < node->n_outputs; i++)
            if (ctx.out[i])
                memset(ctx.out[i], 0, sizeof *ctx.out[i]);
        for (i = 0; i < node->n_inputs; i++)
            if (ctx.in[i] && !ctx.in[i]->is_constant)
                all_constant = 0;
        if (s->has_fusion[n] && s->fusion_bias[n] >= 0 &&
            !s->tensors[s->fusion_bias[n]].is_constant) {
            /* The folded bias comes from a node after this one (a Constant
             * or Identity later in the order), so it has no data yet. */
            undo_fusion(s, n);
            return OM_REPLAN;
        }

        st = node->op->infer(&ctx);
        if (st != ONNXMINI_OK)
            return st;
        if (s->has_fusion[n] && ctx.out[0]->dtype != ONNXMINI_FLOAT) {
            /* Folded epilogues compute in float, with float bounds: plan
             * again with the nodes as written. */
            undo_fusion(s, n);
            return OM_REPLAN;
        }
        if (s->absorbed_input[n] >= 0 && !same_shape(ctx.in[s->absorbed_input[n]],
                                                     ctx.out[0])) {
            /* The Add broadcasts beyond its first operand's shape, so it
             * cannot share that buffer: plan again without this fusion. */
            undo_fusion(s, s->absorbed_by[n]);
            return OM_REPLAN;
        }
        s->scratch_bytes[n] = ctx.scratch_bytes;
        s->packed_bytes[n] = ctx.packed_bytes;
        for (i = 0; s->max_tensor_elements && i < node->n_outputs; i++)
            if (ctx.out[i] && ctx.out[i]->count > s->max_tensor_elements)
                return om_node_fail(&s->err, node, ONNXMINI_ERR_LIMIT,
                                    "output '%s' has %zu elements, above the "
                                    "limit of %zu",
                                    m->values[node->outputs[i]].name,
                                    ctx.out[i]->count, s->max_tensor_elements);

        if (all_constant) {
            st = fold_node(s, n);
            if (st != ONNXMINI_OK)
                return st;
        } else {
            s->steps[s->n_steps++] = n;
        }
    }
    return ONNXMINI_OK;
}

/* Places every intermediate value of the steps in one arena. A value that
 * an aliasing operator (Reshape) or an in-place operator (Relu, Add)
 * writes shares its input's buffer. */
static onnxmini_status place_values(onnxmini_session *s)
{
    const onnxmini_model *m = s->model;
    int nv = m->n_values, i, j, k, n_bufs = 0;
    int *last_use = s_malloc(s, (size_t)nv * sizeof(int));
    int *root = s_malloc(s, (size_t)nv * sizeof(int));
    int *buffer_of = s_malloc(s, (size_t)nv * sizeof(int));
    om_plan_buffer *bufs = s_calloc(s, (size_t)nv, sizeof *bufs);
    void *work;
    size_t scratch = 0, values_bytes = 0;
    onnxmini_status st = ONNXMINI_OK;
    unsigned char *base;

    if (!last_use || !root || !buffer_of || !bufs) {
        st = session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY,
                          "out of memory while planning");
        goto done;
    }

    /* The last step that reads each value; graph outputs live to the end. */
    for (i = 0; i < nv; i++) {
        last_use[i] = m->values[i].is_graph_output ? s->n_steps : -1;
        root[i] = i;
        buffer_of[i] = -1;
    }
    for (k = 0; k < s->n_steps; k++) {
        const om_node *node = &m->nodes[s->steps[k]];
        for (j = 0; j < node->n_inputs; j++)
            if (node->inputs[j] >= 0 && last_use[node->inputs[j]] < k)
                last_use[node->inputs[j]] = k;
    }

    /* One buffer per group of values that share memory. */
    for (k = 0; k < s->n_steps; k++) {
        int n = s->steps[k];
        const om_node *node = &m->nodes[n];
        for (j = 0; j < node->n_outputs; j++) {
            int v = node->outputs[j], shared = -1;
            om_tensor *t;
            if (v < 0)
                continue;
            t = &s->tensors[v];
            if (j == 0 && ((node->op->flags & (OM_OP_ALIAS | OM_OP_IN_PLACE)) ||
                           s->absorbed_input[n] >= 0)) {
                for (i = 0; i < node->n_inputs && i < 2 && shared < 0; i++) {
                    int u = node->inputs[i], b;
                    if (u < 0 || buffer_of[root[u]] < 0)
                        continue;     /* not an intermediate of this plan */
                    b = buffer_of[root[u]];
                    if (s->tensors[u].bytes != t->bytes ||
                        s->tensors[u].dtype != t->dtype)
                        continue;
                    if (s->absorbed_input[n] >= 0) {
                        if (i == s->absorbed_input[n])
                            shared = u;
                    } else if (node->op->flags & OM_OP_ALIAS) {
                        if (i == 0)
                            shared = u;
                    } else if (bufs[b].last <= k &&
                               !m->values[u].is_graph_output) {
                        shared = u;   /* the input dies here */
                    }
                }
            }
            if (shared >= 0) {
                int b = buffer_of[root[shared]];
                root[v] = root[shared];
                if (last_use[v] > bufs[b].last)
                    bufs[b].last = last_use[v];
                continue;
            }
            bufs[n_bufs].bytes = t->bytes;
            bufs[n_bufs].first = k;
            bufs[n_bufs].last = last_use[v] > k ? last_use[v] : k;
            buffer_of[v] = n_bufs++;
        }
        if (s->scratch_bytes[n] > scratch)
            scratch = s->scratch_bytes[n];
    }

    work = s_malloc(s, om_plan_work_bytes(n_bufs));
    if (!work) {
        st = session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY,
                          "out of memory while planning");
        goto done;
    }
    st = om_plan_place(bufs, n_bufs, work, &values_bytes, &s->err);
    s_free(s, work);
    if (st != ONNXMINI_OK)
        goto done;

    /* The lower bound of any placement: the largest total size of the
     * buffers alive at one step. */
    s->values_lower_bound = 0;
    for (k = 0; k < s->n_steps; k++) {
        size_t alive = 0;
        for (i = 0; i < n_bufs; i++)
            if (bufs[i].first <= k && k <= bufs[i].last)
                alive += bufs[i].bytes;
        if (alive > s->values_lower_bound)
            s->values_lower_bound = alive;
    }
    s->values_bytes = values_bytes;
    s->scratch_total = scratch;

    /* One allocation: values first, then the scratch area. */
    if (scratch > OM_MAX_TENSOR_BYTES || values_bytes > SIZE_MAX / 2) {
        st = session_fail(s, ONNXMINI_ERR_LIMIT,
                          "the plan needs %zu bytes of values and %zu of "
                          "scratch, too large",
                          values_bytes, scratch);
        goto done;
    }
    s->arena_bytes = align_up(values_bytes) + align_up(scratch);
    if (s->max_arena_bytes && s->arena_bytes > s->max_arena_bytes) {
        st = session_fail(s, ONNXMINI_ERR_LIMIT,
                          "the plan needs an arena of %zu bytes, above the "
                          "limit of %zu",
                          s->arena_bytes, s->max_arena_bytes);
        goto done;
    }
    if (s->measure_only)
        goto done;
    if (s->user_arena) {
        if (s->arena_bytes > s->user_arena_bytes) {
            st = session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY,
                              "the plan needs an arena of %zu bytes, the "
                              "caller's arena has %zu",
                              s->arena_bytes, s->user_arena_bytes);
            goto done;
        }
        s->arena = s->user_arena;
    } else {
        s->arena = s_malloc(s, s->arena_bytes ? s->arena_bytes : 1);
    }
    if (!s->arena) {
        st = session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY,
                          "cannot allocate an arena of %zu bytes",
                          s->arena_bytes);
        goto done;
    }
    base = s->arena;
    s->scratch = base + align_up(values_bytes);
    for (i = 0; i < nv; i++) {
        int b = buffer_of[root[i]];
        if (b >= 0 && !s->tensors[i].is_constant &&
            m->values[i].kind == OM_VALUE_INTERMEDIATE)
            s->tensors[i].data = base + bufs[b].offset;
    }

done:
    s_free(s, last_use);
    s_free(s, root);
    s_free(s, buffer_of);
    s_free(s, bufs);
    return st;
}

/* The element type a graph output declares must be the one its node
 * produces: callers size their buffers from the declaration. */
static onnxmini_status check_outputs(onnxmini_session *s)
{
    const onnxmini_model *m = s->model;
    int i;

    for (i = 0; i < m->n_outputs; i++) {
        const om_value *v = &m->values[m->outputs[i]];
        const om_tensor *t = &s->tensors[m->outputs[i]];
        if (v->kind == OM_VALUE_INTERMEDIATE && v->dtype != 0 &&
            v->dtype != t->dtype)
            return session_fail(s, ONNXMINI_ERR_INVALID_MODEL,
                                "graph output '%s' is declared %s, but node "
                                "'%s' produces %s",
                                v->name, om_dtype_name(v->dtype),
                                m->nodes[v->producer].name,
                                om_dtype_name(t->dtype));
    }
    return ONNXMINI_OK;
}

/* Gives every step that asked for packed memory its part of one block,
 * and lets the operator fill it from its constant inputs. */
static onnxmini_status pack_weights(onnxmini_session *s)
{
    size_t total = 0;
    int k;

    for (k = 0; k < s->n_steps; k++) {
        int n = s->steps[k];
        if (s->packed_bytes[n] > OM_MAX_TENSOR_BYTES ||
            total > SIZE_MAX / 2)
            return session_fail(s, ONNXMINI_ERR_LIMIT,
                                "the packed weights are too large");
        s->packed_offset[n] = total;
        total += align_up(s->packed_bytes[n]);
    }
    s->packed_total = total;
    if (total == 0 || s->measure_only)
        return ONNXMINI_OK;
    s->packed = s_malloc(s, total);
    if (!s->packed)
        return session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY,
                            "cannot allocate %zu bytes of packed weights",
                            total);
    for (k = 0; k < s->n_steps; k++) {
        int n = s->steps[k];
        om_run_ctx ctx;
        onnxmini_status st;
        if (!s->packed_bytes[n])
            continue;
        ctx = node_run_ctx(s, n, NULL);
        st = s->model->nodes[n].op->pack(&ctx);
        if (st != ONNXMINI_OK)
            return st;
    }
    return ONNXMINI_OK;
}

/* Plans the session for the current bindings and inputs. Leaves the
 * session unplanned, without error, while an input it needs is not set. */
static onnxmini_status plan(onnxmini_session *s)
{
    const onnxmini_model *m = s->model;
    size_t total_state = 0;
    int ready, n;
    onnxmini_status st;

    free_plan(s);
    s->conflict[0] = '\0';
    st = bind_sources(s, &ready);
    if (st != ONNXMINI_OK || !ready)
        return st;

    /* Zeroed operator state for every node. */
    for (n = 0; n < m->n_nodes; n++) {
        s->state_offset[n] = total_state;
        total_state += align_up(m->nodes[n].op->state_size);
    }
    s->states = s_calloc(s, 1, total_state ? total_state : 1);
    if (!s->states)
        return session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");

    st = infer_all(s);
    if (st == OM_REPLAN) {
        memset(s->states, 0, total_state ? total_state : 1);
        s->n_steps = 0;
        return plan(s);
    }
    if (st == ONNXMINI_OK)
        st = check_outputs(s);
    if (st == ONNXMINI_OK)
        st = place_values(s);
    if (st == ONNXMINI_OK)
        st = pack_weights(s);
    if (st != ONNXMINI_OK) {
        free_plan(s);
        return st;
    }
    s->planned = 1;
    return ONNXMINI_OK;
}

/* ------------------------------------------------------------ lifecycle */

void onnxmini_session_options_init(onnxmini_session_options *options)
{
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->struct_size = sizeof *options;
    options->threads = 1;
    options->graph_rewrites = 1;
}

/* The only node that reads a value, or -1 when none or several do or the
 * value is a graph output. */
static int sole_consumer(const onnxmini_model *m, int value)
{
    int n, j, found = -1;
    if (m->values[value].is_graph_output)
        return -1;
    for (n = 0; n < m->n_nodes; n++)
        for (j = 0; j < m->nodes[n].n_inputs; j++)
            if (m->nodes[n].inputs[j] == value) {
                if (found >= 0)
                    return -1;
                found = n;
            }
    return found;
}

static int is_default_op(const om_node *node, const char *op_type)
{
    return node->domain[0] == '\0' && strcmp(node->op_type, op_type) == 0;
}

/* Folds, into each Conv or MatMul that can take them, a following Add of
 * a constant bias and a following Relu: the absorbed nodes then share the
 * first node's output buffer and do no work. Only nodes whose output has
 * no other reader are folded, so no intermediate value that something
 * else reads disappears. */
static void plan_fusions(onnxmini_session *s)
{
    const onnxmini_model *m = s->model;
    int n;

    for (n = 0; n < m->n_nodes; n++) {
        const om_node *node = &m->nodes[n];
        int value, next, fused = 0;

        if (!node->op->can_fuse || node->n_outputs < 1 ||
            node->outputs[0] < 0 || s->absorbed_input[n] >= 0 ||
            !node->op->can_fuse(node, m, -1))
            continue;
        value = node->outputs[0];
        s->fusions[n].lo = -INFINITY;
        s->fusions[n].hi = INFINITY;

        /* An Add of a constant that fits as a bias (numpy broadcasting,
         * opset 7 and later). */
        next = sole_consumer(m, value);
        if (next >= 0 && is_default_op(&m->nodes[next], "Add") &&
            m->nodes[next].since_version >= 7) {
            const om_node *add = &m->nodes[next];
            int side = add->inputs[0] == value ? 0 : 1;
            int bias = add->inputs[1 - side];
            if (add->inputs[side] == value && bias != value &&
                om_value_is_constant(m, bias) &&
                node->op->can_fuse(node, m, bias)) {
                s->absorbed_input[next] = side;
                s->absorbed_by[next] = n;
                s->fusion_bias[n] = bias;
                value = add->outputs[0];
                fused = 1;
            }
        }

        /* A Relu, or a Clip whose bounds are constants (ReLU6). */
        next = value >= 0 ? sole_consumer(m, value) : -1;
        if (next >= 0 && is_default_op(&m->nodes[next], "Relu")) {
            s->absorbed_input[next] = 0;
            s->absorbed_by[next] = n;
            s->fusions[n].lo = 0.0f;
            fused = 1;
        } else if (next >= 0 && is_default_op(&m->nodes[next], "Clip") &&
                   m->nodes[next].inputs[0] == value &&
                   om_clip_constant_bounds(&m->nodes[next], m,
                                           &s->fusions[n].lo,
                                           &s->fusions[n].hi)) {
            s->absorbed_input[next] = 0;
            s->absorbed_by[next] = n;
            fused = 1;
        }
        s->has_fusion[n] = (char)fused;
    }
}

/* Marks graph inputs whose contents an operator reads while planning. */
static void mark_data_inputs(onnxmini_session *s)
{
    const onnxmini_model *m = s->model;
    int n, j, i;

    for (n = 0; n < m->n_nodes; n++) {
        const om_node *node = &m->nodes[n];
        for (j = 0; j < node->n_inputs && j < 32; j++) {
            if (!(node->op->data_inputs & (1u << j)) || node->inputs[j] < 0)
                continue;
            for (i = 0; i < s->n_slots; i++)
                if (m->inputs[i] == node->inputs[j])
                    s->inputs[i].needs_data = 1;
        }
    }
}

static int init_io(onnxmini_session *s)
{
    const onnxmini_model *m = s->model;
    size_t nodes = m->n_nodes ? (size_t)m->n_nodes : 1;
    size_t total = 0;
    int n, j;

    s->io_offset = s_malloc(s, (size_t)(m->n_nodes ? m->n_nodes : 1) * sizeof(int));
    s->state_offset = s_malloc(s, (size_t)(m->n_nodes ? m->n_nodes : 1) *
                             sizeof(size_t));
    s->scratch_bytes = s_calloc(s, (size_t)(m->n_nodes ? m->n_nodes : 1),
                              sizeof(size_t));
    s->steps = s_malloc(s, (size_t)(m->n_nodes ? m->n_nodes : 1) * sizeof(int));
    s->packed_bytes = s_calloc(s, nodes, sizeof(size_t));
    s->packed_offset = s_calloc(s, nodes, sizeof(size_t));
    s->absorbed_input = s_malloc(s, nodes * sizeof(int));
    s->absorbed_by = s_malloc(s, nodes * sizeof(int));
    s->fusions = s_calloc(s, nodes, sizeof *s->fusions);
    s->fusion_bias = s_malloc(s, nodes * sizeof(int));
    s->has_fusion = s_calloc(s, nodes, 1);
    if (!s->io_offset || !s->state_offset || !s->scratch_bytes || !s->steps ||
        !s->packed_bytes || !s->packed_offset || !s->absorbed_input ||
        !s->absorbed_by ||
        !s->fusions || !s->fusion_bias || !s->has_fusion)
        return -1;
    for (n = 0; n < m->n_nodes; n++) {
        s->absorbed_input[n] = -1;
        s->absorbed_by[n] = -1;
        s->fusion_bias[n] = -1;
    }
    for (n = 0; n < m->n_nodes; n++) {
        s->io_offset[n] = (int)total;
        total += (size_t)(m->nodes[n].n_inputs + m->nodes[n].n_outputs);
    }
    s->io = s_malloc(s, (total ? total : 1) * sizeof *s->io);
    if (!s->io)
        return -1;
    for (n = 0; n < m->n_nodes; n++) {
        const om_node *node = &m->nodes[n];
        om_tensor **slot = s->io + s->io_offset[n];
        for (j = 0; j < node->n_inputs; j++)
            *slot++ = node->inputs[j] >= 0 ? &s->tensors[node->inputs[j]] : NULL;
        for (j = 0; j < node->n_outputs; j++)
            *slot++ =
                node->outputs[j] >= 0 ? &s->tensors[node->outputs[j]] : NULL;
    }
    return 0;
}

static onnxmini_status create(const onnxmini_model *model,
                              const onnxmini_session_options *options,
                              int measure_only, onnxmini_session **session,
                              onnxmini_error *error)
{
    onnxmini_session *s;
    const char *isa = NULL;
    int rewrites = 1;
    onnxmini_status st;

    om_clear(error);
    if (!session)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the session out-parameter is NULL");
    *session = NULL;
    if (!model)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the model is NULL");
    if (options) {
        if (options->struct_size < sizeof *options)
            return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                           "options.struct_size is %zu, expected %zu: "
                           "initialise options with "
                           "onnxmini_session_options_init()",
                           options->struct_size, sizeof *options);
        isa = options->isa;
        rewrites = options->graph_rewrites;
        if (options->threads < 0 || options->threads > ONNXMINI_MAX_THREADS)
            return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                           "options.threads is %d; expected 0 to %d",
                           options->threads, ONNXMINI_MAX_THREADS);
    }

    {
        const onnxmini_allocator *a =
            options && options->allocator ? options->allocator
                                          : &model->alloc;
        if (!a->allocate || !a->release)
            return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                           "options.allocator needs both allocate and "
                           "release");
        s = a->allocate(a->user, sizeof *s, OM_ALIGNMENT);
        if (!s)
            return om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        memset(s, 0, sizeof *s);
        s->alloc = *a;
    }
    if (options && options->arena) {
        if ((uintptr_t)options->arena % OM_ALIGNMENT != 0) {
            s_free(s, s);
            return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                           "options.arena is not 64-byte aligned");
        }
        s->user_arena = options->arena;
        s->user_arena_bytes = options->arena_bytes;
    }
    s->measure_only = measure_only;
    s->threads = options && options->threads > 1 ? options->threads : 1;
    if (options) {
        s->max_arena_bytes = options->max_arena_bytes;
        s->max_tensor_elements = options->max_tensor_elements;
    }
    s->model = model;
    s->tensors = s_calloc(s, (size_t)(model->n_values ? model->n_values : 1),
                        sizeof *s->tensors);
    s->n_slots = model->n_inputs + model->n_defaults;
    s->inputs = s_calloc(s, (size_t)(s->n_slots ? s->n_slots : 1),
                       sizeof *s->inputs);
    if (!s->tensors || !s->inputs || init_bindings(s) != 0 ||
        init_io(s) != 0) {
        onnxmini_session_destroy(s);
        return om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    mark_data_inputs(s);
    if (rewrites)
        plan_fusions(s);

    st = om_kernels_select(isa, &s->kernels, &s->err);
    if (st == ONNXMINI_OK && s->threads > 1 && !measure_only) {
        s->pool = om_pool_create(s->threads, &s->alloc, &s->err);
        if (!s->pool)
            st = s->err.status;
    }
    if (st == ONNXMINI_OK) {
        st = plan(s);
        /* Symbolic dimensions are planned at 1 until inputs bind them, and
         * a model may not fit that size (a 5x5 convolution of a symbolic
         * image size). Such a shape error waits for the inputs, because
         * set_input plans again and reports it if it remains. */
        if (st == ONNXMINI_ERR_SHAPE && s->n_bindings > 0 && !measure_only) {
            snprintf(s->conflict, sizeof s->conflict,
                     "with its symbolic dimensions at 1, the model does not "
                     "plan (%.400s); set the inputs first",
                     s->err.message);
            st = ONNXMINI_OK;
        }
    }
    if (st != ONNXMINI_OK) {
        om_fail(error, st, "%s", s->err.message);
        onnxmini_session_destroy(s);
        return st;
    }
    om_clear(&s->err);
    *session = s;
    return ONNXMINI_OK;
}

void onnxmini_session_destroy(onnxmini_session *s)
{
    int i;
    if (!s)
        return;
    om_pool_destroy(s->pool);
    free_plan(s);
    for (i = 0; s->inputs && i < s->n_slots; i++)
        s_free(s, s->inputs[i].data_copy);
    s_free(s, s->inputs);
    s_free(s, s->bindings);
    s_free(s, s->tensors);
    s_free(s, s->io);
    s_free(s, s->io_offset);
    s_free(s, s->state_offset);
    s_free(s, s->scratch_bytes);
    s_free(s, s->packed_bytes);
    s_free(s, s->packed_offset);
    s_free(s, s->absorbed_input);
    s_free(s, s->absorbed_by);
    s_free(s, s->fusions);
    s_free(s, s->fusion_bias);
    s_free(s, s->has_fusion);
    s_free(s, s->steps);
    {
        /* The release function outlives the struct it is copied from. */
        onnxmini_allocator a = s->alloc;
        a.release(a.user, s);
    }
}

const char *onnxmini_session_message(const onnxmini_session *s)
{
    return s ? s->err.message : "the session is NULL";
}

const char *onnxmini_session_isa(const onnxmini_session *s)
{
    return s && s->kernels ? s->kernels->isa : "";
}

/* ------------------------------------------------------------ inputs */

/* Checks a fed shape against the declaration and records symbolic sizes.
 * Sets *changed when a binding takes a new size. */
static onnxmini_status check_input_shape(onnxmini_session *s, int index,
                                         const int64_t *dims, size_t rank,
                                         int *changed)
{
    const om_value *v = &s->model->values[s->model->inputs[index]];
    char given[OM_DIMS_STR_SIZE], declared[OM_DIMS_STR_SIZE];
    size_t i;

    if (rank > OM_MAX_RANK)
        return session_fail(s, ONNXMINI_ERR_LIMIT,
                            "input '%s': rank %zu is above the limit of %d",
                            v->name, rank, OM_MAX_RANK);
    if (rank > 0 && !dims)
        return session_fail(s, ONNXMINI_ERR_INVALID_ARGUMENT,
                            "input '%s': dims is NULL for rank %zu", v->name,
                            rank);
    for (i = 0; i < rank; i++)
        if (dims[i] < 0)
            return session_fail(s, ONNXMINI_ERR_SHAPE,
                                "input '%s': dimension %zu is negative (%lld)",
                                v->name, i, (long long)dims[i]);
    if (v->rank < 0)
        return ONNXMINI_OK;

    om_dims_str(dims, (int)rank, given, sizeof given);
    om_dims_str(v->dims, v->rank, declared, sizeof declared);
    if ((int)rank != v->rank)
        return session_fail(s, ONNXMINI_ERR_SHAPE,
                            "input '%s': shape %s has rank %zu, but the model "
                            "declares rank %d %s",
                            v->name, given, rank, v->rank, declared);
    for (i = 0; i < rank; i++) {
        if (v->dims[i] >= 0 && v->dims[i] != dims[i])
            return session_fail(s, ONNXMINI_ERR_SHAPE,
                                "input '%s': shape %s does not match the "
                                "declared shape %s at axis %zu",
                                v->name, given, declared, i);
    }
    /* A name used twice within this input takes one size. */
    for (i = 0; i < rank; i++) {
        size_t j;
        for (j = 0; j < i && v->dim_names[i]; j++)
            if (v->dim_names[j] && strcmp(v->dim_names[i], v->dim_names[j]) == 0 &&
                dims[i] != dims[j])
                return session_fail(s, ONNXMINI_ERR_SHAPE,
                                    "input '%s': shape %s gives the symbolic "
                                    "dimension %s two sizes (%lld at axis %zu, "
                                    "%lld at axis %zu)",
                                    v->name, given, v->dim_names[i],
                                    (long long)dims[j], j, (long long)dims[i],
                                    i);
    }
    for (i = 0; i < rank; i++) {
        binding *b;
        if (!v->dim_names[i])
            continue;
        b = find_binding(s, v->dim_names[i]);
        if (b->size != dims[i]) {
            b->size = dims[i];
            *changed = 1;
        }
        b->set_by = v->name;
    }
    return ONNXMINI_OK;
}

static onnxmini_status set_input(onnxmini_session *s, int index,
                                 onnxmini_dtype dtype, const int64_t *dims,
                                 size_t rank, const void *data, size_t bytes)
{
    const om_value *v = &s->model->values[s->model->inputs[index]];
    input_slot *slot = &s->inputs[index];
    om_tensor probe;
    int changed = 0;
    onnxmini_status st;

    if (!data && bytes)
        return session_fail(s, ONNXMINI_ERR_INVALID_ARGUMENT,
                            "input '%s': data is NULL", v->name);
    if ((int)dtype != v->dtype)
        return session_fail(s, ONNXMINI_ERR_SHAPE,
                            "input '%s': element type %s (%d) given, the "
                            "model declares %s",
                            v->name, om_dtype_name((int)dtype), (int)dtype,
                            om_dtype_name(v->dtype));
    st = check_input_shape(s, index, dims, rank, &changed);
    if (st != ONNXMINI_OK)
        return st;
    st = om_tensor_set_shape(&probe, v->dtype, dims, (int)rank, &s->err);
    if (st != ONNXMINI_OK)
        return session_fail(s, st, "input '%s': %s", v->name, s->err.message);
    if (bytes != probe.bytes)
        return session_fail(s, ONNXMINI_ERR_SHAPE,
                            "input '%s': %zu bytes given, expected %zu for %zu "
                            "%s elements",
                            v->name, bytes, probe.bytes, probe.count,
                            om_dtype_name(v->dtype));
    if (!data)
        data = "";                    /* an empty tensor: any valid pointer */

    /* A new shape, or new contents for an input the plan reads, means a
     * new plan. */
    {
        /* Only a shape other than the plan's needs a new plan: the first
         * feed of a declared shape does not, but the first feed replacing
         * an initializer does, as the plan treated it as a constant. */
        const om_tensor *planned = &s->tensors[s->model->inputs[index]];
        if (!s->planned || planned->rank != (int)rank ||
            (index >= s->model->n_inputs && !slot->is_set) ||
            (rank && memcmp(planned->dims, dims, rank * sizeof *dims) != 0))
            changed = 1;
    }
    if (slot->needs_data &&
        (!slot->data_copy || slot->bytes != bytes ||
         memcmp(slot->data_copy, data, bytes) != 0)) {
        void *copy = s_malloc(s, bytes ? bytes : 1);
        if (!copy)
            return session_fail(s, ONNXMINI_ERR_OUT_OF_MEMORY,
                                "out of memory");
        memcpy(copy, data, bytes);
        s_free(s, slot->data_copy);
        slot->data_copy = copy;
        changed = 1;
    }
    s->has_run = 0;                   /* outputs belong to the last run */
    slot->is_set = 1;
    slot->rank = (int)rank;
    if (rank)
        memcpy(slot->dims, dims, rank * sizeof *dims);
    slot->data = data;
    slot->bytes = bytes;

    if (changed || !s->planned) {
        st = plan(s);
        if (st != ONNXMINI_OK) {
            /* The binding stays (another input may be about to make it
             * fit), and a run before that reports why it does not. */
            snprintf(s->conflict, sizeof s->conflict, "%s", s->err.message);
            return st;
        }
    } else {
        s->tensors[s->model->inputs[index]].data = (void *)(uintptr_t)data;
        if (slot->needs_data)
            s->tensors[s->model->inputs[index]].data = slot->data_copy;
    }
    om_clear(&s->err);
    return ONNXMINI_OK;
}

onnxmini_status onnxmini_session_set_input_at(onnxmini_session *s, size_t index,
                                              onnxmini_dtype dtype,
                                              const int64_t *dims, size_t rank,
                                              const void *data, size_t bytes)
{
    if (!s)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    if (index >= (size_t)s->model->n_inputs)
        return session_fail(s, ONNXMINI_ERR_NOT_FOUND,
                            "input index %zu is out of range (the model has "
                            "%d inputs)",
                            index, s->model->n_inputs);
    return set_input(s, (int)index, dtype, dims, rank, data, bytes);
}

onnxmini_status onnxmini_session_set_input(onnxmini_session *s,
                                           const char *name,
                                           onnxmini_dtype dtype,
                                           const int64_t *dims, size_t rank,
                                           const void *data, size_t bytes)
{
    int i;
    if (!s)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    if (!name)
        return session_fail(s, ONNXMINI_ERR_INVALID_ARGUMENT,
                            "the input name is NULL");
    for (i = 0; i < s->n_slots; i++)
        if (strcmp(s->model->values[s->model->inputs[i]].name, name) == 0)
            return set_input(s, i, dtype, dims, rank, data, bytes);
    i = om_model_find_value(s->model, name);
    if (i >= 0 && s->model->values[i].kind == OM_VALUE_INITIALIZER)
        return session_fail(s, ONNXMINI_ERR_NOT_FOUND,
                            "'%s' is an initializer that is not a graph input "
                            "(or the model's IR version %lld is below 4), so "
                            "a feed cannot replace it",
                            name, (long long)s->model->ir_version);
    return session_fail(s, ONNXMINI_ERR_NOT_FOUND,
                        "the model has no input named '%s'", name);
}

/* ------------------------------------------------------------ run */

onnxmini_status onnxmini_session_run(onnxmini_session *s)
{
    const onnxmini_model *m;
    int i, k;

    if (!s)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    m = s->model;
    for (i = 0; i < m->n_inputs; i++)
        if (!s->inputs[i].is_set)
            return session_fail(s, ONNXMINI_ERR_STATE,
                                "input '%s' is not set",
                                m->values[m->inputs[i]].name);
    if (!s->planned && s->conflict[0])
        return session_fail(s, ONNXMINI_ERR_STATE, "%s", s->conflict);
    if (!s->planned)
        return session_fail(s, ONNXMINI_ERR_STATE,
                            "the session has no plan: the last "
                            "set_input failed");

    s->has_run = 0;
    for (k = 0; k < s->n_steps; k++) {
        int n = s->steps[k];
        om_run_ctx ctx;
        onnxmini_status st;
        if (s->absorbed_input[n] >= 0) {
            run_absorbed(s, n);
            continue;
        }
        ctx = node_run_ctx(s, n, s->scratch);
        if (outputs_empty(&ctx))
            continue;
        st = m->nodes[n].op->run(&ctx);
        if (st != ONNXMINI_OK)
            return st;
    }
    s->has_run = 1;
    om_clear(&s->err);
    return ONNXMINI_OK;
}

/* ------------------------------------------------------------ outputs */

static onnxmini_status output_tensor(onnxmini_session *s, size_t index,
                                     onnxmini_tensor *out)
{
    const om_tensor *t;

    if (!out)
        return session_fail(s, ONNXMINI_ERR_INVALID_ARGUMENT,
                            "the tensor out-parameter is NULL");
    if (index >= (size_t)s->model->n_outputs)
        return session_fail(s, ONNXMINI_ERR_NOT_FOUND,
                            "output index %zu is out of range (the model has "
                            "%d outputs)",
                            index, s->model->n_outputs);
    if (!s->has_run)
        return session_fail(s, ONNXMINI_ERR_STATE,
                            "output '%s' is read before a successful run",
                            s->model->values[s->model->outputs[index]].name);
    t = &s->tensors[s->model->outputs[index]];
    out->dtype = (onnxmini_dtype)t->dtype;
    out->rank = (size_t)t->rank;
    out->dims = t->dims;
    out->data = t->data;
    out->bytes = t->bytes;
    om_clear(&s->err);
    return ONNXMINI_OK;
}

onnxmini_status onnxmini_session_output(onnxmini_session *s, size_t index,
                                        onnxmini_tensor *tensor)
{
    if (!s)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    return output_tensor(s, index, tensor);
}

onnxmini_status onnxmini_session_output_by_name(onnxmini_session *s,
                                                const char *name,
                                                onnxmini_tensor *tensor)
{
    int i;
    if (!s)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    if (!name)
        return session_fail(s, ONNXMINI_ERR_INVALID_ARGUMENT,
                            "the output name is NULL");
    for (i = 0; i < s->model->n_outputs; i++)
        if (strcmp(s->model->values[s->model->outputs[i]].name, name) == 0)
            return output_tensor(s, (size_t)i, tensor);
    return session_fail(s, ONNXMINI_ERR_NOT_FOUND,
                        "the model has no output named '%s'", name);
}

onnxmini_status onnxmini_session_copy_output(onnxmini_session *s, size_t index,
                                             void *buffer, size_t capacity,
                                             size_t *bytes)
{
    onnxmini_tensor t = {ONNXMINI_UNDEFINED, 0, NULL, NULL, 0};
    onnxmini_status st;

    if (!s)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    st = output_tensor(s, index, &t);
    if (st != ONNXMINI_OK)
        return st;
    if (bytes)
        *bytes = t.bytes;
    if (!buffer && t.bytes)
        return session_fail(s, ONNXMINI_ERR_INVALID_ARGUMENT,
                            "the buffer is NULL");
    if (capacity < t.bytes)
        return session_fail(s, ONNXMINI_ERR_INVALID_ARGUMENT,
                            "output %zu needs %zu bytes, the buffer has %zu",
                            index, t.bytes, capacity);
    if (t.bytes)
        memcpy(buffer, t.data, t.bytes);
    return ONNXMINI_OK;
}

onnxmini_status onnxmini_session_memory(const onnxmini_session *s,
                                        onnxmini_memory_info *info)
{
    const onnxmini_model *m;
    int i;

    if (!s || !info)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    if (!s->planned)
        return ONNXMINI_ERR_STATE;
    m = s->model;
    memset(info, 0, sizeof *info);
    info->arena_bytes = s->arena_bytes;
    info->values_bytes = s->values_bytes;
    info->values_lower_bound = s->values_lower_bound;
    info->scratch_bytes = s->scratch_total;
    info->packed_bytes = s->packed_total;
    for (i = 0; i < m->n_values; i++)
        if (m->values[i].kind == OM_VALUE_INITIALIZER)
            info->initializer_bytes += m->values[i].bytes;
    return ONNXMINI_OK;
}

onnxmini_status onnxmini_session_create(const onnxmini_model *model,
                                        const onnxmini_session_options *options,
                                        onnxmini_session **session,
                                        onnxmini_error *error)
{
    return create(model, options, 0, session, error);
}

onnxmini_status onnxmini_session_required_bytes(
    const onnxmini_model *model, const onnxmini_session_options *options,
    size_t *arena_bytes, onnxmini_error *error)
{
    onnxmini_session *s;
    onnxmini_status st;

    om_clear(error);
    if (!arena_bytes)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "arena_bytes is NULL");
    *arena_bytes = 0;
    st = create(model, options, 1, &s, error);
    if (st != ONNXMINI_OK)
        return st;
    if (!s->planned) {
        onnxmini_session_destroy(s);
        return om_fail(error, ONNXMINI_ERR_STATE,
                       "the model's input shapes are not all declared, so "
                       "the arena size depends on the inputs a caller sets");
    }
    *arena_bytes = s->arena_bytes;
    onnxmini_session_destroy(s);
    return ONNXMINI_OK;
}
