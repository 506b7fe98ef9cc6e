// A base header reaching up: check_modules must refuse it.
#pragma once
#include <string>
#include "server/http_server.h"
