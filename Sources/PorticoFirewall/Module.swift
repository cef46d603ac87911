// The PorticoFirewall module; see README.md for its role.
