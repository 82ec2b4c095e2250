#include "importer/onnx_model_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <onnx/onnx_pb.h>

#include "analyzer/error.h"

namespace cadenza {

namespace {

namespace io = google::protobuf::io;

// Protobuf wire types (https://protobuf.dev/programming-guides/encoding/).
enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// Field numbers of onnx.proto that the reader looks inside; every other field is copied.
constexpr uint32_t kModelGraph = 7;
constexpr uint32_t kGraphInitializer = 5;
constexpr uint32_t kTensorDims = 1;
constexpr uint32_t kTensorDataType = 2;
constexpr uint32_t kTensorName = 8;
constexpr uint32_t kTensorDataLocation = 14;
bool IsTensorDataField(uint32_t field) {
  // float_data, int32_data, string_data, int64_data, raw_data, double_data, uint64_data
  return (field >= 4 && field <= 7) || (field >= 9 && field <= 11);
}

void AppendVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void AppendLittleEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(value >> (8 * i)));
}

void AppendBytesField(std::string* out, uint32_t tag, std::string_view payload) {
  AppendVarint(out, tag);
  AppendVarint(out, payload.size());
  out->append(payload);
}

// A CodedInputStream over the whole serialized model, which knows the model's size, so that a
// file that ends early is told apart from one that is not a protobuf message.
class WireReader {
 public:
  WireReader(io::ZeroCopyInputStream* stream, int64_t size) : in_(stream), size_(size) {}

  uint32_t ReadTag() { return in_.ReadTag(); }
  io::CodedInputStream& stream() { return in_; }

  // A read that failed: at the end of the data the file was cut short, else it is not
  // protobuf.
  [[noreturn]] void Fail(const std::string& what) {
    if (in_.CurrentPosition() >= size_) {
      throw InputError("the file ends early at byte " + std::to_string(size_) +
                       " (truncated?): " + what);
    }
    throw InputError("not an ONNX model: invalid protobuf data near byte " +
                     std::to_string(in_.CurrentPosition()) + " (" + what + ")");
  }

  // Bytes that were read whole but do not form the ONNX message they should.
  [[noreturn]] static void NotOnnx(const std::string& what) {
    throw InputError("not an ONNX model: " + what + " do not parse as ONNX protobuf");
  }

  // A length prefix that fits in what is left of the model.
  int ReadLength() {
    uint32_t length = 0;
    if (!in_.ReadVarint32(&length)) Fail("bad length");
    if (length > static_cast<uint64_t>(size_ - in_.CurrentPosition())) {
      throw InputError("the file ends early: a field of " + std::to_string(length) +
                       " bytes starts at byte " + std::to_string(in_.CurrentPosition()) +
                       " of " + std::to_string(size_) + " (truncated?)");
    }
    return static_cast<int>(length);
  }

  // Reads the rest of a field whose tag was just read; appends tag and payload to `out`
  // unless it is null (then a length-delimited payload is skipped, not read).
  void CopyField(uint32_t tag, std::string* out) {
    if (out != nullptr) AppendVarint(out, tag);
    switch (tag & 7) {
      case kVarint: {
        uint64_t value = 0;
        if (!in_.ReadVarint64(&value)) Fail("bad varint");
        if (out != nullptr) AppendVarint(out, value);
        return;
      }
      case kFixed64: {
        uint64_t value = 0;
        if (!in_.ReadLittleEndian64(&value)) Fail("bad fixed64");
        if (out != nullptr) AppendLittleEndian(out, value, 8);
        return;
      }
      case kFixed32: {
        uint32_t value = 0;
        if (!in_.ReadLittleEndian32(&value)) Fail("bad fixed32");
        if (out != nullptr) AppendLittleEndian(out, value, 4);
        return;
      }
      case kLengthDelimited:
        CopyPayload(ReadLength(), out);
        return;
      default:
        Fail("wire type " + std::to_string(tag & 7) + " of field " + std::to_string(tag >> 3));
    }
  }

  std::string ReadBytes(int length) {
    std::string bytes;
    if (!in_.ReadString(&bytes, length)) Fail("bad bytes field");
    return bytes;
  }

  // Reads a length-delimited payload of `length` bytes (its length prefix just read) and
  // appends length and payload to `out`; with a null `out` the bytes are skipped unread.
  void CopyPayload(int length, std::string* out) {
    if (out == nullptr) {
      if (!in_.Skip(length)) Fail("bad bytes field");
      return;
    }
    AppendVarint(out, static_cast<uint64_t>(length));
    const size_t at = out->size();
    out->resize(at + static_cast<size_t>(length));
    if (!in_.ReadRaw(out->data() + at, length)) Fail("bad bytes field");
  }

  // Ends a sub-message of `length` bytes: every byte of it read, none missing.
  void EndMessage(io::CodedInputStream::Limit limit, const char* what) {
    if (!in_.ConsumedEntireMessage() || in_.BytesUntilLimit() != 0) {
      Fail(std::string("bad ") + what);
    }
    in_.PopLimit(limit);
  }

 private:
  io::CodedInputStream in_;
  int64_t size_;
};

// One main-graph initializer: kept whole when its data is small and inline, else a stub.
void ReadInitializer(WireReader& reader, onnx::GraphProto* graph,
                     std::vector<WeightStub>* stubs) {
  io::CodedInputStream& in = reader.stream();
  const io::CodedInputStream::Limit limit = in.PushLimit(reader.ReadLength());
  std::string kept;  // every field but the data
  std::string data;  // data fields, while they stay small
  int64_t data_bytes = 0;
  bool dropped = false;
  bool external = false;
  WeightStub stub;
  while (const uint32_t tag = reader.ReadTag()) {
    const uint32_t field = tag >> 3;
    const uint32_t wire = tag & 7;
    if (field == kTensorDims && wire == kLengthDelimited) {  // packed dims
      const std::string packed = reader.ReadBytes(reader.ReadLength());
      AppendBytesField(&kept, tag, packed);
      io::CodedInputStream dims(reinterpret_cast<const uint8_t*>(packed.data()),
                                static_cast<int>(packed.size()));
      uint64_t dim = 0;
      while (dims.BytesUntilLimit() > 0 && dims.ReadVarint64(&dim)) {
        stub.dims.push_back(static_cast<int64_t>(dim));
      }
    } else if ((field == kTensorDims || field == kTensorDataType ||
                field == kTensorDataLocation) &&
               wire == kVarint) {
      uint64_t value = 0;
      if (!in.ReadVarint64(&value)) reader.Fail("bad tensor field");
      AppendVarint(&kept, tag);
      AppendVarint(&kept, value);
      if (field == kTensorDims) stub.dims.push_back(static_cast<int64_t>(value));
      if (field == kTensorDataType) stub.data_type = static_cast<int32_t>(value);
      if (field == kTensorDataLocation) external = value == onnx::TensorProto::EXTERNAL;
    } else if (field == kTensorName && wire == kLengthDelimited) {
      stub.name = reader.ReadBytes(reader.ReadLength());
      AppendBytesField(&kept, tag, stub.name);
    } else if (IsTensorDataField(field)) {
      // A large payload is skipped as soon as its length is known, never read.
      const int length = wire == kLengthDelimited ? reader.ReadLength() : 0;
      const int64_t field_bytes = wire == kLengthDelimited ? length : 8;
      dropped = dropped || data_bytes + field_bytes > kMaxKeptTensorBytes;
      if (dropped) {
        data.clear();
        if (wire == kLengthDelimited) {
          reader.CopyPayload(length, nullptr);
        } else {
          reader.CopyField(tag, nullptr);
        }
        continue;
      }
      const size_t before = data.size();
      if (wire == kLengthDelimited) {
        AppendVarint(&data, tag);
        reader.CopyPayload(length, &data);
      } else {
        reader.CopyField(tag, &data);
      }
      data_bytes += static_cast<int64_t>(data.size() - before);
    } else {
      reader.CopyField(tag, &kept);
    }
  }
  reader.EndMessage(limit, "initializer");
  if (dropped || external) {
    stubs->push_back(std::move(stub));
    return;
  }
  if (!graph->add_initializer()->ParseFromString(kept + data)) {
    WireReader::NotOnnx("the initializer '" + stub.name + "'");
  }
}

void ReadGraph(WireReader& reader, onnx::GraphProto* graph, std::vector<WeightStub>* stubs) {
  io::CodedInputStream& in = reader.stream();
  const io::CodedInputStream::Limit limit = in.PushLimit(reader.ReadLength());
  std::string rest;
  while (const uint32_t tag = reader.ReadTag()) {
    if ((tag >> 3) == kGraphInitializer && (tag & 7) == kLengthDelimited) {
      ReadInitializer(reader, graph, stubs);
    } else {
      reader.CopyField(tag, &rest);
    }
  }
  reader.EndMessage(limit, "graph");
  if (!graph->MergeFromString(rest)) WireReader::NotOnnx("the graph's fields");
}

void CheckSize(int64_t size) {
  if (size == 0) throw InputError("the file is empty, not an ONNX model");
  if (size > INT_MAX) {
    throw InputError("the file is larger than 2 GiB, which protobuf cannot parse; store the "
                     "weights as ONNX external data");
  }
}

std::vector<WeightStub> ReadModel(io::ZeroCopyInputStream* stream, int64_t size,
                                  onnx::ModelProto* model) {
  CheckSize(size);
  WireReader reader(stream, size);
  std::string rest;
  onnx::GraphProto graph;
  bool has_graph = false;
  std::vector<WeightStub> stubs;
  while (const uint32_t tag = reader.ReadTag()) {
    if ((tag >> 3) == kModelGraph && (tag & 7) == kLengthDelimited) {
      ReadGraph(reader, &graph, &stubs);
      has_graph = true;
    } else {
      reader.CopyField(tag, &rest);
    }
  }
  if (!reader.stream().ConsumedEntireMessage()) reader.Fail("bad field tag");
  if (reader.stream().CurrentPosition() != size) {
    reader.Fail("stopped at byte " + std::to_string(reader.stream().CurrentPosition()) +
                " of " + std::to_string(size));
  }
  if (!model->ParseFromString(rest)) WireReader::NotOnnx("the model's fields");
  if (has_graph) model->mutable_graph()->Swap(&graph);
  return stubs;
}

}  // namespace

std::vector<WeightStub> ReadModelFile(const std::string& path, onnx::ModelProto* model) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int error = S_ISDIR(st.st_mode) ? EISDIR : errno;
    close(fd);
    throw InputError(std::string("cannot read: ") + std::strerror(error));
  }
  io::FileInputStream stream(fd, 1 << 16);
  stream.SetCloseOnDelete(true);
  std::vector<WeightStub> stubs;
  try {
    stubs = ReadModel(&stream, static_cast<int64_t>(st.st_size), model);
  } catch (const InputError&) {
    if (stream.GetErrno() != 0) {
      throw InputError(std::string("cannot read: ") + std::strerror(stream.GetErrno()));
    }
    throw;
  }
  return stubs;
}

std::vector<WeightStub> ReadModelBytes(std::string_view bytes, onnx::ModelProto* model) {
  if (bytes.size() > INT_MAX) CheckSize(static_cast<int64_t>(bytes.size()));
  io::ArrayInputStream stream(bytes.data(), static_cast<int>(bytes.size()));
  return ReadModel(&stream, static_cast<int64_t>(bytes.size()), model);
}

}  // namespace cadenza
