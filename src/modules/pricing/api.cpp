#include "modules/pricing/service.hpp"
