// The checkpoint file <db>/checkpoint (docs/recovery.md, "Rebuilding the index"): a copy
// of what the index's last checkpoint recorded (the checkpoint LSN, the catalog, each
// data segment's length and oldest record, the revoked LSN ranges), kept beside the LMDB
// environment so that a lost or damaged one can be rebuilt from the data segments.
// Encoding only. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docdb/status.h"
#include "index/lmdb_index.h"

namespace docdb::index {

// The file's bytes. Document counts and live bytes are left out: a rebuild counts them.
std::string EncodeCheckpointFile(const CheckpointMeta& meta,
                                 const std::vector<CollectionRecord>& collections);
// Corruption, naming what is wrong, for bytes that are not such a file or fail its
// checksum; NotSupported for a newer version.
Status DecodeCheckpointFile(std::string_view bytes, CheckpointMeta* meta,
                            std::vector<CollectionRecord>* collections);

}  // namespace docdb::index
