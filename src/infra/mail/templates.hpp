// infra/mail/templates: what a mail says, from mustache templates (kainjow mustache) that escape
// by default, embedded into the binary from web/templates/email at build time.
//
// A mail `name` is three files: `<name>.subject.mustache` (one line), `<name>.txt.mustache` and
// `<name>.html.mustache`. The bodies are wrapped in the shared layout (`_layout.txt.mustache`,
// `_layout.html.mustache`: shop name, inline CSS, footer), which receives the rendered body as
// `content`. Other files starting with `_` are partials (`_order_lines.html.mustache` is
// `{{> order_lines}}` in HTML templates). A localised file `<name>.<locale>.<kind>.mustache`
// (`order_placed.vi.subject.mustache`) wins over the English one for that locale.
//
// `{{x}}` escapes HTML in HTML templates; in subjects and text it inserts as is (nothing there is
// interpreted). `{{{x}}}` never escapes: use it only for values the code made itself. An empty
// string, null or false is falsy: `{{#x}}…{{/x}}` shows nothing for them.
//
// Thread-safety: a MailTemplates is immutable; render() may run on many threads at once.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <kainjow/mustache.hpp>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "infra/mail/mailer.hpp"

namespace fff::mail {

// JSON as mustache data, for every template of the shop (mails and storefront pages): objects
// and arrays as they are, numbers as text, and null, false and "" falsy so `{{#x}}` skips them.
kainjow::mustache::data to_mustache_data(const boost::json::value& value);

struct RenderedMail {
  std::string subject;
  std::string text;
  std::string html;
};

class MailTemplates {
 public:
  // Templates from (file name, text) pairs. Error: invalid "mail_template_invalid" naming the
  // file whose syntax is wrong.
  static Result<MailTemplates> from_files(
      const std::vector<std::pair<std::string, std::string>>& files);
  // The templates of web/templates/email, embedded in the binary (checked by the tests).
  static const MailTemplates& builtin();

  // Renders mail `name` with `data` (its members are the templates' variables) in `locale`
  // ("en", "vi"; unknown locales fall back to English). Errors: not_found
  // "mail_template_not_found"; invalid "mail_template_invalid" when rendering fails.
  Result<RenderedMail> render(std::string_view name, const boost::json::object& data,
                              std::string_view locale = "en") const;
  // render() as a message to `to`.
  Result<MailMessage> message(std::string_view name, const std::string& to,
                              const boost::json::object& data,
                              std::string_view locale = "en") const;
  bool has(std::string_view name) const;
  // The mail names (files with a subject), sorted.
  std::vector<std::string> names() const;

 private:
  const std::string* find(std::string_view name, std::string_view locale,
                          std::string_view kind) const;
  std::map<std::string, std::string, std::less<>> files_;
};

}  // namespace fff::mail
