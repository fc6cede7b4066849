#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "core/id.hpp"
#include "infra/mail/mailer.hpp"

namespace fff::mail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

FileMailer::FileMailer(std::filesystem::path dir, std::string from, const Clock& clock)
    : dir_(std::move(dir)), from_(std::move(from)), clock_(clock) {}

Result<void> FileMailer::send(const MailMessage& message) {
  if (message.to.empty() || has_line_break(message.to) || has_line_break(message.subject))
    return Error::invalid("invalid_mail", "a message needs one recipient and one-line headers");
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Error::unavailable("mail_unavailable", "cannot create the mail folder");
  Timestamp now = clock_.now();
  std::string id = new_id();
  std::string text = render_eml(message, from_, now, id);
  // The name sorts by time; the id keeps two messages in one microsecond apart.
  std::string stamp = to_iso8601(now);
  stamp.erase(std::remove_if(stamp.begin(), stamp.end(),
                             [](char c) { return c == ':' || c == '-' || c == '.'; }),
              stamp.end());
  std::filesystem::path final_path = dir_ / (stamp + "-" + id + ".eml");
  std::filesystem::path temp = dir_ / ("." + id + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::filesystem::remove(temp, ec);
      return Error::unavailable("mail_unavailable", "cannot write a message to the mail folder");
    }
  }
  std::filesystem::rename(temp, final_path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return Error::unavailable("mail_unavailable", "cannot move a message into the mail folder");
  }
  std::lock_guard lock(mutex_);
  if (last_.size() >= kRemembered && !last_.count(lower(message.to))) last_.clear();
  last_[lower(message.to)] = message;
  return {};
}

std::optional<MailMessage> FileMailer::last_sent_to(std::string_view to) const {
  std::lock_guard lock(mutex_);
  auto it = last_.find(lower(to));
  if (it == last_.end()) return std::nullopt;
  return it->second;
}

RecordingMailer::RecordingMailer(std::unique_ptr<Mailer> inner) : inner_(std::move(inner)) {}

Result<void> RecordingMailer::send(const MailMessage& message) {
  if (auto sent = inner_->send(message); !sent) return sent;
  std::lock_guard lock(mutex_);
  if (last_.size() >= kRemembered && !last_.count(lower(message.to))) last_.clear();
  auto& sent = last_[lower(message.to)];
  if (sent.size() >= kPerRecipient) sent.erase(sent.begin());
  sent.push_back(message);
  return {};
}

std::optional<MailMessage> RecordingMailer::last_sent_to(std::string_view to,
                                                         std::string_view subject_part) const {
  std::lock_guard lock(mutex_);
  auto it = last_.find(lower(to));
  if (it == last_.end()) return std::nullopt;
  for (auto m = it->second.rbegin(); m != it->second.rend(); ++m)
    if (m->subject.find(subject_part) != std::string::npos) return *m;
  return std::nullopt;
}

}  // namespace fff::mail
