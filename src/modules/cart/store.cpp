#include "modules/cart/store.hpp"
