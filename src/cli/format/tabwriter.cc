// Elastic tabstops, a port of the algorithm of Go's text/tabwriter.
#include "cli/format/tabwriter.h"

#include "base/utf8.h"

namespace berth::format {

TabWriter::TabWriter(int minwidth, int tabwidth, int padding, char padchar, unsigned flags)
    : minwidth_(minwidth < 0 ? 0 : minwidth),
      tabwidth_(tabwidth < 0 ? 0 : tabwidth),
      padding_(padding < 0 ? 0 : padding),
      padchar_(padchar),
      flags_(padchar == '\t' ? flags & ~kAlignRight : flags) {
  reset();
}

void TabWriter::reset() {
  buf_.clear();
  pos_ = 0;
  cell_ = Cell{};
  end_char_ = 0;
  lines_.clear();
  widths_.clear();
  addLine();
}

void TabWriter::addLine() { lines_.emplace_back(); }

void TabWriter::append(std::string_view text) {
  buf_ += text;
  cell_.size += text.size();
}

void TabWriter::updateWidth() {
  cell_.width += runeCount(std::string_view(buf_).substr(pos_));
  pos_ = buf_.size();
}

void TabWriter::startEscape(char ch) {
  if (ch == kEscape) end_char_ = kEscape;
  if (ch == '<') end_char_ = '>';
  if (ch == '&') end_char_ = ';';
}

void TabWriter::endEscape() {
  if (end_char_ == kEscape) {
    updateWidth();
    if ((flags_ & kStripEscape) == 0) cell_.width -= 2;  // the escape bytes have no width
  } else if (end_char_ == ';') {
    cell_.width++;  // an entity counts as one rune
  }
  pos_ = buf_.size();
  end_char_ = 0;
}

size_t TabWriter::terminateCell(bool htab) {
  cell_.htab = htab;
  lines_.back().push_back(cell_);
  cell_ = Cell{};
  return lines_.back().size();
}

void TabWriter::writePadding(size_t textw, size_t cellw, bool use_tabs) {
  if (padchar_ == '\t' || use_tabs) {
    if (tabwidth_ == 0) return;  // tabs have no width: no padding possible
    cellw = (cellw + tabwidth_ - 1) / tabwidth_ * tabwidth_;
    size_t n = cellw - textw;
    out_.append((n + tabwidth_ - 1) / tabwidth_, '\t');
    return;
  }
  out_.append(cellw - textw, padchar_);
}

size_t TabWriter::writeLines(size_t pos, size_t line0, size_t line1) {
  for (size_t i = line0; i < line1; ++i) {
    const std::vector<Cell>& line = lines_[i];
    bool use_tabs = (flags_ & kTabIndent) != 0;
    for (size_t j = 0; j < line.size(); ++j) {
      const Cell& c = line[j];
      if (j > 0 && (flags_ & kDebug)) out_ += '|';
      if (c.size == 0) {
        if (j < widths_.size()) writePadding(c.width, widths_[j], use_tabs);
      } else {
        use_tabs = false;
        if ((flags_ & kAlignRight) == 0) {
          out_.append(buf_, pos, c.size);
          pos += c.size;
          if (j < widths_.size()) writePadding(c.width, widths_[j], false);
        } else {
          if (j < widths_.size()) writePadding(c.width, widths_[j], false);
          out_.append(buf_, pos, c.size);
          pos += c.size;
        }
      }
    }
    if (i + 1 == lines_.size()) {
      // The last buffered line has no newline yet: emit the pending cell text.
      out_.append(buf_, pos, cell_.size);
      pos += cell_.size;
    } else {
      out_ += '\n';
    }
  }
  return pos;
}

size_t TabWriter::format(size_t pos, size_t line0, size_t line1) {
  size_t column = widths_.size();
  for (size_t cur = line0; cur < line1; ++cur) {
    if (column + 1 >= lines_[cur].size()) continue;
    // This line has a cell in this column: print the lines before the block, then size it.
    pos = writeLines(pos, line0, cur);
    line0 = cur;
    size_t width = minwidth_;
    bool discardable = true;
    for (; cur < line1; ++cur) {
      const std::vector<Cell>& line = lines_[cur];
      if (column + 1 >= line.size()) break;
      const Cell& c = line[column];
      width = std::max(width, c.width + padding_);
      if (c.width > 0 || c.htab) discardable = false;
    }
    if (discardable && (flags_ & kDiscardEmptyColumns)) width = 0;
    widths_.push_back(width);
    pos = format(pos, line0, cur);
    widths_.pop_back();
    line0 = cur;
    if (cur >= line1) break;
  }
  return writeLines(pos, line0, line1);
}

void TabWriter::write(std::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (end_char_ == 0) {
      switch (ch) {
        case '\t':
        case '\v':
        case '\n':
        case '\f': {
          append(text.substr(n, i - n));
          updateWidth();
          n = i + 1;
          size_t ncells = terminateCell(ch == '\t');
          if (ch == '\n' || ch == '\f') {
            addLine();
            if (ch == '\f' || ncells == 1) {
              // A one-cell line cannot affect later columns, so everything so far is final.
              flush();
              if (ch == '\f' && (flags_ & kDebug)) out_ += "---\n";
            }
          }
          break;
        }
        case kEscape:
          append(text.substr(n, i - n));
          updateWidth();
          n = i;
          if (flags_ & kStripEscape) ++n;
          startEscape(kEscape);
          break;
        case '<':
        case '&':
          if (flags_ & kFilterHtml) {
            append(text.substr(n, i - n));
            updateWidth();
            n = i;
            startEscape(ch);
          }
          break;
        default:
          break;
      }
    } else if (ch == end_char_) {
      size_t j = i + 1;
      if (ch == kEscape && (flags_ & kStripEscape)) j = i;
      append(text.substr(n, j - n));
      n = i + 1;
      endEscape();
    }
  }
  append(text.substr(n));
}

void TabWriter::flush() {
  if (cell_.size > 0) {
    if (end_char_ != 0) endEscape();
    terminateCell(false);
  }
  format(0, 0, lines_.size());
  reset();
}

}  // namespace berth::format
