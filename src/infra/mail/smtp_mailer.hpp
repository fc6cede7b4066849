// infra/mail/smtp_mailer: the SMTP driver (libcurl). One connection per message: simple, and a
// shop's mail volume (a few per order) never needs a pool.
//
// smtp:// (optionally upgraded with STARTTLS, required when `starttls` is set) or smtps://
// (TLS from the first byte), AUTH with the configured user and password when given (the
// password never reaches a log line or an error message), the message rendered by render_eml,
// a connect timeout and a total timeout. Every failure to hand a message over is unavailable
// "mail_unavailable", so a job sending it is retried later.
//
// Thread-safety: send() may run on many threads at once.
#pragma once

#include <chrono>
#include <string>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/mail/mailer.hpp"

namespace fff::mail {

struct SmtpSettings {
  std::string url;  // smtp://host[:port] or smtps://host[:port]
  std::string user;
  std::string password;   // secret
  bool starttls = false;  // smtp:// must switch to TLS before AUTH and the message
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{15000};  // the whole exchange
};

// Ok when `url` is smtp:// or smtps:// with a host. Error: invalid "invalid_smtp_url".
Result<void> check_smtp_url(const std::string& url);

// The address inside "Name <addr@host>" (or the whole text when there are no brackets).
std::string envelope_address(std::string_view from);

class SmtpMailer : public Mailer {
 public:
  SmtpMailer(SmtpSettings settings, std::string from, const Clock& clock = Clock::system());
  Result<void> send(const MailMessage& message) override;

 private:
  SmtpSettings settings_;
  std::string from_;
  const Clock& clock_;
};

}  // namespace fff::mail
