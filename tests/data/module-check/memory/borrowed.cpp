// The memory module using the server's library: check_modules must refuse it.
#include <memory>
#include <boost/asio.hpp>
#include "memory/fine.h"
