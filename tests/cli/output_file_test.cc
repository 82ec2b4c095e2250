// Output files: "-" is stdout, symlinks are followed, devices and FIFOs are written in place,
// regular files are replaced atomically with their permission bits kept.
#include "cli/output_file.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "analyzer/error.h"

namespace cadenza::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cadenza-output-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // Every file in the directory, to show that no temporary file is left behind.
  int Entries() const {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }

  fs::path dir_;
};

TEST_F(OutputFileTest, NewFileIsCreatedWhole) {
  WriteOutput(Path("a.json"), "{}\n");
  EXPECT_EQ(Read(Path("a.json")), "{}\n");
  EXPECT_EQ(Entries(), 1);
}

TEST_F(OutputFileTest, ReplacedFileKeepsItsPermissionBits) {
  WriteOutput(Path("private.html"), "old");
  ASSERT_EQ(::chmod(Path("private.html").c_str(), 0600), 0);
  WriteOutput(Path("private.html"), "new");
  struct stat st {};
  ASSERT_EQ(::stat(Path("private.html").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(Read(Path("private.html")), "new");
  EXPECT_EQ(Entries(), 1);
}

TEST_F(OutputFileTest, SymlinkIsFollowedAndKept) {
  fs::create_directories(dir_ / "reports");
  WriteOutput(Path("reports/target.html"), "old");
  fs::create_symlink("reports/target.html", dir_ / "link.html");  // relative to the link's dir
  WriteOutput(Path("link.html"), "new");
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.html"));
  EXPECT_EQ(Read(Path("reports/target.html")), "new");
  EXPECT_EQ(ResolveOutputPath(Path("link.html")), Path("reports/target.html"));
}

TEST_F(OutputFileTest, SymlinkChainAndDanglingLinkReachTheFinalTarget) {
  fs::create_symlink(dir_ / "middle", dir_ / "first");  // absolute
  fs::create_symlink("last.csv", dir_ / "middle");       // relative, target missing
  WriteOutput(Path("first"), "a,b\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "first"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "middle"));
  EXPECT_EQ(Read(Path("last.csv")), "a,b\n");
}

TEST_F(OutputFileTest, SymlinkLoopIsAnErrorNamingThePath) {
  fs::create_symlink("b", dir_ / "a");
  fs::create_symlink("a", dir_ / "b");
  EXPECT_THAT([&] { WriteOutput(Path("a"), "x"); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(Path("a")),
                                              HasSubstr("too many levels of symbolic links"))));
}

TEST_F(OutputFileTest, CharacterDeviceIsWrittenInPlace) {
  WriteOutput("/dev/null", "discarded");
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  // A symlink to the device is followed to it, not replaced by a regular file.
  fs::create_symlink("/dev/null", dir_ / "mynull");
  WriteOutput(Path("mynull"), "discarded");
  EXPECT_TRUE(fs::is_symlink(dir_ / "mynull"));
  EXPECT_EQ(Entries(), 1);
}

TEST_F(OutputFileTest, FifoIsWrittenInPlace) {
  ASSERT_EQ(::mkfifo(Path("pipe").c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = Read(Path("pipe")); });
  WriteOutput(Path("pipe"), "through the pipe\n");
  reader.join();
  EXPECT_EQ(received, "through the pipe\n");
  struct stat st {};
  ASSERT_EQ(::lstat(Path("pipe").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST_F(OutputFileTest, DashIsStandardOutput) {
  // Standard output is redirected into a file for the duration of the write.
  const std::string captured = Path("stdout.txt");
  const int saved = ::dup(STDOUT_FILENO);
  const int fd = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_GE(::dup2(fd, STDOUT_FILENO), 0);
  WriteOutput("-", "to stdout\n");
  ::dup2(saved, STDOUT_FILENO);
  ::close(fd);
  ::close(saved);
  EXPECT_EQ(Read(captured), "to stdout\n");
  EXPECT_FALSE(fs::exists(fs::current_path() / "-"));
}

TEST_F(OutputFileTest, DirectoryAndMissingDirectoryAreErrorsThatLeaveNothing) {
  EXPECT_THAT([&] { WriteOutput(dir_.string(), "x"); },
              ThrowsMessage<InputError>(HasSubstr("it is a directory")));
  EXPECT_THAT([&] { WriteOutput(Path("missing/a.html"), "x"); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(Path("missing/a.html")),
                                              HasSubstr("No such file or directory"))));
  EXPECT_EQ(Entries(), 0);
}

TEST_F(OutputFileTest, FailedRenderingCreatesNothing) {
  EXPECT_THROW(WriteOutput(Path("r.html"),
                           [](std::ostream&) { throw InputError("render", "failed"); }),
               InputError);
  EXPECT_EQ(Entries(), 0);
}

}  // namespace
}  // namespace cadenza::cli
