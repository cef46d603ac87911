// The PorticoHTTP module; see README.md for its role.
