#include "base/json_fast.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>

#include "base/utf8.h"

namespace berth {

namespace {

class Reader {
 public:
  explicit Reader(std::string_view t) : p_(t.data()), end_(t.data() + t.size()) {}

  bool document(Json& out) {
    ws();
    if (!value(out, 0)) return false;
    ws();
    return p_ == end_;
  }

 private:
  static constexpr int kMaxDepth = 512;

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(std::string_view word) {
    if (size_t(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) return false;
    p_ += word.size();
    return true;
  }

  bool value(Json& out, int depth) {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': {
        std::string s;
        if (!string(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        out = true;
        return literal("true");
      case 'f':
        out = false;
        return literal("false");
      case 'n':
        out = nullptr;
        return literal("null");
      default: return number(out);
    }
  }

  bool object(Json& out, int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;  // '{'
    out = Json::object();
    ws();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    // The members are gathered in this depth's scratch list first, so that the object's own
    // vector is allocated once at its size (growing it member by member was a third of the
    // cost of reading a database row).
    Members& tmp = scratch(depth);
    tmp.clear();
    for (;;) {
      ws();
      if (p_ >= end_ || *p_ != '"') return false;
      tmp.emplace_back();
      std::string& key = tmp.back().first;
      if (!string(key)) return false;
      ws();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      ws();
      if (!value(tmp.back().second, depth)) return false;
      for (size_t i = 0; i + 1 < tmp.size(); ++i)
        if (tmp[i].first == key) return false;  // nlohmann's rule for duplicates: its own parse
      ws();
      if (p_ >= end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != '}') return false;
      ++p_;
      auto& obj = out.get_ref<Json::object_t&>();
      obj.reserve(tmp.size());
      for (auto& [k, v] : tmp) obj.emplace_back(std::move(k), std::move(v));
      tmp.clear();
      return true;
    }
  }

  using Members = std::vector<std::pair<std::string, Json>>;
  // One list per nesting depth, kept across documents (a deque: deeper lists are added while
  // a shallower one is in use, and its elements never move).
  static Members& scratch(int depth) {
    thread_local std::deque<Members> lists;
    while (lists.size() <= size_t(depth)) lists.emplace_back();
    return lists[size_t(depth)];
  }

  bool array(Json& out, int depth) {
    if (depth > kMaxDepth) return false;
    ++p_;  // '['
    out = Json::array();
    auto& arr = out.get_ref<Json::array_t&>();
    ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      ws();
      arr.emplace_back();
      if (!value(arr.back(), depth)) return false;
      ws();
      if (p_ >= end_) return false;
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ != ']') return false;
      ++p_;
      return true;
    }
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool hex4(uint32_t& out) {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex(p_[i]);
      if (h < 0) return false;
      out = out << 4 | uint32_t(h);
    }
    p_ += 4;
    return true;
  }

  bool string(std::string& out) {
    ++p_;  // '"'
    const char* run = p_;
    bool ascii = true;
    for (;;) {
      if (p_ >= end_) return false;
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out.append(run, size_t(p_ - run));
        ++p_;
        break;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) ascii = false;
      if (c != '\\') {
        ++p_;
        continue;
      }
      out.append(run, size_t(p_ - run));
      ++p_;
      if (p_ >= end_) return false;
      char e = *p_++;
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          appendRune(out, char32_t(cp));
          break;
        }
        default: return false;
      }
      run = p_;
    }
    return ascii || validUtf8(out);
  }

  bool number(Json& out) {
    const char* start = p_;
    bool neg = p_ < end_ && *p_ == '-';
    if (neg) ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0' && p_ + 1 < end_ && p_[1] >= '0' && p_[1] <= '9') return false;  // leading zero
    uint64_t v = 0;
    bool overflow = false;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      unsigned d = unsigned(*p_ - '0');
      if (v > (UINT64_MAX - d) / 10) overflow = true;
      v = v * 10 + d;
      ++p_;
    }
    bool is_float = false;
    if (p_ < end_ && *p_ == '.') {
      is_float = true;
      ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      is_float = true;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (!is_float) {
      if (overflow) return false;  // nlohmann turns it into a double: its own parse
      if (!neg) {
        out = v;
        return true;
      }
      if (v > uint64_t(INT64_MAX) + 1) return false;
      out = v == uint64_t(INT64_MAX) + 1 ? INT64_MIN : -int64_t(v);
      return true;
    }
    std::string tok(start, size_t(p_ - start));
    errno = 0;
    char* endp = nullptr;
    double d = std::strtod(tok.c_str(), &endp);
    if (endp != tok.c_str() + tok.size() || errno == ERANGE) return false;
    out = d;
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

std::optional<Json> parseJsonFast(std::string_view text) {
  Json out;
  Reader r(text);
  if (!r.document(out)) return std::nullopt;
  return out;
}

Json parseJsonTrusted(std::string_view text) {
  if (auto j = parseJsonFast(text)) return std::move(*j);
  return Json::parse(text, nullptr, false);
}

}  // namespace berth
