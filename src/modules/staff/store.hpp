// modules/staff/store: the staff module's SQL — api_tokens, audit_log, staff_second_factors and
// staff_recovery_codes. The only code that touches those tables.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/staff/model.hpp"

namespace fff::staff {

class StaffStore {
 public:
  explicit StaffStore(db::Database& database) : db_(database) {}

  // Tokens.
  Result<void> insert_token(const ApiToken& token, const std::string& token_hash);
  // Inserts unless a token with this hash exists; true when inserted.
  Result<bool> insert_token_if_absent(const ApiToken& token, const std::string& token_hash);
  Result<std::vector<ApiToken>> tokens();
  Result<std::optional<ApiToken>> token_by_hash(const std::string& token_hash);
  // True when a token that was not revoked yet is revoked now.
  Result<bool> revoke_token(const std::string& id, const std::string& now);
  Result<bool> token_exists(const std::string& id);
  // Revokes every live bootstrap token whose hash is not `keep_hash`; returns how many.
  Result<int64_t> revoke_other_bootstraps(const std::string& keep_hash, const std::string& now);
  Result<void> touch_token(const std::string& id, const std::string& now);

  // Audit log.
  Result<void> insert_audit(const AuditEntry& entry);
  // REQUIRES: filter.per_page in [1, 200].
  Result<AuditPage> audit(const AuditFilter& filter);

  // Second factors.
  Result<std::optional<SecondFactor>> second_factor(const std::string& account_id);
  // Replaces a pending enrolment; false (nothing written) when one is enabled already.
  Result<bool> start_enrolment(const SecondFactor& pending);
  // In one transaction: enables the pending enrolment at `step` and replaces the recovery codes.
  // False when there was no pending enrolment or the step was used.
  Result<bool> enable(const std::string& account_id, int64_t step,
                      const std::vector<std::string>& code_hashes, const std::string& now);
  // Records `step` as used; false when it (or a later one) was used already.
  Result<bool> use_step(const std::string& account_id, int64_t step);
  // Marks an unused recovery code used; false when there is no such unused code.
  Result<bool> use_recovery_code(const std::string& account_id, const std::string& code_hash,
                                 const std::string& now);
  Result<int64_t> unused_recovery_codes(const std::string& account_id);
  Result<void> remove_second_factor(const std::string& account_id);
  // How many secrets are sealed under a key other than `key_id`.
  Result<size_t> count_not_under(const std::string& key_id);
  // Up to `limit` (account id, sealed secret) pairs sealed under a key other than `key_id`.
  Result<std::vector<std::pair<std::string, std::string>>> sealed_not_under(
      const std::string& key_id, size_t limit);
  // Replaces the sealed secret if it is still `old_sealed`; false when it changed meanwhile.
  Result<bool> reseal(const std::string& account_id, const std::string& old_sealed,
                      const std::string& new_sealed, const std::string& key_id);

 private:
  db::Database& db_;
};

}  // namespace fff::staff
