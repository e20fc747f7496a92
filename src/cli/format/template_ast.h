// Internal: the parse tree of a template (Go's text/template/parse nodes, simplified).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/json.h"

namespace berth::format::detail {

struct Pipe;

enum class ArgKind {
  kField,       // .A.B: ident = {A, B}
  kVariable,    // $x.A: ident = {$x, A}
  kDot,         // .
  kNil,         // nil
  kLiteral,     // bool, number, string or char constant in `literal`
  kIdentifier,  // function name in ident[0]
  kPipe,        // ( pipeline )
  kChain,       // (pipeline).A.B or literal.A: base plus ident = {A, B}
};

struct Arg {
  ArgKind kind = ArgKind::kDot;
  size_t pos = 0;  // source span, for error messages
  size_t end = 0;
  std::vector<std::string> ident;
  Json literal;
  std::shared_ptr<Pipe> pipe;  // kPipe
  std::shared_ptr<Arg> base;   // kChain
};

struct Command {
  size_t pos = 0;
  size_t end = 0;
  std::vector<Arg> args;
};

struct Pipe {
  size_t pos = 0;
  bool is_assign = false;         // $x = ... rather than $x := ...
  std::vector<std::string> decl;  // declared or assigned variables
  std::vector<Command> cmds;
};

enum class NodeKind { kText, kAction, kIf, kRange, kWith, kBreak, kContinue };

struct Node {
  NodeKind kind = NodeKind::kText;
  size_t pos = 0;
  size_t end = 0;
  std::string text;             // kText
  std::shared_ptr<Pipe> pipe;   // kAction, kIf, kRange, kWith
  std::vector<Node> list;       // body
  std::vector<Node> else_list;  // else branch
};

struct Tree {
  std::string name;
  std::string source;
  std::vector<Node> root;
};

// Parses `text` into a tree; defined in template_parse.cc.
Result<std::shared_ptr<Tree>> parseTree(std::string_view text, std::string_view name);

// "template: <name>:<line>:<col>" for a byte offset into source.
std::string location(const Tree& tree, size_t pos);

// Whether `name` is a function known to the parser and executor.
bool hasFunction(std::string_view name);

}  // namespace berth::format::detail
