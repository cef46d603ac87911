// The PorticoStore module; see README.md for its role.
