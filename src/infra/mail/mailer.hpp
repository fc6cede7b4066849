// infra/mail: outgoing email behind one interface, so modules say what to send and the app says
// how: over SMTP (smtp_mailer.hpp) when `smtp_url` is set, else as .eml files in a folder.
// What a mail says comes from templates (templates.hpp).
//
// Thread-safety: every Mailer is safe to use from many threads at once.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"

namespace fff::mail {

struct MailMessage {
  std::string to;       // one address
  std::string subject;  // UTF-8
  std::string text;     // plain-text body, UTF-8
  std::string html;     // HTML body, UTF-8; empty sends text only
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Hands `message` over for delivery. Errors: invalid "invalid_mail" (no recipient, a header
  // with a line break); unavailable "mail_unavailable" when it cannot be handed over.
  virtual Result<void> send(const MailMessage& message) = 0;
};

// The message as RFC 5322 text: From, To, Subject (RFC 2047 encoded when not ASCII), Date,
// Message-ID, MIME-Version and a multipart/alternative body of text and HTML parts (UTF-8,
// quoted-printable), CRLF line ends. `unique_id` makes the boundary and Message-ID unique.
std::string render_eml(const MailMessage& message, std::string_view from, Timestamp date,
                       std::string_view unique_id);

// Writes each message to <dir>/<time>-<id>.eml, atomically (a temporary file renamed into
// place), so a reader never sees half a message. Creates `dir` when missing.
class FileMailer : public Mailer {
 public:
  FileMailer(std::filesystem::path dir, std::string from, const Clock& clock = Clock::system());
  Result<void> send(const MailMessage& message) override;

  // The last message sent to `to` (compared case-insensitively) by this process, for the
  // test-only /_test/mail route. Keeps one message per recipient, at most kRemembered of them.
  std::optional<MailMessage> last_sent_to(std::string_view to) const;
  static constexpr size_t kRemembered = 1000;

 private:
  std::filesystem::path dir_;
  std::string from_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, MailMessage> last_;
};

// Hands messages to another Mailer and remembers the last one each recipient was sent (for the
// test-only /_test/mail route), whichever driver the app picked.
class RecordingMailer : public Mailer {
 public:
  explicit RecordingMailer(std::unique_ptr<Mailer> inner);
  // The inner mailer's answer; a message is remembered only when it was handed over.
  Result<void> send(const MailMessage& message) override;
  // The last message sent to `to` (case-insensitively) whose subject contains `subject_part`.
  // Mails are sent by parallel jobs, so which one came last is not an order a caller can rely
  // on; the subject picks the one it means.
  std::optional<MailMessage> last_sent_to(std::string_view to,
                                          std::string_view subject_part = {}) const;
  static constexpr size_t kRemembered = 1000;
  static constexpr size_t kPerRecipient = 20;

 private:
  std::unique_ptr<Mailer> inner_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<MailMessage>> last_;
};

}  // namespace fff::mail
