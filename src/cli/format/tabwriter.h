// Elastic tabstops exactly like Go's text/tabwriter, writing into a string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace berth::format {

// Text is split into cells at '\t' (and '\v'); lines end at '\n' (or '\f', which also
// flushes). A column block is a run of adjacent lines that have a cell in that column;
// every cell in the block is padded to the block's widest cell plus `padding`, and to at
// least `minwidth`. The last cell of a line is never padded. Widths count UTF-8 runes.
// A line with no tab ends all blocks (Go flushes there), so it does not widen columns.
class TabWriter {
 public:
  enum Flags : unsigned {
    kFilterHtml = 1 << 0,           // HTML tags have width 0, entities width 1
    kStripEscape = 1 << 1,          // drop the 0xff escape bytes from the output
    kAlignRight = 1 << 2,           // right-align cell contents
    kDiscardEmptyColumns = 1 << 3,  // columns of only empty soft cells get width 0
    kTabIndent = 1 << 4,            // pad leading empty cells with tabs
    kDebug = 1 << 5,                // print '|' between columns
  };
  static constexpr char kEscape = '\xff';

  // podman: tabwriter.NewWriter(out, 12, 2, 2, ' ', 0).
  TabWriter(int minwidth, int tabwidth, int padding, char padchar, unsigned flags);

  void write(std::string_view text);
  // Formats and emits everything buffered (an unterminated escape counts as complete).
  void flush();
  // The formatted output so far; call flush() first to include buffered text.
  const std::string& output() const { return out_; }
  std::string takeOutput() { return std::move(out_); }

 private:
  struct Cell {
    size_t size = 0;   // bytes
    size_t width = 0;  // runes
    bool htab = false;
  };

  void reset();
  void addLine();
  void append(std::string_view text);
  void updateWidth();
  void startEscape(char ch);
  void endEscape();
  size_t terminateCell(bool htab);
  void writePadding(size_t textw, size_t cellw, bool use_tabs);
  size_t writeLines(size_t pos, size_t line0, size_t line1);
  size_t format(size_t pos, size_t line0, size_t line1);

  size_t minwidth_;
  size_t tabwidth_;
  size_t padding_;
  char padchar_;
  unsigned flags_;

  std::string buf_;
  size_t pos_ = 0;
  Cell cell_;
  char end_char_ = 0;
  std::vector<std::vector<Cell>> lines_;
  std::vector<size_t> widths_;
  std::string out_;
};

}  // namespace berth::format
