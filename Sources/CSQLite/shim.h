#ifndef PORTICO_CSQLITE_SHIM_H
#define PORTICO_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
