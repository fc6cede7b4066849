#include "infra/mail/smtp_mailer.hpp"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "core/id.hpp"
#include "core/log.hpp"

namespace fff::mail {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

struct Upload {
  std::string_view text;
  size_t at = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t room = size * count;
  size_t n = std::min(room, upload->text.size() - upload->at);
  std::memcpy(buffer, upload->text.data() + upload->at, n);
  upload->at += n;
  return n;
}

}  // namespace

Result<void> check_smtp_url(const std::string& url) {
  auto bad = [&] {
    return Error::invalid("invalid_smtp_url",
                          "an SMTP URL is smtp://host[:port] or smtps://host[:port]");
  };
  size_t host_at = 0;
  if (url.rfind("smtp://", 0) == 0)
    host_at = 7;
  else if (url.rfind("smtps://", 0) == 0)
    host_at = 8;
  else
    return bad();
  if (host_at >= url.size() || url[host_at] == '/' || url[host_at] == ':' ||
      url.find_first_of(" \r\n\t") != std::string::npos)
    return bad();
  return {};
}

std::string envelope_address(std::string_view from) {
  size_t open = from.rfind('<');
  size_t close = from.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    return std::string(from.substr(open + 1, close - open - 1));
  size_t begin = from.find_first_not_of(' ');
  size_t end = from.find_last_not_of(' ');
  if (begin == std::string_view::npos) return "";
  return std::string(from.substr(begin, end - begin + 1));
}

SmtpMailer::SmtpMailer(SmtpSettings settings, std::string from, const Clock& clock)
    : settings_(std::move(settings)), from_(std::move(from)), clock_(clock) {
  global_init();
}

Result<void> SmtpMailer::send(const MailMessage& message) {
  if (message.to.empty() || has_line_break(message.to) || has_line_break(message.subject))
    return Error::invalid("invalid_mail", "a message needs one recipient and one-line headers");
  std::string id = new_id();
  std::string text = render_eml(message, from_, clock_.now(), id);
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Error::unavailable("mail_unavailable", "cannot start an SMTP client");
  CURL* c = curl.get();
  std::string sender = "<" + envelope_address(from_) + ">";
  std::string recipient = "<" + envelope_address(message.to) + ">";
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> recipients(
      curl_slist_append(nullptr, recipient.c_str()), curl_slist_free_all);
  Upload upload{text};
  char error_text[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
  if (settings_.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!settings_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, settings_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    // libcurl's messages name the host and the server's reply, never the credentials.
    std::string detail = error_text[0] ? error_text : curl_easy_strerror(code);
    log::warn("smtp send failed", {{"curl", static_cast<int>(code)},
                                   {"reply", static_cast<int64_t>(reply)},
                                   {"error", detail}});
    return Error::unavailable("mail_unavailable",
                              "the SMTP server did not take the message: " + detail);
  }
  return {};
}

}  // namespace fff::mail
