#ifndef TRAIL_CDEFLATE_SHIM_H
#define TRAIL_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
