/*
 * edgec's instruction counter: a QEMU TCG plugin.
 *
 * Counts every guest instruction QEMU executes (an inline add before each one) and,
 * each time a marker instruction runs, appends "<marker id> <instructions so far>" to
 * the output file. Markers are the addresses listed, one per line (hex), in the file
 * given as marks=PATH; a marker's id is its line number, from 0. At exit the plugin
 * writes "total <instructions>". The same binary, run twice, gives identical lines.
 *
 * Arguments: out=PATH (required), marks=PATH (optional).
 *
 * Written against QEMU 7.2's documented plugin API (docs/devel/tcg-plugins.rst,
 * "API" section, https://www.qemu.org/docs/master/devel/tcg-plugins.html, as of 7.2).
 * Debian ships no qemu-plugin.h, so the few types and functions used are declared
 * below from that documentation. API version 1 is what QEMU 7.2 accepts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

/* --- the part of QEMU's plugin API this plugin uses (declared from its docs) --- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t; /* passed to qemu_plugin_install; not read here */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op,
                                                void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);

EXPORT int qemu_plugin_version = 1;

/* --- the counter --- */
static uint64_t executed; /* one vCPU: the boards and user-mode programs run single-threaded */
static uint64_t *marks;   /* marker addresses, sorted; ids are positions in the original file */
static size_t *mark_ids;
static size_t n_marks;
static FILE *out;

static long find_mark(uint64_t vaddr)
{
    size_t lo = 0, hi = n_marks;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (marks[mid] < vaddr) lo = mid + 1;
        else hi = mid;
    }
    return (lo < n_marks && marks[lo] == vaddr) ? (long)mark_ids[lo] : -1;
}

static void on_mark(unsigned int vcpu_index, void *userdata)
{
    (void)vcpu_index;
    fprintf(out, "%zu %llu\n", (size_t)(uintptr_t)userdata, (unsigned long long)executed);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        long mark = n_marks ? find_mark(qemu_plugin_insn_vaddr(insn)) : -1;
        if (mark >= 0)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)mark);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
    }
}

static void on_qemu_exit(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    fprintf(out, "total %llu\n", (unsigned long long)executed);
    fclose(out);
    out = NULL;
}

static int load_marks(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t cap = 64;
    marks = malloc(cap * sizeof *marks);
    unsigned long long addr;
    while (fscanf(f, "%llx", &addr) == 1) {
        if (n_marks == cap) {
            cap *= 2;
            marks = realloc(marks, cap * sizeof *marks);
        }
        marks[n_marks++] = addr;
    }
    fclose(f);
    mark_ids = malloc((n_marks ? n_marks : 1) * sizeof *mark_ids);
    for (size_t i = 0; i < n_marks; i++) mark_ids[i] = i;
    /* insertion sort by address, carrying the ids along: marker tables are small */
    for (size_t i = 1; i < n_marks; i++) {
        uint64_t a = marks[i];
        size_t id = mark_ids[i], j = i;
        for (; j > 0 && marks[j - 1] > a; j--) {
            marks[j] = marks[j - 1];
            mark_ids[j] = mark_ids[j - 1];
        }
        marks[j] = a;
        mark_ids[j] = id;
    }
    return 0;
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    const char *out_path = NULL, *marks_path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) out_path = argv[i] + 4;
        else if (strncmp(argv[i], "marks=", 6) == 0) marks_path = argv[i] + 6;
        else {
            fprintf(stderr, "edgec insn_count plugin: unknown argument '%s'\n", argv[i]);
            return -1;
        }
    }
    if (!out_path) {
        fprintf(stderr, "edgec insn_count plugin: out=PATH is required\n");
        return -1;
    }
    if (marks_path && load_marks(marks_path) != 0) {
        fprintf(stderr, "edgec insn_count plugin: cannot read %s\n", marks_path);
        return -1;
    }
    out = fopen(out_path, "w");
    if (!out) {
        fprintf(stderr, "edgec insn_count plugin: cannot write %s\n", out_path);
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
    return 0;
}
