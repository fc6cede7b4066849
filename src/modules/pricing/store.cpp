#include "modules/pricing/store.hpp"
