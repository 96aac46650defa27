#ifndef TRAIL_CGIT2_SHIM_H
#define TRAIL_CGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#endif
