// The data segments of one database (docs/segment-format.md): appends document records
// to the active segment, rotating at a size limit, and reads them back with their
// checksum verified. Segments are not synced per write (the WAL is what makes a write
// durable); SyncAll makes them durable for a checkpoint. Appends gather in a buffer of up
// to `buffer_bytes` and reach the active segment's file one buffer at a time (reads of
// what is still buffered are served from it): a crash loses the buffer, and the WAL
// replay writes its records again, as it does every record written after the last
// checkpoint. Each segment's live bytes (the records the index names) are counted, so
// that compaction knows what it would reclaim (docs/compaction.md). Thread-safety: all
// methods may be called concurrently; appends are serialised inside.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/read_epochs.h"
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
  // Bytes of the document records in it that are current (named by the index or the
  // overlay), by collection ID; the rest past the header is dead: superseded versions,
  // tombstones, dropped collections.
  std::map<uint64_t, uint64_t> live_by_collection = {};
  // The smallest LSN of a record in it: UINT64_MAX when it has none, 0 when not known.
  uint64_t min_lsn = 0;
  uint64_t kept_bytes = 0;  // of tombstones compaction copied into it (SegmentUsage)
};

// A segment's accounting, for compaction and stats.
struct SegmentUsage {
  uint64_t segment = 0;
  uint64_t length_bytes = 0;
  uint64_t live_bytes = 0;
  bool active = false;  // the segment appends go to; never compacted
  // Tombstones compaction copied into it because they still shadow an older record
  // (docs/lifecycle.md): neither live nor reclaimable, so that they do not make their
  // segment worth compacting again.
  uint64_t kept_bytes = 0;
  uint64_t record_bytes() const;  // the length past the segment header
  // What compaction would reclaim: the record bytes neither live nor kept.
  uint64_t dead_bytes() const;
  // Dead bytes over the bytes of records (0 for a segment without records).
  double dead_ratio() const;
};

// What the views of a read record point into: a copy of the record's bytes, reused from
// one read to the next. Views never point into a segment's mapping, where touching a page
// that cannot be read would be SIGBUS rather than an error.
using SegmentReadBuffer = std::string;

class SegmentStore {
 public:
  // Opens the segments in `dir` (created when missing) as a checkpoint left them:
  // segments listed in `durable` are cut back to their recorded lengths and start with
  // their recorded live bytes, every other segment file is removed (it was created
  // after the checkpoint, and the WAL replay writes its records again; or a compaction
  // emptied it and the checkpoint no longer lists it). Corruption when a listed segment
  // is missing or shorter than recorded.
  static Result<std::unique_ptr<SegmentStore>> Open(FileSystem* fs, const std::string& dir,
                                                    const std::vector<SegmentExtent>& durable,
                                                    uint64_t segment_size_bytes,
                                                    uint64_t buffer_bytes = 0);

  // Appends one record of collection `collection_id` and returns where it is; a
  // document record counts as live, a tombstone as dead. The caller must not report the
  // write as done on error: part of the record, or of the buffer written before it, may
  // be on disk (it is overwritten by the next append, and cut back at the next open). An
  // error writing the buffer leaves it, and the records it holds, as they were.
  // With `kept`, the record is a tombstone compaction copies forward (SegmentUsage).
  Result<SegmentLocation> Append(const SegmentRecord& record, uint64_t collection_id,
                                 bool kept = false);

  // The record at `location`, of collection `collection_id`, is no longer current
  // (superseded, deleted or copied forward): its bytes become dead.
  void Release(const SegmentLocation& location, uint64_t collection_id);
  // Every record of a dropped collection becomes dead.
  void ReleaseCollection(uint64_t collection_id);

  // Ends the active segment when it holds records: appends go to a new one from now on.
  Status Seal();

  // Calls visit(location, record) for each record of a segment that is not active, in
  // order, until it returns false. Corruption names the segment and offset where the
  // records stop making sense.
  Status ForEachRecord(
      uint64_t segment,
      const std::function<bool(const SegmentLocation&, const SegmentRecord&)>& visit) const;

  // Takes a segment without live bytes out of Extents() (so that the next checkpoint no
  // longer lists it); it stays readable until RemoveRetired. FailedPrecondition for the
  // active segment or one that still has live bytes.
  Status Retire(uint64_t segment);
  // The retired segments, in order.
  std::vector<uint64_t> Retired() const;
  // Deletes the files of `segments` (retired ones) and syncs the directory: called once a
  // checkpoint that no longer lists them is durable. Waits for the reads pinned before
  // the call (a read pinned later cannot learn a location in them), without making any
  // read wait. Returns the bytes the segments held.
  Result<uint64_t> RemoveRetired(const std::vector<uint64_t>& segments);

  // Held by a reader from the moment it learns a location until it has read it, so that
  // the segment cannot be removed in between (a compaction may move the record and
  // remove its segment at any time).
  ReadEpochs::Guard Pin() const { return read_epochs_.Enter(); }

  // Reads and verifies the record at `location`; the returned views point into *buffer,
  // and stay valid until its next use. Segments are read through a memory mapping where
  // the file system offers one (the record is copied out of it, without a system call),
  // with ReadAt otherwise. Corruption names the segment and offset, as does IoError (a
  // page that cannot be read: a media error, or the file cut short by something else).
  Result<SegmentRecord> Read(const SegmentLocation& location, SegmentReadBuffer* buffer) const;

  // Reads and checks the header of a segment that is not retired: Corruption (or
  // NotSupported) naming the segment when it is damaged.
  Status CheckHeader(uint64_t segment) const;

  // Writes the buffered appends to the active segment's file.
  Status Flush();
  // The memory the buffer of appends holds, reserved at the open.
  uint64_t buffer_bytes() const { return buffer_bytes_; }
  // fdatasyncs every segment written since the last SyncAll, and the directory when a
  // segment was created since. What is still buffered is not written: Flush first (a
  // checkpoint does, so that a full disk fails it before any sync, which must not be
  // repeated, is tried).
  Status SyncAll();

  // Every segment that is not retired, with its current length and live bytes, in
  // segment order: what a checkpoint records.
  std::vector<SegmentExtent> Extents() const;
  // Every segment that is not retired, for compaction and stats.
  std::vector<SegmentUsage> Usage() const;
  // The smallest LSN of any record, live or dead, in a segment that is not retired other
  // than `segment` (UINT64_MAX when there is none): no record older than it remains
  // outside `segment`. A retired segment is deleted by the first checkpoint after it
  // is retired, so no later decision can depend on its records.
  uint64_t OldestLsnOutside(uint64_t segment) const;

 private:
  struct Segment {
    std::shared_ptr<File> file;
    // The file mapped up to its size limit (null when the file system does not map):
    // records below `length` are read from it.
    std::shared_ptr<const MappedRegion> mapping;
    uint64_t length = 0;
    uint64_t live = 0;                                     // the sum of live_by_collection
    std::map<uint64_t, uint64_t> live_by_collection = {};  // only those with live bytes
    uint64_t min_lsn = UINT64_MAX;                         // of its records; 0: not known
    uint64_t kept = 0;                                     // SegmentUsage::kept_bytes
    bool retired = false;
  };

  SegmentStore(FileSystem* fs, std::string dir, uint64_t segment_size_bytes, uint64_t buffer_bytes);
  Status CreateSegment(uint64_t number);  // requires append_mu_
  Segment MakeSegment(std::unique_ptr<File> file, uint64_t length) const;
  Status FlushLocked();                      // requires append_mu_
  std::shared_ptr<File> ActiveFile() const;  // requires append_mu_ (active_ stays put)
  // Counts a record of `size` bytes appended at the end of the active segment; requires
  // segments_mu_ held exclusively.
  void NoteAppended(const SegmentRecord& record, uint64_t size, uint64_t collection_id, bool kept);

  FileSystem* const fs_;
  const std::string dir_;
  const uint64_t segment_size_bytes_;
  const uint64_t buffer_bytes_;

  std::mutex append_mu_;                   // serialises appends and rotation
  mutable std::shared_mutex segments_mu_;  // guards segments_ and dirty state
  mutable ReadEpochs read_epochs_;         // the reads under a Pin
  std::map<uint64_t, Segment> segments_;
  uint64_t active_ = 0;
  std::set<uint64_t> unsynced_;
  bool dir_unsynced_ = false;
  // The active segment's appends not yet in its file, which begin at tail_offset_: changed
  // with both mutexes held (exclusively), read with either.
  std::string tail_;
  uint64_t tail_offset_ = 0;
  std::string buffer_;  // a record written past the buffer; requires append_mu_
};

}  // namespace docdb::io
