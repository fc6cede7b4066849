// web/admin/orders_pages: the admin console's orders and customers.
//   GET  /admin/orders                      list: status, payment status, date range, number or
//                                           email; keyset pages
//   GET  /admin/orders/{number}             lines, totals, customer, addresses, payment,
//                                           shipments, returns, timeline (internal notes too)
//   POST /admin/orders/{number}/capture | cancel | refund | shipments | deliver | notes
//   POST /admin/orders/{number}/returns/{return_id}/approve | reject | receive | refund
//   GET  /admin/orders/{number}/packing-slip  printable, a document of its own (no admin chrome)
//   GET  /admin/customers, /admin/customers/{id}  (area customers: every view is a
//                                           customers:read that StaffAccess audits)
// Every action is the same flow the staff API calls (flows::OrderActions): one code path for
// money and stock. Bad input re-renders the order with 422 and the message beside the field; a
// move the order's state forbids re-renders it with 409 and the reason; success is a 303 back
// to the order with a notice.
#pragma once

#include "flows/order_actions.hpp"
#include "infra/http/router.hpp"
#include "web/admin/admin.hpp"

namespace fff::accounts {
class AccountService;
}

namespace fff::web::admin {

struct OrdersPageServices {
  flows::OrderServices orders;  // what the order actions change, as for the staff API
  accounts::AccountService& accounts;
};

// REQUIRES: the services and `admin` outlive the router.
void add_orders_pages(http::Router& router, const Admin& admin, OrdersPageServices services);

}  // namespace fff::web::admin
