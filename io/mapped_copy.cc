// The SIGBUS guard for copies out of memory mappings (io/mapped_copy.h).
//
// A guarded copy marks itself in a thread_local before its memcpy. A page fault that the
// kernel cannot serve (EIO paging in, or a page past the end of a file cut short) raises
// SIGBUS on the faulting thread; the handler sees the mark and siglongjmps back into the
// copy, which then reports the address. Any other SIGBUS goes to the handler that was
// installed before, or takes the default action, as if DocDB had installed nothing.
#include "io/mapped_copy.h"

#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace docdb::io {
namespace {

// One guarded copy in progress on a thread.
struct GuardedCopy {
  sigjmp_buf jump;
  uintptr_t first_page = 0;  // the source range, widened to whole pages
  uintptr_t end = 0;
  // Written by the handler before it jumps back; volatile so that the read after the
  // jump is not served from a register saved before it.
  const char* volatile fault_address = nullptr;
};

// The guarded copy of this thread, set only around its memcpy. The handler runs on the
// faulting thread and reads it; the copy writes it first, outside the handler, so the
// thread's storage for it exists before any signal can ask for it.
thread_local GuardedCopy* guarded_copy = nullptr;

// Filled in before the handler is installed and never changed after.
struct sigaction previous_action;
uintptr_t page_bytes = 4096;

// A fault, raised by the kernel, rather than a SIGBUS sent with kill() or sigqueue().
bool IsFault(const siginfo_t* info) { return info->si_code > 0; }

void ChainToPrevious(int signo, siginfo_t* info, void* context) {
  if ((previous_action.sa_flags & SA_SIGINFO) != 0) {
    previous_action.sa_sigaction(signo, info, context);
    return;
  }
  if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
    previous_action.sa_handler(signo);
    return;
  }
  if (previous_action.sa_handler == SIG_IGN && !IsFault(info)) return;
  // The default action: put it back and let the signal run its course. A fault re-runs
  // the faulting instruction on return and ends the process there, so that the core shows
  // where it happened; a sent signal is raised again and delivered once this returns.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(signo, &default_action, nullptr);
  if (!IsFault(info)) raise(signo);
}

void OnSigbus(int signo, siginfo_t* info, void* context) {
  GuardedCopy* copy = guarded_copy;
  const auto address = reinterpret_cast<uintptr_t>(info->si_addr);
  // Only a fault on the pages being copied from is the copy's: a SIGBUS anywhere else is
  // a bug or a failure that DocDB does not own, and must not be swallowed.
  if (copy != nullptr && IsFault(info) && address >= copy->first_page && address < copy->end) {
    guarded_copy = nullptr;
    copy->fault_address = static_cast<const char*>(info->si_addr);
    siglongjmp(copy->jump, 1);
  }
  ChainToPrevious(signo, info, context);
}

// The handler returned by siglongjmp, so the kernel's blocking of SIGBUS for its
// duration was never undone. The thread had SIGBUS unblocked before (a fault on a blocked
// SIGBUS kills the process without running a handler), so unblocking restores its mask.
void UnblockSigbus() {
  sigset_t sigbus;
  sigemptyset(&sigbus);
  sigaddset(&sigbus, SIGBUS);
  pthread_sigmask(SIG_UNBLOCK, &sigbus, nullptr);
}

}  // namespace

Status InstallMappedCopyGuard() {
  static const int error = [] {
    page_bytes = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    // Read the handler being replaced before ours goes live, so that a fault on another
    // thread never chains through a half-written previous_action.
    if (sigaction(SIGBUS, nullptr, &previous_action) != 0) return errno;
    struct sigaction action {};
    action.sa_sigaction = OnSigbus;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGBUS, &action, nullptr) == 0 ? 0 : errno;
  }();
  if (error != 0) {
    return Status::IoError("cannot install the SIGBUS handler that guards reads through mappings",
                           error);
  }
  return Status::OK();
}

const char* CopyFromMapping(const char* src, size_t n, char* dst) {
  if (n == 0) return nullptr;
  GuardedCopy copy;
  copy.first_page = reinterpret_cast<uintptr_t>(src) & ~(page_bytes - 1);
  copy.end = reinterpret_cast<uintptr_t>(src) + n;
  // savemask 0: saving the signal mask would cost a system call per copy; the fault path
  // repairs the mask instead.
  if (sigsetjmp(copy.jump, 0) != 0) {
    UnblockSigbus();
    const char* fault = copy.fault_address;
    return std::clamp(fault, src, src + n - 1);
  }
  guarded_copy = &copy;
  // The fences keep the compiler from moving the copy's loads out of the marked section.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::memcpy(dst, src, n);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  guarded_copy = nullptr;
  return nullptr;
}

}  // namespace docdb::io
