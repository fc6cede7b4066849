#include "modules/notifications/store.hpp"

namespace fff::notifications {

Result<bool> SentStore::was_sent(const std::string& event_id, const std::string& template_name) {
  auto found = db_.query("SELECT 1 FROM notifications_sent WHERE event_id = $1 AND template = $2",
                         {event_id, template_name});
  if (!found) return found.error();
  return !found->rows.empty();
}

Result<void> SentStore::record(const std::string& event_id, const std::string& template_name,
                               const std::string& topic, const std::string& subject_id,
                               const std::string& now) {
  auto inserted = db_.query(
      "INSERT INTO notifications_sent (event_id, template, topic, subject_id, sent_at) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, template) DO NOTHING",
      {event_id, template_name, topic, subject_id, now});
  if (!inserted) return inserted.error();
  return {};
}

}  // namespace fff::notifications
