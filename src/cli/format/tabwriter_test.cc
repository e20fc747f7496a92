// Unit tests for TabWriter; expected outputs recorded from Go's text/tabwriter.
#include "cli/format/tabwriter.h"

#include <gtest/gtest.h>

namespace berth::format {
namespace {

struct TwCase {
  int minwidth, tabwidth, padding;
  char padchar;
  unsigned flags;
  const char* in;
  const char* want;
};

using TW = TabWriter;

const TwCase kCases[] = {
    // podman's settings.
    {12, 2, 2, ' ', 0,
     "REPOSITORY\tTAG\tIMAGE ID\tSIZE\nquay.io/podman/hello\tlatest\t5dd467fce50b\t787 kB\n"
     "docker.io/library/alpine\t3.19\tabc\t7.8 MB\n",
     "REPOSITORY                TAG         IMAGE ID      SIZE\n"
     "quay.io/podman/hello      latest      5dd467fce50b  787 kB\n"
     "docker.io/library/alpine  3.19        abc           7.8 MB\n"},
    {0, 8, 1, '.', 0, "a\tb\tc\naa\tbb\tcc\naaa\t\taaaa\n", "a...b..c\naa..bb.cc\naaa....aaaa\n"},
    {5, 0, 1, ' ', TW::kAlignRight | TW::kDebug, "a\tb\tc\naa\tbb\tcc\naaa\t\taaaa\n",
     "    a|    b|c\n   aa|   bb|cc\n  aaa|     |aaaa\n"},
    {0, 8, 1, '\t', 0, "a\tb\tc\naa\tbb\tcc\naaa\t\taaaa\n", "a\tb\tc\naa\tbb\tcc\naaa\t\taaaa\n"},
    // A line without tabs ends the column blocks.
    {12, 2, 2, ' ', 0, "a\tb\nno tabs here at all\nccc\tdddd\tlast\n",
     "a           b\nno tabs here at all\nccc         dddd        last\n"},
    // Widths count runes, not bytes.
    {12, 2, 2, ' ', 0, "h\xC3\xA9llo\tw\xC3\xB6rld\nx\ty\n",
     "h\xC3\xA9llo       w\xC3\xB6rld\nx           y\n"},
    {0, 4, 1, '-', TW::kDebug, "a\tb\tc\naa\tbb\n\naaa\tb\tcccc\n",
     "a--|b-|c\naa-|bb\n\naaa-|b-|cccc\n"},
    {12, 2, 2, ' ', 0, "no newline\tat end", "no newline  at end"},
    {12, 2, 2, ' ', TW::kStripEscape, "a\xff\tb\xff\tc\nd\te\n", "a\tb         c\nd           e\n"},
    // '\f' flushes: the second line starts a new block.
    {8, 2, 1, ' ', 0, "x\ty\fa\tbbbbbbbbbbbbb\n", "x       y\na       bbbbbbbbbbbbb\n"},
    {0, 8, 1, ' ', TW::kDiscardEmptyColumns, "a\t\tb\naa\t\tbb\n", "a   b\naa  bb\n"},
    {0, 8, 1, ' ', TW::kTabIndent, "\t\tindented\n\tx\ty\n", "\t\tindented\n\tx y\n"},
    {0, 8, 1, ' ', TW::kFilterHtml, "<b>bold</b>\t&amp;\tz\nplain\tx\ty\n",
     "<b>bold</b>  &amp; z\nplain x y\n"},
    {12, 2, 2, ' ', 0, "ID\tNAME\n\nfoo\tbar\n", "ID          NAME\n\nfoo         bar\n"},
    {12, 2, 2, ' ', 0, "a\tb\tc\td\ne\tf\n",
     "a           b           c           d\ne           f\n"},
};

TEST(TabWriter, MatchesGo) {
  for (const TwCase& c : kCases) {
    TabWriter tw(c.minwidth, c.tabwidth, c.padding, c.padchar, c.flags);
    tw.write(c.in);
    tw.flush();
    EXPECT_EQ(tw.output(), c.want) << c.in;
  }
}

TEST(TabWriter, ChunkedWritesGiveTheSameOutput) {
  const TwCase& c = kCases[0];
  std::string_view in = c.in;
  TabWriter tw(c.minwidth, c.tabwidth, c.padding, c.padchar, c.flags);
  for (size_t i = 0; i < in.size(); i += 3) tw.write(in.substr(i, 3));
  tw.flush();
  EXPECT_EQ(tw.output(), c.want);
}

TEST(TabWriter, FlushIsIdempotentAndReusable) {
  TabWriter tw(12, 2, 2, ' ', 0);
  tw.flush();
  EXPECT_EQ(tw.output(), "");
  tw.write("a\tb\n");
  tw.flush();
  tw.flush();
  tw.write("ccccccccccccccc\td\n");
  tw.flush();
  EXPECT_EQ(tw.takeOutput(), "a           b\nccccccccccccccc  d\n");
}

}  // namespace
}  // namespace berth::format
