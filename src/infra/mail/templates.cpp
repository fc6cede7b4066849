#include "infra/mail/templates.hpp"

#include <boost/json.hpp>
#include <kainjow/mustache.hpp>

#include "embedded/email_templates.hpp"

namespace fff::mail {
namespace {

namespace json = boost::json;
using kainjow::mustache::data;
using kainjow::mustache::mustache;

constexpr std::string_view kSuffix = ".mustache";

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  size_t begin = s.find_first_not_of(' ');
  size_t end = s.find_last_not_of(' ');
  return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

}  // namespace

data to_mustache_data(const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      data out = data::type::object;
      for (const auto& [key, value] : v.get_object())
        out.set(std::string(key), to_mustache_data(value));
      return out;
    }
    case json::kind::array: {
      data out = data::type::list;
      for (const auto& item : v.get_array()) out.push_back(to_mustache_data(item));
      return out;
    }
    case json::kind::string:
      if (v.get_string().empty()) return data(false);
      return data(std::string(v.get_string()));
    case json::kind::bool_: return data(v.get_bool());
    case json::kind::null: return data(false);
    case json::kind::int64: return data(std::to_string(v.get_int64()));
    case json::kind::uint64: return data(std::to_string(v.get_uint64()));
    case json::kind::double_: return data(json::serialize(v));
  }
  return data(false);
}

Result<MailTemplates> MailTemplates::from_files(
    const std::vector<std::pair<std::string, std::string>>& files) {
  MailTemplates out;
  for (const auto& [name, text] : files) {
    if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) continue;
    mustache parsed(text);
    if (!parsed.is_valid())
      return Error::invalid("mail_template_invalid", name + ": " + parsed.error_message());
    out.files_[name.substr(0, name.size() - kSuffix.size())] = text;
  }
  return out;
}

const MailTemplates& MailTemplates::builtin() {
  static const MailTemplates templates = [] {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& f : embedded_email_templates())
      files.emplace_back(std::string(f.name), std::string(f.text));
    auto loaded = from_files(files);
    // The embedded files are checked by the tests; a broken one is a build defect.
    if (!loaded) throw std::logic_error(loaded.error().message);
    return std::move(*loaded);
  }();
  return templates;
}

const std::string* MailTemplates::find(std::string_view name, std::string_view locale,
                                       std::string_view kind) const {
  if (!locale.empty() && locale != "en") {
    std::string key = std::string(name) + "." + std::string(locale) + "." + std::string(kind);
    if (auto it = files_.find(key); it != files_.end()) return &it->second;
  }
  auto it = files_.find(std::string(name) + "." + std::string(kind));
  return it == files_.end() ? nullptr : &it->second;
}

bool MailTemplates::has(std::string_view name) const {
  return find(name, "en", "subject") != nullptr;
}

std::vector<std::string> MailTemplates::names() const {
  std::vector<std::string> out;
  for (const auto& [key, text] : files_)
    if (key.ends_with(".subject") && key.find('.') == key.size() - 8 && !key.starts_with("_"))
      out.push_back(key.substr(0, key.size() - 8));
  return out;
}

Result<RenderedMail> MailTemplates::render(std::string_view name, const json::object& input,
                                           std::string_view locale) const {
  const std::string* subject = find(name, locale, "subject");
  const std::string* text = find(name, locale, "txt");
  const std::string* html = find(name, locale, "html");
  if (!subject || !text || !html)
    return Error::not_found("mail_template_not_found",
                            "no mail template '" + std::string(name) + "'");
  data root = to_mustache_data(input);
  // Partials of one kind: `_x.<kind>` (not the layout) as {{> x}}.
  auto with_partials = [&](std::string_view kind) {
    data d = root;
    for (const auto& [key, value] : files_) {
      if (!key.starts_with("_") || key.starts_with("_layout.")) continue;
      size_t dot = key.find('.');
      std::string partial = key.substr(1, dot - 1);
      if (const std::string* found = find("_" + partial, locale, kind))
        d.set(partial, data(*found));
    }
    return d;
  };
  std::string error;
  auto run = [&](const std::string& source, const data& d, bool escape_html) -> std::string {
    mustache tmpl(source);
    if (!escape_html) tmpl.set_custom_escape([](const std::string& s) { return s; });
    std::string out = tmpl.render(d);
    if (!tmpl.is_valid() && error.empty()) error = tmpl.error_message();
    return out;
  };
  auto wrap = [&](std::string_view kind, const std::string& body, bool escape_html) {
    const std::string* layout = find("_layout", locale, kind);
    if (!layout) return body;
    data d = with_partials(kind);
    d.set("content", data(body));
    std::string source = *layout;
    return run(source, d, escape_html);
  };
  RenderedMail out;
  out.subject = one_line(run(*subject, root, false));
  out.text = wrap("txt", run(*text, with_partials("txt"), false), false);
  out.html = wrap("html", run(*html, with_partials("html"), true), true);
  if (!error.empty())
    return Error::invalid("mail_template_invalid",
                          "mail template '" + std::string(name) + "': " + error);
  return out;
}

Result<MailMessage> MailTemplates::message(std::string_view name, const std::string& to,
                                           const json::object& data_in,
                                           std::string_view locale) const {
  auto rendered = render(name, data_in, locale);
  if (!rendered) return rendered.error();
  return MailMessage{to, std::move(rendered->subject), std::move(rendered->text),
                     std::move(rendered->html)};
}

}  // namespace fff::mail
