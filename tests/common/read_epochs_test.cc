// Read epochs (common/read_epochs.h): a reclaimer waits for the readers that were in
// progress when it began, and for no others; readers never wait.
#include "common/read_epochs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace docdb {
namespace {

TEST(ReadEpochsTest, AReclaimerWaitsForTheReadersInProgressWhenItBegan) {
  ReadEpochs epochs;
  std::optional<ReadEpochs::Guard> reader(epochs.Enter());
  const uint64_t before = epochs.epoch();
  std::atomic<bool> reclaimed{false};
  std::thread reclaimer([&] {
    epochs.WaitForReaders();
    reclaimed = true;
  });
  while (epochs.epoch() == before) std::this_thread::yield();  // the reclaimer has begun
  // Readers that come now neither wait for it nor hold it up.
  for (int i = 0; i < 100; ++i) ReadEpochs::Guard later = epochs.Enter();
  const ReadEpochs::Guard late_reader = epochs.Enter();  // held to the end
  EXPECT_FALSE(reclaimed.load()) << "the first reader is still in progress";
  reader.reset();
  reclaimer.join();
  EXPECT_TRUE(reclaimed.load());
}

// The use DocDB makes of it: a reclaimer unpublishes a cell, waits for the readers, then
// spoils the cell (as deleting a segment would); no reader may ever see a spoilt cell.
TEST(ReadEpochsTest, NoReaderSeesWhatWasReclaimedAfterItsWait) {
  struct Cell {
    std::atomic<int> value{1};
  };
  ReadEpochs epochs;
  std::vector<std::unique_ptr<Cell>> cells;
  cells.push_back(std::make_unique<Cell>());
  std::atomic<Cell*> current{cells.back().get()};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> spoilt_reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        ReadEpochs::Guard guard = epochs.Enter();
        if (current.load()->value.load() != 1) spoilt_reads.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    cells.push_back(std::make_unique<Cell>());
    Cell* old = current.exchange(cells.back().get());
    epochs.WaitForReaders();
    old->value = 0;  // kept allocated: a defect shows as a spoilt read, not a crash
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(spoilt_reads.load(), 0u);
  EXPECT_EQ(epochs.epoch(), 2000u);
}

}  // namespace
}  // namespace docdb
