// web/admin/door_pages: how staff get in and out of the admin console — /admin/signin,
// /admin/signin/second-factor (the TOTP or recovery code prompt when the account has one),
// POST /admin/signout, and /admin/account (one's own password and two-factor enrolment).
#pragma once

#include "infra/http/router.hpp"
#include "web/admin/admin.hpp"

namespace fff::accounts {
class AccountService;
}
namespace fff::staff {
class SecondFactorService;
}

namespace fff::web::admin {

struct DoorPageServices {
  accounts::AccountService& accounts;
  staff::SecondFactorService& second_factor;
};

void add_door_pages(http::Router& router, const Admin& admin, DoorPageServices services);

}  // namespace fff::web::admin
