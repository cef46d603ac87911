// The PorticoApp module; see README.md for its role.
