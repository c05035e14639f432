/*
 * model.c - bytes to IR: parse with protobuf-c, validate, convert, free the
 * protobuf tree.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "onnx.pb-c.h"
#include "ops/op.h"

typedef Onnxmini__Pb__ModelProto ModelProto;
typedef Onnxmini__Pb__GraphProto GraphProto;
typedef Onnxmini__Pb__NodeProto NodeProto;
typedef Onnxmini__Pb__AttributeProto AttributeProto;
typedef Onnxmini__Pb__TensorProto TensorProto;
typedef Onnxmini__Pb__ValueInfoProto ValueInfoProto;

/* ------------------------------------------------------------- name index */

/* Open-addressing hash table from value names to ids, so that large graphs
 * load in linear time. */
typedef struct name_index {
    int *slots;                       /* [mask + 1] value ids, -1 = empty */
    size_t mask;
} name_index;

static size_t hash_name(const char *s)
{
    /* FNV-1a */
    size_t h = (size_t)2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * (size_t)16777619u;
    return h;
}

static int index_init(name_index *ix, const onnxmini_allocator *a,
                      size_t expected)
{
    size_t n = 16, i;
    while (n < expected * 2 && n < ((size_t)1 << 30))
        n <<= 1;
    ix->slots = om_calloc(a, n, sizeof *ix->slots);
    if (!ix->slots)
        return -1;
    for (i = 0; i < n; i++)
        ix->slots[i] = -1;
    ix->mask = n - 1;
    return 0;
}

static int index_find(const name_index *ix, const om_value *values,
                      const char *name)
{
    size_t i = hash_name(name) & ix->mask;
    while (ix->slots[i] >= 0) {
        if (strcmp(values[ix->slots[i]].name, name) == 0)
            return ix->slots[i];
        i = (i + 1) & ix->mask;
    }
    return -1;
}

static void index_insert(name_index *ix, const char *name, int id)
{
    size_t i = hash_name(name) & ix->mask;
    while (ix->slots[i] >= 0)
        i = (i + 1) & ix->mask;
    ix->slots[i] = id;
}

/* ------------------------------------------------------------ conversion */

typedef struct loader {
    onnxmini_model *model;
    name_index index;
    int capacity;                     /* allocated length of model->values */
    const char *base_dir;             /* for external data; NULL from memory */
    om_load_limits limits;
    onnxmini_error *err;
} loader;

int om_model_find_value(const onnxmini_model *model, const char *name)
{
    int i;
    for (i = 0; i < model->n_values; i++)
        if (strcmp(model->values[i].name, name) == 0)
            return i;
    return -1;
}

/* Adds a value with the given name; the caller has checked it is new. */
static int add_value(loader *ld, const char *name, om_value_kind kind)
{
    onnxmini_model *m = ld->model;
    om_value *v;
    int i;

    if (m->n_values == ld->capacity)
        return -1;                    /* capacity is computed up front */
    v = &m->values[m->n_values];
    memset(v, 0, sizeof *v);
    v->name = om_strdup(&m->alloc, name);
    if (!v->name)
        return -1;
    v->kind = kind;
    v->rank = -1;
    v->producer = -1;
    for (i = 0; i < OM_MAX_RANK; i++)
        v->dims[i] = -1;
    index_insert(&ld->index, v->name, m->n_values);
    return m->n_values++;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* Reverses the bytes of each element: raw_data is little-endian on every
 * host, so big-endian hosts swap after copying. */
static void swap_elements(unsigned char *p, size_t count, size_t size)
{
    size_t i, j;
    for (i = 0; i < count; i++, p += size)
        for (j = 0; j < size / 2; j++) {
            unsigned char t = p[j];
            p[j] = p[size - 1 - j];
            p[size - 1 - j] = t;
        }
}

/* Checks that a typed field has the expected number of values. */
static onnxmini_status check_field_count(const char *what, const char *name,
                                         const char *field, size_t have,
                                         size_t want, const int64_t *dims,
                                         int rank, onnxmini_error *err)
{
    char shape[OM_DIMS_STR_SIZE];
    if (have == want)
        return ONNXMINI_OK;
    return om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                   "%s '%s': %s has %zu values, expected %zu for shape %s",
                   what, name, field, have, want,
                   om_dims_str(dims, rank, shape, sizeof shape));
}

/* The typed field that holds elements of dtype, as the ONNX TensorProto
 * definition assigns them: float_data for float and complex64,
 * double_data for double and complex128, int64_data for int64,
 * uint64_data for uint32 and uint64, int32_data for the rest. */
static void typed_field(const TensorProto *tp, int dtype, const char **name,
                        size_t *count)
{
    switch (dtype) {
    case ONNXMINI_FLOAT:
    case ONNXMINI_COMPLEX64:
        *name = "float_data";
        *count = tp->n_float_data;
        break;
    case ONNXMINI_DOUBLE:
    case ONNXMINI_COMPLEX128:
        *name = "double_data";
        *count = tp->n_double_data;
        break;
    case ONNXMINI_INT64:
        *name = "int64_data";
        *count = tp->n_int64_data;
        break;
    case ONNXMINI_UINT32:
    case ONNXMINI_UINT64:
        *name = "uint64_data";
        *count = tp->n_uint64_data;
        break;
    default:
        *name = "int32_data";
        *count = tp->n_int32_data;
        break;
    }
}

/* Copies the elements of a TensorProto into aligned memory. `what` and the
 * tensor's name appear in messages ("initializer 'W'"). */
onnxmini_status om_convert_tensor(const onnxmini_allocator *a,
                                  const void *proto, const char *base_dir,
                                  const char *what, const char *name,
                                  om_load_limits *limits, om_const_tensor *out,
                                  onnxmini_error *err)
{
    const TensorProto *tp = proto;
    char shape[OM_DIMS_STR_SIZE];
    int64_t count64;
    size_t count, elem, i;
    unsigned char *data;
    onnxmini_status st;

    memset(out, 0, sizeof *out);

    /* Type and shape. */
    if (tp->n_dims > OM_MAX_RANK)
        return om_fail(err, ONNXMINI_ERR_LIMIT,
                       "%s '%s' has rank %zu, above the limit of %d", what,
                       name, tp->n_dims, OM_MAX_RANK);
    out->rank = (int)tp->n_dims;
    for (i = 0; i < tp->n_dims; i++) {
        if (tp->dims[i] < 0)
            return om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                           "%s '%s' has a negative dimension %lld", what, name,
                           (long long)tp->dims[i]);
        out->dims[i] = tp->dims[i];
    }
    out->dtype = tp->data_type;
    elem = om_dtype_size(tp->data_type);
    if (tp->data_type == ONNXMINI_STRING)
        return om_fail(err, ONNXMINI_ERR_UNSUPPORTED,
                       "%s '%s' holds strings, which are not supported", what,
                       name);
    if (elem == 0)
        return om_fail(err, ONNXMINI_ERR_UNSUPPORTED,
                       "%s '%s' has element type %d, which is not supported",
                       what, name, (int)tp->data_type);
    count64 = om_shape_count(out->dims, out->rank);
    if (count64 < 0 || (uint64_t)count64 > OM_MAX_TENSOR_BYTES / elem)
        return om_fail(err, ONNXMINI_ERR_LIMIT, "%s '%s' has shape %s, too large",
                       what, name,
                       om_dims_str(out->dims, out->rank, shape, sizeof shape));
    count = (size_t)count64;

    if (tp->segment)
        return om_fail(err, ONNXMINI_ERR_UNSUPPORTED,
                       "%s '%s' is a segment of a larger tensor, which is not "
                       "supported",
                       what, name);

    out->bytes = count * elem;

    /* The caller's limits, before anything is allocated. */
    if (limits && limits->max_tensor_elements &&
        count > limits->max_tensor_elements)
        return om_fail(err, ONNXMINI_ERR_LIMIT,
                       "%s '%s' has %zu elements, above the limit of %zu",
                       what, name, count, limits->max_tensor_elements);
    if (limits && limits->max_initializer_bytes &&
        out->bytes > limits->max_initializer_bytes - limits->used_bytes)
        return om_fail(err, ONNXMINI_ERR_LIMIT,
                       "%s '%s' (%zu bytes) takes the model's weights past "
                       "the limit of %zu bytes",
                       what, name, out->bytes, limits->max_initializer_bytes);
    if (limits)
        limits->used_bytes += out->bytes;

    /* External data: the same little-endian bytes as raw_data, in a file
     * beside the model. */
    if (tp->has_data_location &&
        tp->data_location ==
            ONNXMINI__PB__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        st = om_read_external(a, tp, base_dir, what, name, out->bytes,
                              &out->data, err);
        if (st == ONNXMINI_OK && !host_is_little_endian() && elem > 1)
            swap_elements(out->data, out->bytes / elem, elem);
        return st;
    }

    /* The stored length is checked before anything is allocated, so that a
     * small file cannot make the loader allocate what it does not hold. */
    if (tp->has_raw_data) {
        if (tp->raw_data.len != out->bytes)
            return om_fail(err, ONNXMINI_ERR_INVALID_MODEL,
                           "%s '%s': raw_data has %zu bytes, expected %zu for "
                           "%s %s",
                           what, name, tp->raw_data.len, out->bytes,
                           om_dtype_name(out->dtype),
                           om_dims_str(out->dims, out->rank, shape,
                                       sizeof shape));
    } else {
        const char *field;
        size_t have, want = count;
        typed_field(tp, out->dtype, &field, &have);
        if (out->dtype == ONNXMINI_COMPLEX64 || out->dtype == ONNXMINI_COMPLEX128)
            want = 2 * count;
        st = check_field_count(what, name, field, have, want, out->dims,
                               out->rank, err);
        if (st != ONNXMINI_OK)
            return st;
    }

    data = om_aligned_malloc(a, out->bytes);
    if (!data)
        return om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY,
                       "%s '%s': cannot allocate %zu bytes", what, name,
                       out->bytes);
    out->data = data;

    /* raw_data: fixed-width little-endian elements. */
    if (tp->has_raw_data) {
        if (out->bytes)
            memcpy(data, tp->raw_data.data, out->bytes);
        if (!host_is_little_endian() && elem > 1) {
            size_t part = out->dtype == ONNXMINI_COMPLEX64    ? 4
                          : out->dtype == ONNXMINI_COMPLEX128 ? 8
                                                              : elem;
            swap_elements(data, out->bytes / part, part);
        }
        return ONNXMINI_OK;
    }

    /* Typed fields, as the ONNX TensorProto definition assigns them. */
    switch (out->dtype) {
    case ONNXMINI_FLOAT:
    case ONNXMINI_COMPLEX64:
        if (out->bytes)
            memcpy(data, tp->float_data, out->bytes);
        break;
    case ONNXMINI_DOUBLE:
    case ONNXMINI_COMPLEX128:
        if (out->bytes)
            memcpy(data, tp->double_data, out->bytes);
        break;
    case ONNXMINI_INT64:
        if (out->bytes)
            memcpy(data, tp->int64_data, out->bytes);
        break;
    case ONNXMINI_UINT32:
    case ONNXMINI_UINT64:
        for (i = 0; i < count; i++) {
            if (elem == 8) {
                memcpy(data + i * 8, &tp->uint64_data[i], 8);
            } else {
                uint32_t v = (uint32_t)tp->uint64_data[i];
                memcpy(data + i * 4, &v, 4);
            }
        }
        break;
    default:
        /* Narrower types keep the low bits of each int32_data entry. */
        for (i = 0; i < count; i++) {
            int32_t v = tp->int32_data[i];
            if (elem == 4) {
                memcpy(data + i * 4, &v, 4);
            } else if (elem == 2) {
                uint16_t h = (uint16_t)(uint32_t)v;
                memcpy(data + i * 2, &h, 2);
            } else {
                data[i] = (unsigned char)(uint32_t)v;
            }
        }
        break;
    }
    return ONNXMINI_OK;
}


/* Copies the declared type and shape of a graph input or output. */
static onnxmini_status convert_value_info(loader *ld, const ValueInfoProto *vi,
                                          om_value *v, const char *what)
{
    const Onnxmini__Pb__TypeProto__Tensor *tt;
    size_t i;

    if (!vi->type || vi->type->value_case !=
                         ONNXMINI__PB__TYPE_PROTO__VALUE_TENSOR_TYPE)
        return om_fail(ld->err, ONNXMINI_ERR_UNSUPPORTED,
                       "graph %s '%s' is not a tensor (sequence, map, optional "
                       "and sparse values are not supported)",
                       what, v->name);
    tt = vi->type->tensor_type;
    v->dtype = tt->has_elem_type ? tt->elem_type : 0;
    if (!tt->shape)
        return ONNXMINI_OK;           /* no shape declared: rank stays -1 */
    if (tt->shape->n_dim > OM_MAX_RANK)
        return om_fail(ld->err, ONNXMINI_ERR_LIMIT,
                       "graph %s '%s' has rank %zu, above the limit of %d", what,
                       v->name, tt->shape->n_dim, OM_MAX_RANK);
    v->rank = (int)tt->shape->n_dim;
    for (i = 0; i < tt->shape->n_dim; i++) {
        const Onnxmini__Pb__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        v->dims[i] = -1;
        if (d->value_case ==
            ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (d->dim_value < 0)
                return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                               "graph %s '%s' has a negative dimension %lld "
                               "at axis %zu",
                               what, v->name, (long long)d->dim_value, i);
            v->dims[i] = d->dim_value;
        } else if (d->value_case ==
                       ONNXMINI__PB__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                   d->dim_param[0]) {
            v->dim_names[i] = om_strdup(&ld->model->alloc, d->dim_param);
            if (!v->dim_names[i])
                return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY,
                               "out of memory");
        }
    }
    return ONNXMINI_OK;
}

/* Infers the kind of an attribute written without its type field, as early
 * IR versions allowed. */
static int attribute_kind(const AttributeProto *ap)
{
    if (ap->has_type && ap->type != 0)
        return ap->type;
    if (ap->has_f)
        return OM_ATTR_FLOAT;
    if (ap->has_i)
        return OM_ATTR_INT;
    if (ap->has_s)
        return OM_ATTR_STRING;
    if (ap->t)
        return OM_ATTR_TENSOR;
    if (ap->g)
        return OM_ATTR_GRAPH;
    if (ap->n_floats)
        return OM_ATTR_FLOATS;
    if (ap->n_ints)
        return OM_ATTR_INTS;
    if (ap->n_strings)
        return OM_ATTR_STRINGS;
    if (ap->n_tensors)
        return OM_ATTR_TENSORS;
    if (ap->n_graphs)
        return OM_ATTR_GRAPHS;
    return 0;
}

static onnxmini_status convert_attribute(loader *ld, const om_node *node,
                                         const AttributeProto *ap, om_attr *a)
{
    const onnxmini_allocator *alloc = &ld->model->alloc;
    onnxmini_error *err = ld->err;

    memset(a, 0, sizeof *a);
    if (!ap->name || !ap->name[0])
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "an attribute has no name");
    a->name = om_strdup(alloc, ap->name);
    if (!a->name)
        return om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    if (ap->ref_attr_name && ap->ref_attr_name[0])
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "attribute '%s' refers to a function attribute "
                            "'%s' outside a function body",
                            ap->name, ap->ref_attr_name);
    a->type = attribute_kind(ap);
    if (a->type == 0)
        return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                            "attribute '%s' has no type and no value", ap->name);

    switch (a->type) {
    case OM_ATTR_FLOAT:
        a->f = ap->f;
        break;
    case OM_ATTR_INT:
        a->i = ap->i;
        break;
    case OM_ATTR_STRING:
        a->s = om_malloc(alloc, ap->s.len + 1);
        if (!a->s)
            return om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        if (ap->s.len)
            memcpy(a->s, ap->s.data, ap->s.len);
        a->s[ap->s.len] = '\0';
        a->s_len = ap->s.len;
        break;
    case OM_ATTR_FLOATS:
        a->count = ap->n_floats;
        a->floats = om_calloc(alloc, ap->n_floats, sizeof(float));
        if (!a->floats)
            return om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        if (ap->n_floats)
            memcpy(a->floats, ap->floats, ap->n_floats * sizeof(float));
        break;
    case OM_ATTR_INTS:
        a->count = ap->n_ints;
        a->ints = om_calloc(alloc, ap->n_ints, sizeof(int64_t));
        if (!a->ints)
            return om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        if (ap->n_ints)
            memcpy(a->ints, ap->ints, ap->n_ints * sizeof(int64_t));
        break;
    case OM_ATTR_TENSOR: {
        char what[OM_LABEL_SIZE + 40], label[OM_LABEL_SIZE];
        if (!ap->t)
            return om_node_fail(err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "attribute '%s' has type TENSOR but no tensor",
                                ap->name);
        a->t = om_calloc(alloc, 1, sizeof *a->t);
        if (!a->t)
            return om_fail(err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        snprintf(what, sizeof what, "%s: attribute",
                 om_node_label(node, label, sizeof label));
        return om_convert_tensor(alloc, ap->t, ld->base_dir, what, ap->name,
                                 &ld->limits, a->t, err);
    }
    default:
        /* Graphs, sparse tensors, type protos and lists of strings or
         * tensors: no supported operator reads them, so only the kind is
         * kept; an operator that needs one rejects it by name. */
        break;
    }
    return ONNXMINI_OK;
}

/* Finds the version the model imports for a domain ("" and "ai.onnx" are
 * the same domain); returns 0 when it imports none. */
static int imported_opset(const onnxmini_model *m, const char *domain,
                          int64_t *version)
{
    int i;
    if (strcmp(domain, "ai.onnx") == 0)
        domain = "";
    for (i = 0; i < m->n_opsets; i++) {
        const char *d = m->opsets[i].domain;
        if (strcmp(d, "ai.onnx") == 0)
            d = "";
        if (strcmp(d, domain) == 0) {
            *version = m->opsets[i].version;
            return 1;
        }
    }
    return 0;
}

static onnxmini_status convert_opsets(loader *ld, const ModelProto *mp)
{
    onnxmini_model *m = ld->model;
    size_t i;

    m->opsets = om_calloc(&m->alloc, mp->n_opset_import, sizeof *m->opsets);
    if (!m->opsets)
        return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    for (i = 0; i < mp->n_opset_import; i++) {
        const Onnxmini__Pb__OperatorSetIdProto *op = mp->opset_import[i];
        m->opsets[i].domain = om_strdup(&m->alloc, op->domain);
        if (!m->opsets[i].domain)
            return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        m->opsets[i].version = op->version;
        m->n_opsets++;
    }
    return ONNXMINI_OK;
}

static onnxmini_status convert_initializers(loader *ld, const GraphProto *g)
{
    onnxmini_model *m = ld->model;
    size_t i;

    if (g->n_sparse_initializer)
        return om_fail(ld->err, ONNXMINI_ERR_UNSUPPORTED,
                       "the graph has %zu sparse initializers, which are not "
                       "supported",
                       g->n_sparse_initializer);
    for (i = 0; i < g->n_initializer; i++) {
        const TensorProto *tp = g->initializer[i];
        om_const_tensor t;
        om_value *v;
        onnxmini_status st;
        int id;

        if (!tp->name || !tp->name[0])
            return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                           "initializer %zu has no name", i);
        if (index_find(&ld->index, m->values, tp->name) >= 0)
            return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                           "initializer '%s' is defined twice", tp->name);
        id = add_value(ld, tp->name, OM_VALUE_INITIALIZER);
        if (id < 0)
            return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        st = om_convert_tensor(&m->alloc, tp, ld->base_dir, "initializer",
                               tp->name, &ld->limits, &t, ld->err);
        v = &m->values[id];
        v->data = t.data;             /* owned by the value even on failure */
        if (st != ONNXMINI_OK)
            return st;
        v->dtype = t.dtype;
        v->rank = t.rank;
        memcpy(v->dims, t.dims, sizeof v->dims);
        v->bytes = t.bytes;
    }
    return ONNXMINI_OK;
}

static onnxmini_status convert_inputs(loader *ld, const GraphProto *g)
{
    onnxmini_model *m = ld->model;
    size_t i, defaults = 0;

    m->inputs = om_calloc(&m->alloc, g->n_input, sizeof *m->inputs);
    if (!m->inputs)
        return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    for (i = 0; i < g->n_input; i++) {
        const ValueInfoProto *vi = g->input[i];
        onnxmini_status st;
        int id;

        if (!vi->name || !vi->name[0])
            return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                           "graph input %zu has no name", i);
        id = index_find(&ld->index, m->values, vi->name);
        if (id >= 0 && m->values[id].kind == OM_VALUE_INITIALIZER) {
            /* IR version 3 lists every initializer as a graph input, as
             * a constant. From IR version 4 on, an initializer listed as
             * an input is a default value that a feed may replace; those
             * are collected after the loop. */
            if (m->ir_version >= 4)
                defaults++;
            continue;
        }
        if (id >= 0)
            return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                           "graph input '%s' is listed twice", vi->name);
        id = add_value(ld, vi->name, OM_VALUE_INPUT);
        if (id < 0)
            return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        st = convert_value_info(ld, vi, &m->values[id], "input");
        if (st != ONNXMINI_OK)
            return st;
        if (m->values[id].dtype == 0)
            return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                           "graph input '%s' declares no element type",
                           vi->name);
        m->inputs[m->n_inputs++] = id;
    }

    /* The overridable initializers follow the fed inputs, in graph order. */
    for (i = 0; defaults && i < g->n_input; i++) {
        int id = index_find(&ld->index, m->values, g->input[i]->name);
        int j, listed = 0;
        if (m->values[id].kind != OM_VALUE_INITIALIZER)
            continue;
        for (j = m->n_inputs; j < m->n_inputs + m->n_defaults; j++)
            listed |= m->inputs[j] == id;
        if (!listed)
            m->inputs[m->n_inputs + m->n_defaults++] = id;
    }
    return ONNXMINI_OK;
}

/* Copies names, attributes and the operator definition of every node, and
 * registers every node output as a value. Inputs are resolved afterwards,
 * since nodes may be listed in any order. */
static onnxmini_status convert_nodes(loader *ld, const GraphProto *g)
{
    onnxmini_model *m = ld->model;
    size_t i, j;

    m->nodes = om_calloc(&m->alloc, g->n_node, sizeof *m->nodes);
    if (!m->nodes)
        return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    for (i = 0; i < g->n_node; i++) {
        const NodeProto *np = g->node[i];
        om_node *node = &m->nodes[m->n_nodes++];
        char generated[32];

        snprintf(generated, sizeof generated, "#%zu", i);
        node->name = om_strdup(&m->alloc,
                               np->name && np->name[0] ? np->name : generated);
        node->op_type = om_strdup(&m->alloc, np->op_type);
        node->domain = om_strdup(&m->alloc, np->domain);
        node->inputs = om_calloc(&m->alloc, np->n_input, sizeof(int));
        node->outputs = om_calloc(&m->alloc, np->n_output, sizeof(int));
        node->attrs = om_calloc(&m->alloc, np->n_attribute,
                                sizeof *node->attrs);
        if (!node->name || !node->op_type || !node->domain || !node->inputs ||
            !node->outputs || !node->attrs)
            return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
        if (strcmp(node->domain, "ai.onnx") == 0)
            node->domain[0] = '\0';
        if (!node->op_type[0])
            return om_node_fail(ld->err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "the node has no op_type");
        if (np->n_input > INT_MAX / 2 || np->n_output > INT_MAX / 2)
            return om_node_fail(ld->err, node, ONNXMINI_ERR_LIMIT,
                                "too many inputs or outputs");
        /* Far above any operator's attribute list; keeps the duplicate
         * check below cheap. */
        if (np->n_attribute > 1024)
            return om_node_fail(ld->err, node, ONNXMINI_ERR_LIMIT,
                                "%zu attributes, above the limit of 1024",
                                np->n_attribute);

        /* Attributes. */
        for (j = 0; j < np->n_attribute; j++) {
            onnxmini_status st;
            size_t k;
            st = convert_attribute(ld, node, np->attribute[j],
                                   &node->attrs[node->n_attrs++]);
            if (st != ONNXMINI_OK)
                return st;
            for (k = 0; k < j; k++)
                if (strcmp(node->attrs[k].name, node->attrs[j].name) == 0)
                    return om_node_fail(ld->err, node,
                                        ONNXMINI_ERR_INVALID_MODEL,
                                        "attribute '%s' is given twice",
                                        node->attrs[j].name);
        }

        /* Outputs: each name is produced once in the whole graph. */
        for (j = 0; j < np->n_output; j++) {
            const char *name = np->output[j];
            int id;
            if (!name[0]) {
                node->outputs[node->n_outputs++] = -1;
                continue;
            }
            id = index_find(&ld->index, m->values, name);
            if (id >= 0) {
                const om_value *v = &m->values[id];
                if (v->producer == (int)i)
                    return om_node_fail(ld->err, node,
                                        ONNXMINI_ERR_INVALID_MODEL,
                                        "output '%s' is listed twice", name);
                if (v->producer >= 0)
                    return om_node_fail(
                        ld->err, node, ONNXMINI_ERR_INVALID_MODEL,
                        "output '%s' is also produced by node '%s'", name,
                        m->nodes[v->producer].name);
                return om_node_fail(ld->err, node, ONNXMINI_ERR_INVALID_MODEL,
                                    "output '%s' is also a graph %s", name,
                                    v->kind == OM_VALUE_INPUT ? "input"
                                                              : "initializer");
            }
            id = add_value(ld, name, OM_VALUE_INTERMEDIATE);
            if (id < 0)
                return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY,
                               "out of memory");
            m->values[id].producer = (int)i;
            node->outputs[node->n_outputs++] = id;
        }
    }
    return ONNXMINI_OK;
}

static onnxmini_status resolve_node_inputs(loader *ld, const GraphProto *g)
{
    onnxmini_model *m = ld->model;
    size_t i, j;

    for (i = 0; i < g->n_node; i++) {
        const NodeProto *np = g->node[i];
        om_node *node = &m->nodes[i];
        for (j = 0; j < np->n_input; j++) {
            const char *name = np->input[j];
            int id = -1;
            if (name[0]) {
                id = index_find(&ld->index, m->values, name);
                if (id < 0)
                    return om_node_fail(ld->err, node,
                                        ONNXMINI_ERR_INVALID_MODEL,
                                        "input %zu '%s' is not produced by any "
                                        "node, initializer or graph input",
                                        j, name);
            }
            node->inputs[node->n_inputs++] = id;
        }
    }
    return ONNXMINI_OK;
}

/* Finds every node's operator definition. All unsupported operators are
 * listed in one message, so that a user sees at once what a model lacks:
 * one unsupported operator gets the registry's full message, several get
 * a list with each operator, domain, version and first node once. */
static onnxmini_status resolve_operators(loader *ld)
{
    onnxmini_model *m = ld->model;
    char list[ONNXMINI_ERROR_MESSAGE_SIZE - 80] = "";
    onnxmini_error first;
    size_t used = 0;
    int i, j, n_missing = 0, n_listed = 0;

    for (i = 0; i < m->n_nodes; i++) {
        om_node *node = &m->nodes[i];
        const char *domain = node->domain[0] ? node->domain : "ai.onnx";
        int64_t version = 0;
        onnxmini_error one;
        char entry[OM_LABEL_SIZE + 64];
        int seen = 0, len;

        if (!imported_opset(m, node->domain, &version))
            return om_node_fail(ld->err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "the model imports no opset for domain '%s'",
                                domain);
        if (version < 1 || version > INT_MAX)
            return om_node_fail(ld->err, node, ONNXMINI_ERR_INVALID_MODEL,
                                "opset version %lld of domain '%s' is invalid",
                                (long long)version, domain);
        node->opset = (int)version;
        if (om_registry_resolve(node, &one) == ONNXMINI_OK)
            continue;

        /* Each operator once; past the list's capacity only the count
         * matters, so the quadratic search stops. */
        for (j = 0; j < i && !seen && used + 64 < sizeof list; j++)
            seen = !m->nodes[j].op &&
                   strcmp(m->nodes[j].op_type, node->op_type) == 0 &&
                   strcmp(m->nodes[j].domain, node->domain) == 0 &&
                   m->nodes[j].opset == node->opset;
        if (seen)
            continue;
        if (n_missing++ == 0)
            first = one;
        len = snprintf(entry, sizeof entry, "%s%s (%s opset %d, node '%s')",
                       n_listed ? ", " : "", node->op_type,
                       node->domain[0] ? node->domain : "ai.onnx", node->opset,
                       node->name);
        if (len > 0 && used + (size_t)len < sizeof list) {
            memcpy(list + used, entry, (size_t)len + 1);
            used += (size_t)len;
            n_listed++;
        }
    }
    if (n_missing == 1)
        return om_fail(ld->err, ONNXMINI_ERR_UNSUPPORTED, "%s", first.message);
    if (n_missing > 1) {
        if (n_listed < n_missing)
            return om_fail(ld->err, ONNXMINI_ERR_UNSUPPORTED,
                           "%d operators are not supported: %s, and %d more",
                           n_missing, list, n_missing - n_listed);
        return om_fail(ld->err, ONNXMINI_ERR_UNSUPPORTED,
                       "%d operators are not supported: %s", n_missing, list);
    }

    for (i = 0; i < m->n_nodes; i++) {
        om_node *node = &m->nodes[i];
        onnxmini_status st = node->op->check(node, ld->err);
        if (st != ONNXMINI_OK)
            return st;
    }
    return ONNXMINI_OK;
}

static onnxmini_status convert_outputs(loader *ld, const GraphProto *g)
{
    onnxmini_model *m = ld->model;
    size_t i;

    if (g->n_output == 0)
        return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                       "the graph has no outputs");
    m->outputs = om_calloc(&m->alloc, g->n_output, sizeof *m->outputs);
    if (!m->outputs)
        return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    for (i = 0; i < g->n_output; i++) {
        const ValueInfoProto *vi = g->output[i];
        om_value *v;
        int id;

        if (!vi->name || !vi->name[0])
            return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                           "graph output %zu has no name", i);
        id = index_find(&ld->index, m->values, vi->name);
        if (id < 0)
            return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                           "graph output '%s' is not produced by any node, "
                           "initializer or graph input",
                           vi->name);
        v = &m->values[id];
        if (v->kind == OM_VALUE_INTERMEDIATE) {
            onnxmini_status st = convert_value_info(ld, vi, v, "output");
            if (st != ONNXMINI_OK)
                return st;
        }
        v->is_graph_output = 1;
        m->outputs[m->n_outputs++] = id;
    }
    return ONNXMINI_OK;
}

static onnxmini_status convert_model(loader *ld, const ModelProto *mp)
{
    onnxmini_model *m = ld->model;
    const GraphProto *g = mp->graph;
    size_t capacity, i;
    onnxmini_status st;

    m->ir_version = mp->ir_version;
    m->producer_name = om_strdup(&m->alloc, mp->producer_name);
    m->producer_version = om_strdup(&m->alloc, mp->producer_version);
    if (!g)
        return om_fail(ld->err, ONNXMINI_ERR_INVALID_MODEL,
                       "the model has no graph");
    m->graph_name = om_strdup(&m->alloc, g->name);
    if (!m->producer_name || !m->producer_version || !m->graph_name)
        return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");

    /* Every value is an initializer, a graph input or a node output. */
    capacity = g->n_initializer + g->n_input;
    for (i = 0; i < g->n_node; i++)
        capacity += g->node[i]->n_output;
    if (capacity > INT_MAX / 4 || g->n_node > INT_MAX / 4)
        return om_fail(ld->err, ONNXMINI_ERR_LIMIT,
                       "the graph has too many values (%zu)", capacity);
    m->values = om_calloc(&m->alloc, capacity, sizeof *m->values);
    if (!m->values || index_init(&ld->index, &m->alloc, capacity) != 0)
        return om_fail(ld->err, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    ld->capacity = (int)capacity;

    st = convert_opsets(ld, mp);
    if (st == ONNXMINI_OK)
        st = convert_initializers(ld, g);
    if (st == ONNXMINI_OK)
        st = convert_inputs(ld, g);
    if (st == ONNXMINI_OK)
        st = convert_nodes(ld, g);
    if (st == ONNXMINI_OK)
        st = resolve_node_inputs(ld, g);
    if (st == ONNXMINI_OK)
        st = convert_outputs(ld, g);
    if (st == ONNXMINI_OK)
        st = resolve_operators(ld);
    if (st == ONNXMINI_OK)
        st = om_graph_sort(m, ld->err);
    return st;
}

/* ------------------------------------------------------------ public API */

/* The size of onnxmini_load_options before `allocator` was added: a
 * program built against that header passes it as struct_size. */
#define LOAD_OPTIONS_FIRST_SIZE offsetof(onnxmini_load_options, allocator)

/* Whether the caller's struct, options->struct_size bytes long, includes
 * `field`. */
#define HAS_FIELD(options, field)                                            \
    ((options)->struct_size >= offsetof(onnxmini_load_options, field) +     \
                                   sizeof (options)->field)

onnxmini_status om_load_options_read(const onnxmini_load_options *options,
                                     onnxmini_allocator *alloc,
                                     om_load_limits *limits,
                                     onnxmini_error *err)
{
    *alloc = om_default_allocator;
    memset(limits, 0, sizeof *limits);
    if (!options)
        return ONNXMINI_OK;
    if (options->struct_size < LOAD_OPTIONS_FIRST_SIZE)
        return om_fail(err, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "options.struct_size is %zu, expected at least %zu: "
                       "initialise options with onnxmini_load_options_init()",
                       options->struct_size, (size_t)LOAD_OPTIONS_FIRST_SIZE);
    limits->max_initializer_bytes = options->max_initializer_bytes;
    limits->max_tensor_elements = options->max_tensor_elements;
    if (HAS_FIELD(options, allocator) && options->allocator) {
        if (!options->allocator->allocate || !options->allocator->release)
            return om_fail(err, ONNXMINI_ERR_INVALID_ARGUMENT,
                           "options.allocator needs both allocate and "
                           "release");
        *alloc = *options->allocator;
    }
    return ONNXMINI_OK;
}

/* Loads a model with the given allocator and limits. External data is read
 * relative to base_dir, and is an error when base_dir is NULL. */
static onnxmini_status load(const void *data, size_t size, const char *base_dir,
                            const onnxmini_allocator *alloc,
                            const om_load_limits *limits,
                            onnxmini_model **model, onnxmini_error *error)
{
    ModelProto *mp;
    loader ld;
    onnxmini_status st;
    int out_of_memory;

    if (!data)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the model data pointer is NULL");
    if (size == 0)
        return om_fail(error, ONNXMINI_ERR_PARSE,
                       "the model data is empty (0 bytes)");

    mp = (ModelProto *)om_unpack(alloc, &onnxmini__pb__model_proto__descriptor,
                                 size, data, &out_of_memory);
    if (!mp && out_of_memory)
        return om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY,
                       "out of memory while parsing the %zu bytes of the "
                       "model",
                       size);
    if (!mp)
        return om_fail(error, ONNXMINI_ERR_PARSE,
                       "the %zu bytes are not a valid ONNX model: protobuf "
                       "parsing failed (truncated or not an .onnx file)",
                       size);

    memset(&ld, 0, sizeof ld);
    ld.err = error;
    ld.base_dir = base_dir;
    ld.limits = *limits;
    ld.model = om_calloc(alloc, 1, sizeof *ld.model);
    if (!ld.model) {
        om_unpack_free(alloc, &mp->base);
        return om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    }
    ld.model->alloc = *alloc;
    st = convert_model(&ld, mp);
    om_unpack_free(alloc, &mp->base);
    om_free(alloc, ld.index.slots);
    if (st != ONNXMINI_OK) {
        onnxmini_model_free(ld.model);
        return st;
    }
    *model = ld.model;
    return ONNXMINI_OK;
}

void onnxmini_load_options_init(onnxmini_load_options *options)
{
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->struct_size = sizeof *options;
}

onnxmini_status onnxmini_model_load_memory_with(
    const void *data, size_t size, const onnxmini_load_options *options,
    onnxmini_model **model, onnxmini_error *error)
{
    onnxmini_allocator alloc;
    om_load_limits limits;
    onnxmini_status st;

    om_clear(error);
    if (!model)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the model out-parameter is NULL");
    *model = NULL;
    st = om_load_options_read(options, &alloc, &limits, error);
    if (st != ONNXMINI_OK)
        return st;
    return load(data, size, NULL, &alloc, &limits, model, error);
}

onnxmini_status onnxmini_model_load_memory(const void *data, size_t size,
                                           onnxmini_model **model,
                                           onnxmini_error *error)
{
    return onnxmini_model_load_memory_with(data, size, NULL, model, error);
}

onnxmini_status onnxmini_model_load_file_with(
    const char *path, const onnxmini_load_options *options,
    onnxmini_model **model, onnxmini_error *error)
{
    onnxmini_allocator alloc;
    om_load_limits limits;
    void *buf;
    size_t size;
    char *dir;
    onnxmini_status st;

    om_clear(error);
    if (!model)
        return om_fail(error, ONNXMINI_ERR_INVALID_ARGUMENT,
                       "the model out-parameter is NULL");
    *model = NULL;
    st = om_load_options_read(options, &alloc, &limits, error);
    if (st != ONNXMINI_OK)
        return st;
    st = om_read_file(&alloc, path, "model", &buf, &size, error);
    if (st != ONNXMINI_OK)
        return st;
    dir = om_dirname(&alloc, path);
    if (!dir)
        st = om_fail(error, ONNXMINI_ERR_OUT_OF_MEMORY, "out of memory");
    else
        st = load(buf, size, dir, &alloc, &limits, model, error);
    om_free(&alloc, dir);
    om_free(&alloc, buf);
    if (st != ONNXMINI_OK && error) {
        /* Prefix the file name so that the message says which model. */
        char detail[ONNXMINI_ERROR_MESSAGE_SIZE];
        memcpy(detail, error->message, sizeof detail);
        om_fail(error, st, "%s: %s", path, detail);
    }
    return st;
}

onnxmini_status onnxmini_model_load_file(const char *path,
                                         onnxmini_model **model,
                                         onnxmini_error *error)
{
    return onnxmini_model_load_file_with(path, NULL, model, error);
}

void onnxmini_model_free(onnxmini_model *m)
{
    onnxmini_allocator alloc;
    const onnxmini_allocator *a = &alloc;
    int i, j;

    if (!m)
        return;
    alloc = m->alloc;                 /* still needed once m is released */
    for (i = 0; i < m->n_values; i++) {
        om_free(a, m->values[i].name);
        om_free(a, m->values[i].data);
        for (j = 0; j < OM_MAX_RANK; j++)
            om_free(a, m->values[i].dim_names[j]);
    }
    om_free(a, m->values);
    for (i = 0; m->nodes && i < m->n_nodes; i++) {
        om_node *n = &m->nodes[i];
        for (j = 0; j < n->n_attrs; j++) {
            om_attr *attr = &n->attrs[j];
            om_free(a, attr->name);
            om_free(a, attr->s);
            om_free(a, attr->floats);
            om_free(a, attr->ints);
            if (attr->t)
                om_free(a, attr->t->data);
            om_free(a, attr->t);
        }
        om_free(a, n->attrs);
        om_free(a, n->name);
        om_free(a, n->op_type);
        om_free(a, n->domain);
        om_free(a, n->inputs);
        om_free(a, n->outputs);
    }
    om_free(a, m->nodes);
    for (i = 0; i < m->n_opsets; i++)
        om_free(a, m->opsets[i].domain);
    om_free(a, m->opsets);
    om_free(a, m->inputs);
    om_free(a, m->outputs);
    om_free(a, m->producer_name);
    om_free(a, m->producer_version);
    om_free(a, m->graph_name);
    om_free(a, m);
}

/* ---------------------------------------------------------- introspection */

size_t onnxmini_model_input_count(const onnxmini_model *model)
{
    return model ? (size_t)model->n_inputs : 0;
}

size_t onnxmini_model_output_count(const onnxmini_model *model)
{
    return model ? (size_t)model->n_outputs : 0;
}

static void fill_info(const om_value *v, onnxmini_value_info *info)
{
    info->name = v->name;
    info->dtype = (onnxmini_dtype)v->dtype;
    info->rank = v->rank;
    info->dims = v->dims;
    info->dim_names = (const char *const *)v->dim_names;
}

onnxmini_status onnxmini_model_input_info(const onnxmini_model *model,
                                          size_t index,
                                          onnxmini_value_info *info)
{
    if (!model || !info)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    if (index >= (size_t)model->n_inputs)
        return ONNXMINI_ERR_NOT_FOUND;
    fill_info(&model->values[model->inputs[index]], info);
    return ONNXMINI_OK;
}

onnxmini_status onnxmini_model_output_info(const onnxmini_model *model,
                                           size_t index,
                                           onnxmini_value_info *info)
{
    if (!model || !info)
        return ONNXMINI_ERR_INVALID_ARGUMENT;
    if (index >= (size_t)model->n_outputs)
        return ONNXMINI_ERR_NOT_FOUND;
    fill_info(&model->values[model->outputs[index]], info);
    return ONNXMINI_OK;
}
