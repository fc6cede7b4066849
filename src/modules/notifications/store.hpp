// modules/notifications/store: the notifications_sent table. The only code that touches it.
#pragma once

#include <string>

#include "core/error.hpp"
#include "infra/db/database.hpp"

namespace fff::notifications {

class SentStore {
 public:
  explicit SentStore(db::Database& database) : db_(database) {}
  Result<bool> was_sent(const std::string& event_id, const std::string& template_name);
  // Records a sent mail; recording it twice keeps the first row.
  Result<void> record(const std::string& event_id, const std::string& template_name,
                      const std::string& topic, const std::string& subject_id,
                      const std::string& now);

 private:
  db::Database& db_;
};

}  // namespace fff::notifications
