// web/storefront/account_pages: the customer's account area of the storefront.
//
//   /account/signup, /account/signin, POST /account/signout
//   /account/forgot (also /account/forgot-password, the link in the "someone tried to sign up"
//   mail), /account/reset?token= (also /account/reset-password, the link in the reset mail),
//   /account/verify?token= (verification and email-change mails), /account/unlock?token=
//   /account, /account/orders (?after= keyset pages), /account/orders/{number}
//   /account/addresses (+ /new, /{id}/edit, POST create, update, delete, default)
//   /account/profile (name and phone, password, email change)
//
// Pages that need a customer send guests (and staff sessions) to /account/signin?next=… (303).
// Signing in sets the same fff_session cookie as the JSON API and merges the browser's guest
// cart (fff_cart) into the customer's cart, as the cart API's claim does. Every page is noindex
// and personal (never in the page cache).
#pragma once

#include "infra/http/router.hpp"
#include "modules/accounts/service.hpp"
#include "modules/cart/service.hpp"
#include "modules/inventory/service.hpp"
#include "modules/orders/service.hpp"
#include "web/site.hpp"

namespace fff::web {

struct AccountPageServices {
  accounts::AccountService& accounts;
  orders::OrderService& orders;
  cart::CartService& carts;
  inventory::InventoryService& inventory;
};

// REQUIRES: `site` and the services outlive the router.
void add_account_pages(http::Router& router, Site& site, AccountPageServices services);

}  // namespace fff::web
