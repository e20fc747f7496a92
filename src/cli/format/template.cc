// Executes a parsed template over Json data with Go's text/template semantics.
#include "cli/format/template.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "cli/format/gofmt.h"
#include "cli/format/template_ast.h"
#include "cli/format/template_value.h"

namespace berth::format {
namespace {

using detail::Arg;
using detail::ArgKind;
using detail::Command;
using detail::Node;
using detail::NodeKind;
using detail::Pipe;
using detail::Tree;
using detail::Value;

enum class Flow { kNormal, kBreak, kContinue };

class Exec {
 public:
  Exec(const Tree& tree, const ExecOptions& options) : tree_(tree), options_(options) {}

  Result<std::string> run(const Json& data) {
    Value root = Value::ref(data, options_.objects_are_maps);
    vars_.emplace_back("$", root);
    TRY(walkList(root, tree_.root));
    return std::move(out_);
  }

 private:
  // `template: name:1:2: executing "name" at <.Foo>: msg`.
  Error fail(size_t pos, size_t end, std::string_view msg) const {
    std::string_view ctx = std::string_view(tree_.source).substr(pos, end - pos);
    std::string context(ctx);
    if (context.size() > 20) context = context.substr(0, 20) + "...";
    return Error(Code::kInvalidArgument,
                 fmt::format("{}: executing \"{}\" at <{}>: {}", detail::location(tree_, pos),
                             tree_.name, context, msg));
  }
  Error fail(const Arg& a, std::string_view msg) const { return fail(a.pos, a.end, msg); }

  Result<Flow> walkList(const Value& dot, const std::vector<Node>& list) {
    for (const Node& n : list) {
      Flow f = TRY(walk(dot, n));
      if (f != Flow::kNormal) return f;
    }
    return Flow::kNormal;
  }

  Result<Flow> walk(const Value& dot, const Node& n) {
    switch (n.kind) {
      case NodeKind::kText:
        out_ += n.text;
        return Flow::kNormal;
      case NodeKind::kAction: {
        Value v = TRY(evalPipeline(dot, *n.pipe));
        if (n.pipe->decl.empty()) out_ += printValue(v);
        return Flow::kNormal;
      }
      case NodeKind::kIf:
      case NodeKind::kWith: {
        size_t mark = vars_.size();
        Value v = TRY(evalPipeline(dot, *n.pipe));
        Flow f;
        if (detail::isTrue(v)) {
          f = TRY(walkList(n.kind == NodeKind::kWith ? v : dot, n.list));
        } else {
          f = TRY(walkList(dot, n.else_list));
        }
        vars_.resize(mark);
        return f;
      }
      case NodeKind::kRange:
        return walkRange(dot, n);
      case NodeKind::kBreak:
        return Flow::kBreak;
      case NodeKind::kContinue:
        return Flow::kContinue;
    }
    return Flow::kNormal;
  }

  Result<Flow> walkRange(const Value& dot, const Node& n) {
    size_t mark = vars_.size();
    Value v = TRY(evalPipeline(dot, *n.pipe));
    size_t inner = vars_.size();
    const Pipe& pipe = *n.pipe;
    auto iteration = [&](const Value& index, const Value& elem) -> Result<Flow> {
      // A template is user input: `{{range 1999999999999999}}`, or ranges nested over big
      // lists, must end with an error, not run for hours.
      if (++iterations_ > kMaxIterations)
        return fail(n.pos, n.pos + 2, fmt::format("range: more than {} iterations in one execution", kMaxIterations));
      if (!pipe.decl.empty()) {
        if (pipe.is_assign) {
          TRY(setVar(pipe.decl.size() > 1 ? pipe.decl[1] : pipe.decl[0], elem, n));
          if (pipe.decl.size() > 1) TRY(setVar(pipe.decl[0], index, n));
        } else {
          vars_[vars_.size() - 1].second = elem;
          if (pipe.decl.size() > 1) vars_[vars_.size() - 2].second = index;
        }
      }
      Flow f = TRY(walkList(elem, n.list));
      vars_.resize(inner);
      return f;
    };
    bool empty = true;
    if (v.valid()) {
      const Json& j = v.json();
      if (j.is_array()) {
        empty = j.empty();
        for (size_t i = 0; i < j.size(); ++i) {
          Flow f = TRY(iteration(Value::own(static_cast<int64_t>(i)),
                                 sub(v, j[i], options_.objects_are_maps)));
          if (f == Flow::kBreak) break;
        }
      } else if (j.is_object()) {
        empty = j.empty();
        std::vector<const std::string*> keys;
        for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(&it.key());
        std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
        for (const std::string* k : keys) {
          Flow f = TRY(iteration(Value::own(*k), sub(v, j.at(*k), options_.objects_are_maps)));
          if (f == Flow::kBreak) break;
        }
      } else if (j.is_number_integer()) {
        int64_t count =
            j.is_number_unsigned() ? static_cast<int64_t>(j.get<uint64_t>()) : j.get<int64_t>();
        empty = count <= 0;
        for (int64_t i = 0; i < count; ++i) {
          Flow f = TRY(iteration(Value::own(i), Value::own(i)));
          if (f == Flow::kBreak) break;
        }
      } else if (!j.is_null()) {
        return fail(n.pos, n.pos + 2, fmt::format("range can't iterate over {}", printValue(v)));
      }
    }
    Flow f = Flow::kNormal;
    if (empty) f = TRY(walkList(dot, n.else_list));
    vars_.resize(mark);
    return f == Flow::kBreak || f == Flow::kContinue ? Flow::kNormal : f;
  }

  static Value sub(const Value& parent, const Json& child, bool is_map) {
    return parent.child(child, is_map);
  }

  Status setVar(const std::string& name, const Value& v, const Node& n) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        vars_[i].second = v;
        return okStatus();
      }
    }
    return fail(n.pos, n.pos + 2, fmt::format("undefined variable: {}", name));
  }

  Result<Value> evalPipeline(const Value& dot, const Pipe& pipe) {
    std::optional<Value> value;
    for (const Command& cmd : pipe.cmds) value = TRY(evalCommand(dot, cmd, value));
    Value v = value ? *value : Value();
    for (const std::string& name : pipe.decl) {
      if (pipe.is_assign) {
        bool found = false;
        for (size_t i = vars_.size(); i-- > 0 && !found;) {
          if (vars_[i].first == name) vars_[i].second = v, found = true;
        }
        if (!found) {
          return fail(pipe.pos, pipe.pos + name.size(),
                      fmt::format("undefined variable: {}", name));
        }
      } else {
        vars_.emplace_back(name, v);
      }
    }
    return v;
  }

  Status notAFunction(const Arg& first, size_t nargs, const std::optional<Value>& final) {
    if (nargs > 1 || final) {
      return fail(
          first,
          fmt::format("can't give argument to non-function {}",
                      std::string_view(tree_.source).substr(first.pos, first.end - first.pos)));
    }
    return okStatus();
  }

  Result<Value> evalCommand(const Value& dot, const Command& cmd,
                            const std::optional<Value>& final) {
    const Arg& first = cmd.args[0];
    switch (first.kind) {
      case ArgKind::kField:
        return evalFieldChain(dot, dot, first, first.ident, cmd.args.size(), final);
      case ArgKind::kChain: {
        Value base = TRY(evalArg(dot, *first.base));
        return evalFieldChain(dot, base, first, first.ident, cmd.args.size(), final);
      }
      case ArgKind::kIdentifier:
        return evalFunction(dot, first, cmd, cmd.args, final);
      case ArgKind::kPipe:
        TRY(notAFunction(first, cmd.args.size(), final));
        return evalPipe(dot, *first.pipe);
      case ArgKind::kVariable: {
        Value v = TRY(lookupVar(first));
        if (first.ident.size() == 1) {
          TRY(notAFunction(first, cmd.args.size(), final));
          return v;
        }
        std::vector<std::string> rest(first.ident.begin() + 1, first.ident.end());
        return evalFieldChain(dot, v, first, rest, cmd.args.size(), final);
      }
      case ArgKind::kNil:
        return fail(first, "nil is not a command");
      case ArgKind::kDot:
        TRY(notAFunction(first, cmd.args.size(), final));
        return dot;
      case ArgKind::kLiteral:
        TRY(notAFunction(first, cmd.args.size(), final));
        return Value::ref(first.literal);
    }
    return Value();
  }

  // A parenthesized pipeline keeps its declarations local, as Go's does in practice.
  Result<Value> evalPipe(const Value& dot, const Pipe& pipe) { return evalPipeline(dot, pipe); }

  Result<Value> lookupVar(const Arg& a) {
    const std::string& name = a.ident[0];
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) return vars_[i].second;
    }
    return fail(a, fmt::format("undefined variable: {}", name));
  }

  Result<Value> evalFieldChain(const Value& dot, Value receiver, const Arg& node,
                               const std::vector<std::string>& ident, size_t nargs,
                               const std::optional<Value>& final) {
    (void)dot;
    for (size_t i = 0; i < ident.size(); ++i) {
      bool last = i + 1 == ident.size();
      bool has_args = last && (nargs > 1 || final);
      receiver = TRY(evalField(ident[i], node, has_args, receiver));
    }
    return receiver;
  }

  Result<Value> evalField(const std::string& name, const Arg& node, bool has_args,
                          const Value& receiver) {
    if (!receiver.valid() || receiver.json().is_null()) return Value();
    const Json& j = receiver.json();
    if (j.is_object()) {
      if (has_args) {
        return fail(node,
                    receiver.isMap()
                        ? fmt::format("{} is not a method but has arguments", name)
                        : fmt::format("{} has arguments but cannot be invoked as function", name));
      }
      auto it = j.find(name);
      if (it == j.end() && !receiver.isMap()) {
        if (auto a = options_.field_aliases.find(name); a != options_.field_aliases.end()) it = j.find(a->second);
      }
      if (it != j.end()) {
        return receiver.child(*it, options_.objects_are_maps || options_.map_fields.contains(name));
      }
      if (receiver.isMap()) return Value();
      if (auto d = options_.field_defaults.find(name); d != options_.field_defaults.end())
        return Value::ref(d->second, options_.objects_are_maps || options_.map_fields.contains(name));
    }
    return fail(node, fmt::format("can't evaluate field {} in type {}", name,
                                  detail::valueTypeName(receiver)));
  }

  Result<Value> evalArg(const Value& dot, const Arg& a) {
    switch (a.kind) {
      case ArgKind::kDot:
        return dot;
      case ArgKind::kNil:
        return Value::own(nullptr);
      case ArgKind::kField:
        return evalFieldChain(dot, dot, a, a.ident, 1, std::nullopt);
      case ArgKind::kVariable: {
        Value v = TRY(lookupVar(a));
        if (a.ident.size() == 1) return v;
        std::vector<std::string> rest(a.ident.begin() + 1, a.ident.end());
        return evalFieldChain(dot, v, a, rest, 1, std::nullopt);
      }
      case ArgKind::kPipe:
        return evalPipe(dot, *a.pipe);
      case ArgKind::kIdentifier:
        return evalFunction(dot, a, Command{a.pos, a.end, {a}}, {a}, std::nullopt);
      case ArgKind::kChain: {
        if (a.base->kind == ArgKind::kNil) return fail(a, "indirection through explicit nil");
        Value base = TRY(evalArg(dot, *a.base));
        return evalFieldChain(dot, base, a, a.ident, 1, std::nullopt);
      }
      case ArgKind::kLiteral:
        return Value::ref(a.literal);
    }
    return Value();
  }

  Result<Value> evalFunction(const Value& dot, const Arg& fn, const Command& cmd,
                             const std::vector<Arg>& args, const std::optional<Value>& final) {
    const std::string& name = fn.ident[0];
    size_t argc = args.size() - 1 + (final ? 1 : 0);
    if (name == "and" || name == "or") {
      if (argc < 1) {
        return fail(fn, fmt::format("wrong number of args for {}: want at least 1 got 0", name));
      }
      // Short-circuit: the first falsy (and) or truthy (or) operand, else the last one.
      Value v;
      for (size_t i = 1; i <= argc; ++i) {
        v = i < args.size() ? TRY(evalArg(dot, args[i])) : *final;
        if (detail::isTrue(v) == (name == "or")) return v;
      }
      return v;
    }
    const detail::Function* f = detail::findFunction(name);
    if (f == nullptr) return fail(fn, fmt::format("\"{}\" is not a defined function", name));
    int n = static_cast<int>(argc);
    if (n < f->min_args || (f->max_args >= 0 && n > f->max_args)) {
      if (f->max_args < 0) {
        return fail(fn, fmt::format("wrong number of args for {}: want at least {} got {}", name,
                                    f->min_args, n));
      }
      return fail(fn,
                  fmt::format("wrong number of args for {}: want {} got {}", name, f->min_args, n));
    }
    std::vector<Value> argv;
    argv.reserve(argc);
    for (size_t i = 1; i < args.size(); ++i) argv.push_back(TRY(evalArg(dot, args[i])));
    if (final) argv.push_back(*final);
    auto r = f->call(argv, options_);
    if (!r.ok()) {
      return fail(cmd.pos, cmd.end, fmt::format("error calling {}: {}", name, r.error().message()));
    }
    return std::move(r).value();
  }

  std::string printValue(const Value& v) const {
    if (!v.valid() || v.json().is_null()) return "<no value>";
    const Json& j = v.json();
    if (j.is_string()) return j.get<std::string>();
    return goValueString(j, JsonMapPolicy{&options_.map_fields, options_.objects_are_maps}, v.isMap());
  }

  static constexpr uint64_t kMaxIterations = uint64_t(1) << 20;
  const Tree& tree_;
  const ExecOptions& options_;
  uint64_t iterations_ = 0;
  std::string out_;
  std::vector<std::pair<std::string, Value>> vars_;
};

void collectFields(const Pipe& pipe, std::vector<std::string>& out);

void collectArg(const Arg& a, std::vector<std::string>& out) {
  if (a.kind == ArgKind::kField && !a.ident.empty()) {
    if (std::find(out.begin(), out.end(), a.ident[0]) == out.end()) out.push_back(a.ident[0]);
  } else if (a.kind == ArgKind::kPipe) {
    collectFields(*a.pipe, out);
  } else if (a.kind == ArgKind::kChain) {
    collectArg(*a.base, out);
  }
}

void collectFields(const Pipe& pipe, std::vector<std::string>& out) {
  for (const Command& c : pipe.cmds) {
    for (const Arg& a : c.args) collectArg(a, out);
  }
}

bool isRangeOverDot(const Node& n) {
  return n.kind == NodeKind::kRange && n.pipe->cmds.size() == 1 &&
         n.pipe->cmds[0].args.size() == 1 && n.pipe->cmds[0].args[0].kind == ArgKind::kDot;
}

// Fields read from the row: dot changes inside with bodies and inside range bodies other
// than `range .`, so those bodies are skipped.
void collectNodes(const std::vector<Node>& list, std::vector<std::string>& out) {
  for (const Node& n : list) {
    if (n.pipe && !isRangeOverDot(n)) collectFields(*n.pipe, out);
    if (n.kind == NodeKind::kIf || isRangeOverDot(n)) collectNodes(n.list, out);
    if (n.kind != NodeKind::kText) collectNodes(n.else_list, out);
  }
}

}  // namespace

Result<Template> Template::parse(std::string_view text, std::string_view name) {
  std::shared_ptr<detail::Tree> tree = TRY(detail::parseTree(text, name));
  return Template(std::move(tree));
}

Result<std::string> Template::execute(const Json& data, const ExecOptions& options) const {
  return Exec(*tree_, options).run(data);
}

std::vector<std::string> Template::referencedFields() const {
  std::vector<std::string> out;
  collectNodes(tree_->root, out);
  return out;
}

const std::string& Template::name() const { return tree_->name; }

}  // namespace berth::format
