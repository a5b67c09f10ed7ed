// The collection catalog: what Find sees as collections are created and dropped, from
// threads that keep their names between calls (engine/catalog.h).
#include "engine/catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace docdb::engine {
namespace {

TEST(CatalogTest, FindSeesEveryChangeMadeBeforeIt) {
  Catalog catalog;
  catalog.Load({});
  EXPECT_EQ(*catalog.Find("default"), 0u);
  EXPECT_EQ(catalog.Find("orders").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(catalog.Create("orders", 7).ok());
  EXPECT_EQ(*catalog.Find("orders"), 7u);
  ASSERT_TRUE(catalog.Drop("orders").ok());
  EXPECT_EQ(catalog.Find("orders").status().code(), StatusCode::kNotFound);
  catalog.Load({{"users", 9, 3}});
  EXPECT_EQ(*catalog.Find("users"), 9u);
  EXPECT_EQ(*catalog.Find("default"), 0u);
}

TEST(CatalogTest, TwoCatalogsReadOnOneThreadKeepTheirOwnNames) {
  Catalog a;
  Catalog b;
  a.Load({{"only-a", 1, 0}});
  b.Load({{"only-b", 2, 0}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(*a.Find("only-a"), 1u);
    EXPECT_EQ(b.Find("only-a").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(*b.Find("only-b"), 2u);
  }
}

// A reader on another thread that learns (through an atomic) that a collection was
// created or dropped finds it so at once, though it read the names before the change.
TEST(CatalogTest, AReaderThreadSeesEachChangeItWasToldOf) {
  constexpr int kChanges = 200;
  Catalog catalog;
  catalog.Load({});
  std::atomic<int> published{0};
  std::atomic<int> checked{0};
  std::atomic<int> wrong{0};
  // Change i creates c<(i+1)/2> when odd and drops it again when even.
  const auto name_of = [](int i) { return "c" + std::to_string((i + 1) / 2); };
  std::thread reader([&] {
    for (int i = 1; i <= kChanges; ++i) {
      while (published.load(std::memory_order_acquire) < i) std::this_thread::yield();
      if (catalog.Find(name_of(i)).ok() != (i % 2 == 1)) wrong.fetch_add(1);
      checked.store(i, std::memory_order_release);
    }
  });
  for (int i = 1; i <= kChanges; ++i) {
    ASSERT_TRUE(i % 2 == 1 ? catalog.Create(name_of(i), static_cast<uint64_t>(i)).ok()
                           : catalog.Drop(name_of(i)).ok());
    published.store(i, std::memory_order_release);
    while (checked.load(std::memory_order_acquire) < i) std::this_thread::yield();
  }
  reader.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace docdb::engine
