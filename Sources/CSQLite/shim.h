#ifndef PORTICO_CSQLITE_SHIM_H
#define PORTICO_CSQLITE_SHIM_H
#include <sqlite3.h>

// sqlite3_db_config is variadic, and Swift cannot call variadic C functions. This forwards the
// one shape PorticoStore uses: an on/off option (`int onoff, int *result`), such as
// SQLITE_DBCONFIG_DQS_DML. Returns the sqlite3_db_config result code.
static inline int csqlite_db_config_flag(sqlite3 *db, int op, int onoff) {
    int result = 0;
    return sqlite3_db_config(db, op, onoff, &result);
}

#endif
