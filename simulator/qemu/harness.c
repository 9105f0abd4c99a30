/* mcusim validate's harness, the same source for the host build and the QEMU build (newlib's semihosting turns
 * open/read/write into host file operations). It reads inputs.bin (every record is all model inputs back to back),
 * runs model_invoke() on each record and appends the outputs to outputs.bin. With -DMODEL_TRACE it also writes
 * trace.bin: for every step, every region the step wrote, as (uint32 step, uint32 bytes, bytes...). Low-level I/O
 * only: no stdio buffers, so the harness needs no heap. Exit codes: 0 ok, 2 I/O error, 3 a truncated input record. */
#define _POSIX_C_SOURCE 200112L
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

#ifndef O_BINARY
#define O_BINARY 0
#endif

static void say(const char *text) {
  size_t n = strlen(text);
  if (write(1, text, n) != (ssize_t)n) { /* nothing left to report it to */
  }
}

static void say_number(unsigned long v) {
  char digits[24];
  int i = (int)sizeof digits - 1;
  digits[i] = '\0';
  do {
    digits[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v && i > 0);
  say(&digits[i]);
}

static int write_all(int fd, const void *data, size_t bytes) {
  const unsigned char *p = (const unsigned char *)data;
  while (bytes > 0) {
    ssize_t n = write(fd, p, bytes);
    if (n <= 0) return 0;
    p += n;
    bytes -= (size_t)n;
  }
  return 1;
}

/* Reads exactly `bytes` unless the file ends; returns how many were read. */
static size_t read_all(int fd, void *data, size_t bytes) {
  unsigned char *p = (unsigned char *)data;
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = read(fd, p + got, bytes - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  return got;
}

#ifdef MODEL_TRACE
static int trace_fd = -1;

void model_trace(unsigned step, const void *data, size_t bytes) {
  uint32_t head[2];
  head[0] = (uint32_t)step;
  head[1] = (uint32_t)bytes;
  if (!write_all(trace_fd, head, sizeof head) || !write_all(trace_fd, data, bytes)) trace_fd = -1;
}
#endif

int main(void) {
  int in = open("inputs.bin", O_RDONLY | O_BINARY);
  int out = open("outputs.bin", O_WRONLY | O_CREAT | O_TRUNC | O_BINARY, 0644);
  unsigned long count = 0;
  unsigned i;
  if (in < 0 || out < 0) {
    say("mcusim-harness: cannot open inputs.bin or outputs.bin\n");
    return 2;
  }
#ifdef MODEL_TRACE
  trace_fd = open("trace.bin", O_WRONLY | O_CREAT | O_TRUNC | O_BINARY, 0644);
  if (trace_fd < 0) {
    say("mcusim-harness: cannot open trace.bin\n");
    return 2;
  }
#endif
  for (;;) {
    for (i = 0; i < MODEL_NUM_INPUTS; i++) {
      const model_tensor *t = model_input_info(i);
      size_t got = read_all(in, model_input(i), t->bytes);
      if (got == 0 && i == 0) goto done;
      if (got != t->bytes) {
        say("mcusim-harness: inputs.bin ends inside a record\n");
        return 3;
      }
    }
    model_invoke();
    for (i = 0; i < MODEL_NUM_OUTPUTS; i++) {
      if (!write_all(out, model_output(i), model_output_info(i)->bytes)) {
        say("mcusim-harness: cannot write outputs.bin\n");
        return 2;
      }
    }
    count++;
  }
done:
  close(in);
  close(out);
#ifdef MODEL_TRACE
  if (trace_fd < 0) {
    say("mcusim-harness: cannot write trace.bin\n");
    return 2;
  }
  close(trace_fd);
#endif
  say("mcusim-harness: ");
  say_number(count);
  say(" inference(s) of " MODEL_NAME "\n");
  return 0;
}
