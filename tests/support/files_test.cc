// ReadFile, WriteFile, Lines, CountOf and TempDir.

#include "tests/support/files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::ThrowsMessage;

TEST(FilesTest, WriteThenReadKeepsEveryByte) {
  TempDir dir;
  const std::string bytes = std::string("a\0b\r\n\xff", 6) + std::string(100000, 'z');
  WriteFile(dir.path() / "f.bin", bytes);
  EXPECT_EQ(ReadFile(dir.path() / "f.bin"), bytes);
  // A shorter write replaces the file whole.
  EXPECT_EQ(ReadFile(dir.Write("f.bin", "short")), "short");
}

TEST(FilesTest, MissingFilesAndDirectoriesThrowNamingThePath) {
  TempDir dir;
  const std::string missing = dir.Path("missing.txt");
  EXPECT_THAT([&] { ReadFile(missing); },
              ThrowsMessage<std::runtime_error>(HasSubstr(missing + ": cannot open for reading")));
  EXPECT_THAT([&] { ReadFile(dir.path()); },
              ThrowsMessage<std::runtime_error>(HasSubstr(dir.path().string() + ": cannot read")));
  const std::string nowhere = dir.Path("no/such/dir/f.txt");
  EXPECT_THAT([&] { WriteFile(nowhere, "x"); },
              ThrowsMessage<std::runtime_error>(HasSubstr(nowhere + ": cannot open for writing")));
}

TEST(FilesTest, LinesAndCountOf) {
  EXPECT_THAT(Lines("a\nb\n"), ElementsAre("a", "b"));
  EXPECT_THAT(Lines("a\n\nb"), ElementsAre("a", "", "b"));
  EXPECT_THAT(Lines(""), IsEmpty());
  EXPECT_EQ(CountOf("aaaa", "aa"), 3u);
  EXPECT_EQ(CountOf("abc", "x"), 0u);
  EXPECT_THAT([] { CountOf("abc", ""); },
              ThrowsMessage<std::invalid_argument>(HasSubstr("empty needle")));
}

TEST(TempDirTest, FreshEmptyUniqueAndRemovedWithItsContents) {
  fs::path kept;
  {
    TempDir a, b;
    EXPECT_NE(a.path(), b.path());
    EXPECT_TRUE(fs::is_directory(a.path()));
    EXPECT_THAT(a.Files(), IsEmpty());
    a.Write("z.txt", "z");
    a.Write("a.txt", "a");
    fs::create_directories(a.path() / "sub" / "deeper");
    a.Write("sub/deeper/f", "f");
    EXPECT_THAT(a.Files(), ElementsAre("a.txt", "sub", "z.txt"));
    EXPECT_EQ(a.Path("a.txt"), (a.path() / "a.txt").string());
    kept = a.path();
  }
  EXPECT_FALSE(fs::exists(kept));
}

TEST(PathsTest, SourceDirIsTheRepositoryAndTheBinaryIsNamedCadenza) {
  EXPECT_TRUE(fs::exists(SourceDir() / "tests" / "support" / "files.h"));
  EXPECT_EQ(SourcePath("tests/data"), (SourceDir() / "tests/data").string());
  EXPECT_EQ(fs::path(CadenzaBinary()).filename(), "cadenza");
}

}  // namespace
}  // namespace cadenza::test
