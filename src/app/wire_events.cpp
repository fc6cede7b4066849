// Events that keep copies current: the catalog's caches and search index on every node follow
// catalog.changed, and the catalog's in-stock mirror follows stock.changed (once per shop, as a
// job). Plus the staff's view of the queue.
#include <boost/json.hpp>

#include "app/app.hpp"
#include "core/log.hpp"
#include "infra/jobs/queue.hpp"
#include "infra/jobs/staff_api.hpp"
#include "modules/accounts/service.hpp"
#include "modules/catalog/service.hpp"
#include "modules/inventory/service.hpp"

namespace fff::app {

namespace {

// The variant ids of a stock.changed event's envelope.
Result<std::vector<std::string>> stock_event_variants(const std::string& envelope) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(envelope, ec);
  std::vector<std::string> ids;
  if (!ec && parsed.is_object())
    if (auto* data = parsed.get_object().if_contains("data"); data && data->is_object())
      if (auto* list = data->get_object().if_contains("variant_ids"); list && list->is_array())
        for (const auto& id : list->get_array())
          if (id.is_string()) ids.emplace_back(id.get_string());
  if (ids.empty())
    return Error::invalid("invalid_event", "stock.changed event without variant_ids");
  return ids;
}

}  // namespace

Result<void> App::wire_events() {
  // This node applied its own catalog writes when they committed; other nodes' arrive here.
  jobs_->on_event({catalog::CatalogService::kChangedTopic}, [catalog = catalog_.get()](
                                                                const jobs::Event& event) {
    if (event.origin == jobs::this_node()) return;
    catalog->apply_remote_change(catalog::CatalogService::change_from_event(event.data));
  });
  // Availability is the inventory's; the catalog keeps an in-stock copy on each variant for
  // filtering and facets. Re-reading availability makes the job idempotent and order-free.
  jobs_->subscribe(
      "catalog.stock_mirror", {"stock.changed"},
      [catalog = catalog_.get(),
       inventory = inventory_.get()](const jobs::Job& job) -> Result<void> {
        auto ids = stock_event_variants(job.payload);
        if (!ids) {
          log::warn("stock event ignored", {{"job_id", job.id}, {"error", ids.error().message}});
          return {};  // a malformed event never gets better by retrying
        }
        auto units = inventory->available(*ids);
        if (!units) return units.error();
        for (const auto& id : *ids) {
          auto it = units->find(id);
          auto set = catalog->set_variant_in_stock(id, it != units->end() && it->second > 0);
          if (!set && set.error().code != "variant_not_found") return set.error();
        }
        return {};
      });
  // Expired sessions and mailed tokens already answer as unknown; the sweep keeps tables small.
  jobs_->every("accounts.sweep_expired", std::chrono::hours(1),
               [accounts = accounts_.get()]() -> Result<void> {
                 auto swept = accounts->sweep_expired();
                 if (!swept) return swept.error();
                 if (*swept > 0) log::info("expired sessions and tokens swept", {{"rows", *swept}});
                 return {};
               });
  jobs::add_staff_routes(router_, *jobs_, *staff_access_);
  return {};
}

}  // namespace fff::app
