/* Startup for QEMU's mps2-an386 (Cortex-M4) and mps2-an500 (Cortex-M7) under mcusim validate: the vector table,
 * a reset handler that copies .data, clears .bss, paints the stack, enables the FPU and runs main() with newlib's
 * semihosting (rdimon) handles, and a fault handler that reports through semihosting and exits. The linker script
 * (generated per device by simulator/qemu/toolchain.ts) sizes FLASH and RAM to the device profile. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__;
extern uint32_t __heap_start__, __heap_end__, __stack_bottom__, __stack_top__;
extern int main(void);
extern void initialise_monitor_handles(void);
void Reset_Handler(void);
void Fault_Handler(void);

#define STACK_PAINT 0x5a5aa5a5u

union vector {
  void (*handler)(void);
  void *stack;
};

/* Initial stack pointer, then the 15 system exceptions; QEMU raises none of the external interrupts here. */
__attribute__((section(".vectors"), used)) const union vector vectors[16] = {
    {.stack = &__stack_top__},   {.handler = Reset_Handler}, {.handler = Fault_Handler}, {.handler = Fault_Handler},
    {.handler = Fault_Handler},  {.handler = Fault_Handler}, {.handler = Fault_Handler}, {.stack = NULL},
    {.stack = NULL},             {.stack = NULL},            {.stack = NULL},            {.handler = Fault_Handler},
    {.handler = Fault_Handler},  {.stack = NULL},            {.handler = Fault_Handler}, {.handler = Fault_Handler},
};

/* Semihosting SYS_WRITE0 directly: works before newlib's handles exist and inside fault handlers. */
static void say(const char *text) {
  register uint32_t op __asm("r0") = 0x04u;
  register const char *arg __asm("r1") = text;
  __asm volatile("bkpt 0xab" : "+r"(op) : "r"(arg) : "memory");
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

static char *heap_brk = (char *)&__heap_start__;

/* Reports how much of the stack main() used (the deepest word that lost its paint) and of the heap. */
static void report_memory(void) {
  const uint32_t *p = &__stack_bottom__;
  unsigned long total = (unsigned long)((&__stack_top__ - &__stack_bottom__) * 4);
  while (p < &__stack_top__ && *p == STACK_PAINT) p++;
  say("mcusim-harness: stack used ");
  say_number((unsigned long)((&__stack_top__ - p) * 4));
  say(" of ");
  say_number(total);
  say(" bytes; heap used ");
  say_number((unsigned long)(heap_brk - (char *)&__heap_start__));
  say(" of ");
  say_number((unsigned long)((char *)&__heap_end__ - (char *)&__heap_start__));
  say(" bytes\n");
}

void Reset_Handler(void) {
  uint32_t *src = &__data_load__;
  uint32_t *dst = &__data_start__;
  volatile uint32_t *paint = &__stack_bottom__;
  int status;
  while (dst < &__data_end__) *dst++ = *src++;
  for (dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
  /* Paint the stack below this frame so that report_memory can find the high-water mark. */
  while (paint < (volatile uint32_t *)__builtin_frame_address(0) - 64) *paint++ = STACK_PAINT;
#if defined(__ARM_FP)
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: full access to CP10 and CP11 (the FPU) */
  __asm volatile("dsb\n\tisb" ::: "memory");
#endif
  initialise_monitor_handles();
  status = main();
  report_memory();
  exit(status);
}

void Fault_Handler(void) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  say("mcusim-harness: fault (exception ");
  say_number(ipsr & 0x1ffu);
  say(")\n");
  _exit(70);
}

/* newlib's malloc gets at most the linker script's heap (newlib's stdio set-up takes some of it even though the
 * harness uses no stdio); running out is reported and stops the run, since newlib would write through NULL. */
void *_sbrk(ptrdiff_t increment) {
  char *old = heap_brk;
  if (increment < 0 || (char *)&__heap_end__ - heap_brk < increment) {
    say("mcusim-harness: out of heap\n");
    _exit(71);
  }
  heap_brk += increment;
  return old;
}
