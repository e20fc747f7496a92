// LocalSecretService: secret create/ls/inspect/rm/exists with podman's file driver semantics.
#include "engine/secret_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <random>

#include "base/fs.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "engine/engine.h"
#include "engine/filters.h"

namespace berth::engine {

namespace {

constexpr size_t kMaxSecretSize = 512000;  // podman's maxSecretSize

// podman's secret IDs: 25 hex characters.
std::string newSecretId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 25; ++i) id += kHex[rd() % 16];
  return id;
}

std::map<std::string, std::string> stringMap(const Json& j, const char* key) {
  std::map<std::string, std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_object())
    for (auto& [k, v] : it->items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

}  // namespace

bool LocalSecretService::validName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(n.front()) || !alnum(n.back())) return false;
  return std::all_of(n.begin(), n.end(), [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

std::string LocalSecretService::dataDir() const { return e_.options().root + "/secrets/filedriver"; }

api::SecretInfo LocalSecretService::fromRecord(const state::SecretRecord& r) const {
  api::SecretInfo s;
  s.id = r.id;
  s.name = r.name;
  s.created = r.created;
  s.updated = r.updated;
  if (auto d = r.config.find("driver"); d != r.config.end() && d->is_string()) s.driver = d->get<std::string>();
  s.driver_options = stringMap(r.config, "driver_options");
  s.labels = stringMap(r.config, "labels");
  return s;
}

Result<std::string> LocalSecretService::create(const api::SecretCreateRequest& req) {
  if (!validName(req.name))
    return makeError(Code::kInvalidArgument,
                     "only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be "
                     "[a-zA-Z0-9]: {}: invalid secret name",
                     req.name);
  if (req.driver != "file") return makeError(Code::kInvalidArgument, "invalid driver");
  for (auto& [k, v] : req.driver_options)
    if (k != "path") return makeError(Code::kInvalidArgument, "invalid driver option {:?} for driver file", k);
  if (req.data.empty() || req.data.size() >= kMaxSecretSize)
    return makeError(Code::kInvalidArgument, "secret data must be larger than 0 and less than {} bytes",
                     kMaxSecretSize);
  // The file driver's options as podman reports them: the data directory.
  std::map<std::string, std::string> opts = req.driver_options;
  if (opts.find("path") != opts.end() && opts["path"] != dataDir())
    return makeError(Code::kUnimplemented, "secret driver option path={}: berth keeps file secrets in {}",
                     opts["path"], dataDir());
  opts["path"] = dataDir();
  // Checked early for a clean message; the insert checks again inside the transaction.
  if (auto found = state::findSecret(e_.db(), req.name); found.ok() && found->name == req.name)
    return makeError(Code::kAlreadyExists, "{}: secret name in use", req.name);
  state::SecretRecord rec;
  for (int i = 0; i < 8; ++i) {
    rec.id = newSecretId();
    if (!fs::exists(dataDir() + "/" + rec.id) && !state::findSecret(e_.db(), rec.id).ok()) break;
  }
  rec.name = req.name;
  rec.created = rec.updated = nowNanos();
  rec.config = Json{{"driver", req.driver}, {"driver_options", Json(opts)}, {"labels", Json(req.labels)}};
  if (rec.config["labels"].is_null()) rec.config["labels"] = Json::object();
  TRY_CTX(fs::mkdirAll(dataDir(), 0700), "create the secrets directory");
  ::chmod((e_.options().root + "/secrets").c_str(), 0700);
  ::chmod(dataDir().c_str(), 0700);
  std::string file = dataDir() + "/" + rec.id;
  TRY_CTX(fs::writeFileAtomic(file, req.data, 0600), "store secret {}", req.name);
  Status ins = e_.db().transaction([&]() -> Status { return state::insertSecret(e_.db(), rec); });
  if (!ins.ok()) {
    ::unlink(file.c_str());
    return std::move(ins).error();
  }
  return rec.id;
}

Result<std::vector<api::SecretInfo>> LocalSecretService::list(const std::vector<std::string>& filters) {
  std::map<std::string, std::vector<std::string>> by_key;
  for (auto& f : filters) {
    auto eq = f.find('=');
    if (eq == std::string::npos) return makeError(Code::kInvalidArgument, "invalid filter {:?}", f);
    std::string k = f.substr(0, eq);
    if (k != "name" && k != "id") return makeError(Code::kInvalidArgument, "invalid filter {:?}", k);
    by_key[k].push_back(f.substr(eq + 1));
  }
  std::vector<api::SecretInfo> out;
  for (auto& r : TRY(state::listSecrets(e_.db()))) {
    bool ok = true;
    for (auto& [k, vals] : by_key) {
      bool any = false;
      for (auto& v : vals) any |= k == "id" ? r.id.rfind(v, 0) == 0 : regexMatchAny(r.name, {v});
      ok &= any;
    }
    if (ok) out.push_back(fromRecord(r));
  }
  return out;
}

Result<api::SecretInfo> LocalSecretService::inspect(const std::string& name_or_id) {
  return fromRecord(TRY(state::findSecret(e_.db(), name_or_id)));
}

Result<bool> LocalSecretService::exists(const std::string& name_or_id) {
  auto r = state::findSecret(e_.db(), name_or_id);
  if (r.ok()) return true;
  if (r.error().code() == Code::kNotFound) return false;
  return std::move(r).error();
}

Result<std::vector<api::SecretRemoveReport>> LocalSecretService::remove(const std::vector<std::string>& names,
                                                                        bool all) {
  std::vector<std::string> keys = names;
  if (all)
    for (auto& r : TRY(state::listSecrets(e_.db()))) keys.push_back(r.id);
  std::vector<api::SecretRemoveReport> out;
  for (auto& k : keys) {
    // podman's secret rm is safe for secrets in use: a container keeps the copy it took at create.
    Result<state::SecretRecord> rec = Error(Code::kInternal, "");
    Status st = e_.db().transaction([&]() -> Status {
      rec = state::findSecret(e_.db(), k);
      if (!rec.ok()) return rec.error();
      return state::deleteSecret(e_.db(), rec->id);
    });
    if (!st.ok()) {
      out.push_back({k, std::move(st).error()});
      continue;
    }
    std::string file = dataDir() + "/" + rec->id;
    if (::unlink(file.c_str()) < 0 && errno != ENOENT)
      LOG_WARN("remove the data of secret {}: {}", rec->name, std::strerror(errno));
    out.push_back({rec->id, std::nullopt});
  }
  return out;
}

Result<std::pair<api::SecretInfo, std::string>> LocalSecretService::lookupData(const std::string& name_or_id) {
  auto rec = TRY(state::findSecret(e_.db(), name_or_id));
  std::string file = dataDir() + "/" + rec.id;
  UniqueFd fd = TRY_CTX(fs::openFd(file, O_RDONLY | O_NOFOLLOW), "read secret {}", rec.name);
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("read secret {}", rec.name);
    if (n == 0) break;
    data.append(buf, size_t(n));
    if (data.size() > kMaxSecretSize)
      return makeError(Code::kInternal, "the data of secret {} exceeds {} bytes", rec.name, kMaxSecretSize);
  }
  return std::make_pair(fromRecord(rec), std::move(data));
}

}  // namespace berth::engine
