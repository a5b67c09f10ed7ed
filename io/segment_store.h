// The data segments of one database (docs/segment-format.md): appends document records
// to the active segment, rotating at a size limit, and reads them back with their
// checksum verified. Segments are not synced per write (the WAL is what makes a write
// durable); SyncAll makes them durable for a checkpoint. Thread-safety: all methods may
// be called concurrently; appends are serialised inside.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "io/file_system.h"
#include "io/segment_format.h"

namespace docdb::io {

struct SegmentLocation {
  uint64_t segment = 0;
  uint64_t offset = 0;
  uint32_t length = 0;
};

struct SegmentExtent {
  uint64_t segment = 0;
  uint64_t length_bytes = 0;
};

// What the views of a read record point into: a copy of the record's bytes, reused from
// one read to the next. Views never point into a segment's mapping, where touching a page
// that cannot be read would be SIGBUS rather than an error.
using SegmentReadBuffer = std::string;

class SegmentStore {
 public:
  // Opens the segments in `dir` (created when missing) as a checkpoint left them:
  // segments listed in `durable` are cut back to their recorded lengths, every other
  // segment file is removed (it was created after the checkpoint; the WAL replay writes
  // its records again). Corruption when a listed segment is missing or shorter than
  // recorded.
  static Result<std::unique_ptr<SegmentStore>> Open(FileSystem* fs, const std::string& dir,
                                                    const std::vector<SegmentExtent>& durable,
                                                    uint64_t segment_size_bytes);

  // Appends one record and returns where it is. The caller must not report the write
  // as done on error: part of the record may be on disk (it is overwritten by the next
  // append, and cut back at the next open).
  Result<SegmentLocation> Append(const SegmentRecord& record);

  // Reads and verifies the record at `location`; the returned views point into *buffer,
  // and stay valid until its next use. Segments are read through a memory mapping where
  // the file system offers one (the record is copied out of it, without a system call),
  // with ReadAt otherwise. Corruption names the segment and offset, as does IoError (a
  // page that cannot be read: a media error, or the file cut short by something else).
  Result<SegmentRecord> Read(const SegmentLocation& location, SegmentReadBuffer* buffer) const;

  // fdatasyncs every segment written since the last SyncAll, and the directory when a
  // segment was created since.
  Status SyncAll();

  // Every segment and its current length, in segment order.
  std::vector<SegmentExtent> Extents() const;

 private:
  struct Segment {
    std::shared_ptr<File> file;
    // The file mapped up to its size limit (null when the file system does not map):
    // records below `length` are read from it.
    std::shared_ptr<const MappedRegion> mapping;
    uint64_t length = 0;
  };

  SegmentStore(FileSystem* fs, std::string dir, uint64_t segment_size_bytes);
  Status CreateSegment(uint64_t number);  // requires append_mu_
  Segment MakeSegment(std::unique_ptr<File> file, uint64_t length) const;

  FileSystem* const fs_;
  const std::string dir_;
  const uint64_t segment_size_bytes_;

  std::mutex append_mu_;                   // serialises appends and rotation
  mutable std::shared_mutex segments_mu_;  // guards segments_ and dirty state
  std::map<uint64_t, Segment> segments_;
  uint64_t active_ = 0;
  std::set<uint64_t> unsynced_;
  bool dir_unsynced_ = false;
  std::string buffer_;  // requires append_mu_
};

}  // namespace docdb::io
