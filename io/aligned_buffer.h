// A growable buffer whose storage is aligned for direct I/O (kDirectIoAlignment), for the
// WAL writer's block writes (docs/wal-format.md, "Writing"). Thread-safety: none.
#pragma once

#include <cstdlib>
#include <cstring>
#include <memory>

#include "io/file_system.h"

namespace docdb::io {

class AlignedBuffer {
 public:
  char* data() { return data_.get(); }
  size_t capacity() const { return capacity_; }

  // Makes room for at least `bytes`, keeping the first `keep` bytes.
  void Reserve(size_t bytes, size_t keep) {
    if (bytes <= capacity_) return;
    const size_t capacity =
        (bytes + kDirectIoAlignment - 1) / kDirectIoAlignment * kDirectIoAlignment * 2;
    std::unique_ptr<char, Free> grown(
        static_cast<char*>(std::aligned_alloc(kDirectIoAlignment, capacity)));
    if (keep > 0) std::memcpy(grown.get(), data_.get(), keep);
    data_ = std::move(grown);
    capacity_ = capacity;
  }

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> data_;
  size_t capacity_ = 0;
};

}  // namespace docdb::io
