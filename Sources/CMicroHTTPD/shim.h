#ifndef PORTICO_CMICROHTTPD_SHIM_H
#define PORTICO_CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <stdio.h>
#include <microhttpd.h>

// Swift cannot call C variadic functions, and libmicrohttpd's entry points for starting a
// daemon and for reading connection or daemon information are variadic. Each wrapper below
// forwards one fixed call so the Swift side never builds a va_list by hand.

/// MHD_start_daemon with every option passed as one MHD_OPTION_ARRAY (ended by
/// MHD_OPTION_END). The port argument is unused: PorticoHTTP hands MHD a socket it has
/// already bound (MHD_OPTION_LISTEN_SOCKET) so bind errors keep their errno.
static inline struct MHD_Daemon *portico_mhd_start_daemon(unsigned int flags,
                                                          MHD_AccessHandlerCallback handler,
                                                          void *handler_cls,
                                                          struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/// The peer address of a connection (MHD_CONNECTION_INFO_CLIENT_ADDRESS), or NULL.
static inline const struct sockaddr *portico_mhd_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

/// The connection's socket (MHD_CONNECTION_INFO_CONNECTION_FD), or -1.
static inline int portico_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

/// What the connection-notification callback stored for the connection
/// (MHD_CONNECTION_INFO_SOCKET_CONTEXT), or NULL.
static inline void *portico_mhd_socket_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}

/// The port the daemon listens on (MHD_DAEMON_INFO_BIND_PORT), or 0 if unknown.
static inline uint16_t portico_mhd_bind_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/// Where MHD's error messages go. MHD's log callback takes a va_list, which a Swift function
/// cannot accept as a C callback, so this trampoline formats the message and hands the
/// finished text to `function`.
typedef void (*portico_mhd_log_function)(void *context, const char *message);
struct portico_mhd_log_sink {
    portico_mhd_log_function function;
    void *context;
};

static void portico_mhd_log_trampoline(void *cls, const char *format, va_list arguments) {
    const struct portico_mhd_log_sink *sink = (const struct portico_mhd_log_sink *)cls;
    char message[512];
    vsnprintf(message, sizeof message, format, arguments);
    sink->function(sink->context, message);
}

/// The MHD_OPTION_EXTERNAL_LOGGER item of an option array; `sink` must outlive the daemon.
static inline struct MHD_OptionItem portico_mhd_logger_option(struct portico_mhd_log_sink *sink) {
    struct MHD_OptionItem item = {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)&portico_mhd_log_trampoline, sink};
    return item;
}

#endif
