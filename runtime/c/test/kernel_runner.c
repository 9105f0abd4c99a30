/* Test runner for the C kernels: reads jobs (a memory image plus kernel calls) from stdin, runs the calls on the
 * image and writes the image back to stdout, so that a test can compare it byte for byte with the WebAssembly run
 * of the same calls (tests/helpers/c-kernels.ts writes the jobs and builds this file).
 *
 * The kernels come from a dispatch table, kernel_dispatch.h, generated from runtime/c/kernels.json: for each kernel
 * its name, a signature string (one letter per parameter: p pointer, i int32_t, f float) and a function that
 * calls the kernel with its arguments cast to the parameter types.
 *
 * Input, all numbers little-endian uint32:
 *   "MCK1"
 *   per job: 1, segment count, per segment (address, length, bytes), call count,
 *            per call (name length, name bytes, argument count, arguments)
 *   0
 * An argument is the raw 32 bits the WebAssembly kernel receives: a number, a float's bits, or an address in the
 * image. Each segment is its own exactly sized heap block, so AddressSanitizer reports any access outside it.
 * Output: per job, the bytes of every segment after the calls, in input order. Errors go to stderr, exit 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*mcusim_call_fn)(void *const *pointers, const uint32_t *values);

typedef struct {
  const char *name;
  const char *signature;
  mcusim_call_fn call;
} mcusim_kernel_entry;

#include "kernel_dispatch.h"

#define MAX_SEGMENTS 16
#define MAX_ARGS 64

typedef struct {
  uint32_t address;
  uint32_t length;
  uint8_t *bytes;
} segment;

static const uint8_t *in_data;
static size_t in_size;
static size_t in_pos;
static unsigned long job_index;

static void fail(const char *what, unsigned long detail) {
  fprintf(stderr, "kernel_runner: job %lu: %s (%lu)\n", job_index, what, detail);
  exit(1);
}

static uint32_t read_u32(void) {
  uint32_t v;
  if (in_size - in_pos < 4) fail("input ends early", (unsigned long)in_pos);
  v = (uint32_t)in_data[in_pos] | (uint32_t)in_data[in_pos + 1] << 8 | (uint32_t)in_data[in_pos + 2] << 16 |
      (uint32_t)in_data[in_pos + 3] << 24;
  in_pos += 4;
  return v;
}

static const uint8_t *read_bytes(uint32_t n) {
  const uint8_t *p;
  if (in_size - in_pos < n) fail("input ends early", (unsigned long)in_pos);
  p = in_data + in_pos;
  in_pos += n;
  return p;
}

static uint8_t *read_all(FILE *f, size_t *size) {
  size_t cap = 1 << 20, n = 0;
  uint8_t *buf = (uint8_t *)malloc(cap);
  if (!buf) fail("out of memory", (unsigned long)cap);
  for (;;) {
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (n < cap) break;
    cap *= 2;
    buf = (uint8_t *)realloc(buf, cap);
    if (!buf) fail("out of memory", (unsigned long)cap);
  }
  *size = n;
  return buf;
}

static const mcusim_kernel_entry *find_kernel(const uint8_t *name, uint32_t length) {
  size_t i;
  for (i = 0; i < sizeof(MCUSIM_KERNELS) / sizeof(MCUSIM_KERNELS[0]); i++) {
    if (strlen(MCUSIM_KERNELS[i].name) == length && memcmp(MCUSIM_KERNELS[i].name, name, length) == 0) return &MCUSIM_KERNELS[i];
  }
  return NULL;
}

/* The host pointer for an image address: inside a segment, or one past its end. */
static void *resolve(const segment *segs, uint32_t count, uint32_t address, int *ok) {
  uint32_t i;
  for (i = 0; i < count; i++) {
    if (address >= segs[i].address && address - segs[i].address <= segs[i].length) {
      *ok = 1;
      return segs[i].bytes + (address - segs[i].address);
    }
  }
  *ok = 0;
  return NULL;
}

static int run_job(void) {
  segment segs[MAX_SEGMENTS];
  uint32_t nsegs, ncalls, i, c;
  if (read_u32() == 0) return 0;
  nsegs = read_u32();
  if (nsegs > MAX_SEGMENTS) fail("too many segments", nsegs);
  for (i = 0; i < nsegs; i++) {
    segs[i].address = read_u32();
    segs[i].length = read_u32();
    segs[i].bytes = (uint8_t *)malloc(segs[i].length ? segs[i].length : 1);
    if (!segs[i].bytes) fail("out of memory", segs[i].length);
    if (segs[i].length) memcpy(segs[i].bytes, read_bytes(segs[i].length), segs[i].length);
  }
  ncalls = read_u32();
  for (c = 0; c < ncalls; c++) {
    void *pointers[MAX_ARGS];
    uint32_t values[MAX_ARGS];
    uint32_t name_length = read_u32();
    const uint8_t *name = read_bytes(name_length);
    const mcusim_kernel_entry *k = find_kernel(name, name_length);
    uint32_t nargs = read_u32();
    if (!k) {
      fprintf(stderr, "kernel_runner: job %lu: no C kernel named '%.*s'\n", job_index, (int)name_length, (const char *)name);
      exit(1);
    }
    if (nargs != strlen(k->signature) || nargs > MAX_ARGS) {
      fprintf(stderr, "kernel_runner: job %lu: kernel '%s' takes %lu arguments, got %lu\n", job_index, k->name,
              (unsigned long)strlen(k->signature), (unsigned long)nargs);
      exit(1);
    }
    for (i = 0; i < nargs; i++) {
      values[i] = read_u32();
      pointers[i] = NULL;
      if (k->signature[i] == 'p') {
        int ok;
        pointers[i] = resolve(segs, nsegs, values[i], &ok);
        if (!ok) {
          fprintf(stderr, "kernel_runner: job %lu: kernel '%s' argument %lu: address %lu is outside the memory image\n",
                  job_index, k->name, (unsigned long)i, (unsigned long)values[i]);
          exit(1);
        }
      }
    }
    k->call(pointers, values);
  }
  for (i = 0; i < nsegs; i++) {
    if (segs[i].length && fwrite(segs[i].bytes, 1, segs[i].length, stdout) != segs[i].length) fail("write failed", i);
    free(segs[i].bytes);
  }
  return 1;
}

int main(int argc, char **argv) {
  uint8_t *data;
  if (argc > 1 && strcmp(argv[1], "--list") == 0) {
    size_t i;
    for (i = 0; i < sizeof(MCUSIM_KERNELS) / sizeof(MCUSIM_KERNELS[0]); i++) printf("%s %s\n", MCUSIM_KERNELS[i].name, MCUSIM_KERNELS[i].signature);
    return 0;
  }
  data = read_all(stdin, &in_size);
  in_data = data;
  if (in_size < 4 || memcmp(in_data, "MCK1", 4) != 0) fail("input does not start with MCK1", (unsigned long)in_size);
  in_pos = 4;
  while (run_job()) job_index++;
  free(data);
  if (fflush(stdout) != 0) fail("write failed", 0);
  return 0;
}
