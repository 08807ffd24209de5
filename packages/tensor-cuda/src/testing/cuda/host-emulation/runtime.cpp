// The fiber scheduler behind shim.h: runs a kernel's grid on the calling OS thread, one block
// at a time, every GPU thread of the block a fiber with its own small stack.
//
// A fiber runs until it finishes, reaches __syncthreads (it waits until every live thread of
// the block has arrived; the last one to arrive releases the others and goes on) or a warp
// shuffle (it waits until all 32 lanes of its warp have deposited their value; the last one
// computes every lane's result and releases the others). Fibers are visited round robin in
// thread order: a fiber that waits switches straight to the next runnable one (starting it if
// it has not run yet); a fiber that finishes returns to the scheduler, which recycles its stack
// and goes on from there. Finding no runnable fiber while some are unfinished is a deadlock (a
// divergent barrier or shuffle), which ends the launch with an error. Stacks (64 KiB plus a
// guard page) are pooled: a fiber that finishes without ever waiting hands its stack to the
// next, so a kernel without barriers or shuffles uses one stack per block. Context switches are
// a few instructions of assembly on x86-64 and aarch64 (glibc's swapcontext makes a sigprocmask
// system call per switch: about 20 times slower here); ucontext elsewhere, or with
// -DEMU_FORCE_UCONTEXT. (The aarch64 switch is untested.)
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#if defined(EMU_FORCE_UCONTEXT) || (!defined(__x86_64__) && !defined(__aarch64__))
#define EMU_UCONTEXT 1
#include <ucontext.h>
#endif

extern "C" EMU_HIDDEN void emu_fiber_entry();

EMU_HIDDEN uint3 threadIdx;
EMU_HIDDEN uint3 blockIdx;
EMU_HIDDEN dim3 blockDim;
EMU_HIDDEN dim3 gridDim;

namespace {

// ---- context switch ----

#ifndef EMU_UCONTEXT
}  // namespace
// emu_ctx_switch(&save, to): saves the callee-saved registers on the current stack, stores the
// stack pointer in *save, and resumes the context whose stack pointer is `to`. The FP control
// registers (MXCSR / x87 control word, FPCR) are not switched: CUDA device code has no way to
// change rounding or exception modes, so every fiber runs with the caller's, and saving and
// restoring them would cost about three quarters of each switch.
extern "C" EMU_HIDDEN void emu_ctx_switch(void** save, void* to);
extern "C" EMU_HIDDEN void emu_fiber_trampoline();
#if defined(__x86_64__)
asm(R"(
  .text
  .p2align 4
  .globl emu_ctx_switch
  .hidden emu_ctx_switch
  .type emu_ctx_switch, @function
emu_ctx_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size emu_ctx_switch, .-emu_ctx_switch

  .p2align 4
  .globl emu_fiber_trampoline
  .hidden emu_fiber_trampoline
  .type emu_fiber_trampoline, @function
emu_fiber_trampoline:
  call emu_fiber_entry
  ud2
  .size emu_fiber_trampoline, .-emu_fiber_trampoline
)");
// Frame popped by the first switch into a fresh fiber: r15..rbp and the return address, which
// ends at the 16-byte aligned stack top, so the trampoline's call is made with an aligned stack.
constexpr int kFrameWords = 7;
#elif defined(__aarch64__)
asm(R"(
  .text
  .p2align 4
  .globl emu_ctx_switch
  .hidden emu_ctx_switch
  .type emu_ctx_switch, %function
emu_ctx_switch:
  sub sp, sp, #160
  stp x19, x20, [sp, #0]
  stp x21, x22, [sp, #16]
  stp x23, x24, [sp, #32]
  stp x25, x26, [sp, #48]
  stp x27, x28, [sp, #64]
  stp x29, x30, [sp, #80]
  stp d8, d9, [sp, #96]
  stp d10, d11, [sp, #112]
  stp d12, d13, [sp, #128]
  stp d14, d15, [sp, #144]
  mov x9, sp
  str x9, [x0]
  mov sp, x1
  ldp x19, x20, [sp, #0]
  ldp x21, x22, [sp, #16]
  ldp x23, x24, [sp, #32]
  ldp x25, x26, [sp, #48]
  ldp x27, x28, [sp, #64]
  ldp x29, x30, [sp, #80]
  ldp d8, d9, [sp, #96]
  ldp d10, d11, [sp, #112]
  ldp d12, d13, [sp, #128]
  ldp d14, d15, [sp, #144]
  add sp, sp, #160
  ret
  .size emu_ctx_switch, .-emu_ctx_switch

  .p2align 4
  .globl emu_fiber_trampoline
  .hidden emu_fiber_trampoline
  .type emu_fiber_trampoline, %function
emu_fiber_trampoline:
  bl emu_fiber_entry
  brk #0
  .size emu_fiber_trampoline, .-emu_fiber_trampoline
)");
constexpr int kFrameWords = 20;  // 160 bytes
#endif
namespace {
#endif

constexpr size_t kStackBytes = 64 * 1024;
constexpr unsigned kMaxBlockThreads = 1024;

enum class St : unsigned char { NotStarted, Ready, Running, AtBarrier, AtShuffle, Done };

struct Fiber {
  void* sp = nullptr;  // saved stack pointer while suspended (asm switch)
  char* stack = nullptr;
#ifdef EMU_UCONTEXT
  ucontext_t uc;
#endif
  St state = St::NotStarted;
  uint3 idx{};
  unsigned warp = 0, lane = 0;
};

struct Warp {
  unsigned lanes = 0;    // 32, or fewer in a block whose size is not a multiple of 32
  unsigned arrived = 0;    // lanes waiting at the current shuffle
  unsigned atBarrier = 0;  // lanes waiting at __syncthreads
  unsigned exited = 0;
  unsigned long long val[32], res[32];
  int mask[32], width[32], size[32];
};

struct Runtime {
  std::mutex mutex;  // one launch at a time (the fibers share the __shared__ statics)
  std::vector<Fiber> fibers;
  std::vector<Warp> warps;
  std::vector<char*> freeStacks;
  Fiber* cur = nullptr;
  unsigned nthreads = 0, live = 0, atBarrier = 0;
  unsigned cursor = 0;  // where the round-robin search for the next runnable fiber starts
  void (*body)(void*) = nullptr;
  void* ctx = nullptr;
  bool failed = false;
  std::string error;
  size_t pageBytes = 4096;
#ifdef EMU_UCONTEXT
  ucontext_t sched;
#else
  void* schedSp = nullptr;
#endif
};

Runtime rt;
thread_local std::string lastError;

char* takeStack() {
  if (!rt.freeStacks.empty()) {
    char* s = rt.freeStacks.back();
    rt.freeStacks.pop_back();
    return s;
  }
  const size_t bytes = kStackBytes + rt.pageBytes;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    fprintf(stderr, "shrinkray host kernels: cannot map a %zu-byte fiber stack\n", bytes);
    abort();
  }
  mprotect(p, rt.pageBytes, PROT_NONE);  // guard page: a stack overflow faults instead of corrupting
  return static_cast<char*>(p);
}

// Gives fiber f a stack and an initial frame that enters emu_fiber_entry.
void prepare(Fiber* f) {
  f->stack = takeStack();
#ifdef EMU_UCONTEXT
  getcontext(&f->uc);
  f->uc.uc_stack.ss_sp = f->stack + rt.pageBytes;
  f->uc.uc_stack.ss_size = kStackBytes;
  f->uc.uc_link = nullptr;
  makecontext(&f->uc, emu_fiber_entry, 0);
#else
  char* top = f->stack + rt.pageBytes + kStackBytes;
  auto* frame = reinterpret_cast<unsigned long long*>(top) - kFrameWords;
  for (int i = 0; i < kFrameWords; ++i) frame[i] = 0;
#if defined(__x86_64__)
  frame[6] = reinterpret_cast<unsigned long long>(&emu_fiber_trampoline);  // popped by ret
#else
  frame[11] = reinterpret_cast<unsigned long long>(&emu_fiber_trampoline);  // x30 (lr)
#endif
  f->sp = frame;
#endif
}

// The next fiber to run after the cursor (round robin, thread order), or null if none can.
Fiber* pickNext() {
  const unsigned n = rt.nthreads;
  unsigned t = rt.cursor;
  for (unsigned k = 0; k < n; ++k, ++t) {
    if (t == n) t = 0;
    Fiber* f = &rt.fibers[t];
    if (f->state == St::Ready || f->state == St::NotStarted) {
      rt.cursor = t + 1 == n ? 0 : t + 1;
      if (f->state == St::NotStarted) prepare(f);
      f->state = St::Running;
      return f;
    }
  }
  return nullptr;
}

// Saves the current context (a fiber's, or the scheduler's when from is null) and runs g.
void switchTo(Fiber* from, Fiber* g) {
  rt.cur = g;
  threadIdx = g->idx;
#ifdef EMU_UCONTEXT
  swapcontext(from ? &from->uc : &rt.sched, &g->uc);
#else
  emu_ctx_switch(from ? &from->sp : &rt.schedSp, g->sp);
#endif
}

void toScheduler(Fiber* f) {
#ifdef EMU_UCONTEXT
  swapcontext(&f->uc, &rt.sched);
#else
  emu_ctx_switch(&f->sp, rt.schedSp);
#endif
}

// The running fiber f waits (its state says for what): runs another fiber, or returns to the
// scheduler if none can run (a deadlock, found there). Returns when f is resumed.
void block(Fiber* f) {
  Fiber* g = pickNext();
  if (g) switchTo(f, g);
  else toScheduler(f);
}

void releaseBarrier() {
  rt.atBarrier = 0;
  for (Warp& w : rt.warps) w.atBarrier = 0;
  for (unsigned t = 0; t < rt.nthreads; ++t)
    if (rt.fibers[t].state == St::AtBarrier) rt.fibers[t].state = St::Ready;
}

// Records the error and, called on a fiber, never returns to it.
[[noreturn]] void failOnFiber(const std::string& msg) {
  if (!rt.failed) {
    rt.failed = true;
    rt.error = msg;
  }
  Fiber* f = rt.cur;
  f->state = St::Done;
  toScheduler(f);
  __builtin_unreachable();
}

std::string where(const Fiber* f) {
  char buf[160];
  snprintf(buf, sizeof buf, "thread (%u,%u,%u) of block (%u,%u,%u)", f->idx.x, f->idx.y, f->idx.z, blockIdx.x,
           blockIdx.y, blockIdx.z);
  return buf;
}

void fiberDone(Fiber* f);

}  // namespace

extern "C" EMU_HIDDEN void emu_fiber_entry() {
  Fiber* f = rt.cur;
  rt.body(rt.ctx);
  f->state = St::Done;
  toScheduler(f);
  __builtin_unreachable();
}

extern "C" EMU_HIDDEN void emu_syncthreads() {
  Fiber* f = rt.cur;
  Warp& w = rt.warps[f->warp];
  if (w.arrived) {
    failOnFiber("divergent warp: " + where(f) + " reached __syncthreads while " + std::to_string(w.arrived) +
                " lanes of its warp wait at a __shfl_xor_sync");
  }
  if (++rt.atBarrier == rt.live) {
    releaseBarrier();
    return;  // the last to arrive goes on
  }
  ++w.atBarrier;
  f->state = St::AtBarrier;
  block(f);
}

extern "C" EMU_HIDDEN unsigned long long emu_shfl_xor(unsigned mask, unsigned long long bits, int laneMask, int width,
                                                      int size) {
  Fiber* f = rt.cur;
  Warp& w = rt.warps[f->warp];
  if (mask != 0xffffffffu) {
    char buf[64];
    snprintf(buf, sizeof buf, "0x%08x", mask);
    failOnFiber("__shfl_xor_sync with mask " + std::string(buf) + " (only a full warp is supported) in " + where(f));
  }
  if (w.lanes != 32) {
    failOnFiber("__shfl_xor_sync in a partial warp (" + std::to_string(w.lanes) + " lanes; blockDim " +
                std::to_string(blockDim.x) + "x" + std::to_string(blockDim.y) + "x" + std::to_string(blockDim.z) +
                ") in " + where(f));
  }
  if (w.exited) {
    failOnFiber("divergent __shfl_xor_sync: " + where(f) + " shuffles after " + std::to_string(w.exited) +
                " lanes of its warp exited");
  }
  if (w.atBarrier) {
    failOnFiber("divergent warp: " + where(f) + " reached a __shfl_xor_sync while " + std::to_string(w.atBarrier) +
                " lanes of its warp wait at __syncthreads");
  }
  const unsigned lane = f->lane;
  w.val[lane] = bits;
  w.mask[lane] = laneMask;
  w.width[lane] = width;
  w.size[lane] = size;
  if (++w.arrived == 32) {
    w.arrived = 0;
    for (unsigned l = 0; l < 32; ++l) {
      if (w.size[l] != size || w.width[l] != width) {
        failOnFiber("divergent __shfl_xor_sync: the lanes of warp " + std::to_string(f->warp) +
                    " shuffle values of different sizes or widths (" + where(f) + ")");
      }
      const int wd = w.width[l];
      if (wd <= 0 || wd > 32 || (wd & (wd - 1))) failOnFiber("__shfl_xor_sync width " + std::to_string(wd));
      unsigned src = l ^ (unsigned)w.mask[l];
      // a source lane outside the lane's width-segment gives the lane's own value
      if (src >= 32 || (src / wd) != (l / wd)) src = l;
      w.res[l] = w.val[src];
    }
    const unsigned base = f->warp * 32;
    for (unsigned l = 0; l < 32; ++l) {
      Fiber& g = rt.fibers[base + l];
      if (g.state == St::AtShuffle) g.state = St::Ready;
    }
    return w.res[lane];
  }
  f->state = St::AtShuffle;
  block(f);
  return w.res[lane];
}

extern "C" EMU_HIDDEN void emu_trap(const char* msg) { failOnFiber(std::string(msg) + " in " + where(rt.cur)); }

extern "C" EMU_HIDDEN void emu_set_error(const char* msg) { lastError = msg; }

namespace {

// Bookkeeping after fiber f returned from the kernel; "" or an error.
std::string afterExit(Fiber* f) {
  rt.freeStacks.push_back(f->stack);
  f->stack = nullptr;
  --rt.live;
  Warp& w = rt.warps[f->warp];
  ++w.exited;
  if (w.arrived) {
    return "divergent __shfl_xor_sync: " + where(f) + " exited while " + std::to_string(w.arrived) +
           " lanes of its warp wait at a shuffle";
  }
  if (rt.atBarrier && rt.atBarrier == rt.live) releaseBarrier();  // exited threads do not hold a barrier
  return "";
}

std::string deadlock() {
  unsigned bar = 0, shfl = 0;
  for (unsigned t = 0; t < rt.nthreads; ++t) {
    bar += rt.fibers[t].state == St::AtBarrier;
    shfl += rt.fibers[t].state == St::AtShuffle;
  }
  char buf[256];
  snprintf(buf, sizeof buf,
           "deadlock in block (%u,%u,%u): %u threads wait at __syncthreads and %u at __shfl_xor_sync, %u of %u "
           "still running (a divergent barrier or shuffle)",
           blockIdx.x, blockIdx.y, blockIdx.z, bar, shfl, rt.live, rt.nthreads);
  return buf;
}

// Runs the current block; "" or an error. Control comes back here whenever a fiber finishes (it
// is rt.cur then), fails, or waits with no other fiber able to run.
std::string runBlock() {
  const unsigned n = rt.nthreads;
  for (unsigned t = 0; t < n; ++t) rt.fibers[t].state = St::NotStarted;
  for (Warp& w : rt.warps) {
    w.arrived = 0;
    w.atBarrier = 0;
    w.exited = 0;
  }
  rt.live = n;
  rt.atBarrier = 0;
  rt.cursor = 0;
  for (;;) {
    Fiber* g = pickNext();
    if (!g) return rt.live == 0 ? "" : deadlock();
    switchTo(nullptr, g);
    if (rt.failed) return rt.error;
    Fiber* f = rt.cur;
    if (f->state == St::Done) {
      std::string e = afterExit(f);
      if (!e.empty()) return e;
    }
  }
}

// Returns the stacks of fibers abandoned by a failed launch to the pool.
void reclaimStacks() {
  for (unsigned t = 0; t < rt.nthreads; ++t) {
    Fiber& f = rt.fibers[t];
    if (f.stack) {
      rt.freeStacks.push_back(f.stack);
      f.stack = nullptr;
    }
  }
}

}  // namespace

extern "C" EMU_HIDDEN int emu_run_grid(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                       void (*body)(void*), void* ctx) {
  std::lock_guard<std::mutex> lock(rt.mutex);
  const unsigned long long n = (unsigned long long)bx * by * bz;
  if (gx == 0 || gy == 0 || gz == 0 || n == 0 || n > kMaxBlockThreads || bz > 64 || gy > 65535 || gz > 65535) {
    char buf[160];
    snprintf(buf, sizeof buf, "invalid launch configuration: grid %ux%ux%u, block %ux%ux%u", gx, gy, gz, bx, by, bz);
    lastError = buf;
    return 2;
  }
  rt.pageBytes = (size_t)sysconf(_SC_PAGESIZE);
  rt.nthreads = (unsigned)n;
  if (rt.fibers.size() < n) rt.fibers.resize(n);
  rt.warps.resize((n + 31) / 32);
  for (unsigned t = 0; t < n; ++t) {
    Fiber& f = rt.fibers[t];
    f.idx = uint3{t % bx, (t / bx) % by, t / (bx * by)};
    f.warp = t / 32;
    f.lane = t % 32;
    f.stack = nullptr;
  }
  for (size_t w = 0; w < rt.warps.size(); ++w) rt.warps[w].lanes = (unsigned)(n - w * 32 < 32 ? n - w * 32 : 32);
  rt.body = body;
  rt.ctx = ctx;
  rt.failed = false;
  rt.error.clear();
  blockDim = dim3{bx, by, bz};
  gridDim = dim3{gx, gy, gz};
  for (unsigned z = 0; z < gz; ++z) {
    for (unsigned y = 0; y < gy; ++y) {
      for (unsigned x = 0; x < gx; ++x) {
        blockIdx = uint3{x, y, z};
        std::string e = runBlock();
        if (!e.empty()) {
          reclaimStacks();
          lastError = e;
          return 1;
        }
      }
    }
  }
  return 0;
}

extern "C" __attribute__((visibility("default"))) const char* emu_last_error() { return lastError.c_str(); }
