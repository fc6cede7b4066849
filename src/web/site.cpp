#include "web/site.hpp"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <kainjow/mustache.hpp>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <unordered_map>

#include "core/log.hpp"
#include "embedded/admin_templates.hpp"
#include "embedded/bootstrap_css.hpp"
#include "embedded/storefront_static.hpp"
#include "embedded/storefront_strings.hpp"
#include "embedded/storefront_templates.hpp"
#include "infra/http/perimeter.hpp"
#include "infra/mail/templates.hpp"

namespace fff::web {
namespace {

namespace json = boost::json;
using kainjow::mustache::data;
using kainjow::mustache::mustache;

constexpr std::string_view kTemplateSuffix = ".mustache";
constexpr size_t kCompressAbove = 1024;  // smaller bodies gain less than the header costs

// FNV-1a 64: content fingerprints for asset names and ETags (not a security boundary).
uint64_t fingerprint(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex(uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 0xf];
  return out;
}

std::string gzip(std::string_view in, int level) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

bool accepts_gzip(const http::Request& req) {
  auto ae = req.headers.get("Accept-Encoding");
  return ae && ae->find("gzip") != std::string_view::npos;
}

std::string content_type_of(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".json") || name.ends_with(".webmanifest"))
    return "application/json; charset=utf-8";
  if (name.ends_with(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool is_local_path(std::string_view p) {
  return !p.empty() && p[0] == '/' && !(p.size() > 1 && (p[1] == '/' || p[1] == '\\'));
}

std::string url_encode(std::string_view in) {
  return http::percent_encode(in, "/");
}

// JSON-LD sits inside <script>: "</" must not close it early.
std::string script_safe(std::string_view json_text) {
  std::string out;
  out.reserve(json_text.size());
  for (size_t i = 0; i < json_text.size(); ++i) {
    if (json_text[i] == '<' && i + 1 < json_text.size() && json_text[i + 1] == '/')
      out += "<\\/", ++i;
    else
      out += json_text[i];
  }
  return out;
}

struct Asset {
  std::string url_name;  // "site.3f2a9c1b0d.css"
  std::string body;
  std::string gzipped;  // empty when compression does not pay
  std::string content_type;
  std::string etag;
};

struct CachedPage {
  http::Response response;  // uncompressed, with its ETag
  std::string gzipped;
  std::chrono::steady_clock::time_point made;
  uint64_t generation = 0;
};

// A page rendered inside Site::cached() is finished (ETag, gzip) by cached(), which keeps the
// plain body for the next visitor.
thread_local bool tl_defer_finish = false;

}  // namespace

struct Site::Impl {
  std::map<std::string, std::string, std::less<>> templates;  // name (no suffix) → source
  // locale → key → text; and the same as ready-made mustache data for `t`.
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> strings;
  std::map<std::string, data, std::less<>> strings_data;
  std::map<std::string, Asset, std::less<>> assets;            // by url_name
  std::map<std::string, std::string, std::less<>> asset_urls;  // source name → "/assets/…"
  json::array script_urls;        // the storefront's modules (web/static/js)
  json::array admin_script_urls;  // the admin console's (web/static/admin/*.js)
  std::shared_ptr<const http::CsrfTokens> csrf;
  std::vector<LayoutFiller> fillers;

  mutable std::mutex cache_mutex;
  mutable std::unordered_map<std::string, CachedPage> cache;
  mutable std::atomic<uint64_t> generation{1};

  // Parsed templates per handler thread: kainjow's render() is not const, and parsing once per
  // thread keeps rendering free of locks.
  mustache& parsed(const std::string& name) const {
    thread_local std::unordered_map<const Impl*, std::unordered_map<std::string, mustache>> per;
    auto& mine = per[this];
    auto it = mine.find(name);
    if (it == mine.end()) {
      auto src = templates.find(name);
      it = mine.emplace(name, mustache(src == templates.end() ? std::string() : src->second)).first;
    }
    return it->second;
  }

  std::string render_template(const std::string& name, const data& d) const {
    mustache& tmpl = parsed(name);
    std::string out = tmpl.render(d);
    if (!tmpl.is_valid()) throw std::runtime_error(name + ": " + tmpl.error_message());
    return out;
  }
};

// ---- Form --------------------------------------------------------------------------------

Form Form::parse(std::string_view encoded) {
  Form form;
  size_t pos = 0;
  while (pos <= encoded.size()) {
    size_t amp = encoded.find('&', pos);
    if (amp == std::string_view::npos) amp = encoded.size();
    std::string_view pair = encoded.substr(pos, amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string key, value;
      std::string_view raw_key = pair.substr(0, eq);
      std::string_view raw_value =
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      if (!http::percent_decode(raw_key, key, true)) key = std::string(raw_key);
      if (!http::percent_decode(raw_value, value, true)) value = std::string(raw_value);
      form.fields_.emplace_back(std::move(key), std::move(value));
    }
    pos = amp + 1;
  }
  return form;
}

Form Form::of(const http::Request& request) {
  auto type = request.headers.get("Content-Type");
  if (type && type->find("application/x-www-form-urlencoded") == std::string_view::npos)
    return Form();
  return parse(request.body);
}

std::string Form::get(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (k != name) continue;
    size_t b = v.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    size_t e = v.find_last_not_of(" \t\r\n");
    return v.substr(b, e - b + 1);
  }
  return {};
}

std::vector<std::string> Form::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields_)
    if (k == name) out.push_back(v);
  return out;
}

bool Form::has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [&](const auto& f) { return f.first == name; });
}

json::object FormErrors::to_json() const {
  json::object out;
  out["summary"] = summary;
  json::object by_field;
  json::array list;
  for (const auto& [field, message] : fields) {
    by_field[field] = message;
    list.push_back(json::object{{"field", field}, {"message", message}});
  }
  out["fields"] = std::move(by_field);
  out["list"] = std::move(list);
  out["any"] = !empty();
  return out;
}

// ---- Site --------------------------------------------------------------------------------

Site::Site(SiteOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {}
Site::~Site() = default;

Result<std::unique_ptr<Site>> Site::create(SiteOptions options,
                                           std::shared_ptr<const http::CsrfTokens> csrf) {
  std::unique_ptr<Site> site(new Site(std::move(options)));
  Impl& impl = *site->impl_;
  impl.csrf = std::move(csrf);

  // Storefront templates by their name, the admin console's as "admin/<name>".
  for (auto [files, prefix] : {std::pair{embedded_storefront_templates(), ""},
                               std::pair{embedded_admin_templates(), "admin/"}}) {
    for (const auto& f : files) {
      std::string name(f.name);
      if (!name.ends_with(kTemplateSuffix)) continue;
      name.resize(name.size() - kTemplateSuffix.size());
      mustache parsed{std::string(f.text)};
      if (!parsed.is_valid())
        return Error::invalid("template_invalid",
                              prefix + std::string(f.name) + ": " + parsed.error_message());
      impl.templates[prefix + name] = std::string(f.text);
    }
  }

  // Partials are pasted in at load: kainjow would parse a partial's text again on every use
  // (a grid of 24 cards parsed 24 times per page).
  std::function<Result<std::string>(const std::string&, const std::string&, int)> expand =
      [&](const std::string& owner, const std::string& text, int depth) -> Result<std::string> {
    static const std::regex kPartial(R"(\{\{>\s*([A-Za-z0-9_]+)\s*\}\})");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), kPartial);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const auto& m = *it;
      out.append(text, last, static_cast<size_t>(m.position(0)) - last);
      last = static_cast<size_t>(m.position(0) + m.length(0));
      // An admin template's partials are the admin's own.
      const std::string folder = owner.starts_with("admin/") ? "admin/" : "";
      auto partial = impl.templates.find(folder + "_" + m[1].str());
      if (partial == impl.templates.end())
        return Error::invalid("template_invalid",
                              owner + ": no partial _" + m[1].str() + ".mustache");
      if (depth >= 8)
        return Error::invalid("template_invalid", owner + ": partials nest deeper than 8");
      auto inner = expand(owner, partial->second, depth + 1);
      if (!inner) return inner.error();
      out += *inner;
    }
    out.append(text, last, std::string::npos);
    return out;
  };
  std::map<std::string, std::string, std::less<>> expanded;
  for (const auto& [name, text] : impl.templates) {
    auto full = expand(name + ".mustache", text, 0);
    if (!full) return full.error();
    expanded[name] = std::move(*full);
  }
  impl.templates = std::move(expanded);

  for (const auto& f : embedded_storefront_strings()) {
    std::string_view name = f.name;  // "en/catalog.json"
    size_t slash = name.find('/');
    if (slash == std::string_view::npos) continue;
    std::string locale(name.substr(0, slash));
    boost::system::error_code ec;
    json::value parsed = json::parse(f.text, ec);
    if (ec || !parsed.is_object())
      return Error::invalid("strings_invalid", std::string(name) + " is not a JSON object");
    auto& table = impl.strings[locale];
    for (const auto& [key, value] : parsed.get_object()) {
      if (!value.is_string())
        return Error::invalid("strings_invalid",
                              std::string(name) + ": " + std::string(key) + " is not a string");
      table[std::string(key)] = std::string(value.get_string());
    }
  }
  // Vietnamese falls back to English key by key, so a missing translation shows English.
  for (auto& [locale, table] : impl.strings) {
    data d = data::type::object;
    if (locale != "en")
      for (const auto& [key, text] : impl.strings["en"])
        if (!table.count(key)) d.set(key, data(text));
    for (const auto& [key, text] : table) d.set(key, data(text));
    impl.strings_data[locale] = std::move(d);
  }

  auto add_asset = [&](const std::string& source_name, std::string body) {
    std::string file = source_name.substr(source_name.rfind('/') + 1);
    size_t dot = file.rfind('.');
    std::string digest = hex(fingerprint(body), 10);
    std::string url_name = file.substr(0, dot) + "." + digest + file.substr(dot);
    Asset asset{url_name, std::move(body), {}, content_type_of(file), "\"" + digest + "\""};
    if (asset.body.size() > kCompressAbove && !file.ends_with(".png")) {
      asset.gzipped = gzip(asset.body, 9);
      if (asset.gzipped.size() >= asset.body.size()) asset.gzipped.clear();
    }
    impl.asset_urls[source_name] = "/assets/" + url_name;
    impl.assets[url_name] = std::move(asset);
  };

  // One stylesheet: Bootstrap, then ours in name order (one request, one cache entry).
  std::string css;
  for (const auto& f : embedded_bootstrap_css()) {
    std::string_view text = f.text;
    // The source map is not shipped; a browser asking for it would log a 404.
    if (size_t map = text.rfind("/*# sourceMappingURL"); map != std::string_view::npos)
      text = text.substr(0, map);
    css += text;
    css += '\n';
  }
  std::vector<std::pair<std::string, std::string_view>> statics;
  for (const auto& f : embedded_storefront_static()) statics.emplace_back(f.name, f.text);
  std::sort(statics.begin(), statics.end());
  // The admin console has a stylesheet of its own (Bootstrap, then web/static/admin/*.css), so
  // neither side ships the other's rules.
  std::string admin_css = css;
  for (const auto& [name, text] : statics) {
    if (!name.ends_with(".css")) continue;
    if (name.starts_with("css/")) css += std::string(text) + '\n';
    if (name.starts_with("admin/")) admin_css += std::string(text) + '\n';
  }
  add_asset("css/site.css", std::move(css));
  add_asset("admin/admin.css", std::move(admin_css));
  for (const auto& [name, text] : statics) {
    if (name.ends_with(".css") && (name.starts_with("css/") || name.starts_with("admin/")))
      continue;
    add_asset(name, std::string(text));
    if (name.ends_with(".js") && name.starts_with("js/"))
      impl.script_urls.push_back(json::value(impl.asset_urls[name]));
    if (name.ends_with(".js") && name.starts_with("admin/"))
      impl.admin_script_urls.push_back(json::value(impl.asset_urls[name]));
  }
  return site;
}

void Site::add_layout_filler(LayoutFiller filler) {
  impl_->fillers.push_back(std::move(filler));
}

std::string Site::asset_url(std::string_view name) const {
  auto it = impl_->asset_urls.find(name);
  return it == impl_->asset_urls.end() ? std::string() : it->second;
}

std::string Site::money(const Money& amount) {
  return format_money(amount);
}

std::string Site::t(std::string_view locale, std::string_view key,
                    const std::map<std::string, std::string>& args) const {
  const std::string* text = nullptr;
  for (std::string_view loc : {locale, std::string_view("en")}) {
    auto table = impl_->strings.find(loc);
    if (table == impl_->strings.end()) continue;
    auto it = table->second.find(key);
    if (it != table->second.end()) {
      text = &it->second;
      break;
    }
  }
  if (!text) return std::string(key);
  if (args.empty()) return *text;
  std::string out;
  for (size_t i = 0; i < text->size(); ++i) {
    if ((*text)[i] == '{') {
      size_t close = text->find('}', i);
      if (close != std::string::npos) {
        auto arg = args.find(text->substr(i + 1, close - i - 1));
        if (arg != args.end()) {
          out += arg->second;
          i = close;
          continue;
        }
      }
    }
    out += (*text)[i];
  }
  return out;
}

PageContext Site::context(const http::Request& request) const {
  PageContext ctx;
  ctx.path = request.path;
  std::string locale;
  if (auto c = request.cookie(kLocaleCookie); c && impl_->strings.count(*c)) locale = *c;
  if (locale.empty()) {
    // The best-weighted language we speak; English when none.
    double best = 0;
    if (auto al = request.headers.get("Accept-Language")) {
      size_t pos = 0;
      while (pos < al->size()) {
        size_t comma = al->find(',', pos);
        if (comma == std::string_view::npos) comma = al->size();
        std::string_view item = al->substr(pos, comma - pos);
        pos = comma + 1;
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        double q = 1;
        if (size_t semi = item.find(';'); semi != std::string_view::npos) {
          std::string_view params = item.substr(semi + 1);
          item = item.substr(0, semi);
          if (size_t qpos = params.find("q="); qpos != std::string_view::npos) {
            try {
              q = std::stod(std::string(params.substr(qpos + 2)));
            } catch (...) {
              q = 0;
            }
          }
        }
        std::string primary(item.substr(0, item.find('-')));
        for (auto& ch : primary)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (q > best && impl_->strings.count(primary)) {
          best = q;
          locale = primary;
        }
      }
    }
  }
  ctx.locale = locale.empty() ? "en" : locale;
  if (auto session = request.cookie(options_.session_cookie); session && !session->empty()) {
    if (impl_->csrf) ctx.csrf = impl_->csrf->token_for(*session);
  }
  if (request.principal && request.principal->kind == http::Principal::Kind::customer)
    ctx.customer = request.principal;
  if (auto cart = request.cookie("fff_cart"); cart && !cart->empty())
    ctx.cart_id = std::string(*cart);
  if (auto notice = request.cookie(kNoticeCookie); notice && !notice->empty()) {
    auto en = impl_->strings.find("en");
    if (en != impl_->strings.end() && en->second.count(*notice)) ctx.notice = std::string(*notice);
  }
  return ctx;
}

namespace {

// ETag, 304 and gzip for a finished page body.
http::Response finish_page(const http::Request& req, http::Response res,
                           const std::string* gzipped = nullptr) {
  if (!res.headers.has("ETag"))
    res.headers.set("ETag", "W/\"" + hex(fingerprint(res.body), 16) + "\"");
  res.headers.set("Vary", "Accept-Encoding, Accept-Language, Cookie");
  if (res.status == 200) {
    auto inm = req.headers.get("If-None-Match");
    auto etag = res.headers.get("ETag");
    if (inm && etag && inm->find(*etag) != std::string_view::npos) {
      res.status = 304;
      res.body.clear();
      return res;
    }
  }
  if (accepts_gzip(req) && res.body.size() > kCompressAbove) {
    std::string packed = gzipped && !gzipped->empty() ? *gzipped : gzip(res.body, 6);
    if (!packed.empty()) {
      res.body = std::move(packed);
      res.headers.set("Content-Encoding", "gzip");
    }
  }
  return res;
}

}  // namespace

http::Response Site::render(const http::Request& request, const PageContext& ctx, int status,
                            std::string_view page, json::object page_data,
                            const PageMeta& meta) const {
  const Impl& impl = *impl_;
  // The shared part of every page.
  page_data["locale"] = ctx.locale;
  page_data["csrf"] = ctx.csrf;
  page_data["shop"] = json::object{{"name", options_.shop_name}, {"url", options_.public_url}};
  page_data["assets"] = json::object{{"css", asset_url("css/site.css")},
                                     {"scripts", impl.script_urls},
                                     {"icon", asset_url("img/icon.svg")},
                                     {"logo", asset_url("img/logo.svg")}};
  page_data["signed_in"] = static_cast<bool>(ctx.customer);
  if (!page_data.contains("cart_count")) page_data["cart_count"] = 0;
  std::string back = url_encode(request.target.empty() ? "/" : request.target);
  json::array languages;
  for (const auto& [code, label] : {std::pair{"en", "English"}, std::pair{"vi", "Tiếng Việt"}})
    languages.push_back(json::object{{"code", code},
                                     {"label", label},
                                     {"href", std::string("/lang/") + code + "?back=" + back},
                                     {"current", ctx.locale == code}});
  page_data["languages"] = std::move(languages);
  if (ctx.notice) page_data["notice"] = t(ctx.locale, *ctx.notice);
  for (const auto& filler : impl.fillers) filler(request, ctx, page_data);

  std::string title = meta.title.empty() ? options_.shop_name : meta.title;
  if (title.find(options_.shop_name) == std::string::npos) title += " – " + options_.shop_name;
  json::array ld;
  for (const auto& item : meta.json_ld) ld.push_back(json::value(script_safe(item)));
  json::object org{{"@context", "https://schema.org"},
                   {"@type", "Organization"},
                   {"name", options_.shop_name},
                   {"url", options_.public_url + "/"},
                   {"logo", options_.public_url + asset_url("img/logo.svg")}};
  if (page == "home") ld.push_back(json::value(script_safe(json::serialize(org))));
  json::object m{{"title", title},
                 {"description", meta.description},
                 {"canonical", meta.canonical.empty() ? "" : options_.public_url + meta.canonical},
                 {"og_type", meta.og_type},
                 {"og_image", meta.og_image.empty() || meta.og_image.starts_with("http")
                                  ? meta.og_image
                                  : options_.public_url + meta.og_image},
                 {"preload_image", meta.preload_image},
                 {"preload_srcset", meta.preload_srcset},
                 {"preload_sizes", meta.preload_sizes},
                 {"json_ld", std::move(ld)},
                 {"noindex", meta.noindex}};
  page_data["meta"] = std::move(m);

  data root = mail::to_mustache_data(page_data);
  auto strings = impl.strings_data.find(ctx.locale);
  if (strings == impl.strings_data.end()) strings = impl.strings_data.find("en");
  if (strings != impl.strings_data.end()) root.set("t", strings->second);

  http::Response res;
  res.status = status;
  std::string body = impl.render_template(std::string(page), root);
  root.set("content", data(std::move(body)));
  res.body = impl.render_template("_layout", root);
  res.headers.set("Content-Type", "text/html; charset=utf-8");
  res.headers.set("Content-Language", ctx.locale);
  res.headers.set("Cache-Control", ctx.personal() ? "private, no-cache" : "no-cache");
  if (ctx.notice)
    res.headers.add("Set-Cookie",
                    std::string(kNoticeCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  if (tl_defer_finish) return res;
  return finish_page(request, std::move(res));
}

std::string Site::render_template(std::string_view name, const json::object& data) const {
  return impl_->render_template(std::string(name), mail::to_mustache_data(data));
}

http::Response Site::finish(const http::Request& request, http::Response response) const {
  return finish_page(request, std::move(response));
}

json::array Site::admin_scripts() const {
  return impl_->admin_script_urls;
}

const http::CsrfTokens* Site::csrf_tokens() const {
  return impl_->csrf.get();
}

http::Response Site::cached(const http::Request& request,
                            const std::function<http::Response(const PageContext&)>& build) const {
  PageContext ctx = context(request);
  if (ctx.personal() || (request.method != "GET" && request.method != "HEAD") ||
      options_.page_cache_seconds <= 0)
    return build(ctx);
  const std::string key = ctx.locale + '|' + request.target;
  const auto now = std::chrono::steady_clock::now();
  const uint64_t generation = impl_->generation.load();
  {
    std::lock_guard lock(impl_->cache_mutex);
    auto it = impl_->cache.find(key);
    if (it != impl_->cache.end() && it->second.generation == generation &&
        now - it->second.made < std::chrono::seconds(options_.page_cache_seconds)) {
      return finish_page(request, it->second.response, &it->second.gzipped);
    }
  }
  tl_defer_finish = true;
  http::Response res;
  try {
    res = build(ctx);
  } catch (...) {
    tl_defer_finish = false;
    throw;
  }
  tl_defer_finish = false;
  const bool keep = res.status == 200 && !res.headers.has("Set-Cookie") &&
                    res.headers.get("Content-Encoding") == std::nullopt;
  if (!keep) return res.headers.has("ETag") ? res : finish_page(request, std::move(res));
  res.headers.set("ETag", "W/\"" + hex(fingerprint(res.body), 16) + "\"");
  CachedPage entry{res, gzip(res.body, 6), now, generation};
  {
    std::lock_guard lock(impl_->cache_mutex);
    // A crude bound: when full, start again (pages are cheap to remake; this keeps memory flat).
    if (impl_->cache.size() >= options_.page_cache_entries) impl_->cache.clear();
    impl_->cache[key] = entry;
  }
  return finish_page(request, std::move(res), &entry.gzipped);
}

void Site::invalidate_pages() const {
  impl_->generation.fetch_add(1);
  std::lock_guard lock(impl_->cache_mutex);
  impl_->cache.clear();
}

http::Response Site::redirect(std::string_view location, int status) {
  http::Response res;
  res.status = status;
  res.headers.set("Location", is_local_path(location) ? std::string(location) : "/");
  res.headers.set("Cache-Control", "no-store");
  return res;
}

http::Response Site::redirect_with_notice(std::string_view location, std::string_view notice_key) {
  http::Response res = redirect(location);
  res.headers.add("Set-Cookie", std::string(kNoticeCookie) + "=" + std::string(notice_key) +
                                    "; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
  return res;
}

http::Response Site::not_found(const http::Request& request) const {
  PageContext ctx = context(request);
  PageMeta meta;
  meta.title = t(ctx.locale, "not_found_title");
  meta.description = t(ctx.locale, "not_found_text");
  meta.noindex = true;
  json::object d{{"path", request.path}};
  return render(request, ctx, 404, "404", std::move(d), meta);
}

http::Response Site::server_error(const http::Request& request) const {
  // No fillers, no services: this must render when they are what failed.
  http::Response res;
  res.status = 500;
  try {
    PageContext ctx = context(request);
    data root = data::type::object;
    auto strings = impl_->strings_data.find(ctx.locale);
    if (strings != impl_->strings_data.end()) root.set("t", strings->second);
    root.set("request_id", data(request.request_id));
    root.set("css", data(asset_url("css/site.css")));
    root.set("locale", data(ctx.locale));
    root.set("shop_name", data(options_.shop_name));
    res.body = impl_->render_template("500", root);
    res.headers.set("Content-Type", "text/html; charset=utf-8");
  } catch (...) {
    res = http::Response::text(500, "Something went wrong on our side. Please try again.\n");
  }
  return res;
}

http::Response Site::error_page(const http::Request& request, http::Response response) const {
  if (response.status == 404 && !request.route && !request.path.starts_with("/api/") &&
      (request.method == "GET" || request.method == "HEAD")) {
    auto accept = request.headers.get("Accept");
    if (accept && accept->find("text/html") != std::string_view::npos) {
      http::Response page = not_found(request);
      return page;
    }
  }
  if (!request.route || !request.route->options.page) return response;
  if (response.status == 500) return server_error(request);
  // A page's form refused before its handler ran (CSRF, rate limit, body size, timeout): the
  // browser gets a page saying why, not problem+json. A script asking for JSON keeps the problem.
  auto type = response.headers.get("Content-Type");
  auto accept = request.headers.get("Accept");
  const bool wants_json = accept && accept->find("application/json") != std::string_view::npos;
  if (response.status >= 400 && type && type->starts_with("application/problem+json") &&
      !wants_json) {
    PageContext ctx = context(request);
    std::string code;
    boost::system::error_code ec;
    json::value problem = json::parse(response.body, ec);
    if (!ec && problem.is_object())
      if (const auto* c = problem.as_object().if_contains("code"); c && c->is_string())
        code = std::string(c->get_string());
    std::string key = "error_" + code;
    auto en = impl_->strings.find("en");
    if (en == impl_->strings.end() || !en->second.count(key)) key = "error_generic";
    PageMeta meta;
    meta.title = t(ctx.locale, "error_title");
    meta.noindex = true;
    std::string back(request.headers.get("Referer").value_or("/"));
    json::object d{
        {"status", response.status},
        {"message", t(ctx.locale, key)},
        {"back", back.find("://") == std::string::npos || is_local_path(back) ? back : "/"}};
    http::Response page = render(request, ctx, response.status, "error", std::move(d), meta);
    if (auto retry = response.headers.get("Retry-After")) page.headers.set("Retry-After", *retry);
    return page;
  }
  return response;
}

void Site::add_routes(http::Router& router) const {
  const http::RouteOptions page{.page = true};
  router.add(
      "GET", "/assets/{file}",
      [this](const http::Request& req) {
        auto it = impl_->assets.find(req.param("file"));
        if (it == impl_->assets.end()) return not_found(req);
        const Asset& a = it->second;
        http::Response res;
        res.headers.set("Content-Type", a.content_type);
        res.headers.set("Cache-Control", "public, max-age=31536000, immutable");
        res.headers.set("ETag", a.etag);
        res.headers.set("Vary", "Accept-Encoding");
        if (auto inm = req.headers.get("If-None-Match"); inm && *inm == a.etag) {
          res.status = 304;
          return res;
        }
        if (!a.gzipped.empty() && accepts_gzip(req)) {
          res.body = a.gzipped;
          res.headers.set("Content-Encoding", "gzip");
        } else {
          res.body = a.body;
        }
        return res;
      },
      page);
  router.add(
      "GET", "/favicon.ico",
      [this](const http::Request&) { return redirect(asset_url("img/icon.svg"), 301); }, page);
  router.add(
      "GET", "/robots.txt",
      [this](const http::Request&) {
        std::string body =
            "User-agent: *\nDisallow: /checkout\nDisallow: /account\n"
            "Disallow: /order/\nDisallow: /api/\nDisallow: /search\nDisallow: /lang/\n\nSitemap: " +
            options_.public_url + "/sitemap.xml\n";
        http::Response res = http::Response::text(200, std::move(body));
        res.headers.set("Cache-Control", "public, max-age=3600");
        return res;
      },
      page);
  router.add(
      "GET", "/lang/{locale}",
      [this](const http::Request& req) {
        std::string locale(req.param("locale"));
        std::string back = req.query_param("back").value_or("/");
        if (!is_local_path(back)) back = "/";
        if (!impl_->strings.count(locale)) return not_found(req);
        http::Response res = redirect(back);
        res.headers.add("Set-Cookie", std::string(kLocaleCookie) + "=" + locale +
                                          "; Path=/; Max-Age=31536000; SameSite=Lax");
        return res;
      },
      page);
  router.add(
      "GET", "/pages/{slug}",
      [this](const http::Request& req) {
        static const std::map<std::string, std::string, std::less<>> kPages = {
            {"about", "page_about"},
            {"shipping-returns", "page_shipping_returns"},
            {"contact", "page_contact"},
            {"faq", "page_faq"}};
        auto it = kPages.find(req.param("slug"));
        if (it == kPages.end()) return not_found(req);
        return cached(req, [&](const PageContext& ctx) {
          PageMeta meta;
          meta.title = t(ctx.locale, it->second + "_title");
          meta.description = t(ctx.locale, it->second + "_description");
          meta.canonical = req.path;
          return render(req, ctx, 200, it->second, json::object{}, meta);
        });
      },
      page);
}

}  // namespace fff::web
